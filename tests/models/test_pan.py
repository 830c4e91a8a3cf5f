import numpy as np
import pytest
import torch

from posegraph.models import PoseAttentionNetwork, SkeletonRecognizer
from posegraph.nn import SkeletonGraphConv
from posegraph.structures import ActionDataSample
from posegraph.visualization import plot_attention


def clip_batch(n=2, m=2, t=12, v=17, c=7, seed=0):
    torch.manual_seed(seed)
    x = torch.randn(n, m, t, v, c)
    visible = (torch.rand(n, m, t, v) > 0.15).float()
    x[..., :-1] *= visible.unsqueeze(-1)
    x[..., -1] = visible
    return x


SWITCHES = [dict(), dict(diffpool=False), dict(joint_attention=False),
            dict(pose_attention=False),
            dict(diffpool=False, joint_attention=False, pose_attention=False),
            dict(frame_dropout=0.5), dict(graph_partition='spatial'),
            dict(diffpool=False, graph_partition='spatial')]


@pytest.mark.parametrize('switches', SWITCHES)
def test_network_outputs_and_gradients(switches):
    net = PoseAttentionNetwork('coco17', 7, 5, num_clusters=4, **switches,
                               loss_weights=dict(link=0.1, entropy=0.1))
    x = clip_batch()
    out = net(x)
    assert out['logits'].shape == (2, 5) and out['joint_logits'].shape == (2, 5)
    assert out['joint_weights'].shape == (2, 2, 12, 17)
    assert out['frame_weights'].shape == (2, 2, 12)
    torch.testing.assert_close(out['frame_weights'].sum(-1), torch.ones(2, 2))
    losses = net.loss(out, torch.tensor([1, 3]))
    assert {'loss_pose', 'loss_joints'} <= set(losses)
    assert ('loss_link' in losses) == (net.pool is not None)
    sum(losses.values()).backward()
    unused = [name for name, p in net.named_parameters() if p.grad is None]
    assert not unused, unused


def test_input_normalisation_is_batch_norm_per_joint_and_channel_in_both_modes():
    from posegraph.models.pan import normalize_input
    x = clip_batch(n=3)
    mask = x[..., -1] > 0
    bn = torch.nn.BatchNorm1d(17 * 7)
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-1, 1)
    layout = x.permute(0, 1, 3, 4, 2).reshape(6, 17 * 7, 12)  # (N M, V C, T): ST-GCN's
    for training in (True, False):
        bn.train(training)
        expected = bn(layout).reshape(3, 2, 17, 7, 12).permute(0, 1, 4, 2, 3)
        got = normalize_input(bn, x, mask)
        torch.testing.assert_close(got, expected * mask.unsqueeze(-1), atol=1e-5, rtol=1e-5)
    assert not torch.allclose(expected, normalize_input(bn.train(), x, mask), atol=1e-2)


@pytest.mark.parametrize('layout', ['coco17', 'jhmdb15'])
def test_diffpool_runs_on_the_graph_its_gcns_would_normalise_and_keeps_it_out_of_the_weights(
        layout):
    net = PoseAttentionNetwork(layout, 7, 5, graph_partition='spatial').eval()
    v = net.num_joints
    h, mask = torch.rand(6, v, 64), torch.rand(6, v) > 0.2
    adj = net.graph_convs[0].adj
    # The buffer the network hands DiffPool is what PyG's DenseGCNConv makes of the graph.
    fused = net.pool(h, adj, mask, normalized_adj=net.pool_adj)
    for ours, gcns in zip(fused, net.pool(h, adj, mask)):
        torch.testing.assert_close(ours, gcns)
    # Checkpoints written before the buffer existed still load, strictly.
    assert 'pool_adj' not in net.state_dict()


def test_diffpool_regularisers_are_computed_only_when_weighed():
    torch.manual_seed(0)
    plain = PoseAttentionNetwork('coco17', 7, 5)
    weighed = PoseAttentionNetwork('coco17', 7, 5, loss_weights=dict(entropy=0.1))
    weighed.load_state_dict(plain.state_dict())
    x = clip_batch()
    out, out_weighed = plain.eval()(x), weighed.eval()(x)   # eval: no dropout draws
    assert out['link_loss'] == 0 and out['entropy_loss'] == 0
    assert out_weighed['link_loss'] > 0 and out_weighed['entropy_loss'] > 0
    torch.testing.assert_close(out['logits'], out_weighed['logits'], rtol=0, atol=0)
    assert 'loss_entropy' in weighed.loss(out_weighed, torch.tensor([1, 3]))


