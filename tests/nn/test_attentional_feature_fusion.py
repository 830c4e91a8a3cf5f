"""MultiScaleChannelAttention and AttentionalFeatureFusion."""
import torch

from posegraph.nn import (
    AttentionalFeatureFusion,
    MultiScaleChannelAttention,
)


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
