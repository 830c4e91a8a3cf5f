"""AttentionGRU: a GRU with frame attention, streamed as offline."""
import pytest
import torch

from posegraph.nn import (
    AttentionGRU,
)


@pytest.mark.parametrize('attention', [True, False])
def test_attention_gru_streams_like_offline(attention):
    gru = AttentionGRU(5, 7, 4, attention=attention)
    x = torch.randn(2, 11, 5)
    v, alpha, states = gru(x)
    assert v.shape == (2, 7) and states.shape == (2, 11, 7)
    assert (alpha is None) == (not attention)
    state = gru.initial_state(2)
    for t in range(11):
        step_v, state = gru.step(x[:, t], state)
    torch.testing.assert_close(step_v, v)
    if not attention:
        torch.testing.assert_close(v, states[:, -1])
