"""FrameAttention: offline, causal and streamed alike."""
import torch

from posegraph.nn import (
    FrameAttention,
)


def test_causal_frame_attention_and_step_agree_with_offline():
    attention = FrameAttention(6, 4)
    h = torch.randn(3, 9, 6)
    mask = torch.rand(3, 9) > 0.3
    mask[:, 0] = True
    causal, _ = attention(h, mask, causal=True)
    for t in range(9):
        offline, _ = attention(h[:, :t + 1], mask[:, :t + 1])
        torch.testing.assert_close(causal[:, t], offline)
    state = attention.initial_state(3)
    for t in range(9):
        v, state = attention.step(h[:, t], state, mask[:, t])
        torch.testing.assert_close(v, causal[:, t])
