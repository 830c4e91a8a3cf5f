"""Skeleton layouts, their graphs, and conversion between them."""
from .convert import convert_keypoints
from .graph import (adjacency, edge_index, hop_distance, normalized_adjacency,
                    spatial_partition)
from .layout import (COCO17, JHMDB15, LAYOUTS, MEDIAPIPE33, OPENPOSE18, SkeletonLayout,
                     get_layout)
from .streams import STREAMS, joint_streams, stream_channel_index, stream_channels

__all__ = ['SkeletonLayout', 'get_layout', 'LAYOUTS', 'COCO17', 'OPENPOSE18', 'JHMDB15',
           'MEDIAPIPE33', 'convert_keypoints', 'adjacency', 'edge_index', 'hop_distance',
           'normalized_adjacency', 'spatial_partition', 'STREAMS', 'joint_streams',
           'stream_channels', 'stream_channel_index']
