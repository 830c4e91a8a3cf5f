"""What the RGB models share: the data preprocessor, the mmengine wrapper and the loss.

A video network maps clips ``(N, T, C, H, W)`` (float, normalised) to a dict with
``logits`` ``(N, num_classes)`` and has ``loss(outputs, labels)``. Samples carry ``K``
clips ``(K, T, C, H, W)`` of ``uint8`` frames; the preprocessor normalises them and the
recognizer averages the softmax scores of a video's clips, as for skeletons.
"""
import torch
from mmengine.model import BaseDataPreprocessor
from torch import nn
from torch.nn import functional as F

from posegraph.nn.reset import ResetParameters
from posegraph.registry import MODELS
from .recognizer import SkeletonRecognizer


@MODELS.register_module()
class VideoDataPreprocessor(BaseDataPreprocessor):
    """Stacks samples into ``(N, K, T, C, H, W)`` floats and normalises each channel.

    Args:
        mean, std: one value per channel (e.g. RGB's ImageNet statistics, then 128 / 128
            for quantised flow channels), on the 0-255 scale of the frames.
    """

    def __init__(self, mean=(123.675, 116.28, 103.53), std=(58.395, 57.12, 57.375)):
        super().__init__()
        if len(mean) != len(std):
            raise ValueError(f'mean has {len(mean)} values but std has {len(std)}')
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(-1, 1, 1),
                             persistent=False)

    def forward(self, data, training=False):
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(list(inputs))
        if inputs.shape[-3] != self.mean.shape[0]:
            raise ValueError(f'clips have {inputs.shape[-3]} channels but the preprocessor '
                             f'normalises {self.mean.shape[0]}')
        inputs = (inputs.float() - self.mean) / self.std
        return {'inputs': inputs, 'data_samples': data.get('data_samples')}


@MODELS.register_module()
class VideoRecognizer(SkeletonRecognizer):
    """:class:`SkeletonRecognizer` for clips of frames: ``(N, K, T, C, H, W)`` inputs, a
    :class:`VideoDataPreprocessor` by default."""

    def __init__(self, network, data_preprocessor=None, init_cfg=None):
        if data_preprocessor is None or isinstance(data_preprocessor, dict):
            data_preprocessor = VideoDataPreprocessor(**{
                k: v for k, v in (data_preprocessor or {}).items() if k != 'type'})
        super().__init__(network, data_preprocessor, init_cfg)


class VideoClassifier(ResetParameters, nn.Module):
    """Base of the RGB networks: cross-entropy (with optional label smoothing) on ``logits``."""

    label_smoothing = 0.0

    def loss(self, outputs, labels):
        return {'loss_cls': F.cross_entropy(outputs['logits'], labels,
                                            label_smoothing=self.label_smoothing)}
