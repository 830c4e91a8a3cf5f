r"""Joint attention: which joints (or joint clusters) of a frame matter."""
from .attention_pool import AttentionPool


class JointAttention(AttentionPool):
    r"""Attention over the nodes of one frame's pose graph (eq. 13-15 of the
    pose-attention paper):

    .. math::
        \mathbf{j}_i = \tanh(\mathbf{W}_j \mathbf{h}_i + \mathbf{b}_j), \qquad
        \alpha_i = \mathrm{softmax}_i(\mathbf{j}_i^{\top} \mathbf{u}_w), \qquad
        \mathbf{s} = \sum_i \alpha_i \mathbf{h}_i

    Missing joints, given by ``mask``, get weight 0.

    Args:
        in_channels: features per joint.
        attention_channels: size of :math:`\mathbf{j}_i` and :math:`\mathbf{u}_w`.

    Shapes:
        - input: ``h`` :math:`(*, V, F)`, optional ``mask`` :math:`(*, V)` (bool)
        - output: frame vector ``s`` :math:`(*, F)` and joint weights :math:`(*, V)`
    """
