"""The excitation layers (FrameExcitation and its children): clips kept apart, time seen."""
import pytest
import torch

from posegraph.nn import (
    ChannelExcitation,
    MotionExcitation,
    SpatioTemporalExcitation,
)


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
