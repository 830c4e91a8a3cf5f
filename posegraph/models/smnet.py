"""SMNet (the "spatio-temporal motion network" paper): ResNet-50 with a spatio-temporal and
motion excitation block in every residual block, over TSN segments."""
from typing import Dict, Optional, Sequence

import torch
from torch import Tensor, nn

from posegraph.nn import MotionExcitation
from posegraph.registry import MODELS
from .backbones import ResNet
from .video_classifier import VideoClassifier


class SMNetBlock(nn.Module):
    r"""Spatio-temporal excitation plus motion excitation of one block's features:

    .. math::
        \mathbf{F} &= \mathrm{GroupConv}_{t=3}(\mathbf{X}), \qquad
        \mathbf{A} = \sigma(\mathrm{Conv}_{7 \times 7}([\mathrm{mean}_c \mathbf{F},
            \max_c \mathbf{F}])), \\
        \mathbf{Y} &= \mathbf{X} + \tfrac{1}{2} \big(\mathbf{F} \odot \mathbf{A}
            + \mathrm{ME}(\mathbf{X})\big)

    The spatio-temporal branch fuses neighbouring frames with a temporal convolution
    grouped over channels (``group_channels`` per group), weighted by a spatial attention
    map computed from the fused features; the motion branch is
    :class:`~posegraph.nn.MotionExcitation`. The temporal convolution starts as the
    identity, so a block first only re-weights a pretrained network's features.

    Args:
        channels: channels of the block's features.
        num_segments: frames (segments) per clip.
        reduction: the motion branch's squeeze ratio. (default: ``16``)
        group_channels: channels per group of the temporal convolution. (default: ``4``)

    Shapes:
        - input: :math:`(N T, C, H, W)`
        - output: same as input
    """

    def __init__(self, channels: int, num_segments: int, reduction: int = 16,
                 group_channels: int = 4):
        super().__init__()
        self.channels, self.num_segments = channels, num_segments
        groups = max(1, channels // group_channels)
        while channels % groups:
            groups -= 1
        self.temporal = nn.Conv3d(channels, channels, (3, 1, 1), padding=(1, 0, 0),
                                  groups=groups, bias=False)
        self.spatial = nn.Conv2d(2, 1, 7, padding=3)
        self.motion = MotionExcitation(channels, num_segments, reduction)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        weight = self.temporal.weight  # (C, C / groups, 3, 1, 1)
        with torch.no_grad():
            weight.zero_()
            per_group = weight.shape[1]
            channels = torch.arange(weight.shape[0])
            weight[channels, channels % per_group, 1] = 1
        self.spatial.reset_parameters()
        self.motion.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        nt, c, h, w = x.shape
        volume = x.reshape(nt // self.num_segments, self.num_segments, c, h, w).transpose(1, 2)
        fused = self.temporal(volume).transpose(1, 2).reshape(nt, c, h, w)
        pooled = torch.cat([fused.mean(1, keepdim=True), fused.amax(1, keepdim=True)], 1)
        attention = torch.sigmoid(self.spatial(pooled))
        return x + 0.5 * (fused * attention + self.motion(x))

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.channels}, num_segments={self.num_segments})'


@MODELS.register_module()
class SMNet(VideoClassifier):
    """ResNet-50 with an :class:`SMNetBlock` after every bottleneck's first convolution;
    one frame per TSN segment, class scores averaged over segments (consensus).

    Args:
        num_classes: classes.
        num_segments: segments per clip (8 in the paper). (default: ``8``)
        layers, width: the backbone's (see :class:`~posegraph.models.backbones.ResNet`).
            (defaults: ``(3, 4, 6, 3)``, ``1.0``)
        reduction: the motion excitation's squeeze ratio. (default: ``16``)
        dropout: before the classifier. (default: ``0.5``)
        pretrained: a torchvision ResNet-50 checkpoint to start the backbone from (a path,
            a URL or a model-zoo name such as ``torchvision://resnet50``), loaded by
            :meth:`init_weights`. (default: ``None``)

    Shapes:
        - input: :math:`(N, T, 3, H, W)` with :math:`T` = ``num_segments``
        - output: ``{'logits': (N, num_classes)}``
    """

    pretrained_added = ('inner',)   # the excitation blocks

    def __init__(self, num_classes: int, num_segments: int = 8,
                 layers: Sequence[int] = (3, 4, 6, 3), width: float = 1.0, reduction: int = 16,
                 dropout: float = 0.5, pretrained: Optional[str] = None,
                 label_smoothing: float = 0.0):
        super().__init__()
        self.num_segments, self.label_smoothing = num_segments, label_smoothing
        self.backbone = ResNet(layers, num_classes=0, width=width,
                               inner=lambda planes: SMNetBlock(planes, num_segments, reduction))
        self.pretrained = pretrained
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.backbone.num_features, num_classes)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        n, t = x.shape[:2]
        if t != self.num_segments:
            raise ValueError(f'clips have {t} frames; this model was built for '
                             f'num_segments={self.num_segments}')
        features = self.backbone(x.flatten(0, 1))
        logits = self.fc(self.dropout(features)).reshape(n, t, -1)
        return {'logits': logits.mean(1)}
