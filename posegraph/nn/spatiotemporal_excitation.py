r"""Spatio-temporal excitation of frame feature maps."""
import torch
from torch import Tensor, nn


class SpatioTemporalExcitation(nn.Module):
    r"""Spatio-temporal excitation (STE): a mask over time and space from the channel mean,

    .. math::
        \mathbf{F} = \frac{1}{C} \sum_c \mathbf{X}_{c}, \qquad
        \mathbf{M} = \sigma(\mathrm{Conv3d}_{3 \times 3 \times 3}(\mathbf{F})), \qquad
        \mathbf{Y} = \mathbf{X} + \mathbf{X} \odot \mathbf{M}

    where :math:`\mathbf{F}` is a :math:`(N, 1, T, H, W)` volume and :math:`\mathbf{M}` is
    shared by all channels.

    Args:
        num_frames: frames ``T`` of each clip in the batch.

    Shapes:
        - input: :math:`(N T, C, H, W)`, the frames of each clip consecutive
        - output: same as input
    """

    def __init__(self, num_frames: int):
        super().__init__()
        self.num_frames = num_frames
        self.conv = nn.Conv3d(1, 1, 3, padding=1)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.conv.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        nt, _, h, w = x.shape
        mean = x.mean(1).reshape(nt // self.num_frames, 1, self.num_frames, h, w)
        mask = torch.sigmoid(self.conv(mean)).reshape(nt, 1, h, w)
        return x + x * mask

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_frames={self.num_frames})'
