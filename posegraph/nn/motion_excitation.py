r"""Motion excitation: channel weights from the differences of adjacent frames."""
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from .frame_excitation import FrameExcitation


class MotionExcitation(FrameExcitation):
    r"""Motion excitation (ME): channels that change between frames are amplified,

    .. math::
        \mathbf{r}_t &= \mathrm{BN}(\mathbf{W}_1 \mathbf{X}_t), \qquad
        \mathbf{D}_t = \mathrm{Conv}_{3 \times 3}(\mathbf{r}_{t+1}) - \mathbf{r}_t
        \quad (\mathbf{D}_T = 0), \\
        \mathbf{M}_t &= \sigma(\mathbf{W}_2\, \mathrm{GAP}(\mathbf{D}_t)), \qquad
        \mathbf{Y}_t = \mathbf{X}_t \odot \mathbf{M}_t

    with :math:`\mathbf{W}_1` a 1x1 squeeze by ``reduction``, the 3x3 convolution
    depthwise, and :math:`\mathbf{W}_2` the 1x1 expansion. The output is the excited
    features only; callers add the residual.

    Args and shapes: as :class:`~posegraph.nn.frame_excitation.FrameExcitation`.
    """

    def __init__(self, channels: int, num_frames: int, reduction: int = 16):
        super().__init__(channels, num_frames, reduction)
        hidden = self.hidden
        self.squeeze = nn.Conv2d(channels, hidden, 1, bias=False)
        self.norm = nn.BatchNorm2d(hidden)
        self.transform = nn.Conv2d(hidden, hidden, 3, padding=1, groups=hidden, bias=False)
        self.expand = nn.Conv2d(hidden, channels, 1)
        self.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        nt, _, h, w = x.shape
        r = self.norm(self.squeeze(x))
        r = r.reshape(nt // self.num_frames, self.num_frames, -1, h, w)
        following = self.transform(r[:, 1:].flatten(0, 1)).reshape_as(r[:, 1:])
        difference = F.pad(following - r[:, :-1], (0, 0, 0, 0, 0, 0, 0, 1))
        pooled = difference.mean((3, 4)).reshape(nt, -1, 1, 1)
        return x * torch.sigmoid(self.expand(pooled))
