r"""Multi-scale channel attention (MCAM), the attention behind attentional feature fusion."""
from typing import Sequence

import torch
from torch import Tensor, nn


def _conv_bn(in_channels, out_channels, kernel_size=1, relu=True):
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2,
                        bias=False), nn.BatchNorm2d(out_channels)]
    return nn.Sequential(*layers, *([nn.ReLU(inplace=True)] if relu else []))


class MultiScaleChannelAttention(nn.Module):
    r"""An attention mask from a local and a global context (eq. 14-18 of the ConvGRU paper):

    .. math::
        \mathbf{S} &= \mathbf{W}_s \mathbf{X}, \qquad
        \mathbf{L}(\mathbf{X}) = \mathrm{BN}(\mathbf{W}_e\, \delta(\mathrm{BN}(\mathbf{W}_p
            [\mathrm{Conv}_{3}(\mathbf{S}), \mathrm{Conv}_{5}(\mathbf{S}),
             \mathrm{Conv}_{7}(\mathbf{S})]))), \\
        \mathbf{G}(\mathbf{X}) &= \mathrm{BN}(\mathbf{W}_2\, \delta(\mathrm{BN}(\mathbf{W}_1\,
            \mathrm{GAP}(\mathbf{X})))), \qquad
        \mathbf{M}(\mathbf{X}) = \sigma(\mathbf{L}(\mathbf{X}) + \mathbf{G}(\mathbf{X}))

    :math:`\mathbf{W}_s` squeezes :math:`C` to :math:`C/r` (1x1), the parallel
    convolutions of ``kernel_sizes`` see several neighbourhood sizes, their concatenation
    is mixed point-wise (:math:`\mathbf{W}_p`, :math:`\mathbf{W}_e`, each with BN, ReLU
    :math:`\delta` between), and :math:`\mathbf{G}` is the global (pooled) branch. With
    ``kernel_sizes=()`` the local branch is point-wise only: the MS-CAM of plain AFF
    (Dai et al., 2021).

    Args:
        channels: :math:`C`.
        reduction: :math:`r`. (default: ``4``)
        kernel_sizes: the parallel convolutions' sizes ((3, 5, 7); ``()`` for MS-CAM).
            (default: ``(3, 5, 7)``)

    Shapes:
        - input: :math:`(N, C, H, W)`
        - output: mask :math:`\mathbf{M}` in :math:`(0, 1)`, :math:`(N, C, H, W)`
    """

    def __init__(self, channels: int, reduction: int = 4,
                 kernel_sizes: Sequence[int] = (3, 5, 7)):
        super().__init__()
        self.channels, self.reduction = channels, reduction
        self.kernel_sizes = tuple(kernel_sizes)
        hidden = max(1, channels // reduction)
        if self.kernel_sizes:
            self.squeeze = nn.Conv2d(channels, hidden, 1, bias=False)
            self.scales = nn.ModuleList(nn.Conv2d(hidden, hidden, k, padding=k // 2, bias=False)
                                        for k in self.kernel_sizes)
            mixed = hidden * len(self.kernel_sizes)
        else:
            self.squeeze, self.scales, mixed = None, None, channels
        self.local_mix = nn.Sequential(_conv_bn(mixed, hidden), _conv_bn(hidden, channels,
                                                                         relu=False))
        self.global_mix = nn.Sequential(_conv_bn(channels, hidden), _conv_bn(hidden, channels,
                                                                             relu=False))

    def reset_parameters(self) -> None:
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.BatchNorm2d)):
                m.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        if self.scales is not None:
            s = self.squeeze(x)
            local = torch.cat([conv(s) for conv in self.scales], 1)
        else:
            local = x
        return torch.sigmoid(self.local_mix(local) + self.global_mix(x.mean((2, 3), keepdim=True)))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.channels}, reduction={self.reduction}, '
                f'kernel_sizes={self.kernel_sizes})')
