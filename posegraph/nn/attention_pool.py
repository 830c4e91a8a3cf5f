r"""Additive attention pooling, the mechanism behind joint and frame attention."""
import math
from typing import Optional, Tuple

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from .shapes import wrong_shape


class AttentionPool(nn.Module):
    r"""Pools a set of vectors by learned additive attention (Yang et al., 2016):

    .. math::
        \mathbf{u}_i = \tanh(\mathbf{W} \mathbf{h}_i + \mathbf{b}), \qquad
        \alpha_i = \frac{\exp(\mathbf{u}_i^{\top} \mathbf{c})}
                        {\sum_k \exp(\mathbf{u}_k^{\top} \mathbf{c})}, \qquad
        \mathbf{s} = \sum_i \alpha_i \mathbf{h}_i

    with a learned context vector :math:`\mathbf{c}`. Masked elements get weight exactly 0;
    a set with every element masked pools to 0 with all weights 0.

    Args:
        in_channels: size of each :math:`\mathbf{h}_i`.
        attention_channels: size of :math:`\mathbf{u}_i` and :math:`\mathbf{c}`.

    Shapes:
        - input: ``h`` :math:`(*, L, F)`, optional ``mask`` :math:`(*, L)` (bool)
        - output: ``s`` :math:`(*, F)` and the weights ``alpha`` :math:`(*, L)`
    """

    def __init__(self, in_channels: int, attention_channels: int):
        super().__init__()
        self.in_channels = in_channels
        self.attention_channels = attention_channels
        self.proj = nn.Linear(in_channels, attention_channels)
        self.context = nn.Parameter(torch.empty(attention_channels))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.proj.reset_parameters()
        nn.init.uniform_(self.context, -1 / math.sqrt(self.attention_channels),
                         1 / math.sqrt(self.attention_channels))

    def score(self, h: Tensor) -> Tensor:
        """Unnormalised attention logits :math:`\\mathbf{u}_i^{\\top}\\mathbf{c}`, ``(*, L)``."""
        u = torch.tanh(self.proj(h))
        # One (sets x 1) product, the same numbers as PyTorch's ``u @ context``: exported,
        # that is a Gemm, where a product with a vector runs several times slower in
        # onnxruntime (40 us of a video's 1.2 ms at batch 1).
        return F.linear(u.reshape(-1, u.shape[-1]), self.context[None]).reshape(u.shape[:-1])

    def forward(self, h: Tensor, mask: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        self.check_input(h, mask)
        return self.pool(h, self.score(h), mask)

    def check_input(self, h: Tensor, mask: Optional[Tensor]) -> None:
        """Refuse ``h`` of another width than ``in_channels``, or a ``mask`` that is not
        one entry per vector of ``h`` (a :class:`ValueError` naming both shapes)."""
        if h.shape[-1] != self.in_channels:
            raise wrong_shape(self, 'h', h, f'(*, L, {self.in_channels}) (sets, vectors, '
                                            'channels)')
        if mask is not None and mask.shape != h.shape[:-1]:
            raise wrong_shape(self, 'mask', mask, f'{tuple(h.shape[:-1])}: one entry per '
                                                  'vector of h')

    @staticmethod
    def pool(h: Tensor, logits: Tensor, mask: Optional[Tensor] = None
             ) -> Tuple[Tensor, Tensor]:
        """Softmax ``logits`` over the set (honouring ``mask``) and pool ``h`` with them."""
        if mask is not None:
            # A large finite negative (not -inf) keeps fully masked sets free of NaN.
            logits = logits.masked_fill(~mask, -1e9)
        alpha = torch.softmax(logits, dim=-1)
        if mask is not None:
            alpha = alpha * mask.to(alpha.dtype)
        if not torch.onnx.is_in_onnx_export():
            return (alpha.unsqueeze(-1) * h).sum(dim=-2), alpha
        # Exported, one batched product (the same sums to float rounding): onnxruntime
        # runs it 2-3 % of a video faster than the weights broadcast over the channels
        # and a sum.
        return (alpha.unsqueeze(-2) @ h).squeeze(-2), alpha

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.in_channels}, {self.attention_channels})'
