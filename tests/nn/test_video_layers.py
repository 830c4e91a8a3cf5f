"""The recurrent, excitation and fusion layers of the RGB models."""
import pytest
import torch

from posegraph.nn import (
    AttentionalFeatureFusion,
    ChannelExcitation,
    ConvGRU,
    LayerNormLSTM,
    MotionExcitation,
    MultiScaleChannelAttention,
    SpatioTemporalExcitation,
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


@pytest.mark.parametrize('make', [lambda: SpatioTemporalExcitation(4),
                                  lambda: ChannelExcitation(32, 4),
                                  lambda: MotionExcitation(32, 4)])
def test_excitations_keep_clips_apart_and_see_time(make):
    torch.manual_seed(0)
    layer = make().eval()
    x = torch.randn(2 * 4, 32, 5, 5)
    y = layer(x)
    assert y.shape == x.shape
    other = x.clone()
    other[4:] = torch.randn(4, 32, 5, 5)  # change the second clip only
    torch.testing.assert_close(layer(other)[:4], y[:4])
    # Another order of the first clip's frames changes more than a permutation would.
    order = torch.tensor([3, 2, 1, 0, 4, 5, 6, 7])
    assert not torch.allclose(layer(x[order])[order], y, atol=1e-5)


def test_excitation_with_a_neutral_mask_scales_by_one_and_a_half():
    layer = SpatioTemporalExcitation(2)
    torch.nn.init.zeros_(layer.conv.weight)
    torch.nn.init.zeros_(layer.conv.bias)
    x = torch.randn(4, 3, 5, 5)
    torch.testing.assert_close(layer(x), 1.5 * x)


def test_motion_excitation_is_silent_without_motion_when_its_transform_is_identity():
    layer = MotionExcitation(16, 3, reduction=4).eval()
    with torch.no_grad():
        layer.transform.weight.zero_()
        layer.transform.weight[:, 0, 1, 1] = 1
    static = torch.randn(1, 16, 4, 4).repeat(3, 1, 1, 1)
    mask = torch.sigmoid(layer.expand(torch.zeros(1, 4, 1, 1)))
    torch.testing.assert_close(layer(static), static * mask)


def test_multiscale_attention_and_fusion():
    torch.manual_seed(0)
    mcam = MultiScaleChannelAttention(16, reduction=4).eval()
    plain = MultiScaleChannelAttention(16, reduction=4, kernel_sizes=()).eval()
    assert [c.kernel_size for c in mcam.scales] == [(3, 3), (5, 5), (7, 7)]
    assert plain.scales is None
    x = torch.randn(2, 16, 9, 9)
    for attention in (mcam, plain):
        mask = attention(x)
        assert mask.shape == x.shape and 0 < mask.min() and mask.max() < 1
    aff = AttentionalFeatureFusion(16).eval()
    y = torch.randn(2, 16, 9, 9)
    z = aff(x, y)
    mask = aff.attention(x + y)
    torch.testing.assert_close(z, mask * x + (1 - mask) * y)
    torch.testing.assert_close(aff(x, x), x)  # fusing a map with itself gives it back
    lo, hi = torch.minimum(x, y), torch.maximum(x, y)
    assert bool(((z >= lo - 1e-6) & (z <= hi + 1e-6)).all())
