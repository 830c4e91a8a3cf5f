"""MotionExcitation: silent without motion."""
import torch

from posegraph.nn import (
    MotionExcitation,
)


def test_motion_excitation_is_silent_without_motion_when_its_transform_is_identity():
    layer = MotionExcitation(16, 3, reduction=4).eval()
    with torch.no_grad():
        layer.transform.weight.zero_()
        layer.transform.weight[:, 0, 1, 1] = 1
    static = torch.randn(1, 16, 4, 4).repeat(3, 1, 1, 1)
    mask = torch.sigmoid(layer.expand(torch.zeros(1, 4, 1, 1)))
    torch.testing.assert_close(layer(static), static * mask)
