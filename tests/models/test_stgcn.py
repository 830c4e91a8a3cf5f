"""The ST-GCN baseline: its block's graph convolution by hand, shapes, persons, training."""
import pytest
import torch

from posegraph.models import STGCN, stgcn_small
from posegraph.nn import SpatialTemporalGraphConv
from posegraph.skeleton import spatial_partition


def test_block_aggregates_each_partition_subset_with_its_own_weights():
    torch.manual_seed(0)
    block = SpatialTemporalGraphConv(3, 4, 'jhmdb15', kernel_size=1, residual=False).eval()
    with torch.no_grad():
        block.importance.uniform_(0.5, 1.5)
    x = torch.randn(2, 3, 5, 15)
    partition = spatial_partition('jhmdb15') * block.importance.detach()
    weight = block.spatial.weight[:, :, 0, 0].view(3, 4, 3)
    bias = block.spatial.bias.view(3, 4)
    per_joint = torch.einsum('koc,bctj->bkotj', weight, x) + bias[None, :, :, None, None]
    expected = sum(per_joint[:, k] @ partition[k].T for k in range(3))  # (b, o, t, i)
    expected = block.spatial_norm(expected).relu()
    expected = block.temporal(expected).relu()
    with torch.no_grad():
        torch.testing.assert_close(block(x), expected)


def test_stride_halves_frames_and_residual_matches_shapes():
    block = SpatialTemporalGraphConv(8, 16, 'coco17', stride=2)
    assert block(torch.randn(2, 8, 11, 17)).shape == (2, 16, 6, 17)
    assert 'stride=2' in repr(block)


def test_paper_model_size_and_a_training_step():
    assert 2.5e6 < sum(p.numel() for p in STGCN('coco17', 3, 60).parameters()) < 3.5e6
    torch.manual_seed(0)
    model = stgcn_small('jhmdb15', 5, 4)
    x = torch.randn(3, 2, 16, 15, 5)
    x[..., -1] = 1
    x[2, 1] = 0  # a missing second person
    out = model(x)
    assert out['logits'].shape == (3, 4)
    loss = model.loss(out, torch.tensor([0, 1, 3]))['loss_cls']
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    with torch.no_grad():  # an absent person does not change the clip's score
        alone = model(x[2:3, :1])['logits']
        torch.testing.assert_close(model(x[2:3])['logits'], alone)
    with pytest.raises(ValueError, match=r'expects \(N, M, T, 15, 5\)'):
        model(x[..., :4])
