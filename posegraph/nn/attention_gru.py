r"""A GRU over frames followed by frame attention."""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

from .frame_attention import FrameAttention


class AttentionGRU(nn.Module):
    r"""A GRU over a clip's frame vectors (eq. 6-9 of the pose-attention paper),

    .. math::
        \mathbf{r}_t &= \sigma(\mathbf{W}_r \mathbf{x}_t + \mathbf{U}_r \mathbf{h}_{t-1}), \qquad
        \mathbf{z}_t = \sigma(\mathbf{W}_z \mathbf{x}_t + \mathbf{U}_z \mathbf{h}_{t-1})

        \tilde{\mathbf{h}}_t &= \tanh(\mathbf{W} \mathbf{x}_t
            + \mathbf{r}_t \odot \mathbf{U} \mathbf{h}_{t-1}), \qquad
        \mathbf{h}_t = (1 - \mathbf{z}_t) \odot \tilde{\mathbf{h}}_t
            + \mathbf{z}_t \odot \mathbf{h}_{t-1}

    (biases omitted; :class:`torch.nn.GRU` computes them), then
    :class:`FrameAttention` pools the states :math:`\mathbf{h}_t` into the clip vector
    :math:`\mathbf{v}`. Without attention (``attention=False``), :math:`\mathbf{v}` is the
    last state :math:`\mathbf{h}_T`.

    :meth:`step` runs one frame at a time with a carried state and returns what the
    offline :meth:`forward` would return for the frames seen so far.

    Args:
        in_channels: size of each frame vector :math:`\mathbf{x}_t`.
        hidden_channels: size of :math:`\mathbf{h}_t`.
        attention_channels: size of the frame attention's :math:`\mathbf{u}_t`. (default: ``64``)
        attention: pool with frame attention (else take the last state). (default: ``True``)

    Shapes:
        - input: ``x`` :math:`(N, T, F_{in})`, optional ``mask`` :math:`(N, T)` (bool,
          frames to attend to)
        - output: ``v`` :math:`(N, F_{hid})`, frame weights :math:`(N, T)` (``None``
          without attention) and all states :math:`(N, T, F_{hid})`
    """

    def __init__(self, in_channels: int, hidden_channels: int, attention_channels: int = 64,
                 attention: bool = True):
        super().__init__()
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.gru = nn.GRU(in_channels, hidden_channels, batch_first=True)
        self.attention = (FrameAttention(hidden_channels, attention_channels)
                          if attention else None)

    def reset_parameters(self) -> None:
        self.gru.reset_parameters()
        if self.attention is not None:
            self.attention.reset_parameters()

    def forward(self, x: Tensor, mask: Optional[Tensor] = None
                ) -> Tuple[Tensor, Optional[Tensor], Tensor]:
        states = self._states(x)
        if self.attention is None:
            return states[:, -1], None, states
        v, alpha = self.attention(states, mask)
        return v, alpha, states

    def _states(self, x: Tensor) -> Tensor:
        gru = self.gru
        if (self.training or torch.is_grad_enabled() or x.device.type != 'cpu'
                or torch.onnx.is_in_onnx_export() or torch.compiler.is_compiling()
                or type(gru) is not nn.GRU):  # e.g. a quantised GRU swapped in
            return gru(x)[0]
        # Inference on CPU: PyTorch's GRU kernel on the module's own weights, the same
        # numbers bit for bit, without nn.GRU's Python checks around it (a video 0.98-0.99x,
        # run for run). Faster products on a transposed copy of the recurrent weight gained
        # nothing per video when copied on every call, and no cache of one can tell when a
        # weight changed: fused optimisers leave the version counter where it was.
        weights = [gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0]
        hidden = x.new_zeros(1, x.shape[0], self.hidden_channels)
        return torch.gru(x, hidden, weights, True, 1, 0.0, False, False, True)[0]

    def initial_state(self, batch_size: int, dtype: torch.dtype = torch.float32,
                      device: Optional[torch.device] = None) -> Tuple[Tensor, ...]:
        hidden = torch.zeros(1, batch_size, self.hidden_channels, dtype=dtype, device=device)
        if self.attention is None:
            return (hidden,)
        return (hidden,) + self.attention.initial_state(batch_size, dtype, device)

    def step(self, x: Tensor, state: Tuple[Tensor, ...], mask: Optional[Tensor] = None
             ) -> Tuple[Tensor, Tuple[Tensor, ...]]:
        """One frame ``x`` :math:`(N, F_{in})`; returns ``(v, state)``."""
        # One GRU cell with the GRU's own weights: the same numbers as ``self.gru`` on a
        # one-frame sequence, and exporting it leaves later exports of ``self.gru`` over
        # dynamic lengths intact (a one-frame nn.GRU export makes torch.export fix them).
        gru = self.gru
        h = torch.gru_cell(x, state[0][0], gru.weight_ih_l0, gru.weight_hh_l0,
                           gru.bias_ih_l0, gru.bias_hh_l0)
        hidden = h.unsqueeze(0)
        if self.attention is None:
            return h, (hidden,)
        v, attention_state = self.attention.step(h, state[1:], mask)
        return v, (hidden,) + attention_state

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.in_channels}, {self.hidden_channels}, '
                f'attention={self.attention is not None})')
