"""LayerNormLSTM: causal, normalised."""
import torch

from posegraph.nn import (
    LayerNormLSTM,
)


def test_layer_norm_lstm_is_causal_and_normalised():
    torch.manual_seed(0)
    lstm = LayerNormLSTM(7, 4, dropout=0.25).eval()
    x = torch.randn(3, 5, 7)
    out = lstm(x)
    assert out.shape == (3, 5, 4) and out.abs().max() < 1
    changed = x.clone()
    changed[:, 4] *= 3
    torch.testing.assert_close(lstm(changed)[:, :4], out[:, :4])
    # Layer norm: scaling the input leaves the gates, hence the states, unchanged.
    torch.testing.assert_close(lstm(10 * x), out, atol=1e-4, rtol=1e-4)
    assert 'dropout=0.25' in repr(lstm)
