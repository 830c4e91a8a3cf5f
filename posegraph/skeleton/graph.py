r"""Graph matrices of a skeleton layout.

All dense matrices follow the message-passing convention ``H' = A H``: entry ``A[i, j]``
is the weight with which joint ``j`` contributes to joint ``i``.
"""
import numpy as np
import torch
from scipy.sparse.csgraph import shortest_path
from torch import Tensor
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import to_dense_adj

from .layout import LayoutLike, get_layout


def edge_index(layout: LayoutLike) -> Tensor:
    """Bones as a PyG ``edge_index`` of shape ``(2, 2 * num_bones)``, both directions."""
    layout = get_layout(layout)
    bones = torch.tensor(layout.bones, dtype=torch.long).t()
    return torch.cat([bones, bones.flip(0)], dim=1)


def adjacency(layout: LayoutLike, self_loops: bool = True) -> Tensor:
    """Binary adjacency ``A`` (``A + I`` with ``self_loops``), shape ``(V, V)``."""
    layout = get_layout(layout)
    adj = to_dense_adj(edge_index(layout), max_num_nodes=layout.num_joints)[0]
    if self_loops:
        adj = adj + torch.eye(layout.num_joints)
    return adj


def normalized_adjacency(layout: LayoutLike) -> Tensor:
    r"""Symmetrically normalised adjacency of Kipf & Welling,

    .. math::
        \hat{A} = \hat{D}^{-1/2} (A + I) \hat{D}^{-1/2}, \qquad \hat{D}_{ii} = \sum_j (A + I)_{ij}

    computed by PyG's :func:`gcn_norm`. Shape ``(V, V)``.
    """
    layout = get_layout(layout)
    index, weight = gcn_norm(edge_index(layout), num_nodes=layout.num_joints,
                             add_self_loops=True)
    return to_dense_adj(index, edge_attr=weight, max_num_nodes=layout.num_joints)[0]


def hop_distance(layout: LayoutLike) -> np.ndarray:
    """Number of bones between each joint and the nearest centre joint, shape ``(V,)``."""
    layout = get_layout(layout)
    adj = adjacency(layout, self_loops=False).numpy()
    dist = shortest_path(adj, unweighted=True, directed=False, indices=list(layout.center))
    return dist.min(axis=0).astype(np.int64)


def spatial_partition(layout: LayoutLike) -> Tensor:
    r"""The ST-GCN spatial partition of ``A + I`` (Yan et al., 2018), shape ``(3, V, V)``.

    Each neighbour ``j`` of joint ``i`` (``i`` included) falls in one subset by its hop
    distance ``h`` to the body centre:

    * ``[0]`` self: :math:`h_j = h_i` (the joint itself, and neighbours as far out as it),
    * ``[1]`` centripetal: :math:`h_j < h_i` (the neighbour is nearer the centre),
    * ``[2]`` centrifugal: :math:`h_j > h_i`.

    Every subset is normalised by the degree of the receiving joint,
    :math:`\hat{D}^{-1}(A + I)`, as ST-GCN does, so the three matrices sum to a matrix
    whose rows sum to one.
    """
    layout = get_layout(layout)
    adj = adjacency(layout)
    norm = adj / adj.sum(dim=1, keepdim=True)
    hop = torch.from_numpy(hop_distance(layout))
    receiver, sender = hop[:, None], hop[None, :]
    masks = (sender == receiver, sender < receiver, sender > receiver)
    return torch.stack([norm * mask for mask in masks])
