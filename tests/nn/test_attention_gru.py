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


def test_attention_gru_inference_follows_the_weights_as_they_train():
    """Inference runs the GRU's kernel without the nn.GRU module: the states are nn.GRU's,
    bit for bit, and they follow every change to the weights, a fused optimiser's steps
    included (which leave the weights' version counter where it was)."""
    gru = AttentionGRU(5, 7, 4)
    x = torch.randn(3, 9, 5)
    optimizer = torch.optim.AdamW(gru.parameters(), lr=0.1, fused=True)
    for _ in range(3):
        gru.eval()
        with torch.no_grad():
            v, _, states = gru(x)
            reference = gru.gru(x)[0]
            assert torch.equal(states, reference)
            assert torch.equal(v, gru.attention(reference)[0])
            state = gru.initial_state(3)
            for t in range(9):
                step_v, state = gru.step(x[:, t], state)
            torch.testing.assert_close(step_v, v)
        gru.train()
        gru(x)[0].square().sum().backward()
        optimizer.step()
        optimizer.zero_grad()
    # Eval with autograd: the module's own weights take the gradients.
    gru.eval()
    gru(x)[0].sum().backward()
    assert gru.gru.weight_hh_l0.grad is not None
