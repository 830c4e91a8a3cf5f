"""What the RGB networks share: the loss, and ImageNet weights for their backbones.

A video network maps clips ``(N, T, C, H, W)`` (float, normalised by a
:class:`~posegraph.models.VideoDataPreprocessor`) to a dict with ``logits``
``(N, num_classes)`` and has ``loss(outputs, labels)``; a
:class:`~posegraph.models.VideoRecognizer` runs it.
"""
from typing import Dict, Optional, Sequence

from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.nn.reset import ResetParameters
from .pretrained import load_pretrained


class VideoClassifier(ResetParameters, nn.Module):
    """Base of the RGB networks: cross-entropy (with optional label smoothing) on ``logits``,
    and :attr:`pretrained` loaded into the backbones by :meth:`init_weights`."""

    label_smoothing = 0.0
    #: An ImageNet checkpoint for the backbones: a path, a URL or a model-zoo name.
    pretrained: Optional[str] = None
    #: The attributes that hold those backbones, and the modules the network added inside
    #: them (which the checkpoint lacks).
    pretrained_backbones: Sequence[str] = ('backbone',)
    pretrained_added: Sequence[str] = ()

    def init_weights(self) -> None:
        """Load :attr:`pretrained` into the backbones
        (:func:`~posegraph.models.load_pretrained`). mmengine's Runner calls this as training
        starts (unless the checkpoint it loads replaces the backbones), so that testing a
        trained model never fetches the ImageNet file; a network built by hand calls it."""
        for name in self.pretrained_backbones if self.pretrained else ():
            load_pretrained(getattr(self, name), self.pretrained, added=self.pretrained_added)

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        return {'loss_cls': F.cross_entropy(outputs['logits'], labels,
                                            label_smoothing=self.label_smoothing)}
