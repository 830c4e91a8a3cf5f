"""SkeletonGraphConv: the normalised propagation over the bones."""
import pytest
import torch

from posegraph.nn import (
    SkeletonGraphConv,
)
from posegraph.skeleton import adjacency, normalized_adjacency, spatial_partition


def test_skeleton_graph_conv_is_the_normalised_propagation():
    conv = SkeletonGraphConv(3, 4, 'jhmdb15')
    x = torch.randn(2, 5, 15, 3)
    expected = normalized_adjacency('jhmdb15') @ (x @ conv.conv.lin.weight.t()) + conv.conv.bias
    torch.testing.assert_close(conv(x), expected)
    torch.testing.assert_close(conv(x[0, 0]), expected[0, 0])  # a single graph, (V, F)
    assert repr(conv) == 'SkeletonGraphConv(3, 4, num_joints=15)'


def test_skeleton_graph_conv_masks_missing_joints_and_passes_gradients():
    conv = SkeletonGraphConv(3, 8, 'coco17')
    x = torch.randn(4, 17, 3, requires_grad=True)
    mask = torch.rand(4, 17) > 0.3
    out = conv(x, mask)
    assert (out[~mask] == 0).all() and out[mask].abs().sum() > 0
    out.sum().backward()
    assert x.grad.abs().sum() > 0 and conv.conv.lin.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('partition', ['uniform', 'spatial'])
def test_exported_the_bias_adds_the_same_numbers(partition, monkeypatch):
    # An exported graph adds the bias as one row per graph (faster in onnxruntime): bit
    # for bit what PyTorch's broadcast adds, for a batch of graphs and for one graph.
    conv = SkeletonGraphConv(3, 8, 'coco17', partition=partition)
    torch.nn.init.normal_(conv.bias if conv.bias is not None else conv.conv.bias)
    mask = torch.rand(4, 5, 17) > 0.3
    cases = [(torch.randn(4, 5, 17, 3), mask), (torch.randn(17, 3), None)]
    with torch.no_grad():
        eager = [conv(x, m) for x, m in cases]
        monkeypatch.setattr(torch.onnx, 'is_in_onnx_export', lambda: True)
        for (x, m), expected in zip(cases, eager):
            torch.testing.assert_close(conv(x, m), expected, rtol=0, atol=0)


def test_graph_conv_is_permutation_equivariant():
    """Relabelling the joints (and the graph with them) relabels the output."""
    conv = SkeletonGraphConv(3, 6, 'coco17')
    perm = torch.randperm(17)
    x = torch.randn(5, 17, 3)
    adj = adjacency('coco17', self_loops=False)
    out = conv.conv(x[:, perm], adj[perm][:, perm])
    torch.testing.assert_close(out, conv(x)[:, perm])


@pytest.mark.parametrize('channels', [(3, 4), (6, 4)])  # adjacency on the input / output side
def test_spatial_partition_gives_each_subset_its_own_weight(channels):
    c_in, c_out = channels
    conv = SkeletonGraphConv(c_in, c_out, 'jhmdb15', partition='spatial')
    torch.nn.init.normal_(conv.bias)
    x = torch.randn(2, 5, 15, c_in)
    weights = conv.conv.lin.weight.view(3, c_out, c_in)  # (subset, out, in)
    subsets = spatial_partition('jhmdb15')
    expected = sum(subsets[k] @ (x @ weights[k].t()) for k in range(3)) + conv.bias
    torch.testing.assert_close(conv(x), expected)


def test_spatial_partition_tells_a_joint_from_its_neighbours():
    conv = SkeletonGraphConv(3, 4, 'jhmdb15', partition='spatial')
    torch.nn.init.normal_(conv.bias)
    assert repr(conv) == "SkeletonGraphConv(3, 4, num_joints=15, partition='spatial')"
    # Unlike the uniform graph, the subsets tell a joint's own features from its neighbours'.
    with torch.no_grad():
        conv.conv.lin.weight.view(3, 4, 3)[1:] = 0
    alone = torch.zeros(1, 15, 3)
    alone[0, 7] = 1.0
    out = conv(alone) - conv.bias
    assert out[0, 7].abs().sum() > 0 and out[0, torch.arange(15) != 7].abs().sum() == 0


def test_spatial_partition_masks_resets_and_refuses_unknown_partitions():
    conv = SkeletonGraphConv(3, 8, 'coco17', partition='spatial')
    mask = torch.rand(4, 17) > 0.3
    assert (conv(torch.randn(4, 17, 3), mask)[~mask] == 0).all()
    torch.nn.init.normal_(conv.bias)
    conv.reset_parameters()
    assert (conv.bias == 0).all()
    with pytest.raises(ValueError, match="partition must be one of .*'distance'"):
        SkeletonGraphConv(3, 8, 'coco17', partition='distance')
