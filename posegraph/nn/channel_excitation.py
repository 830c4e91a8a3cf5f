r"""Channel excitation of frame feature maps, with temporal context."""
import torch
from torch import Tensor, nn

from .frame_excitation import FrameExcitation


class ChannelExcitation(FrameExcitation):
    r"""Channel excitation (CE): per-frame channel weights that see the neighbouring frames,

    .. math::
        \mathbf{s}_t &= \mathrm{GAP}(\mathbf{X}_t), \qquad
        \mathbf{u}_t = \mathbf{W}_1 \mathbf{s}_t, \\
        \mathbf{v} &= \mathrm{Conv1d}_{k=3}(\mathbf{u}_{1..T}), \qquad
        \mathbf{M}_t = \sigma(\mathbf{W}_2 \mathbf{v}_t), \qquad
        \mathbf{Y}_t = \mathbf{X}_t + \mathbf{X}_t \odot \mathbf{M}_t

    with :math:`\mathbf{W}_1` a 1x1 squeeze by ``reduction`` and :math:`\mathbf{W}_2` the
    1x1 expansion back to :math:`C`.

    Args and shapes: as :class:`~posegraph.nn.frame_excitation.FrameExcitation`.
    """

    def __init__(self, channels: int, num_frames: int, reduction: int = 16):
        super().__init__(channels, num_frames, reduction)
        self.squeeze = nn.Conv2d(channels, self.hidden, 1)
        self.temporal = nn.Conv1d(self.hidden, self.hidden, 3, padding=1)
        self.expand = nn.Conv2d(self.hidden, channels, 1)
        self.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        nt, c = x.shape[:2]
        u = self.squeeze(x.mean((2, 3), keepdim=True))  # (NT, C/r, 1, 1)
        u = u.reshape(nt // self.num_frames, self.num_frames, -1).transpose(1, 2)
        v = self.temporal(u).transpose(1, 2).reshape(nt, -1, 1, 1)
        return x + x * torch.sigmoid(self.expand(v))
