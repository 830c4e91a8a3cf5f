"""ConvGRU: its equations, causal in time."""
import torch

from posegraph.nn import (
    ConvGRU,
)


def test_conv_gru_follows_its_equations_and_is_causal():
    torch.manual_seed(0)
    gru = ConvGRU(3, 5)
    x = torch.randn(2, 4, 3, 6, 6)
    states = gru(x)
    assert states.shape == (2, 4, 5, 6, 6)
    # Step 1 from a zero state by hand: h1 = z * tanh(W_h [x, r * 0] + b_h).
    zr = torch.sigmoid(gru.gates(torch.cat([x[:, 0], torch.zeros(2, 5, 6, 6)], 1)))
    z = zr[:, :5]
    candidate = torch.tanh(gru.candidate(torch.cat([x[:, 0], torch.zeros(2, 5, 6, 6)], 1)))
    torch.testing.assert_close(states[:, 0], z * candidate)
    later = x.clone()
    later[:, 3] += 1
    torch.testing.assert_close(gru(later)[:, :3], states[:, :3])  # the future does not leak
    assert not torch.allclose(gru(x.flip(1))[:, -1], states[:, -1])  # order matters
