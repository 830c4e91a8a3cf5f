"""2D multi-person pose estimation: the Lightweight OpenPose network family."""
from .lwopenpose import (LightweightOpenPose, lightweight_openpose, load_pretrained,
                         pose_attention_openpose)

__all__ = ['LightweightOpenPose', 'lightweight_openpose', 'load_pretrained',
           'pose_attention_openpose']
