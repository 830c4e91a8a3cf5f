"""mmengine wrappers that train and evaluate a recognition network (MMAction2's
``BaseRecognizer`` with a skeleton and a video child)."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseDataPreprocessor, BaseModel
from torch import Tensor, nn

from posegraph.registry import MODELS
from posegraph.structures import ActionDataSample


class BaseRecognizer(BaseModel):
    """Runs a ``network`` in mmengine's three modes.

    The network maps a batch of clips (5 dimensions, the first the batch) to a dict with
    ``logits``, and has ``loss(outputs, labels)``. Inputs with ``K`` clips per video (6
    dimensions, ``(N, K, ...)``) are scored clip by clip and the softmax scores averaged.

    Args:
        network: the network's config dict (or the module).
        data_preprocessor: a config dict (its ``type`` defaults to the child's
            :attr:`default_preprocessor`) or a module.
        init_cfg: mmengine's initialisation config. (default: ``None``)
    """

    default_preprocessor: str = ''

    def __init__(self, network: Union[dict, nn.Module],
                 data_preprocessor: Optional[Union[dict, BaseDataPreprocessor]] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None or isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build({'type': self.default_preprocessor,
                                              **(data_preprocessor or {})})
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.network = MODELS.build(network) if isinstance(network, dict) else network
        blending = getattr(self.data_preprocessor, 'blending', None)
        classes = getattr(self.network, 'num_classes', None)
        if blending is not None and classes is not None and blending.num_classes != classes:
            raise ValueError(f'the data preprocessor blends targets of {blending.num_classes} '
                             f'classes but the network predicts {classes}: give both the same '
                             f'num_classes')

    def forward(self, inputs: Tensor, data_samples: Optional[List[ActionDataSample]] = None,
                mode: str = 'tensor'
                ) -> Union[Tensor, Dict[str, Tensor], List[ActionDataSample]]:
        if inputs.dim() == 5:
            inputs = inputs.unsqueeze(1)
        batch, clips = inputs.shape[:2]
        outputs = self.network(inputs.flatten(0, 1))
        if mode == 'loss':
            # Soft targets (from batch blending) replace the class indices when present.
            labels = (torch.stack([sample.gt_score for sample in data_samples])
                      if 'gt_score' in data_samples[0] else
                      torch.cat([sample.gt_label for sample in data_samples]))
            return self.network.loss(outputs,
                                     labels.to(inputs.device).repeat_interleave(clips, dim=0))
        scores = outputs['logits'].softmax(-1).reshape(batch, clips, -1).mean(1)
        if mode == 'tensor':
            return scores
        if mode == 'predict':
            for sample, score in zip(data_samples, scores):
                sample.set_pred_score(score.detach())
            return data_samples
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got {mode!r}")


@MODELS.register_module()
class SkeletonRecognizer(BaseRecognizer):
    """A skeleton network on ``(N, K, M, T, V, C)`` inputs (see :mod:`posegraph.datasets`),
    stacked by a :class:`~posegraph.models.SkeletonDataPreprocessor` by default."""

    default_preprocessor = 'SkeletonDataPreprocessor'


@MODELS.register_module()
class VideoRecognizer(BaseRecognizer):
    """An RGB (or flow) network on ``(N, K, T, C, H, W)`` clips, normalised by a
    :class:`~posegraph.models.VideoDataPreprocessor` by default."""

    default_preprocessor = 'VideoDataPreprocessor'
