import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

from posegraph.models import DDNet, StreamEnsemble
from posegraph.models.ddnet import joint_collection_distances, joint_motion


def test_jcd_is_each_frames_pair_distances_scaled_by_the_clips_mean_and_ignores_placement():
    rng = np.random.default_rng(0)
    joints = rng.normal(size=(2, 5, 15, 2)).astype(np.float32)
    jcd = joint_collection_distances(torch.from_numpy(joints)).numpy()
    assert jcd.shape == (2, 5, 105)
    # The authors' get_CG: each frame's pairs (i < j) row by row, then norm_scale over the
    # whole clip, (d - mean) / mean.
    distance = np.stack([pdist(frame) for frame in joints[1]])
    np.testing.assert_allclose(jcd[1], (distance - distance.mean()) / distance.mean(),
                               rtol=1e-4, atol=1e-5)
    # Rotated, scaled and moved, a pose has the same JCD: DD-Net's location-viewpoint
    # invariant feature.
    angle = 0.7
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = (2.5 * joints @ rotation.T + np.array([3.0, -1.0])).astype(np.float32)
    torch.testing.assert_close(joint_collection_distances(torch.from_numpy(moved)),
                               torch.from_numpy(jcd), atol=1e-4, rtol=1e-4)
    # Nobody there (every joint at 0): finite, not 0 / 0.
    assert torch.isfinite(joint_collection_distances(torch.zeros(1, 4, 15, 2))).all()


def test_joint_motion_is_the_frame_differences_resized_back_to_the_clips_frames():
    """The authors' poses_diff: T - 1 differences resized to T frames with half-pixel
    centres (``tf.image.resize``), output frame i reading difference (i + 0.5)(T - 1)/T - 0.5,
    clamped to the first and last."""
    rng = np.random.default_rng(1)
    joints = rng.normal(size=(3, 8, 6)).astype(np.float32)
    motion = joint_motion(torch.from_numpy(joints)).numpy()
    assert motion.shape == (3, 6, 8)                  # channels first
    difference = np.diff(joints, axis=1)
    points = np.clip((np.arange(8) + 0.5) * 7 / 8 - 0.5, 0, 6)
    before = np.floor(points).astype(int)
    after = np.minimum(before + 1, 6)
    weight = (points - before)[None, :, None]
    expected = (1 - weight) * difference[:, before] + weight * difference[:, after]
    np.testing.assert_allclose(motion, expected.transpose(0, 2, 1), rtol=1e-5, atol=1e-6)
    # Steady motion stays steady at every frame, the last included.
    steady = torch.arange(8.0)[None, :, None].repeat(1, 1, 4) * 0.5
    torch.testing.assert_close(joint_motion(steady), torch.full((1, 4, 8), 0.5))


def test_ddnet_drops_channels_where_the_authors_code_does():
    """SpatialDropout1D after the first two convolutions of each embedding and at its end,
    three in each embedding, the last after its pooling where it pools."""
    net = DDNet('jhmdb15', in_channels=3, num_classes=5, filters=8)
    for embed, pooled in ((net.jcd_embed, True), (net.slow_embed, True),
                          (net.fast_embed, False)):
        kinds = [type(layer).__name__ for layer in embed]
        assert kinds == ['Sequential', 'Dropout1d', 'Sequential', 'Dropout1d', 'Sequential',
                         *(['MaxPool1d'] if pooled else []), 'Dropout1d']


def test_ddnet_classifies_clips_and_averages_only_the_persons_present():
    torch.manual_seed(0)
    net = DDNet('coco17', in_channels=3, num_classes=5, filters=8).eval()
    x = torch.randn(2, 2, 16, 17, 3)
    x[..., -1] = 1
    with torch.no_grad():
        both = net(x)['logits']
        alone = [net(x[:, [k]])['logits'] for k in range(2)]
        torch.testing.assert_close(both, (alone[0] + alone[1]) / 2)
        absent = x.clone()
        absent[:, 1] = 0                              # nobody there: no confidence anywhere
        torch.testing.assert_close(net(absent)['logits'], alone[0])
    assert both.shape == (2, 5)
    losses = net.train().loss(net(x), torch.tensor([1, 4]))
    assert set(losses) == {'loss_cls'} and torch.isfinite(losses['loss_cls'])
    with pytest.raises(ValueError, match='DD-Net expects'):
        net(x[..., :2])
    with pytest.raises(ValueError, match='batches of at least 2 clips.*drop_last=True'):
        net(x[:1, :1])
    assert repr(net) == "DDNet(layout='coco17', in_channels=3, num_classes=5, filters=8)"


def test_ddnet_teaches_a_pan_student_and_is_refused_online():
    torch.manual_seed(0)
    teacher = dict(streams=[0, 1], type='DDNet', filters=8)
    ens = StreamEnsemble([[0, 1, 2, 3], teacher], layout='coco17', num_classes=4,
                         num_clusters=3, label_smoothing=0.1, student=0)
    assert isinstance(ens.branches[1], DDNet)
    # The teacher shares only layout, classes and label smoothing with the PAN branch.
    assert ens.branches[1].filters == 8 and ens.branches[1].label_smoothing == 0.1
    x = torch.randn(2, 1, 16, 17, 5)
    x[..., -1] = 1
    out = ens.train()(x)
    assert set(out) == {'logits', 'branches'}      # only what both branches output merges
    losses = ens.loss(out, torch.tensor([0, 3]))
    assert {'loss_pose', 'loss_joints', 'loss_cls', 'loss_distill'} <= set(losses)
    torch.testing.assert_close(out['logits'], (out['branches'][0]['logits']
                                               + out['branches'][1]['logits']) / 2)
    # At inference the PAN student alone scores, offline and online.
    ens.eval()
    with torch.no_grad():
        logits = ens(x)['logits']
        state = ens.initial_state(2, 1)
        for t in range(16):
            online, state = ens.step(x[:, :, t], state)
    torch.testing.assert_close(online, logits)
    averaged = StreamEnsemble([[0, 1, 2, 3], teacher], layout='coco17', num_classes=4,
                              num_clusters=3).eval()
    with pytest.raises(TypeError, match=r'branch 1 \(DDNet\) has no online step'):
        averaged.initial_state(1, 1)