def test_frame_dropout_reaches_the_gru_in_training_only():
    torch.manual_seed(0)
    net = PoseAttentionNetwork('coco17', 7, 5, dropout=0.0, frame_dropout=0.5)
    plain = PoseAttentionNetwork('coco17', 7, 5, dropout=0.0)
    plain.load_state_dict(net.state_dict())
    x = clip_batch()
    first, second = net(x), net(x)
    assert not torch.allclose(first['logits'], second['logits'])
    torch.testing.assert_close(first['joint_logits'], second['joint_logits'])
    torch.testing.assert_close(first['joint_logits'], plain(x)['joint_logits'])
    plain.load_state_dict(net.state_dict())  # the same running statistics
    net.eval(), plain.eval()
    torch.testing.assert_close(net(x)['logits'], plain(x)['logits'])
    with pytest.raises(ValueError, match='dropout probability'):
        PoseAttentionNetwork('coco17', 7, 5, frame_dropout=1.5)


def test_graph_partition_reaches_every_skeleton_graph_conv():
    net = PoseAttentionNetwork('coco17', 7, 5, diffpool=False, graph_partition='spatial')
    convs = [m for m in net.modules() if isinstance(m, SkeletonGraphConv)]
    assert len(convs) == 3 and all(conv.partition == 'spatial' for conv in convs)
    with pytest.raises(ValueError, match='partition must be one of'):
        PoseAttentionNetwork('coco17', 7, 5, graph_partition='spatial-temporal')


def test_graph_partition_per_layer():
    net = PoseAttentionNetwork('coco17', 7, 5, diffpool=False,
                               graph_partition=['spatial', 'uniform'])
    assert [conv.partition for conv in net.graph_convs] == ['spatial', 'uniform']
    assert net.pooled_conv.partition == 'uniform'
    assert net.graph_convs[0].norm_adj.shape == (3, 17, 17)
    with pytest.raises(ValueError, match=r'one partition per graph convolution \(2\)'):
        PoseAttentionNetwork('coco17', 7, 5, graph_partition=['spatial'])


@pytest.mark.parametrize('partition', ['uniform', 'spatial'])
def test_eval_drops_only_the_convolutions_mask_that_the_relu_mask_repeats(partition):
    net = PoseAttentionNetwork('coco17', 7, 5, graph_partition=partition)
    with torch.no_grad():
        net(clip_batch(seed=1))         # running statistics that shift missing joints
    net.eval()
    x = clip_batch()
    mask = (x[..., -1] > 0).reshape(-1, 17)
    with torch.no_grad():
        without = net(x)['logits']
        hooks = [conv.register_forward_pre_hook(lambda _, args: (args[0], mask))
                 for conv in net.graph_convs]
        with_mask = net(x)['logits']
        for hook in hooks:
            hook.remove()
    torch.testing.assert_close(without, with_mask)


def test_missing_joints_get_no_attention():
    net = PoseAttentionNetwork('coco17', 7, 5, diffpool=False).eval()
    x = clip_batch()
    weights = net(x)['joint_weights']
    missing = x[..., -1] == 0
    assert (weights[missing] == 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 2, 12))


@pytest.mark.parametrize('switches', SWITCHES)
def test_online_mode_ends_where_the_offline_forward_is(switches):
    net = PoseAttentionNetwork('coco17', 7, 6, num_clusters=4, **switches).eval()
    x = clip_batch(t=15)
    x[0, 1, :4] = 0                     # the second person arrives late ...
    x[1, 1] = 0                         # ... or never
    with torch.no_grad():
        offline = net(x)['logits']
        state = net.initial_state(2, 2)
        for t in range(15):
            logits, state = net.step(x[:, :, t], state)
            if t == 6:
                # Mid-clip, the online scores are those of the clip so far.
                torch.testing.assert_close(logits, net(x[:, :, :7])['logits'])
    torch.testing.assert_close(logits, offline)


def test_two_persons_both_count_and_absent_ones_do_not():
    net = PoseAttentionNetwork('coco17', 7, 4).eval()
    x = clip_batch(n=1)
    with torch.no_grad():
        both = net(x)['logits']
        alone = net(x[:, :1])['logits']
        padded = net(torch.cat([x[:, :1], torch.zeros_like(x[:, :1])], dim=1))['logits']
    assert not torch.allclose(both, alone)
    torch.testing.assert_close(padded, alone)


def test_all_missing_clip_is_scored_not_crashed_on():
    net = PoseAttentionNetwork('coco17', 7, 4).eval()
    with torch.no_grad():
        out = net(torch.zeros(1, 2, 10, 17, 7))
    assert torch.isfinite(out['logits']).all()


def test_wrong_input_shape_is_named():
    net = PoseAttentionNetwork('jhmdb15', 7, 4)
    with pytest.raises(ValueError, match=r'jhmdb15 network expects \(N, M, T, 15, 7\)'):
        net(clip_batch())


