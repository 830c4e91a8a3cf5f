"""Batch blending: clips mixed with their partners in the proportion the targets say, in
training only, and the soft targets reaching every network's loss."""
import numpy as np
import pytest
import torch

from posegraph.models import MixupBlending, SkeletonRecognizer, TemporalCutmixBlending
from posegraph.structures import ActionDataSample

NETWORKS = {
    'pan': dict(type='PoseAttentionNetwork', layout='jhmdb15', in_channels=3, num_classes=5,
                graph_channels=(8, 8), pooled_channels=8, num_clusters=3, gru_channels=8,
                attention_channels=4),
    'ensemble': dict(type='StreamEnsemble', layout='jhmdb15', num_classes=5,
                     branches=[[0, 1], [0]], student=0, graph_channels=(8, 8),
                     pooled_channels=8, num_clusters=3, gru_channels=8, attention_channels=4),
    'shared_trunk': dict(type='SharedTrunkEnsemble', layout='jhmdb15', num_classes=5,
                         branches=[[0, 1], [0]], graph_channels=(8, 8), pooled_channels=8,
                         num_clusters=3, gru_channels=8, attention_channels=4),
    'ddnet': dict(type='DDNet', layout='jhmdb15', in_channels=3, num_classes=5, filters=4),
    'stgcn': dict(type='STGCN', layout='jhmdb15', in_channels=3, num_classes=5),
}


def clips(n=6, frames=8):
    """``n`` clips ``(N, K=1, M=1, T, V=15, C=3)`` whose values name the clip."""
    return torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1, 1, 1).expand(
        n, 1, 1, frames, 15, 3).clone()


def test_mixup_is_a_convex_combination_of_two_clips_of_the_batch():
    np.random.seed(1)
    torch.manual_seed(1)
    labels = torch.arange(5)
    x = clips(5)
    mixed, targets = MixupBlending(num_classes=5, alpha=1.0)(x, labels)
    for i in range(5):
        value = mixed[i].flatten()[0]
        weights = targets[i]  # one-hot labels 0..4: the weights are the clips' shares
        assert torch.isclose(value, (weights * torch.arange(5.)).sum(), atol=1e-5)
        assert torch.allclose(mixed[i], value.expand_as(mixed[i]))


def test_temporal_cutmix_replaces_one_span_of_frames_and_targets_count_them():
    np.random.seed(3)
    torch.manual_seed(3)
    x = clips(6, frames=10)
    seen_cut = False
    for _ in range(10):
        mixed, targets = TemporalCutmixBlending(num_classes=6, alpha=1.0)(x, torch.arange(6))
        for i in range(6):
            per_frame = mixed[i, 0, 0, :, 0, 0]
            foreign = per_frame != i
            # one clip's label per clip: the target shares are the frames' shares
            assert torch.isclose(targets[i, i], (~foreign).float().mean())
            if foreign.any():
                seen_cut = True
                span = foreign.nonzero().flatten()
                assert torch.equal(span, torch.arange(int(span[0]), int(span[-1]) + 1))
                partner = int(per_frame[span[0]])
                assert (mixed[i, 0, 0, span] == partner).all()  # whole frames replaced
                assert torch.isclose(targets[i, partner], foreign.float().mean())
    assert seen_cut


def test_bad_labels_and_arguments_are_named():
    with pytest.raises(ValueError, match='out of range for num_classes=3'):
        MixupBlending(num_classes=3)(clips(2), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match='one class index per clip'):
        MixupBlending(num_classes=3)(clips(2), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match='alpha must be positive'):
        TemporalCutmixBlending(num_classes=3, alpha=0)


@pytest.mark.parametrize('name', list(NETWORKS))
def test_soft_targets_reach_the_loss_in_training_only(name):
    torch.manual_seed(0)
    np.random.seed(0)
    model = SkeletonRecognizer(NETWORKS[name], data_preprocessor=dict(
        blending=dict(type='MixupBlending', num_classes=5, alpha=1.0)))
    with torch.no_grad():  # confident logits, so that the targets tell apart in the loss
        for parameter in model.parameters():
            parameter.normal_()
    inputs = [torch.randn(1, 1, 8, 15, 3) for _ in range(4)]
    samples = [ActionDataSample().set_gt_label(i) for i in range(4)]
    test = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), training=False)
    assert torch.equal(test['inputs'], torch.stack(inputs))
    assert all('gt_score' not in s for s in test['data_samples'])

    train = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), training=True)
    scores = torch.stack([s.gt_score for s in train['data_samples']])
    assert not torch.equal(train['inputs'], torch.stack(inputs))
    assert (scores.max(-1).values < 1).any()  # alpha 1: some clip is a real mixture
    model.eval()  # dropout off: the losses below differ only by their targets
    losses = model(train['inputs'], train['data_samples'], mode='loss')
    network = model.network
    outputs = network(train['inputs'].flatten(0, 1))
    assert torch.isclose(sum(losses.values()), sum(network.loss(outputs, scores).values()))
    hard = sum(network.loss(outputs, torch.arange(4)).values())
    assert not torch.isclose(sum(losses.values()), hard)


def test_a_blending_of_another_class_count_than_the_network_is_refused():
    with pytest.raises(ValueError, match='blends targets of 7 classes but the network '
                                         'predicts 5'):
        SkeletonRecognizer(NETWORKS['pan'], data_preprocessor=dict(
            blending=dict(type='MixupBlending', num_classes=7)))
