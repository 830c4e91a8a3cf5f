"""Linking per-frame detections of persons into tracks across a video."""
from typing import Dict, Sequence, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment


def keypoint_similarity(track_keypoints: np.ndarray, track_scores: np.ndarray,
                        keypoints: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Object-keypoint similarity between every track's last pose and every detection.

    ``exp(-d^2 / (2 s^2 k^2))`` averaged over the joints seen in both, with ``s`` the
    track's bounding-box diagonal and ``k = 0.1``, as COCO's OKS with one constant.

    Args:
        track_keypoints: ``(A, V, 2)``; ``track_scores``: ``(A, V)``.
        keypoints: ``(B, V, 2)``; ``scores``: ``(B, V)``.

    Returns:
        ``(A, B)`` similarities in ``[0, 1]`` (0 where no joint is seen in both).
    """
    seen_a, seen_b = track_scores > 0, scores > 0
    lo = np.where(seen_a[..., None], track_keypoints, np.inf).min(axis=1)
    hi = np.where(seen_a[..., None], track_keypoints, -np.inf).max(axis=1)
    size = np.linalg.norm(np.where(np.isfinite(hi - lo), hi - lo, 0), axis=-1)
    size = np.maximum(size, 1.0)
    d2 = ((track_keypoints[:, None] - keypoints[None]) ** 2).sum(-1)       # (A, B, V)
    both = seen_a[:, None] & seen_b[None]
    similarity = np.exp(-d2 / (2 * (0.1 * size[:, None, None]) ** 2))
    count = both.sum(-1)
    return np.where(count > 0, (similarity * both).sum(-1) / np.maximum(count, 1), 0.0)


class PoseTracker:
    """Online tracking: each frame's detections are linked to the live tracks and given
    their track ids.

    A frame's detections are matched to the live tracks by the Hungarian algorithm on
    :func:`keypoint_similarity` (SciPy's ``linear_sum_assignment``); a detection with no
    match above ``min_similarity`` starts a new track (ids count up from 0 and are never
    reused); a track unseen for more than ``max_age`` frames ends.

    Args:
        min_similarity: the least similarity that links a detection to a track
            (default ``0.1``).
        max_age: frames a track survives without a detection (default ``10``).
    """

    def __init__(self, min_similarity: float = 0.1, max_age: int = 10):
        if max_age < 0:
            raise ValueError(f'max_age is the frames a track may go unseen: 0 or more, not '
                             f'{max_age}')
        self.min_similarity, self.max_age = min_similarity, max_age
        self.frame = -1
        self.next_id = 0
        self.live: Dict[int, Tuple[np.ndarray, np.ndarray, int]] = {}   # id: last pose, frame

    def update(self, keypoints: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Link one frame's detections ``(P, V, 2)``, ``(P, V)`` to the tracks.

        Returns:
            ``(P,)`` int64: the track id of each detection.
        """
        self.frame += 1
        # A track last seen at frame f has gone unseen for the frames between f and this one.
        self.live = {k: v for k, v in self.live.items()
                     if self.frame - v[2] - 1 <= self.max_age}
        ids = np.full(len(keypoints), -1, np.int64)
        if self.live and len(keypoints):
            live_ids = list(self.live)
            similarity = keypoint_similarity(np.stack([self.live[k][0] for k in live_ids]),
                                             np.stack([self.live[k][1] for k in live_ids]),
                                             keypoints, scores)
            for row, col in zip(*linear_sum_assignment(-similarity)):
                if similarity[row, col] >= self.min_similarity:
                    ids[col] = live_ids[row]
        for col in np.flatnonzero(ids < 0):
            ids[col], self.next_id = self.next_id, self.next_id + 1
        for col, track in enumerate(ids):
            self.live[int(track)] = (keypoints[col], scores[col], self.frame)
        return ids


def track_persons(detections: Sequence[Tuple[np.ndarray, np.ndarray]], num_person: int = 2,
                  min_similarity: float = 0.1, max_age: int = 10) -> Tuple[np.ndarray, np.ndarray]:
    """Link per-frame detections into tracks (:class:`PoseTracker`) and keep the most
    prominent ones.

    Args:
        detections: per frame, ``(keypoints (P, V, 2), scores (P, V))``.
        num_person: tracks to keep, by total joint confidence over the video (default 2).
        min_similarity, max_age: as :class:`PoseTracker` takes them. (defaults: ``0.1``, ``10``)

    Returns:
        ``keypoint`` ``(M, T, V, 2)`` and ``keypoint_score`` ``(M, T, V)`` float32 with
        ``M = num_person``; a track's frames without a detection (and every frame of a
        missing track) are zeros with score 0.
    """
    if num_person < 1:
        raise ValueError(f'num_person is the tracks kept: 1 or more, not {num_person}')
    num_joints = next((k.shape[1] for k, _ in detections if len(k)), 17)
    tracker = PoseTracker(min_similarity, max_age)
    tracks: Dict[int, Dict[int, Tuple[np.ndarray, np.ndarray]]] = {}   # id: {frame: pose}
    for t, (keypoints, scores) in enumerate(detections):
        for col, track in enumerate(tracker.update(keypoints, scores)):
            tracks.setdefault(int(track), {})[t] = (keypoints[col], scores[col])
    ids = list(tracks)
    prominence = [sum(float(s.sum()) for _, s in tracks[k].values()) for k in ids]
    keypoint = np.zeros((num_person, len(detections), num_joints, 2), np.float32)
    keypoint_score = np.zeros((num_person, len(detections), num_joints), np.float32)
    for m, i in enumerate(np.argsort(prominence)[::-1][:num_person]):
        for t, (k, s) in tracks[ids[i]].items():
            keypoint[m, t], keypoint_score[m, t] = k, s
    return keypoint, keypoint_score
