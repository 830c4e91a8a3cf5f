"""Linking per-frame detections of persons into tracks across a video."""
import numpy as np
from scipy.optimize import linear_sum_assignment


def keypoint_similarity(track_keypoints, track_scores, keypoints, scores):
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


def track_persons(detections, num_person=2, min_similarity=0.1, max_age=10):
    """Link per-frame detections into tracks and keep the most prominent ones.

    Each frame's detections are matched to the live tracks by the Hungarian algorithm on
    :func:`keypoint_similarity` (SciPy's ``linear_sum_assignment``); a detection with no
    match above ``min_similarity`` starts a track; a track unseen for ``max_age`` frames
    ends.

    Args:
        detections: per frame, ``(keypoints (P, V, 2), scores (P, V))``.
        num_person: tracks to keep, by total joint confidence over the video.

    Returns:
        ``keypoint`` ``(M, T, V, 2)`` and ``keypoint_score`` ``(M, T, V)`` float32 with
        ``M = num_person``; a track's frames without a detection (and every frame of a
        missing track) are zeros with score 0.
    """
    num_frames = len(detections)
    num_joints = next((k.shape[1] for k, _ in detections if len(k)), 17)
    tracks = []   # dicts: frames {t: (keypoints, scores)}, last (keypoints, scores, t)
    for t, (keypoints, scores) in enumerate(detections):
        live = [track for track in tracks if t - track['last'][2] <= max_age]
        matched = set()
        if live and len(keypoints):
            similarity = keypoint_similarity(np.stack([tr['last'][0] for tr in live]),
                                             np.stack([tr['last'][1] for tr in live]),
                                             keypoints, scores)
            rows, cols = linear_sum_assignment(-similarity)
            for row, col in zip(rows, cols):
                if similarity[row, col] >= min_similarity:
                    live[row]['frames'][t] = (keypoints[col], scores[col])
                    live[row]['last'] = (keypoints[col], scores[col], t)
                    matched.add(col)
        for col in range(len(keypoints)):
            if col not in matched:
                tracks.append({'frames': {t: (keypoints[col], scores[col])},
                               'last': (keypoints[col], scores[col], t)})
    prominence = [sum(float(s.sum()) for _, s in track['frames'].values()) for track in tracks]
    keep = [tracks[i] for i in np.argsort(prominence)[::-1][:num_person]]
    keypoint = np.zeros((num_person, num_frames, num_joints, 2), np.float32)
    keypoint_score = np.zeros((num_person, num_frames, num_joints), np.float32)
    for m, track in enumerate(keep):
        for t, (k, s) in track['frames'].items():
            keypoint[m, t], keypoint_score[m, t] = k, s
    return keypoint, keypoint_score
