r"""Batch blending for training: each clip mixed with another clip of the batch, the targets
mixed in the same proportion (MMAction2's ``MixupBlending`` / ``CutmixBlending``, for
skeleton inputs).

Both draw :math:`\lambda \sim \mathrm{Beta}(\alpha, \alpha)` once per batch and pair clip
:math:`i` with clip :math:`\pi(i)` of a random permutation :math:`\pi`; the soft target is

.. math::
    \mathbf{y}_i = \lambda\,\mathrm{onehot}(y_i) + (1 - \lambda)\,\mathrm{onehot}(y_{\pi(i)}).

Inputs are :math:`(N, \ldots, T, V, C)` batches (see :mod:`posegraph.datasets`): the last
three dimensions frames, joints and channels.
"""
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from posegraph.registry import MODELS


class BaseBlending:
    """Draws :math:`\\lambda` and the pairing; a subclass mixes the inputs.

    Args:
        num_classes: classes of the targets.
        alpha: :math:`\\alpha` of the Beta distribution :math:`\\lambda` is drawn from; small
            values keep most clips nearly whole.
    """

    def __init__(self, num_classes: int, alpha: float = 0.2):
        if num_classes < 1:
            raise ValueError(f'num_classes must be positive, got {num_classes}')
        if alpha <= 0:
            raise ValueError(f'alpha must be positive, got {alpha}')
        self.num_classes, self.alpha = num_classes, alpha

    def mix(self, inputs: Tensor, partner: Tensor, lam: float) -> Tuple[Tensor, float]:
        """The blended inputs and the share :math:`\\lambda` of the first clip in them."""
        raise NotImplementedError

    def __call__(self, inputs: Tensor, labels: Tensor) -> Tuple[Tensor, Tensor]:
        """Blend a batch: ``inputs`` :math:`(N, \\ldots)`, ``labels`` :math:`(N,)` class indices;
        returns the blended inputs and the soft targets :math:`(N, \\text{classes})`."""
        if labels.dim() != 1 or len(labels) != len(inputs):
            raise ValueError(f'labels must be one class index per clip ({len(inputs)}), '
                             f'got shape {tuple(labels.shape)}')
        if labels.numel() and int(labels.max()) >= self.num_classes:
            raise ValueError(f'label {int(labels.max())} is out of range for '
                             f'num_classes={self.num_classes}')
        lam = float(np.random.beta(self.alpha, self.alpha))
        order = torch.randperm(len(inputs), device=inputs.device)
        mixed, lam = self.mix(inputs, inputs[order], lam)
        onehot = F.one_hot(labels, self.num_classes).to(inputs.dtype)
        return mixed, lam * onehot + (1 - lam) * onehot[order]

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_classes={self.num_classes}, alpha={self.alpha})'


@MODELS.register_module()
class MixupBlending(BaseBlending):
    r"""Mixup (Zhang et al., 2018): :math:`\mathbf{x}_i = \lambda \mathbf{x}_i +
    (1 - \lambda) \mathbf{x}_{\pi(i)}`, every channel (coordinates, the streams made from
    them, confidence) alike."""

    def mix(self, inputs: Tensor, partner: Tensor, lam: float) -> Tuple[Tensor, float]:
        return lam * inputs + (1 - lam) * partner, lam


@MODELS.register_module()
class TemporalCutmixBlending(BaseBlending):
    r"""CutMix along time (Yun et al., 2019): a span of :math:`\lfloor (1 - \lambda) T
    \rceil` consecutive frames of clip :math:`i`, at a random place, is replaced by the
    same frames of clip :math:`\pi(i)`; :math:`\lambda` becomes the share of frames kept."""

    def mix(self, inputs: Tensor, partner: Tensor, lam: float) -> Tuple[Tensor, float]:
        frames = inputs.shape[-3]
        span = int(round((1 - lam) * frames))
        start = int(np.random.randint(0, frames - span + 1))
        mixed = inputs.clone()
        mixed[..., start:start + span, :, :] = partner[..., start:start + span, :, :]
        return mixed, 1 - span / frames
