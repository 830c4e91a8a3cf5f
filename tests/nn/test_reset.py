"""Every graph layer starts afresh on reset_parameters."""
import torch

from posegraph.nn import (
    AttentionGRU,
    DiffPool,
    JointAttention,
    SkeletonGraphConv,
)


def test_layers_reset_parameters():
    for layer in (SkeletonGraphConv(3, 4, 'coco17'), DiffPool(3, 4, 2), JointAttention(3, 2),
                  AttentionGRU(3, 4)):
        before = [p.detach().clone() for p in layer.parameters()]
        layer.reset_parameters()
        assert any(not torch.equal(a, b) for a, b in zip(before, layer.parameters()))
