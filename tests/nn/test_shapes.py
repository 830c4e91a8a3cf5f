"""Inputs of the wrong shape are refused by the layer, in its terms: torch's own error names
an inner product's operands (``mat1 and mat2 shapes cannot be multiplied``), or none is
raised at all where the sizes happen to broadcast."""
import pytest
import torch

from posegraph.nn import (
    DiffPool,
    FrameAttention,
    JointAttention,
    SkeletonGraphConv,
    SpatialTemporalGraphConv,
)
from posegraph.skeleton import adjacency

CASES = [
    (lambda: SkeletonGraphConv(3, 8, 'coco17'), (torch.randn(2, 15, 3),),
     r"SkeletonGraphConv\(3, 8, num_joints=17\) takes x of shape \(\*, 17, 3\) \(joints, "
     r"channels\), got \(2, 15, 3\)$"),
    (lambda: SkeletonGraphConv(3, 8, 'coco17', partition='spatial'), (torch.randn(2, 3, 17),),
     r"got \(2, 3, 17\): channels come last in posegraph, \(N, M, T, V, C\)$"),
    (lambda: SpatialTemporalGraphConv(3, 8, 'coco17'), (torch.randn(2, 10, 17, 3),),
     r"takes x of shape \(B, 3, T, 17\) \(batch, channels, frames, joints\), got "
     r"\(2, 10, 17, 3\): ST-GCN's layout, channels first"),
    (lambda: SpatialTemporalGraphConv(3, 8, 'coco17'), (torch.randn(2, 3, 10, 15),),
     r'got \(2, 3, 10, 15\)$'),
    (lambda: DiffPool(3, 8, 4), (torch.randn(2, 17, 4), adjacency('coco17')),
     r'DiffPool\(3, 8, num_clusters=4\) takes x of shape \(B, N, 3\)'),
    # 15 x 15 broadcast against nothing here, but a (B, 17, 17) adj of another batch would.
    (lambda: DiffPool(3, 8, 4), (torch.randn(2, 17, 3), adjacency('jhmdb15')),
     r'takes adj of shape \(17, 17\) or \(B, 17, 17\), as x has 17 nodes, got \(15, 15\)'),
    (lambda: JointAttention(8, 4), (torch.randn(2, 17, 6),),
     r'JointAttention\(8, 4\) takes h of shape \(\*, L, 8\)'),
    (lambda: JointAttention(8, 4), (torch.randn(2, 17, 8), torch.ones(2, 15, dtype=torch.bool)),
     r'takes mask of shape \(2, 17\): one entry per vector of h, got \(2, 15\)'),
    (lambda: FrameAttention(8, 4), (torch.randn(2, 10, 6), None, True),
     r'FrameAttention\(8, 4\) takes h of shape'),
]


@pytest.mark.parametrize('layer, inputs, message', CASES)
def test_a_layer_names_itself_and_the_shape_it_takes(layer, inputs, message):
    with pytest.raises(ValueError, match=message):
        layer()(*inputs)


def test_a_mask_that_broadcasts_is_refused_rather_than_spread():
    # A (2, 1) mask broadcast over the joints would mask whole frames without a word.
    with pytest.raises(ValueError, match=r'takes mask of shape \(2, 17\)'):
        JointAttention(8, 4)(torch.randn(2, 17, 8), torch.ones(2, 1, dtype=torch.bool))
