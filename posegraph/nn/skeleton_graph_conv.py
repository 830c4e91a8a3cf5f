r"""Graph convolution over a fixed skeleton."""
from typing import Optional

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torch_geometric.nn import DenseGCNConv

from posegraph.skeleton import LayoutLike, adjacency, normalized_adjacency, spatial_partition
from .shapes import wrong_shape

PARTITIONS = ('uniform', 'spatial')


class SkeletonGraphConv(nn.Module):
    r"""The graph convolution of Kipf & Welling on a skeleton's bone graph,

    .. math::
        \mathbf{H}' = \hat{\mathbf{D}}^{-1/2} (\mathbf{A} + \mathbf{I})
        \hat{\mathbf{D}}^{-1/2} \mathbf{H} \mathbf{W} + \mathbf{b},

    where :math:`\mathbf{A}` joins the joints that share a bone (``partition='uniform'``),
    or with ST-GCN's spatial partition (``partition='spatial'``) one weight per subset of
    each joint's neighbours,

    .. math::
        \mathbf{H}' = \textstyle\sum_{k=1}^{3} \mathbf{A}_k \mathbf{H} \mathbf{W}_k
        + \mathbf{b},

    :math:`\mathbf{A}_k` the self / centripetal / centrifugal subsets of
    :func:`~posegraph.skeleton.spatial_partition`, so a joint tells its own features and
    those of the joints nearer and farther from the body centre apart instead of averaging
    them. The adjacency is fixed by the layout and shared by every graph in the batch, so
    its normalisation (PyG's ``gcn_norm`` for the uniform graph) is computed once; the
    weights are those of PyG's :class:`~torch_geometric.nn.dense.DenseGCNConv` (its ``lin``
    holds the :math:`\mathbf{W}_k` side by side).

    Args:
        in_channels: features per joint in.
        out_channels: features per joint out.
        layout: a :class:`~posegraph.skeleton.SkeletonLayout` or its name.
        bias: learn an additive bias. (default: ``True``)
        partition: ``'uniform'`` or ``'spatial'``. (default: ``'uniform'``)

    Shapes:
        - input: ``x`` :math:`(*, V, F_{in})`, optional ``mask`` :math:`(*, V)` (bool,
          ``True`` for joints that are present)
        - output: :math:`(*, V, F_{out})`, zero at masked joints
    """

    def __init__(self, in_channels: int, out_channels: int, layout: LayoutLike,
                 bias: bool = True, partition: str = 'uniform'):
        super().__init__()
        if partition not in PARTITIONS:
            raise ValueError(f'partition must be one of {PARTITIONS}, got {partition!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.partition = partition
        self.register_buffer('adj', adjacency(layout, self_loops=False))
        if partition == 'uniform':
            self.register_buffer('norm_adj', normalized_adjacency(layout))
            self.conv = DenseGCNConv(in_channels, out_channels, bias=bias)
            self.bias = None
        else:
            subsets = spatial_partition(layout)
            self.register_buffer('norm_adj', subsets)
            self.conv = DenseGCNConv(in_channels, len(subsets) * out_channels, bias=False)
            self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        v = self.adj.shape[0]
        if x.shape[-2:] != (v, self.in_channels):
            raise wrong_shape(self, 'x', x, f'(*, {v}, {self.in_channels}) (joints, channels)',
                              'channels come last in posegraph, (N, M, T, V, C)'
                              if x.shape[-1] == v else '')
        out = (self.norm_adj @ self.conv.lin(x) if self.partition == 'uniform'
               else self._propagate_subsets(x))
        bias = self.conv.bias if self.bias is None else self.bias
        if bias is not None and not torch.onnx.is_in_onnx_export():
            out = out + bias
        elif bias is not None:
            # Exported, the same sums with the bias repeated over a graph's joints, one
            # row per graph: onnxruntime adds a vector over many short rows several times
            # slower (3 % of a video's time at batch 1), where PyTorch would copy.
            v, f = out.shape[-2:]
            out = (out.reshape(-1, v * f) + bias.repeat(v)).reshape(out.shape)
        if mask is not None:
            out = out * mask.unsqueeze(-1).to(out.dtype)
        return out

    def _propagate_subsets(self, x: Tensor) -> Tensor:
        # The subsets' adjacencies side by side with each joint's K entries together, so
        # that a graph's features (V, K F) are the (V K, F) rows the products take as they
        # lie: no copy of the batch on the way in or out, where products over the joints
        # first, (V, B F), took a strided copy each way (a layer's forward a fifth to a
        # third faster; a training step 0.92x). The adjacency multiplies the narrower
        # side: with fewer channels in than out, the subsets' neighbour sums first, then
        # one product with all the weights; otherwise all the weights first, then one
        # product sums the subsets' terms.
        v, f_in = x.shape[-2:]
        batch = x.shape[:-2]
        k = self.norm_adj.shape[0]
        x = x.reshape(-1, v, f_in)
        if f_in < self.out_channels:
            rows = self.norm_adj.transpose(0, 1).reshape(v * k, v)  # [i K + k, j] = A_k[i, j]
            sums = torch.matmul(rows, x).view(-1, v, k * f_in)
            weight = self.conv.lin.weight.view(k, self.out_channels, f_in)
            out = F.linear(sums, weight.transpose(0, 1).reshape(self.out_channels, k * f_in))
        else:
            terms = F.linear(x, self.conv.lin.weight)  # (B, V, K F)
            columns = self.norm_adj.permute(1, 2, 0).reshape(v, v * k)  # [i, j K + k] = A_k[i, j]
            out = torch.matmul(columns, terms.view(-1, v * k, self.out_channels))
        return out.reshape(*batch, v, self.out_channels)

    def __repr__(self) -> str:
        partition = '' if self.partition == 'uniform' else f", partition='{self.partition}'"
        return (f'{type(self).__name__}({self.in_channels}, {self.out_channels}, '
                f'num_joints={self.adj.shape[0]}{partition})')
