r"""DiffPool: learned soft assignment of joints to clusters."""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn
from torch_geometric.nn import DenseGCNConv, dense_diff_pool


class DiffPool(nn.Module):
    r"""Differentiable pooling of a graph's nodes into ``num_clusters`` clusters
    (Ying et al., 2018), as the human graph network uses it:

    .. math::
        \mathbf{S} &= \mathrm{softmax}\left(\mathrm{ReLU}\left(
            \mathrm{GNN}_{pool}(\mathbf{A}, \mathbf{X})\right)\right)

        \mathbf{Z} &= \mathrm{ReLU}\left(\mathrm{GNN}_{embed}(\mathbf{A}, \mathbf{X})\right)

        \mathbf{X}' &= \mathbf{S}^{\top} \mathbf{Z}, \qquad
        \mathbf{A}' = \mathbf{S}^{\top} \mathbf{A} \mathbf{S}

    with the softmax over clusters, both GNNs one :class:`DenseGCNConv`, and the pooling
    done by PyG's :func:`~torch_geometric.nn.dense.dense_diff_pool`, which also returns
    DiffPool's auxiliary losses: the link-prediction loss
    :math:`\lVert \mathbf{A} - \mathbf{S}\mathbf{S}^{\top} \rVert_F` (normalised by the
    number of entries) and the mean entropy of the assignment rows.

    Args:
        in_channels: node features in.
        out_channels: cluster features out.
        num_clusters: clusters to pool into.

    Shapes:
        - input: ``x`` :math:`(B, N, F_{in})`, ``adj`` :math:`(N, N)` or
          :math:`(B, N, N)`, optional ``mask`` :math:`(B, N)` (bool)
        - output: ``x'`` :math:`(B, K, F_{out})`, ``adj'`` :math:`(B, K, K)`,
          ``link_loss`` and ``entropy_loss`` (scalars), ``s`` :math:`(B, N, K)` (the
          softmax-normalised assignment)
    """

    def __init__(self, in_channels: int, out_channels: int, num_clusters: int):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_clusters = num_clusters
        self.embed = DenseGCNConv(in_channels, out_channels)
        self.assign = DenseGCNConv(in_channels, num_clusters)

    def reset_parameters(self) -> None:
        self.embed.reset_parameters()
        self.assign.reset_parameters()

    def forward(self, x: Tensor, adj: Tensor, mask: Optional[Tensor] = None
                ) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        # A graph shared by the batch is normalised once by the GCNs, not once per graph.
        z = torch.relu(self.embed(x, adj))
        logits = torch.relu(self.assign(x, adj))
        if adj.dim() == 2:
            adj = adj.expand(x.shape[0], -1, -1)
        out, out_adj, link_loss, entropy_loss = dense_diff_pool(z, adj, logits, mask)
        s = torch.softmax(logits, dim=-1)
        if mask is not None:
            s = s * mask.unsqueeze(-1).to(s.dtype)
        return out, out_adj, link_loss, entropy_loss, s

    def __repr__(self):
        return (f'{type(self).__name__}({self.in_channels}, {self.out_channels}, '
                f'num_clusters={self.num_clusters})')
