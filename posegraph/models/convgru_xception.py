"""The ConvGRU model with attentional feature fusion (the "ConvGRU and attentional feature
fusion" paper): SC-Xception frame features, a convolutional GRU over time, and a classifier
joining two fully connected branches with MCAM-based attentional feature fusion.

Our reading of the classifier: both fully connected branches take the ConvGRU's last
state; they are applied at every position of the state map (1x1 convolutions, so the
multi-scale attention has a neighbourhood to look at), fused by AFF, pooled, dropped
out and projected to the classes. Every row of the paper's ablation (Table 4) is a switch:
``temporal`` ('convgru' / 'lstm'), ``excitation`` (STE + CE or none) and ``fusion``
('mcam_aff' / 'aff' / 'none', the last summing the two branches).
"""
from typing import Dict, Optional

from torch import Tensor, nn

from posegraph.nn import (
    AttentionalFeatureFusion,
    ChannelExcitation,
    ConvGRU,
    SpatioTemporalExcitation,
)
from posegraph.registry import MODELS
from .backbones import Xception
from .video_classifier import VideoClassifier

FUSIONS = {'mcam_aff': (3, 5, 7), 'aff': (), 'none': None}


@MODELS.register_module()
class ConvGRUXception(VideoClassifier):
    """Xception (+ STE and CE before its last residual block), ConvGRU, AFF classifier.

    Args:
        num_classes: classes.
        num_frames: frames per clip (40 in the paper); the excitation modules need it.
            (default: ``40``)
        temporal: ``'convgru'`` (the paper's) or ``'lstm'`` over pooled frame features.
            (default: ``'convgru'``)
        hidden_channels: ConvGRU filters / LSTM units (40; Table 2 compares counts).
            (default: ``40``)
        excitation: insert STE then CE in front of Xception's last residual block
            ("SC-Xception"). (default: ``True``)
        fusion: ``'mcam_aff'``, ``'aff'`` or ``'none'``. (default: ``'mcam_aff'``)
        fc_channels: width of the two fully connected branches. (default: ``256``)
        dropout: before the last layer (0.5). (default: ``0.5``)
        width, middle_blocks: the backbone's (see :class:`Xception`). (defaults: ``1.0``, ``8``)
        pretrained: a timm / Cadene Xception checkpoint to start the backbone from (a path or
            a URL), loaded by :meth:`init_weights`. (default: ``None``)

    Shapes:
        - input: :math:`(N, T, 3, H, W)`
        - output: ``{'logits': (N, num_classes)}``
    """

    def __init__(self, num_classes: int, num_frames: int = 40, temporal: str = 'convgru',
                 hidden_channels: int = 40, excitation: bool = True, fusion: str = 'mcam_aff',
                 fc_channels: int = 256, dropout: float = 0.5, width: float = 1.0,
                 middle_blocks: int = 8, pretrained: Optional[str] = None,
                 label_smoothing: float = 0.0):
        super().__init__()
        if temporal not in ('convgru', 'lstm'):
            raise ValueError(f"temporal must be 'convgru' or 'lstm', got {temporal!r}")
        if fusion not in FUSIONS:
            raise ValueError(f'fusion must be one of {", ".join(FUSIONS)}, got {fusion!r}')
        self.num_frames, self.temporal, self.fusion = num_frames, temporal, fusion
        self.label_smoothing = label_smoothing
        self.backbone = Xception(num_classes=0, width=width, middle_blocks=middle_blocks)
        self.pretrained = pretrained
        channels = self.backbone.exit_in_channels
        self.excitation = nn.Sequential(
            SpatioTemporalExcitation(num_frames),
            ChannelExcitation(channels, num_frames)) if excitation else None
        features = self.backbone.num_features
        if temporal == 'convgru':
            self.recurrent = ConvGRU(features, hidden_channels)
        else:
            self.recurrent = nn.LSTM(features, hidden_channels, batch_first=True)
        self.branches = nn.ModuleList(nn.Sequential(
            nn.Conv2d(hidden_channels, fc_channels, 1, bias=False), nn.BatchNorm2d(fc_channels),
            nn.ReLU(inplace=True)) for _ in range(2))
        self.aff = (None if FUSIONS[fusion] is None else
                    AttentionalFeatureFusion(fc_channels, kernel_sizes=FUSIONS[fusion]))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(fc_channels, num_classes)

    def frame_features(self, x: Tensor) -> Tensor:
        """Backbone maps of every frame: ``(N, T, C, h, w)``."""
        n, t = x.shape[:2]
        if self.excitation is not None and t != self.num_frames:
            raise ValueError(f'clips have {t} frames; this model was built for '
                             f'num_frames={self.num_frames}')
        y = self.backbone.forward_entry(x.flatten(0, 1))
        if self.excitation is not None:
            y = self.excitation(y)
        y = self.backbone.forward_exit(y)
        return y.reshape(n, t, *y.shape[1:])

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        features = self.frame_features(x)
        if self.temporal == 'convgru':
            state = self.recurrent(features)[:, -1]
        else:
            state = self.recurrent(features.mean((3, 4)))[0][:, -1, :, None, None]
        a, b = (branch(state) for branch in self.branches)
        fused = a + b if self.aff is None else self.aff(a, b)
        return {'logits': self.fc(self.dropout(fused.mean((2, 3))))}
