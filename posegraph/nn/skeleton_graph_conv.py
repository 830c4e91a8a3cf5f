r"""Graph convolution over a fixed skeleton."""
from typing import Optional

from torch import Tensor, nn
from torch_geometric.nn import DenseGCNConv

from posegraph.skeleton import LayoutLike, adjacency, normalized_adjacency


class SkeletonGraphConv(nn.Module):
    r"""The graph convolution of Kipf & Welling on a skeleton's bone graph,

    .. math::
        \mathbf{H}' = \hat{\mathbf{D}}^{-1/2} (\mathbf{A} + \mathbf{I})
        \hat{\mathbf{D}}^{-1/2} \mathbf{H} \mathbf{W} + \mathbf{b},

    where :math:`\mathbf{A}` joins the joints that share a bone. The adjacency is fixed by
    the layout and shared by every graph in the batch, so its normalisation (PyG's
    ``gcn_norm``) is computed once; the weights are those of PyG's
    :class:`~torch_geometric.nn.dense.DenseGCNConv`.

    Args:
        in_channels: features per joint in.
        out_channels: features per joint out.
        layout: a :class:`~posegraph.skeleton.SkeletonLayout` or its name.
        bias: learn an additive bias. (default: ``True``)

    Shapes:
        - input: ``x`` :math:`(*, V, F_{in})`, optional ``mask`` :math:`(*, V)` (bool,
          ``True`` for joints that are present)
        - output: :math:`(*, V, F_{out})`, zero at masked joints
    """

    def __init__(self, in_channels: int, out_channels: int, layout: LayoutLike,
                 bias: bool = True):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.register_buffer('adj', adjacency(layout, self_loops=False))
        self.register_buffer('norm_adj', normalized_adjacency(layout))
        self.conv = DenseGCNConv(in_channels, out_channels, bias=bias)

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        out = self.norm_adj @ self.conv.lin(x)
        if self.conv.bias is not None:
            out = out + self.conv.bias
        if mask is not None:
            out = out * mask.unsqueeze(-1).to(out.dtype)
        return out

    def __repr__(self):
        return (f'{type(self).__name__}({self.in_channels}, {self.out_channels}, '
                f'num_joints={self.adj.shape[0]})')
