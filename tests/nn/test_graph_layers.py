import pytest
import torch

from posegraph.nn import (
    AttentionGRU,
    AttentionPool,
    DiffPool,
    FrameAttention,
    JointAttention,
    SkeletonGraphConv,
)
from posegraph.skeleton import adjacency, normalized_adjacency


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


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


def test_diff_pool_shapes_assignment_and_permutation_invariance():
    pool = DiffPool(6, 10, num_clusters=4)
    x, adj = torch.randn(3, 17, 6), adjacency('coco17', self_loops=False)
    out, out_adj, link, entropy, s = pool(x, adj)
    assert out.shape == (3, 4, 10) and out_adj.shape == (3, 4, 4) and s.shape == (3, 17, 4)
    torch.testing.assert_close(s.sum(-1), torch.ones(3, 17))   # softmax over clusters
    assert link.ndim == 0 and entropy.ndim == 0 and entropy >= 0
    # The pooled graph does not depend on the order of the joints.
    perm = torch.randperm(17)
    out_p, adj_p, *_ = pool(x[:, perm], adj[perm][:, perm])
    torch.testing.assert_close(out_p, out, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(adj_p, out_adj, atol=1e-5, rtol=1e-4)
    (out.sum() + link + entropy).backward()
    assert pool.assign.lin.weight.grad.abs().sum() > 0


def test_diff_pool_ignores_masked_joints():
    pool = DiffPool(6, 8, num_clusters=3)
    x, adj = torch.randn(2, 17, 6), adjacency('coco17', self_loops=False)
    mask = torch.ones(2, 17, dtype=torch.bool)
    mask[:, 5] = False
    *_, s = pool(x, adj, mask)
    assert (s[:, 5] == 0).all()


@pytest.mark.parametrize('cls', [JointAttention, FrameAttention, AttentionPool])
def test_attention_weights_sum_to_one_and_skip_masked(cls):
    attention = cls(8, 5)
    h = torch.randn(4, 12, 8, requires_grad=True)
    mask = torch.rand(4, 12) > 0.4
    mask[:, 0] = True
    mask[3] = False                                   # a fully masked set
    pooled, alpha = attention(h, mask)
    assert pooled.shape == (4, 8) and alpha.shape == (4, 12)
    torch.testing.assert_close(alpha[:3].sum(-1), torch.ones(3))
    assert (alpha[~mask] == 0).all()
    assert (pooled[3] == 0).all() and torch.isfinite(pooled).all()
    torch.testing.assert_close(pooled[:3], (alpha[:3, :, None] * h[:3]).sum(1))
    pooled[:3].sum().backward()
    assert h.grad[:3][mask[:3]].abs().sum() > 0 and (h.grad[~mask] == 0).all()


def test_attention_is_permutation_equivariant_in_weights():
    attention = JointAttention(8, 5)
    h = torch.randn(2, 15, 8)
    perm = torch.randperm(15)
    pooled, alpha = attention(h)
    pooled_p, alpha_p = attention(h[:, perm])
    torch.testing.assert_close(pooled_p, pooled)
    torch.testing.assert_close(alpha_p, alpha[:, perm])


def test_causal_frame_attention_and_step_agree_with_offline():
    attention = FrameAttention(6, 4)
    h = torch.randn(3, 9, 6)
    mask = torch.rand(3, 9) > 0.3
    mask[:, 0] = True
    causal, _ = attention(h, mask, causal=True)
    for t in range(9):
        offline, _ = attention(h[:, :t + 1], mask[:, :t + 1])
        torch.testing.assert_close(causal[:, t], offline)
    state = attention.initial_state(3)
    for t in range(9):
        v, state = attention.step(h[:, t], state, mask[:, t])
        torch.testing.assert_close(v, causal[:, t])


@pytest.mark.parametrize('attention', [True, False])
def test_attention_gru_streams_like_offline(attention):
    gru = AttentionGRU(5, 7, 4, attention=attention)
    x = torch.randn(2, 11, 5)
    v, alpha, states = gru(x)
    assert v.shape == (2, 7) and states.shape == (2, 11, 7)
    assert (alpha is None) == (not attention)
    state = gru.initial_state(2)
    for t in range(11):
        step_v, state = gru.step(x[:, t], state)
    torch.testing.assert_close(step_v, v)
    if not attention:
        torch.testing.assert_close(v, states[:, -1])


def test_layers_reset_parameters():
    for layer in (SkeletonGraphConv(3, 4, 'coco17'), DiffPool(3, 4, 2), JointAttention(3, 2),
                  AttentionGRU(3, 4)):
        before = [p.detach().clone() for p in layer.parameters()]
        layer.reset_parameters()
        assert any(not torch.equal(a, b) for a, b in zip(before, layer.parameters()))
