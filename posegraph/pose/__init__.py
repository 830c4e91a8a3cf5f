"""2D multi-person pose estimation: the Lightweight OpenPose network family, its training
targets and the decoding of its maps into persons."""
from .decode import decode_poses, find_peaks, group_persons, match_limbs, paf_score
from .lwopenpose import (LightweightOpenPose, lightweight_openpose, load_pretrained,
                         pose_attention_openpose)
from .targets import LIMBS, PAF_CHANNELS, keypoint_heatmaps, part_affinity_fields

__all__ = ['decode_poses', 'find_peaks', 'group_persons', 'match_limbs', 'paf_score',
           'LightweightOpenPose', 'lightweight_openpose', 'load_pretrained',
           'pose_attention_openpose', 'LIMBS', 'PAF_CHANNELS', 'keypoint_heatmaps',
           'part_affinity_fields']
