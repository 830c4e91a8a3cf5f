r"""DiffPool: learned soft assignment of joints to clusters."""
import functools
from typing import Optional, Tuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torch_geometric.nn import DenseGCNConv

from .shapes import wrong_shape


@functools.lru_cache(maxsize=None)
def _vector_floats() -> int:
    """Floats in one of the vector registers PyTorch's CPU kernels run on."""
    return 16 if torch.backends.cpu.get_cpu_capability() == 'AVX512' else 8


def cluster_softmax(logits: Tensor) -> Tensor:
    """Softmax over the last axis of ``logits`` :math:`(*, K)`, the clusters.

    PyTorch's CPU softmax over a last axis shorter than a vector register (16 floats with
    AVX-512 kernels, 8 with AVX2) runs element by element: with AVX-512, 71 us for 480 rows
    of 8 at one thread, 16 us with the axis first, and 1.55 against 0.30 ms forward and
    backward for a training batch's 7680 rows. Under 64 rows (an online step's frame) the
    plain softmax is the faster still: 3 against 10 us for 15 rows. Exported and compiled
    graphs keep the plain softmax, which onnxruntime runs fast and inductor fuses with its
    neighbours.
    """
    k = logits.shape[-1]
    if (logits.device.type != 'cpu' or torch.onnx.is_in_onnx_export()
            or torch.compiler.is_compiling()
            or k >= _vector_floats() or logits.numel() < 64 * k):
        return torch.softmax(logits, dim=-1)
    rows = logits.reshape(-1, k).t().contiguous()
    return torch.softmax(rows, dim=0).t().reshape(logits.shape)


class DiffPool(nn.Module):
    r"""Differentiable pooling of a graph's nodes into ``num_clusters`` clusters
    (Ying et al., 2018), as the human graph network uses it:

    .. math::
        \mathbf{S} &= \mathrm{softmax}\left(\mathrm{ReLU}\left(
            \mathrm{GNN}_{pool}(\mathbf{A}, \mathbf{X})\right)\right)

        \mathbf{Z} &= \mathrm{ReLU}\left(\mathrm{GNN}_{embed}(\mathbf{A}, \mathbf{X})\right)

        \mathbf{X}' &= \mathbf{S}^{\top} \mathbf{Z}, \qquad
        \mathbf{A}' = \mathbf{S}^{\top} \mathbf{A} \mathbf{S}

    with the softmax over clusters and both GNNs one :class:`DenseGCNConv`. Given the
    normalised form of a graph shared by the batch (``normalized_adj``, as
    :func:`~posegraph.skeleton.normalized_adjacency` computes it once), both GNNs run as one
    product instead of normalising the graph twice per call. With ``losses``
    it also returns DiffPool's auxiliary losses as PyG's
    :func:`~torch_geometric.nn.dense.dense_diff_pool` computes them: the link-prediction
    loss :math:`\lVert \mathbf{A} - \mathbf{S}\mathbf{S}^{\top} \rVert_F` (normalised
    by the number of entries of the batch's graphs) and the mean entropy of the assignment
    rows. ``losses=False`` (a model that gives them no weight) skips their
    :math:`B \times N \times N` products.

    Args:
        in_channels: node features in.
        out_channels: cluster features out.
        num_clusters: clusters to pool into.

    Shapes:
        - input: ``x`` :math:`(B, N, F_{in})`, ``adj`` :math:`(N, N)` or
          :math:`(B, N, N)`, optional ``mask`` :math:`(B, N)` (bool), optional
          ``normalized_adj`` :math:`(N, N)`: :math:`\hat{\mathbf{D}}^{-1/2}
          (\mathbf{A} + \mathbf{I}) \hat{\mathbf{D}}^{-1/2}` of a shared ``adj``
        - output: ``x'`` :math:`(B, K, F_{out})`, ``adj'`` :math:`(B, K, K)`,
          ``link_loss`` and ``entropy_loss`` (scalars; ``None`` with ``losses=False``),
          ``s`` :math:`(B, N, K)` (the softmax-normalised assignment, zero at masked nodes)
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

    def forward(self, x: Tensor, adj: Tensor, mask: Optional[Tensor] = None,
                losses: bool = True, normalized_adj: Optional[Tensor] = None
                ) -> Tuple[Tensor, Tensor, Optional[Tensor], Optional[Tensor], Tensor]:
        if x.dim() != 3 or x.shape[-1] != self.in_channels:
            raise wrong_shape(self, 'x', x, f'(B, N, {self.in_channels}) (graphs, nodes, '
                                            'channels)')
        n = x.shape[1]
        if adj.dim() not in (2, 3) or adj.shape[-2:] != (n, n):
            raise wrong_shape(self, 'adj', adj, f'({n}, {n}) or (B, {n}, {n}), as x has {n} '
                                                'nodes')
        if normalized_adj is None:
            # A graph shared by the batch is normalised once by each GCN, not once per graph.
            z = torch.relu(self.embed(x, adj))
            logits = torch.relu(self.assign(x, adj))
        else:
            if adj.dim() != 2:
                raise ValueError(f'normalized_adj is for a graph shared by the batch, '
                                 f'got adj of shape {tuple(adj.shape)}')
            # DenseGCNConv's sums (the normalised graph times X W, plus the bias) for both
            # GCNs at once: their weights side by side.
            weight = torch.cat([self.embed.lin.weight, self.assign.lin.weight])
            h = torch.matmul(normalized_adj, F.linear(x, weight))
            z = torch.relu(h[..., :self.out_channels] + self.embed.bias)
            logits = torch.relu(h[..., self.out_channels:] + self.assign.bias)
        s = cluster_softmax(logits)
        if adj.dim() == 2:
            adj = adj.expand(x.shape[0], -1, -1)
        if mask is not None:
            # A masked node gets no assignment, so it adds nothing to S^T Z: its embedding
            # needs no mask of its own.
            s = s * mask.unsqueeze(-1).to(x.dtype)
        s_t = s.transpose(1, 2)
        out = s_t @ z
        out_adj = (s_t @ adj) @ s
        if not losses:
            return out, out_adj, None, None, s
        link_loss = torch.norm(adj - s @ s_t, p=2) / adj.numel()
        entropy_loss = (-s * torch.log(s + 1e-15)).sum(dim=-1).mean()
        return out, out_adj, link_loss, entropy_loss, s

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.in_channels}, {self.out_channels}, '
                f'num_clusters={self.num_clusters})')
