"""SkeletonGraphConv: the normalised propagation over the bones."""
import torch

from posegraph.nn import (
    SkeletonGraphConv,
)
from posegraph.skeleton import adjacency, normalized_adjacency


def test_skeleton_graph_conv_is_the_normalised_propagation():
    conv = SkeletonGraphConv(3, 4, 'jhmdb15')
    x = torch.randn(2, 5, 15, 3)
    expected = normalized_adjacency('jhmdb15') @ (x @ conv.conv.lin.weight.t()) + conv.conv.bias
    torch.testing.assert_close(conv(x), expected)
    assert repr(conv) == 'SkeletonGraphConv(3, 4, num_joints=15)'


def test_skeleton_graph_conv_masks_missing_joints_and_passes_gradients():
    conv = SkeletonGraphConv(3, 8, 'coco17')
    x = torch.randn(4, 17, 3, requires_grad=True)
    mask = torch.rand(4, 17) > 0.3
    out = conv(x, mask)
    assert (out[~mask] == 0).all() and out[mask].abs().sum() > 0
    out.sum().backward()
    assert x.grad.abs().sum() > 0 and conv.conv.lin.weight.grad.abs().sum() > 0


def test_graph_conv_is_permutation_equivariant():
    """Relabelling the joints (and the graph with them) relabels the output."""
    conv = SkeletonGraphConv(3, 6, 'coco17')
    perm = torch.randperm(17)
    x = torch.randn(5, 17, 3)
    adj = adjacency('coco17', self_loops=False)
    out = conv.conv(x[:, perm], adj[perm][:, perm])
    torch.testing.assert_close(out, conv(x)[:, perm])
