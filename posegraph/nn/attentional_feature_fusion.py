r"""Attentional feature fusion (AFF) of two feature maps."""
from typing import Sequence

from torch import Tensor, nn

from .multiscale_channel_attention import MultiScaleChannelAttention


class AttentionalFeatureFusion(nn.Module):
    r"""Soft selection between two maps by an attention on their sum (eq. 19-20):

    .. math::
        \mathbf{Z} = \mathbf{M}(\mathbf{X} + \mathbf{Y}) \odot \mathbf{X}
            + (1 - \mathbf{M}(\mathbf{X} + \mathbf{Y})) \odot \mathbf{Y}

    with :math:`\mathbf{M}` a :class:`MultiScaleChannelAttention` (MCAM-AFF, the default)
    or, with ``kernel_sizes=()``, the point-wise MS-CAM (plain AFF).

    Args:
        channels: channels of both maps.
        reduction: the attention's squeeze ratio. (default: ``4``)
        kernel_sizes: the attention's parallel convolution sizes. (default: ``(3, 5, 7)``)

    Shapes:
        - input: ``x``, ``y`` :math:`(N, C, H, W)`
        - output: :math:`(N, C, H, W)`
    """

    def __init__(self, channels: int, reduction: int = 4,
                 kernel_sizes: Sequence[int] = (3, 5, 7)):
        super().__init__()
        self.attention = MultiScaleChannelAttention(channels, reduction, kernel_sizes)

    def reset_parameters(self) -> None:
        self.attention.reset_parameters()

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        mask = self.attention(x + y)
        return mask * x + (1 - mask) * y

    def __repr__(self) -> str:
        a = self.attention
        return (f'{type(self).__name__}({a.channels}, reduction={a.reduction}, '
                f'kernel_sizes={a.kernel_sizes})')
