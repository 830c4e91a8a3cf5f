"""2D multi-person pose estimation: the Lightweight OpenPose network family, its training
targets and the decoding of its maps into persons (its training data and mmengine model are
:class:`~posegraph.datasets.CocoKeypointsDataset` and
:class:`~posegraph.models.PoseEstimatorModel`).

Decoding, targets, frame preparation and tracking need only numpy and OpenCV; the networks
(torch) are imported when first used, so the torch-free runtime can use the rest.
"""
import importlib
from typing import Any

from .decode import decode_poses, find_peaks, group_persons, match_limbs, paf_score
from .targets import LIMBS, PAF_CHANNELS, keypoint_heatmaps, part_affinity_fields

_NETWORKS = ('LightweightOpenPose', 'lightweight_openpose', 'load_openpose_checkpoint',
             'pose_attention_openpose')

__all__ = ['decode_poses', 'find_peaks', 'group_persons', 'match_limbs', 'paf_score',
           'LIMBS', 'PAF_CHANNELS', 'keypoint_heatmaps', 'part_affinity_fields', *_NETWORKS]


def __getattr__(name: str) -> Any:
    if name in _NETWORKS:
        return getattr(importlib.import_module('.lwopenpose', __name__), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
