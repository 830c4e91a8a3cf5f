"""Graph and attention layers for skeleton sequences, each usable on its own.

Shapes follow the package's skeleton layout ``(N, M, T, V, C)`` (see
:mod:`posegraph.datasets`); each layer documents the slice of it that it takes.
"""
from .attention_gru import AttentionGRU
from .attention_pool import AttentionPool
from .diff_pool import DiffPool
from .frame_attention import FrameAttention
from .joint_attention import JointAttention
from .skeleton_graph_conv import SkeletonGraphConv

__all__ = ['AttentionGRU', 'AttentionPool', 'DiffPool', 'FrameAttention', 'JointAttention',
           'SkeletonGraphConv']
