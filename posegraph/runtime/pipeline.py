"""Frames in, tracked persons with their actions out."""
from typing import List

import numpy as np

from posegraph.pose.frames import PoseEstimator
from posegraph.pose.tracking import PoseTracker
from .streaming import TrackedPersons


class VideoActionRecognizer:
    """Frames in, tracked persons with their actions out: a pose estimator, a
    :class:`~posegraph.pose.tracking.PoseTracker` and a per-person recognizer, a frame at
    a time.

    Args:
        estimator: called with a list of BGR frames, returns per frame ``(keypoints
            (P, V, 2), scores (P, V))`` (a pose back-end of :mod:`posegraph.pose.backends`,
            or a bundle's).
        recognizer: :class:`~posegraph.apis.OnlineRecognizer`,
            :class:`~posegraph.apis.SlidingWindowRecognizer` or a bundle's; its ``max_age``
            is the tracker's too.
        min_similarity: the tracker's (default ``0.1``).
    """

    def __init__(self, estimator: PoseEstimator, recognizer: TrackedPersons,
                 min_similarity: float = 0.1):
        self.estimator, self.recognizer = estimator, recognizer
        self.tracker = PoseTracker(min_similarity, recognizer.max_age)

    def __call__(self, frame: np.ndarray) -> List[dict]:
        """The persons of one BGR frame: dicts with ``id``, ``keypoints`` ``(V, 2)`` and
        ``keypoint_scores`` ``(V,)`` in the estimator's layout, and ``probabilities``
        (``(num_classes,)``, or ``None`` until the person's first score)."""
        keypoints, scores = (np.asarray(a, np.float32) for a in self.estimator([frame])[0])
        ids = self.tracker.update(keypoints, scores)
        probabilities = self.recognizer.update(ids, keypoints, scores, frame.shape[:2])
        return [{'id': int(track), 'keypoints': k, 'keypoint_scores': s,
                 'probabilities': probabilities.get(int(track))}
                for track, k, s in zip(ids, keypoints, scores)]
