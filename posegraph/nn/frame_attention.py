r"""Frame (pose) attention: which frames of a clip matter."""
from typing import Optional, Tuple

import torch
from torch import Tensor

from .attention_pool import AttentionPool


class FrameAttention(AttentionPool):
    r"""Attention over the GRU states of a clip's frames (eq. 10-12 of the
    pose-attention paper):

    .. math::
        \mathbf{u}_t = \tanh(\mathbf{W}_s \mathbf{h}_t + \mathbf{b}_s), \qquad
        \alpha_t = \mathrm{softmax}_t(\mathbf{u}_t^{\top} \mathbf{u}_s), \qquad
        \mathbf{v} = \sum_t \alpha_t \mathbf{h}_t

    With ``causal=True`` it returns, for every frame :math:`t`, the attention over
    frames :math:`1 \dots t` only, the clip vector an online model has at that moment;
    :meth:`step` computes the same one frame at a time from a running state.

    Args:
        in_channels: size of each :math:`\mathbf{h}_t`.
        attention_channels: size of :math:`\mathbf{u}_t` and :math:`\mathbf{u}_s`.

    Shapes:
        - input: ``h`` :math:`(N, T, F)`, optional ``mask`` :math:`(N, T)` (bool)
        - output: ``v`` :math:`(N, F)` (:math:`(N, T, F)` if causal) and the weights
          ``alpha`` :math:`(N, T)` (of the whole clip)
    """

    def forward(self, h: Tensor, mask: Optional[Tensor] = None, causal: bool = False
                ) -> Tuple[Tensor, Tensor]:
        if not causal:
            return super().forward(h, mask)
        self.check_input(h, mask)
        logits = self.score(h)
        _, alpha = self.pool(h, logits, mask)
        weight = torch.exp(logits - logits.max(dim=-1, keepdim=True).values)
        if mask is not None:
            weight = weight * mask.to(weight.dtype)
        numerator = torch.cumsum(weight.unsqueeze(-1) * h, dim=-2)
        denominator = torch.cumsum(weight, dim=-1).unsqueeze(-1)
        return numerator / denominator.clamp(min=1e-12), alpha

    def initial_state(self, batch_size: int, dtype: torch.dtype = torch.float32,
                      device: Optional[torch.device] = None) -> Tuple[Tensor, Tensor, Tensor]:
        """Running state before the first frame: ``(max_logit, denominator, numerator)``."""
        return (torch.full((batch_size,), -1e9, dtype=dtype, device=device),
                torch.zeros(batch_size, dtype=dtype, device=device),
                torch.zeros(batch_size, self.in_channels, dtype=dtype, device=device))

    def step(self, h: Tensor, state: Tuple[Tensor, Tensor, Tensor],
             mask: Optional[Tensor] = None) -> Tuple[Tensor, Tuple[Tensor, Tensor, Tensor]]:
        """Fold one frame ``h`` :math:`(N, F)` into ``state``; returns ``(v, state)``.

        ``v`` :math:`(N, F)` is the attention-pooled vector of all frames so far.
        """
        top, denominator, numerator = state
        logit = self.score(h)
        new_top = torch.maximum(top, logit)
        decay = torch.exp(top - new_top)
        weight = torch.exp(logit - new_top)
        if mask is not None:
            weight = weight * mask.to(weight.dtype)
        denominator = denominator * decay + weight
        numerator = numerator * decay.unsqueeze(-1) + weight.unsqueeze(-1) * h
        v = numerator / denominator.clamp(min=1e-12).unsqueeze(-1)
        return v, (new_top, denominator, numerator)
