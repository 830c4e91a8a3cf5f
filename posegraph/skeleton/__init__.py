"""Skeleton layouts, their graphs, and conversion between them.

Layouts, conversion and streams need only numpy; the graph functions (torch and PyG) are
imported when first used, so the torch-free runtime can use the rest.
"""
import importlib
from typing import Any

from .convert import convert_keypoints
from .layout import (
    COCO17,
    HAND21,
    JHMDB15,
    LAYOUT_ALIASES,
    LAYOUTS,
    MEDIAPIPE33,
    NTU25,
    OPENPOSE18,
    LayoutLike,
    SkeletonLayout,
    check_num_joints,
    get_layout,
    register_layout,
)
from .normalize import StreamingPoseNormalize, frame_centres, frame_sizes
from .streams import (
    STREAMS,
    format_streams,
    joint_streams,
    mask_missing,
    stream_channel_index,
    stream_channels,
    streams_lookahead,
)

_GRAPH = ('adjacency', 'edge_index', 'hop_distance', 'normalized_adjacency',
          'spatial_partition')

__all__ = ['SkeletonLayout', 'LayoutLike', 'get_layout', 'check_num_joints', 'register_layout',
           'LAYOUTS',
           'LAYOUT_ALIASES', 'COCO17', 'OPENPOSE18', 'JHMDB15', 'MEDIAPIPE33', 'NTU25', 'HAND21',
           'convert_keypoints', 'StreamingPoseNormalize', 'frame_centres', 'frame_sizes',
           'STREAMS', 'format_streams', 'joint_streams', 'mask_missing', 'stream_channels',
           'stream_channel_index', 'streams_lookahead', *_GRAPH]


def __getattr__(name: str) -> Any:
    if name in _GRAPH:
        return getattr(importlib.import_module('.graph', __name__), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
