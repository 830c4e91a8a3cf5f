"""Skeleton layouts, their graphs, and conversion between them."""
from .convert import convert_keypoints
from .graph import (adjacency, edge_index, hop_distance, normalized_adjacency,
                    spatial_partition)
from .layout import (COCO17, HAND21, JHMDB15, LAYOUT_ALIASES, LAYOUTS, MEDIAPIPE33, NTU25,
                     OPENPOSE18, SkeletonLayout, get_layout, register_layout)
from .streams import STREAMS, joint_streams, stream_channel_index, stream_channels

__all__ = ['SkeletonLayout', 'get_layout', 'register_layout', 'LAYOUTS', 'LAYOUT_ALIASES',
           'COCO17', 'OPENPOSE18', 'JHMDB15', 'MEDIAPIPE33', 'NTU25', 'HAND21', 'convert_keypoints', 'adjacency', 'edge_index', 'hop_distance',
           'normalized_adjacency', 'spatial_partition', 'STREAMS', 'joint_streams',
           'stream_channels', 'stream_channel_index']