def test_recognizer_modes_and_clip_averaging():
    model = SkeletonRecognizer(dict(type='PoseAttentionNetwork', layout='coco17',
                                    in_channels=7, num_classes=5)).eval()
    inputs = torch.stack([clip_batch(n=3, seed=1), clip_batch(n=3, seed=2)], dim=1)
    samples = [ActionDataSample().set_gt_label(k) for k in (0, 2, 4)]
    data = model.data_preprocessor({'inputs': list(inputs), 'data_samples': samples})
    assert data['inputs'].shape == (3, 2, 2, 12, 17, 7)
    with torch.no_grad():
        scores = model(data['inputs'], mode='tensor')
        per_clip = [model(inputs[:, k], mode='tensor') for k in range(2)]
        predicted = model(data['inputs'], samples, mode='predict')
        losses = model.train()(data['inputs'], samples, mode='loss')
    torch.testing.assert_close(scores, (per_clip[0] + per_clip[1]) / 2)
    torch.testing.assert_close(predicted[1].pred_score, scores[1])
    assert predicted[1].pred_label.item() == scores[1].argmax().item()
    assert set(losses) == {'loss_pose', 'loss_joints'} and losses['loss_pose'] > 0
    with pytest.raises(ValueError, match='mode must be'):
        model(data['inputs'], mode='nope')


def test_cost_stays_small():
    net = PoseAttentionNetwork('coco17', 7, 60)
    assert sum(p.numel() for p in net.parameters()) < 1_000_000


def test_attention_figure(tmp_path):
    net = PoseAttentionNetwork('coco17', 7, 4).eval()
    x = clip_batch(n=1)
    with torch.no_grad():
        out = net(x)
    path = plot_attention(x[0, 0, :, :, :2].numpy(), out['joint_weights'][0, 0].numpy(),
                          out['frame_weights'][0, 0].numpy(), 'coco17',
                          str(tmp_path / 'att.png'), title='clip')
    import cv2
    image = cv2.imread(path)
    assert image is not None and image.std() > 10


def offline_branch_and_stream(ens, x):
    """A two-branch ensemble on ``x`` (2 clips of 9 frames): its offline output, its second
    branch alone on that branch's channels, and its logits and state after streaming."""
    with torch.no_grad():
        out = ens(x)
        alone = ens.branches[1](x[..., [2, 3, 4, 5, 6]])['logits']
        state = ens.initial_state(2, 2)
        for t in range(9):
            logits, state = ens.step(x[:, :, t], state)
    return out, alone, logits, state


def test_stream_ensemble_branches_see_their_channels_and_stream_like_offline():
    from posegraph.models import StreamEnsemble
    ens = StreamEnsemble([[0, 1], [2, 3, 4, 5]], layout='coco17', num_classes=4,
                         num_clusters=3).eval()
    assert ens.in_channels == 7
    assert [b.in_channels for b in ens.branches] == [3, 5]
    x = clip_batch(t=9)
    out, alone, logits, state = offline_branch_and_stream(ens, x)
    torch.testing.assert_close(out['branches'][1]['logits'], alone)
    torch.testing.assert_close(out['logits'], (out['branches'][0]['logits'] + alone) / 2)
    torch.testing.assert_close(logits, out['logits'])
    labels = torch.tensor([0, 3])
    losses = ens.loss(out, labels)
    expected = sum(b.loss(o, labels)['loss_pose'] for b, o in zip(ens.branches, out['branches']))
    assert set(losses) == {'loss_pose', 'loss_joints'}
    torch.testing.assert_close(losses['loss_pose'], expected)
    with pytest.raises(ValueError, match='expects 7 input channels'):
        ens(x[..., :5])
    # A branch may take a subset of a wider input; the confidence is the last channel.
    wide = StreamEnsemble([[0, 1]], in_channels=7, layout='coco17', num_classes=4).eval()
    with torch.no_grad():
        torch.testing.assert_close(wide(x)['logits'],
                                   wide.branches[0](x[..., [0, 1, 6]])['logits'])
    with pytest.raises(ValueError, match='needs at least 7 channels'):
        StreamEnsemble([[0, 5]], in_channels=4, layout='coco17', num_classes=4)
    # A branch that takes every channel in order sees the input as it is, one that takes
    # them out of order sees them in its own order.
    whole = StreamEnsemble([[0, 1, 2, 3, 4, 5], [5, 0]], layout='coco17', num_classes=4).eval()
    with torch.no_grad():
        out = whole(x)
        torch.testing.assert_close(out['branches'][0]['logits'],
                                   whole.branches[0](x)['logits'])
        torch.testing.assert_close(out['branches'][1]['logits'],
                                   whole.branches[1](x[..., [5, 0, 6]])['logits'])


