"""The data sample that travels with each clip through datasets, models and metrics."""
import torch
from mmengine.structures import BaseDataElement
from numpy.typing import ArrayLike


class ActionDataSample(BaseDataElement):
    """A clip's ground-truth label and, after inference, its class scores.

    Fields: ``gt_label`` (a 1-element long tensor), ``gt_score`` (an optional soft target,
    ``(num_classes,)``), ``pred_score`` (``(num_classes,)``
    float tensor) and ``pred_label``; metainfo carries ``frame_dir`` and the like.
    """

    def set_gt_label(self, label: int) -> 'ActionDataSample':
        """The clip's class index, as ``gt_label``."""
        self.set_field(torch.as_tensor([int(label)], dtype=torch.long), 'gt_label',
                       dtype=torch.Tensor)
        return self

    def set_gt_score(self, score: ArrayLike) -> 'ActionDataSample':
        """A soft target ``(num_classes,)`` that replaces ``gt_label`` in the loss (set by
        batch blending in training)."""
        self.set_field(torch.as_tensor(score, dtype=torch.float32), 'gt_score',
                       dtype=torch.Tensor)
        return self

    def set_pred_score(self, score: ArrayLike) -> 'ActionDataSample':
        """The class scores ``(num_classes,)``, as ``pred_score``, and their argmax, as
        ``pred_label``."""
        score = torch.as_tensor(score)
        self.set_field(score, 'pred_score', dtype=torch.Tensor)
        self.set_field(score.argmax(-1, keepdim=True), 'pred_label', dtype=torch.Tensor)
        return self
