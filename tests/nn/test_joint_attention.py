"""JointAttention (and what the other attention poolings share: weights that sum to one
and skip masked entries)."""
import pytest
import torch

from posegraph.nn import (
    AttentionPool,
    FrameAttention,
    JointAttention,
)


@pytest.mark.parametrize('cls', [JointAttention, FrameAttention, AttentionPool])
def test_attention_weights_sum_to_one_and_skip_masked(cls):
    attention = cls(8, 5)
    h = torch.randn(4, 12, 8, requires_grad=True)
    mask = torch.rand(4, 12) > 0.4
    mask[:, 0] = True
    mask[3] = False                                   # a fully masked set
    pooled, alpha = attention(h, mask)
    assert pooled.shape == (4, 8) and alpha.shape == (4, 12)
    torch.testing.assert_close(alpha[:3].sum(-1), torch.ones(3))
    assert (alpha[~mask] == 0).all()
    assert (pooled[3] == 0).all() and torch.isfinite(pooled).all()
    torch.testing.assert_close(pooled[:3], (alpha[:3, :, None] * h[:3]).sum(1))
    pooled[:3].sum().backward()
    assert h.grad[:3][mask[:3]].abs().sum() > 0 and (h.grad[~mask] == 0).all()
    # Exported, the pooling is one batched product: the same weights, the same vectors
    # to float rounding, a fully masked set still 0.
    with torch.no_grad(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(torch.onnx, 'is_in_onnx_export', lambda: True)
        exported, exported_alpha = attention(h, mask)
    torch.testing.assert_close(exported_alpha, alpha.detach(), rtol=0, atol=0)
    torch.testing.assert_close(exported, pooled.detach())
    assert (exported[3] == 0).all()


def test_attention_is_permutation_equivariant_in_weights():
    attention = JointAttention(8, 5)
    h = torch.randn(2, 15, 8)
    perm = torch.randperm(15)
    pooled, alpha = attention(h)
    pooled_p, alpha_p = attention(h[:, perm])
    torch.testing.assert_close(pooled_p, pooled)
    torch.testing.assert_close(alpha_p, alpha[:, perm])
