"""From a video frame to the estimator's input, and from decoded joints back to the frame:
the public Lightweight OpenPose demo's preparation, in numpy and OpenCV."""
import itertools
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .decode import decode_poses

Poses = Tuple[np.ndarray, np.ndarray, np.ndarray]   # keypoints (P, 17, 2), scores, person scores
# A batch of BGR frames -> per frame, keypoints (P, V, 2) in its pixels and scores (P, V).
PoseEstimator = Callable[[Sequence[np.ndarray]], List[Tuple[np.ndarray, np.ndarray]]]
# A (N, 3, H, W) float32 batch -> last-stage heatmaps and PAFs.
MapsFunction = Callable[[np.ndarray], Tuple[np.ndarray, np.ndarray]]


def network_input(frame: np.ndarray, height: int,
                  stride: int = 8) -> Tuple[np.ndarray, float, Tuple[int, int]]:
    """The network input of one BGR frame, as the public demo makes it: resized by the
    factor ``height / frame height`` (both axes), normalised as ``(x - 128) / 256``,
    padded with 0 (mid-grey) to at least ``height`` wide and to multiples of ``stride``,
    the padding split evenly on both sides.

    Returns:
        The ``(3, H, W)`` float32 input, the scale from frame to input pixels and the
        ``(top, left)`` padding.
    """
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f'a frame is a BGR image of shape (H, W, 3), not {frame.shape} '
                         '(cv2.cvtColor converts grey and BGRA frames)')
    scale = height / frame.shape[0]
    resized = cv2.resize(frame, (0, 0), fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    normalized = (resized.astype(np.float32) - 128) / 256
    rows, cols = normalized.shape[:2]
    target_h = -(-height // stride) * stride
    target_w = -(-max(cols, height) // stride) * stride
    rows = min(rows, height)
    top, left = (target_h - rows) // 2, (target_w - cols) // 2
    padded = cv2.copyMakeBorder(normalized, top, target_h - rows - top, left,
                                target_w - cols - left, cv2.BORDER_CONSTANT, value=0)
    return padded.transpose(2, 0, 1), scale, (top, left)


def decode_frames(heatmaps: np.ndarray, pafs: np.ndarray, scales: List[float],
                  pads: List[Tuple[int, int]], stride: int = 8) -> List[Poses]:
    """Decode a batch of maps (:func:`~posegraph.pose.decode.decode_poses`) into each
    frame's persons, in the frame's pixels: ``(keypoints (P, 17, 2), scores (P, 17),
    person scores (P,))``, missing joints at 0."""
    results = []
    for h, p, scale, (top, left) in zip(heatmaps, pafs, scales, pads):
        keypoints, scores, persons = decode_poses(h, p, stride=stride, with_person_scores=True)
        frame_xy = (keypoints - np.array([left, top], np.float32)) / scale
        results.append((np.where(scores[..., None] > 0, frame_xy, 0), scores, persons))
    return results


class MapsEstimator:
    """A pose estimator from a function that gives a batch of frames' maps: frames are
    prepared (:func:`network_input`), run in batches, and decoded (:func:`decode_frames`).

    Subclasses (or the ``maps`` argument) give :meth:`maps`: ``(N, 3, H, W)`` float32 in,
    last-stage heatmaps ``(N, 19, H / 8, W / 8)`` and PAFs ``(N, 38, H / 8, W / 8)`` out.

    Args:
        height: network input height; width follows the frame's aspect ratio.
        batch_size: frames per call of :meth:`maps` (default 8).
        maps: the maps function, if not a subclass's method. (default: ``None``)
    """
    stride = 8

    def __init__(self, height: int, batch_size: int = 8,
                 maps: Optional[MapsFunction] = None):
        if height < self.stride:
            raise ValueError(f'the input height must be at least the stride, {self.stride} '
                             f'pixels, not {height}')
        self.height, self.batch_size = height, batch_size
        if maps is not None:
            self.maps = maps

    def preprocess(self, frame: np.ndarray) -> Tuple[np.ndarray, float, Tuple[int, int]]:
        """The network input of one BGR frame (:func:`network_input`), its scale and
        padding."""
        return network_input(frame, self.height, self.stride)

    def __call__(self, frames: Sequence[np.ndarray]) -> List[Tuple[np.ndarray, np.ndarray]]:
        """Per frame, ``(keypoints (P, 17, 2), scores (P, 17))`` (``coco17``) in the frame's
        pixels."""
        return [(keypoints, scores) for keypoints, scores, _ in self.poses(frames)]

    def poses(self, frames: Sequence[np.ndarray]) -> List[Poses]:
        """Per frame, ``(keypoints (P, 17, 2), scores (P, 17), person scores (P,))`` in the
        frame's pixels, decoded as the public demo decodes (:mod:`posegraph.pose.decode`).
        Frames may differ in size (photos): those of one size run in one batch."""
        results = []
        for start in range(0, len(frames), self.batch_size):
            prepared = [self.preprocess(f) for f in frames[start:start + self.batch_size]]
            for _, same_size in itertools.groupby(prepared, key=lambda p: p[0].shape):
                inputs, scales, pads = zip(*same_size)
                heatmaps, pafs = self.maps(np.stack(inputs))
                results += decode_frames(heatmaps, pafs, scales, pads, self.stride)
        return results
