"""The two-stream deep fusion network (the "spatiotemporal information deep fusion network"
paper): VGG-16 spatial and temporal streams, 3D convolution fusion of their conv5 maps,
layer-normalised LSTMs over the fused and the fully connected features, and a second-level
LSTM that reads both sequences."""
from typing import Dict, Optional

import torch
from torch import Tensor, nn

from posegraph.nn import LayerNormLSTM
from posegraph.registry import MODELS
from .backbones import VGG
from .video_classifier import VideoClassifier


@MODELS.register_module()
class TwoStreamFusion(VideoClassifier):
    """Spatial (RGB) and temporal (stacked flow) VGG-16 streams fused in depth.

    Each time step ``t`` sees one RGB frame and the ``flow_length`` flows that start at
    it (``2 L`` channels, x then y per flow). The conv5 maps of the two streams are
    concatenated (1024 channels) and fused over time and space by a 3x3x3 convolution to
    512; a layer-normalised LSTM reads the pooled fused maps and another the streams' fc7
    features (sequence to sequence); a second-level layer-normalised LSTM reads both
    sequences and its last state is classified (sequence to one).

    Args:
        num_classes: classes.
        flow_length: flows per stack, L (4). (default: ``4``)
        hidden_channels: units of every LSTM (101). (default: ``101``)
        fc_dropout: dropout of the VGG fully connected layers (0.5). (default: ``0.5``)
        lstm_dropout: input dropout of the LSTMs (0.25). (default: ``0.25``)
        width, fc_channels: the streams' (see :class:`~posegraph.models.backbones.VGG`).
            (defaults: ``1.0``, ``4096``)
        pretrained: a torchvision VGG-16 checkpoint for both streams (a path, a URL or a
            model-zoo name such as ``torchvision://vgg16``), loaded by :meth:`init_weights`;
            the temporal stream's first convolution is re-initialised for ``2 L`` channels
            from it. (default: ``None``)

    Shapes:
        - input: :math:`(N, T, 3 + 2L, H, W)`, RGB then flow channels
        - output: ``{'logits': (N, num_classes)}``
    """

    pretrained_backbones = ('spatial', 'temporal')

    def __init__(self, num_classes: int, flow_length: int = 4, hidden_channels: int = 101,
                 fc_dropout: float = 0.5, lstm_dropout: float = 0.25, width: float = 1.0,
                 fc_channels: int = 4096, pretrained: Optional[str] = None,
                 label_smoothing: float = 0.0):
        super().__init__()
        self.flow_length, self.label_smoothing = flow_length, label_smoothing
        self.spatial = VGG(num_classes=0, width=width, fc_channels=fc_channels,
                           dropout=fc_dropout)
        self.temporal = VGG(num_classes=0, in_channels=2 * flow_length, width=width,
                            fc_channels=fc_channels, dropout=fc_dropout)
        self.pretrained = pretrained
        conv5 = self.spatial.conv5_channels
        self.fusion = nn.Sequential(nn.Conv3d(2 * conv5, conv5, 3, padding=1),
                                    nn.ReLU(inplace=True))
        self.conv_lstm = LayerNormLSTM(conv5, hidden_channels, lstm_dropout)
        self.fc_lstm = LayerNormLSTM(2 * fc_channels, hidden_channels, lstm_dropout)
        self.top_lstm = LayerNormLSTM(2 * hidden_channels, hidden_channels, lstm_dropout)
        self.fc = nn.Linear(hidden_channels, num_classes)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        n, t, c = x.shape[:3]
        if c != 3 + 2 * self.flow_length:
            raise ValueError(f'clips have {c} channels; this model takes RGB + '
                             f'{self.flow_length} flows = {3 + 2 * self.flow_length}')
        frames = x.flatten(0, 1)
        conv_s = self.spatial.forward_features(frames[:, :3])
        conv_t = self.temporal.forward_features(frames[:, 3:])
        fc = torch.cat([self.spatial.forward_head(conv_s, pre_logits=True),
                        self.temporal.forward_head(conv_t, pre_logits=True)], 1)
        volume = torch.cat([conv_s, conv_t], 1).reshape(n, t, -1, *conv_s.shape[-2:])
        fused = self.fusion(volume.transpose(1, 2)).mean((3, 4)).transpose(1, 2)
        sequences = torch.cat([self.conv_lstm(fused), self.fc_lstm(fc.reshape(n, t, -1))], -1)
        return {'logits': self.fc(self.top_lstm(sequences)[:, -1])}
