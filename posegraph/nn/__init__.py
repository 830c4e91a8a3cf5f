"""Graph and attention layers for skeleton sequences, and the recurrent and excitation
layers of the RGB companion models, each usable on its own.

Skeleton layers follow the package's layout ``(N, M, T, V, C)`` (see
:mod:`posegraph.datasets`); video layers take frame maps ``(N T, C, H, W)`` (a clip's
frames consecutive) or sequences ``(N, T, ...)``. Each layer documents its shapes.
"""
from .attention_gru import AttentionGRU
from .attention_pool import AttentionPool
from .attentional_feature_fusion import AttentionalFeatureFusion
from .channel_excitation import ChannelExcitation
from .conv_gru import ConvGRU
from .diff_pool import DiffPool
from .frame_attention import FrameAttention
from .joint_attention import JointAttention
from .layer_norm_lstm import LayerNormLSTM
from .motion_excitation import MotionExcitation
from .multiscale_channel_attention import MultiScaleChannelAttention
from .skeleton_graph_conv import SkeletonGraphConv
from .spatial_temporal_graph_conv import SpatialTemporalGraphConv
from .spatiotemporal_excitation import SpatioTemporalExcitation

__all__ = ['AttentionGRU', 'AttentionalFeatureFusion', 'AttentionPool', 'ChannelExcitation',
           'ConvGRU', 'DiffPool', 'FrameAttention', 'JointAttention', 'LayerNormLSTM',
           'MotionExcitation', 'MultiScaleChannelAttention', 'SkeletonGraphConv',
           'SpatialTemporalGraphConv', 'SpatioTemporalExcitation']
