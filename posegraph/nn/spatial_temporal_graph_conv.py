r"""The spatial-temporal graph convolution block of ST-GCN."""
import torch
from torch import Tensor, nn

from posegraph.skeleton import LayoutLike, spatial_partition
from .shapes import wrong_shape


class SpatialTemporalGraphConv(nn.Module):
    r"""One ST-GCN block (Yan et al., 2018): a graph convolution over the skeleton's
    spatial partition, then a temporal convolution, with a residual connection,

    .. math::
        \mathbf{H} = \mathrm{ReLU}\Big(\mathrm{BN}\big(\textstyle\sum_{k=1}^{3}
            (\mathbf{A}_k \odot \mathbf{M}_k)\, \mathbf{X}\, \mathbf{W}_k\big)\Big),
        \qquad
        \mathbf{Y} = \mathrm{ReLU}\big(\mathrm{BN}(\mathrm{TConv}(\mathbf{H}))
            + \mathrm{Res}(\mathbf{X})\big),

    where :math:`\mathbf{A}_k` are the self / centripetal / centrifugal subsets of
    :func:`~posegraph.skeleton.spatial_partition`, :math:`\mathbf{M}_k` the learned edge
    importance (initialised to ones), ``TConv`` a ``kernel_size x 1`` convolution over
    frames with the given ``stride``, and ``Res`` the identity, a strided ``1 x 1``
    convolution when the shape changes, or nothing (``residual=False``).

    Args:
        in_channels: features per joint in.
        out_channels: features per joint out.
        layout: a :class:`~posegraph.skeleton.SkeletonLayout` or its name.
        stride: temporal stride. (default: ``1``)
        kernel_size: temporal kernel size (odd). (default: ``9``)
        dropout: after the temporal convolution. (default: ``0.0``)
        residual: add the residual branch. (default: ``True``)

    Shapes:
        - input: :math:`(B, C_{in}, T, V)`
        - output: :math:`(B, C_{out}, \lceil T / \text{stride} \rceil, V)`
    """

    def __init__(self, in_channels: int, out_channels: int, layout: LayoutLike, stride: int = 1,
                 kernel_size: int = 9, dropout: float = 0.0, residual: bool = True):
        super().__init__()
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.register_buffer('partition', spatial_partition(layout))
        subsets = self.partition.shape[0]
        self.importance = nn.Parameter(self.partition.new_ones(self.partition.shape))
        self.spatial = nn.Conv2d(in_channels, subsets * out_channels, 1)
        self.spatial_norm = nn.BatchNorm2d(out_channels)
        self.temporal = nn.Sequential(
            nn.Conv2d(out_channels, out_channels, (kernel_size, 1), (stride, 1),
                      (kernel_size // 2, 0)),
            nn.BatchNorm2d(out_channels), nn.Dropout(dropout))
        if not residual:
            self.residual = None
        elif in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, (stride, 1)),
                                          nn.BatchNorm2d(out_channels))

    def reset_parameters(self) -> None:
        nn.init.ones_(self.importance)
        for module in self.modules():
            if module is not self and hasattr(module, 'reset_parameters'):
                module.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        v = self.partition.shape[-1]
        if x.dim() != 4 or x.shape[1] != self.in_channels or x.shape[3] != v:
            raise wrong_shape(self, 'x', x, f'(B, {self.in_channels}, T, {v}) (batch, '
                                            'channels, frames, joints)',
                              "ST-GCN's layout, channels first: x.permute(0, 3, 1, 2) of "
                              '(B, T, V, C)' if x.dim() == 4 and x.shape[-1] == self.in_channels
                              else '')
        b, _, t, v = x.shape
        h = self.spatial(x).view(b, -1, self.out_channels, t, v)
        h = torch.einsum('bkctj,kij->bcti', h, self.partition * self.importance)
        h = self.temporal(self.spatial_norm(h).relu())
        return (h if self.residual is None else h + self.residual(x)).relu()

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.in_channels}, {self.out_channels}, '
                f'stride={self.stride}, num_joints={self.partition.shape[-1]})')
