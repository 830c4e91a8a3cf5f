r"""A convolutional GRU over a sequence of feature maps."""
from typing import Optional

import torch
from torch import Tensor, nn


class ConvGRU(nn.Module):
    r"""Gated recurrent unit whose gates are convolutions (eq. 10-13 of the ConvGRU paper):

    .. math::
        \mathbf{z}_t &= \sigma(\mathbf{W}_z * [\mathbf{x}_t, \mathbf{h}_{t-1}] + \mathbf{b}_z) \\
        \mathbf{r}_t &= \sigma(\mathbf{W}_r * [\mathbf{x}_t, \mathbf{h}_{t-1}] + \mathbf{b}_r) \\
        \tilde{\mathbf{h}}_t &= \tanh(\mathbf{W}_h * [\mathbf{x}_t,
            \mathbf{r}_t \odot \mathbf{h}_{t-1}] + \mathbf{b}_h) \\
        \mathbf{h}_t &= (1 - \mathbf{z}_t) \odot \mathbf{h}_{t-1} + \mathbf{z}_t \odot
            \tilde{\mathbf{h}}_t

    with :math:`*` a ``kernel_size`` convolution, so the state keeps the maps' layout.

    Args:
        in_channels: channels of :math:`\mathbf{x}_t`.
        hidden_channels: channels (filters) of :math:`\mathbf{h}_t` (40 in the paper).
            (default: ``40``)
        kernel_size: size of the gate convolutions. (default: ``3``)

    Shapes:
        - input: ``x`` :math:`(N, T, C, H, W)`, optional initial state :math:`(N, F, H, W)`
        - output: states of every step :math:`(N, T, F, H, W)`
    """

    def __init__(self, in_channels: int, hidden_channels: int = 40, kernel_size: int = 3):
        super().__init__()
        self.in_channels, self.hidden_channels = in_channels, hidden_channels
        self.kernel_size = kernel_size
        padding = kernel_size // 2
        self.gates = nn.Conv2d(in_channels + hidden_channels, 2 * hidden_channels, kernel_size,
                               padding=padding)
        self.candidate = nn.Conv2d(in_channels + hidden_channels, hidden_channels, kernel_size,
                                   padding=padding)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for conv in (self.gates, self.candidate):
            nn.init.xavier_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)

    def step(self, x: Tensor, h: Tensor) -> Tensor:
        """One step: ``x`` :math:`(N, C, H, W)`, ``h`` :math:`(N, F, H, W)` -> new ``h``."""
        update, reset = torch.sigmoid(self.gates(torch.cat([x, h], 1))).chunk(2, 1)
        candidate = torch.tanh(self.candidate(torch.cat([x, reset * h], 1)))
        return (1 - update) * h + update * candidate

    def forward(self, x: Tensor, h: Optional[Tensor] = None) -> Tensor:
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_channels, *x.shape[-2:])
        states = []
        for t in range(x.shape[1]):
            h = self.step(x[:, t], h)
            states.append(h)
        return torch.stack(states, 1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.in_channels}, {self.hidden_channels}, '
                f'kernel_size={self.kernel_size})')
