"""Turning one video into a skeleton annotation record."""
import os
from typing import Optional

import numpy as np

from posegraph.io.video import VideoReadError, read_video
from .frames import PoseEstimator
from .tracking import track_persons

__all__ = ['VideoReadError', 'extract_video', 'read_video']


def extract_video(path: str, backend: PoseEstimator,
                  num_person: int = 2, label: int = 0, frame_dir: Optional[str] = None) -> dict:
    """Estimate and track the persons of one video.

    Returns a record of the PYSKL format: ``frame_dir`` (the file's stem by default),
    ``label``, ``img_shape`` and ``original_shape`` (the frames' height and width),
    ``total_frames``, ``keypoint`` ``(M, T, 17, 2)`` in original pixels and
    ``keypoint_score`` ``(M, T, 17)``, frames without a person being zeros with score 0.
    """
    frames = read_video(path)
    detections = backend(frames)
    keypoint, keypoint_score = track_persons(detections, num_person=num_person)
    shape = tuple(int(v) for v in frames[0].shape[:2])
    return {'frame_dir': frame_dir or os.path.splitext(os.path.basename(path))[0],
            'label': int(label), 'img_shape': shape, 'original_shape': shape,
            'total_frames': len(frames), 'keypoint': keypoint.astype(np.float32),
            'keypoint_score': keypoint_score.astype(np.float32)}
