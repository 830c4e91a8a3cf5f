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


def test_attention_gru_inference_weights_follow_the_module():
    gru = AttentionGRU(5, 7, 4).eval()
    x = torch.randn(3, 9, 5)
    with torch.no_grad():
        reference = gru.gru(x)[0]
        v, alpha, states = gru(x)
        # Inference multiplies by copies held transposed (read row by row), the same values.
        weights = gru._inference_weights(x)
        assert weights[1].stride() == (1, 21) and weights[1].data_ptr() != \
            gru.gru.weight_hh_l0.data_ptr()
        torch.testing.assert_close(states, reference)
        torch.testing.assert_close(v, gru.attention(reference)[0])
        # An in-place change to the weights (an optimizer step, a strict state-dict load)
        # and a weight replaced outright both reach the next call.
        gru.gru.weight_hh_l0.mul_(-2)
        torch.testing.assert_close(gru(x)[2], gru.gru(x)[0])
        gru.gru.weight_ih_l0 = torch.nn.Parameter(torch.randn(21, 5))
        torch.testing.assert_close(gru(x)[2], gru.gru(x)[0])
        state = gru.initial_state(3)
        for t in range(9):
            step_v, state = gru.step(x[:, t], state)
        torch.testing.assert_close(step_v, gru(x)[0])
    # With autograd, in training or eval, the GRU's own weights take the gradients.
    gru(x)[0].sum().backward()
    assert gru.gru.weight_hh_l0.grad is not None and gru._inference_weights(x) is None
