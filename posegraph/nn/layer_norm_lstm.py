r"""A layer-normalised LSTM (Ba et al., 2016)."""
import torch
from torch import Tensor, nn


class LayerNormLSTM(nn.Module):
    r"""One LSTM layer with layer normalisation of the gate pre-activations and the cell:

    .. math::
        [\mathbf{i}, \mathbf{f}, \mathbf{o}, \mathbf{g}]_t &=
            \mathrm{LN}(\mathbf{W}_x \mathbf{x}_t) + \mathrm{LN}(\mathbf{W}_h \mathbf{h}_{t-1})
            + \mathbf{b} \\
        \mathbf{c}_t &= \sigma(\mathbf{f}_t) \odot \mathbf{c}_{t-1} + \sigma(\mathbf{i}_t)
            \odot \tanh(\mathbf{g}_t) \\
        \mathbf{h}_t &= \sigma(\mathbf{o}_t) \odot \tanh(\mathrm{LN}(\mathbf{c}_t))

    Dropout (``dropout``) is applied to the inputs :math:`\mathbf{x}_t` while training.

    Args:
        in_channels: size of :math:`\mathbf{x}_t`.
        hidden_channels: size of :math:`\mathbf{h}_t`.
        dropout: input dropout probability. (default: ``0.0``)

    Shapes:
        - input: ``x`` :math:`(N, T, C)`
        - output: every state :math:`(N, T, F)` (sequence to sequence; take ``[:, -1]``
          for sequence to one)
    """

    def __init__(self, in_channels: int, hidden_channels: int, dropout: float = 0.0):
        super().__init__()
        self.in_channels, self.hidden_channels, self.dropout = in_channels, hidden_channels, dropout
        self.input_weights = nn.Linear(in_channels, 4 * hidden_channels, bias=False)
        self.hidden_weights = nn.Linear(hidden_channels, 4 * hidden_channels, bias=False)
        self.bias = nn.Parameter(torch.empty(4 * hidden_channels))
        self.input_norm = nn.LayerNorm(4 * hidden_channels)
        self.hidden_norm = nn.LayerNorm(4 * hidden_channels)
        self.cell_norm = nn.LayerNorm(hidden_channels)
        self.drop = nn.Dropout(dropout)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.xavier_uniform_(self.input_weights.weight)
        nn.init.orthogonal_(self.hidden_weights.weight)
        with torch.no_grad():  # forget gate bias 1: remember by default
            self.bias.zero_()
            self.bias[self.hidden_channels:2 * self.hidden_channels] = 1
        for norm in (self.input_norm, self.hidden_norm, self.cell_norm):
            norm.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        n = x.shape[0]
        h = x.new_zeros(n, self.hidden_channels)
        c = x.new_zeros(n, self.hidden_channels)
        projected = self.input_norm(self.input_weights(self.drop(x))) + self.bias
        states = []
        for t in range(x.shape[1]):
            gates = projected[:, t] + self.hidden_norm(self.hidden_weights(h))
            i, f, o, g = gates.chunk(4, -1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(self.cell_norm(c))
            states.append(h)
        return torch.stack(states, 1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.in_channels}, {self.hidden_channels}, '
                f'dropout={self.dropout})')
