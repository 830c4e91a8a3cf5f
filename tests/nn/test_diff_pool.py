"""DiffPool: learned pooling of joints into clusters."""
import pytest
import torch
from torch_geometric.nn import dense_diff_pool

from posegraph.nn import (
    DiffPool,
)
from posegraph.nn.diff_pool import cluster_softmax
from posegraph.skeleton import adjacency, normalized_adjacency


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


def seeded_pool_and_batch():
    """A DiffPool of 3 clusters, four graphs of coco17's skeleton and a random joint mask."""
    torch.manual_seed(0)
    pool = DiffPool(6, 8, num_clusters=3)
    x, adj = torch.randn(4, 17, 6), adjacency('coco17', self_loops=False)
    return pool, x, adj, torch.rand(4, 17) > 0.2


def test_diff_pool_shared_graph_equals_a_batch_of_its_copies():
    pool, x, adj, mask = seeded_pool_and_batch()
    shared = pool(x, adj, mask)
    copies = pool(x, adj.expand(4, -1, -1).clone(), mask)
    for a, b in zip(shared, copies):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_diff_pool_matches_pyg_dense_diff_pool_and_skips_only_the_losses():
    pool, x, adj, random_mask = seeded_pool_and_batch()
    for mask in (None, random_mask):
        out, out_adj, link, entropy, s = pool(x, adj, mask)
        # PyG's pooling of the same embeddings and assignment logits is the reference.
        z = torch.relu(pool.embed(x, adj))
        logits = torch.relu(pool.assign(x, adj))
        expected = dense_diff_pool(z, adj.expand(4, -1, -1), logits, mask)
        # Equal to float rounding: the assignment's softmax runs with the clusters first.
        for ours, theirs in zip((out, out_adj, link, entropy), expected):
            torch.testing.assert_close(ours, theirs)
        fast = pool(x, adj, mask, losses=False)
        assert fast[2] is None and fast[3] is None
        for a, b in zip((out, out_adj, s), fast[:2] + fast[4:]):
            torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_diff_pool_given_the_normalised_graph_runs_both_gcns_as_one_product():
    pool, x, adj, mask = seeded_pool_and_batch()
    expected = pool(x, adj, mask)
    fused = pool(x, adj, mask, normalized_adj=normalized_adjacency('coco17'))
    for a, b in zip(fused, expected):
        torch.testing.assert_close(a, b)
    (fused[0].sum() + fused[2] + fused[3]).backward()
    for gcn in (pool.embed, pool.assign):
        assert gcn.lin.weight.grad.abs().sum() > 0 and gcn.bias.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='shared by the batch'):
        pool(x, adj.expand(4, -1, -1), mask, normalized_adj=normalized_adjacency('coco17'))


@pytest.mark.parametrize('rows', [(6, 17), (1, 15)])   # a batch's graphs, an online frame
@pytest.mark.parametrize('clusters', [3, 8, 16, 40])
def test_cluster_softmax_is_the_softmax_over_the_last_axis(rows, clusters):
    logits = (5 * torch.randn(*rows, clusters)).requires_grad_()
    ours = cluster_softmax(logits)
    torch.testing.assert_close(ours, torch.softmax(logits, -1))
    weights = torch.randn(*rows, clusters)
    grad, = torch.autograd.grad((ours * weights).sum(), logits)
    expected, = torch.autograd.grad((torch.softmax(logits, -1) * weights).sum(), logits)
    torch.testing.assert_close(grad, expected)