def test_stream_ensemble_distils_into_its_student_which_alone_scores_at_inference():
    from posegraph.models import StreamEnsemble
    torch.manual_seed(0)
    ens = StreamEnsemble([[0, 1], [2, 3, 4, 5]], layout='coco17', num_classes=4,
                         num_clusters=3, student=1, distill_weight=0.5, temperature=3.0)
    x, labels = clip_batch(t=9), torch.tensor([0, 3])
    # Training: both branches run and learn; the student also learns the ensemble's mean.
    out = ens.train()(x)
    assert len(out['branches']) == 2
    losses = ens.loss(out, labels)
    teacher = (out['logits'].detach() / 3).softmax(-1)
    student = (out['branches'][1]['logits'] / 3).log_softmax(-1)
    expected = 0.5 * 9 * (teacher * (teacher.log() - student)).sum(-1).mean()
    torch.testing.assert_close(losses['loss_distill'], expected)
    losses['loss_distill'].backward()
    assert all(p.grad is None for p in ens.branches[0].parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in ens.branches[1].parameters())
    # Inference: the student alone, offline and online, with the student's state only.
    ens.eval()
    out, alone, logits, state = offline_branch_and_stream(ens, x)
    assert len(out['branches']) == 1
    assert len(state) == len(ens.branches[1].initial_state(2, 2))
    torch.testing.assert_close(out['logits'], alone)
    torch.testing.assert_close(logits, alone)
    with pytest.raises(ValueError, match='student must index one of the 2 branches'):
        StreamEnsemble([[0], [1]], layout='coco17', num_classes=4, student=2)


def test_shared_trunk_branches_are_one_trunk_on_their_own_stems():
    from posegraph.models import SharedTrunkEnsemble
    torch.manual_seed(0)
    ens = SharedTrunkEnsemble([[0, 1], [2, 3, 4, 5]], 'coco17', 4, graph_channels=(8, 16),
                              num_clusters=3, pooled_channels=16, gru_channels=16,
                              attention_channels=8).eval()
    assert ens.in_channels == 7 and ens.trunk.in_channels == 9
    x = clip_batch(t=9)
    with torch.no_grad():
        out = ens(x)
        # Branch 1 alone: its stem on its channels, then the trunk.
        alone = ens.trunk(ens.stems[1](x[..., [2, 3, 4, 5, 6]]))['logits']
        state = ens.initial_state(2, 2)
        for t in range(9):
            logits, state = ens.step(x[:, :, t], state)
    torch.testing.assert_close(out['branch_logits'][1], alone)
    torch.testing.assert_close(out['logits'], out['branch_logits'].mean(0))
    torch.testing.assert_close(logits, out['logits'])
    assert out['joint_weights'].shape == (2, 2, 9, 17)
    # A change in branch 0's channels moves branch 0 only.
    changed = x.clone()
    changed[..., 0] += 1
    with torch.no_grad():
        moved = ens(changed)['branch_logits']
    assert not torch.allclose(moved[0], out['branch_logits'][0])
    torch.testing.assert_close(moved[1], out['branch_logits'][1])
    labels = torch.tensor([0, 3])
    expected = torch.nn.functional.cross_entropy(out['branch_logits'].flatten(0, 1),
                                                 labels.repeat(2))
    torch.testing.assert_close(ens.loss(out, labels)['loss_pose'], expected)
    assert 'SharedTrunkEnsemble(branches=[[0, 1], [2, 3, 4, 5]]' in repr(ens)
    with pytest.raises(ValueError, match='expects 7 input channels'):
        ens(x[..., :5])


def test_shared_trunk_streams_through_onnx(tmp_path):
    import onnxruntime as ort

    from posegraph.export import StreamingStep, export_onnx
    from posegraph.models import SharedTrunkEnsemble
    torch.manual_seed(1)
    ens = SharedTrunkEnsemble([['joint'], ['bone', 'distance']], 'coco17', 5,
                              streams=('joint', 'bone', 'distance'), in_channels=22,
                              graph_channels=(8, 8), pooled_channels=16, gru_channels=16,
                              attention_channels=8, num_clusters=3).eval()
    path = str(tmp_path / 'step.onnx')
    export_onnx(ens, path, streaming=True)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    step = StreamingStep(ens)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 1, 6, 17, 22, generator=g)
    x[..., -1] = 1
    state = [t.numpy() for t in step.initial_state(1, 1)]
    for t in range(6):
        outputs = session.run(None, {'frame': x[:, :, t].numpy(),
                                     **dict(zip(step.state_names, state))})
        state = outputs[1:]
    with torch.no_grad():
        expected = ens(x)['logits'].numpy()
    np.testing.assert_allclose(outputs[0], expected, atol=1e-4, rtol=0)
