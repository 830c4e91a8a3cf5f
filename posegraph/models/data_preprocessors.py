"""Data preprocessors: stack a batch's samples (and normalise video frames) on the device.

Recognizers build theirs from the config's ``data_preprocessor`` dict by its ``type``
(MMAction2's ``ActionDataPreprocessor`` split by modality).
"""
from typing import Any, Dict, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from posegraph.registry import MODELS


def stack_inputs(inputs: Union[Tensor, Sequence[Tensor]]) -> Tensor:
    """The samples' inputs as one batch tensor (a tensor is taken as already stacked)."""
    return torch.stack(list(inputs)) if isinstance(inputs, (list, tuple)) else inputs


@MODELS.register_module()
class SkeletonDataPreprocessor(BaseDataPreprocessor):
    """Stacks the samples' ``(K, M, T, V, C)`` inputs into ``(N, K, M, T, V, C)``.

    Args:
        blending: a batch blending config (e.g. ``dict(type='MixupBlending',
            num_classes=14, alpha=0.2)``, see :mod:`posegraph.models.blending`), applied in
            training only; each sample then carries its soft target as ``gt_score``.
            (default: ``None``)
    """

    def __init__(self, blending: Optional[dict] = None):
        super().__init__()
        self.blending = MODELS.build(blending) if blending is not None else None

    def forward(self, data: Dict[str, Any], training: bool = False) -> Dict[str, Any]:
        data = self.cast_data(data)
        inputs, samples = stack_inputs(data['inputs']), data.get('data_samples')
        if training and self.blending is not None:
            labels = torch.cat([sample.gt_label for sample in samples]).to(inputs.device)
            inputs, scores = self.blending(inputs, labels)
            for sample, score in zip(samples, scores):
                sample.set_gt_score(score)
        return {'inputs': inputs, 'data_samples': samples}


@MODELS.register_module()
class VideoDataPreprocessor(BaseDataPreprocessor):
    """Stacks samples into ``(N, K, T, C, H, W)`` floats and normalises each channel.

    Args:
        mean, std: one value per channel (e.g. RGB's ImageNet statistics, then 128 / 128
            for quantised flow channels), on the 0-255 scale of the frames. Default:
            ImageNet's RGB statistics.
    """

    def __init__(self, mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375)):
        super().__init__()
        if len(mean) != len(std):
            raise ValueError(f'mean has {len(mean)} values but std has {len(std)}')
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(-1, 1, 1),
                             persistent=False)

    def forward(self, data: Dict[str, Any], training: bool = False) -> Dict[str, Any]:
        data = self.cast_data(data)
        inputs = stack_inputs(data['inputs'])
        if inputs.shape[-3] != self.mean.shape[0]:
            raise ValueError(f'clips have {inputs.shape[-3]} channels but the preprocessor '
                             f'normalises {self.mean.shape[0]}')
        inputs = (inputs.float() - self.mean) / self.std
        return {'inputs': inputs, 'data_samples': data.get('data_samples')}
