r"""A GRU over frames followed by frame attention."""
from typing import List, Optional, Tuple

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
        # Inference's transposed copies of the GRU's weights (see _inference_weights).
        self._transposed: List[Tensor] = []
        self._transposed_source: List[tuple] = []

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
        weights = self._inference_weights(x)
        if weights is None:
            return self.gru(x)[0]
        hidden = x.new_zeros(1, x.shape[0], self.hidden_channels)
        return torch.gru(x, hidden, weights, True, 1, 0.0, False, False, True)[0]

    def _inference_weights(self, x: Tensor) -> Optional[List[Tensor]]:
        """The GRU's weights with both matrices held transposed in memory (the same
        values), for inference on CPU without autograd; ``None`` otherwise (training,
        export, another device: the ``nn.GRU`` as it is).

        PyTorch's CPU kernel multiplies the hidden state, (N, H), by a weight held as
        ``nn.GRU`` holds it, (3 H, H), some 40 % slower at batch 1 than by the same weight
        held transposed; over a clip's 32 steps the GRU takes 0.6 ms instead of 0.8 ms
        (module call included). The copies are made once and again only when a weight
        changes (another tensor, or an in-place change that moves its version counter),
        since a transposed copy costs 40 us.
        """
        if (self.training or torch.is_grad_enabled() or x.device.type != 'cpu'
                or torch.onnx.is_in_onnx_export() or torch.compiler.is_compiling()
                or type(self.gru) is not nn.GRU):  # e.g. a quantised GRU swapped in
            return None
        gru = self.gru
        # The tensors themselves are held, so that a new weight never passes for the old
        # one by reusing its memory; in-place changes move the version counter.
        source = [(w, w.data_ptr(), w._version) for w in (gru.weight_ih_l0, gru.weight_hh_l0)]
        if not (len(source) == len(self._transposed_source) and all(
                w is held and stamp == held_stamp for (w, *stamp), (held, *held_stamp)
                in zip(source, self._transposed_source))):
            self._transposed = [w.detach().t().contiguous().t() for w, *_ in source]
            self._transposed_source = source
        return self._transposed + [gru.bias_ih_l0, gru.bias_hh_l0]

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

    def __repr__(self):
        return (f'{type(self).__name__}({self.in_channels}, {self.hidden_channels}, '
                f'attention={self.attention is not None})')
