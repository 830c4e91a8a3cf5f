"""The pose estimator as an mmengine model, for training it with the Runner
(``configs/lwopenpose_coco.py``)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModel, ImgDataPreprocessor
from mmengine.structures import BaseDataElement
from torch import Tensor, nn

from posegraph.pose.lwopenpose import LightweightOpenPose
from posegraph.registry import MODELS


@MODELS.register_module()
class PoseEstimatorModel(BaseModel):
    """A :class:`LightweightOpenPose` trained by mmengine.

    The loss of every stage is ``sum(mask * (pred - target)^2) / 2 / batch`` for heatmaps
    and PAFs alike, as in Lightweight OpenPose.

    Args:
        network: keyword arguments of :class:`LightweightOpenPose`. (default: ``None``)
    """

    def __init__(self, network: Optional[dict] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None):
        super().__init__(data_preprocessor=data_preprocessor or ImgDataPreprocessor(),
                         init_cfg=init_cfg)
        self.network = LightweightOpenPose(**(network or {}))

    def forward(self, inputs: Tensor, data_samples: Optional[Sequence[BaseDataElement]] = None,
                mode: str = 'tensor') -> Union[Tuple[Tensor, Tensor], Dict[str, Tensor]]:
        outputs = self.network(inputs)
        if mode == 'tensor':
            return outputs[-1]
        if mode != 'loss':
            raise ValueError(f"mode must be 'loss' or 'tensor', got {mode!r}")
        heatmaps = torch.stack([s.heatmaps for s in data_samples]).to(inputs.device)
        pafs = torch.stack([s.pafs for s in data_samples]).to(inputs.device)
        mask = torch.stack([s.mask for s in data_samples]).to(inputs.device).unsqueeze(1)
        batch = inputs.shape[0]
        losses = {}
        for stage, (pred_heatmaps, pred_pafs) in enumerate(outputs):
            squared = (pred_heatmaps - heatmaps) ** 2 * mask
            losses[f'loss_heatmaps_{stage}'] = squared.sum() / 2 / batch
            losses[f'loss_pafs_{stage}'] = ((pred_pafs - pafs) ** 2 * mask).sum() / 2 / batch
        return losses
