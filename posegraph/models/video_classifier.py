"""What the RGB networks share: the loss.

A video network maps clips ``(N, T, C, H, W)`` (float, normalised by a
:class:`~posegraph.models.VideoDataPreprocessor`) to a dict with ``logits``
``(N, num_classes)`` and has ``loss(outputs, labels)``; a
:class:`~posegraph.models.VideoRecognizer` runs it.
"""
from typing import Dict

from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.nn.reset import ResetParameters


class VideoClassifier(ResetParameters, nn.Module):
    """Base of the RGB networks: cross-entropy (with optional label smoothing) on ``logits``."""

    label_smoothing = 0.0

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        return {'loss_cls': F.cross_entropy(outputs['logits'], labels,
                                            label_smoothing=self.label_smoothing)}
