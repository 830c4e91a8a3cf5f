"""Drawing persons and their actions on video frames, with OpenCV alone (no matplotlib,
no torch: the edge runtime's demo draws with it too)."""
from typing import Optional, Sequence

import cv2
import numpy as np

from posegraph.skeleton import check_num_joints, get_layout

# Colours (BGR) of the first persons' skeletons on video frames.
TRACK_COLOURS = ((0, 200, 255), (255, 160, 0), (60, 220, 60), (220, 60, 220), (80, 80, 255))


def draw_tracks(frame: np.ndarray, keypoint: np.ndarray, keypoint_score: np.ndarray, layout: str,
                label: Optional[str] = None, min_score: float = 0.05,
                track_ids: Optional[Sequence[int]] = None) -> np.ndarray:
    """Draw every person's skeleton of one frame on a copy of ``frame`` (BGR).

    Args:
        keypoint: ``(M, V, 2)`` pixels; ``keypoint_score``: ``(M, V)``.
        label: text written in the top-left corner (e.g. the predicted action).
        min_score: the least score of a joint drawn (default 0.05).
        track_ids: ``(M,)`` the persons' track ids, which choose their colours (default:
            their order).
    """
    # Joints of another layout would be joined by the wrong bones (or fail on an index).
    layout = check_num_joints(keypoint.shape[-2], layout, 'keypoint') if len(keypoint) \
        else get_layout(layout)
    canvas = frame.copy()
    thickness = max(2, round(frame.shape[0] / 240))
    track_ids = range(len(keypoint)) if track_ids is None else track_ids
    for track, points, scores in zip(track_ids, keypoint, keypoint_score):
        colour = TRACK_COLOURS[int(track) % len(TRACK_COLOURS)]
        seen = scores > min_score
        for child, parent in layout.bones:
            if seen[child] and seen[parent]:
                cv2.line(canvas, tuple(int(v) for v in points[child]),
                         tuple(int(v) for v in points[parent]), colour, thickness, cv2.LINE_AA)
        for joint in np.flatnonzero(seen):
            cv2.circle(canvas, tuple(int(v) for v in points[joint]), thickness + 1, colour, -1,
                       cv2.LINE_AA)
    if label:
        scale = frame.shape[0] / 500
        cv2.putText(canvas, label, (10, int(40 * scale)), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), max(1, int(3 * scale)), cv2.LINE_AA)
    return canvas


def draw_actions(frame: np.ndarray, persons: Sequence[dict], layout: str,
                 class_names: Sequence[str], fps: Optional[float] = None,
                 top_k: int = 3) -> np.ndarray:
    """Draw tracked persons with their actions on a copy of ``frame`` (BGR): skeletons,
    track ids and the ``top_k`` classes with their probabilities above each person, and
    the processing rate in the top-right corner.

    Args:
        persons: dicts with ``id``, ``keypoints`` ``(V, 2)``, ``keypoint_scores`` ``(V,)``
            and ``probabilities`` (``(num_classes,)`` or ``None``), as
            :class:`~posegraph.apis.VideoActionRecognizer` gives them.
        layout: the joints' layout.
        class_names: a name per class.
        fps: frames per second written in the corner (default ``None``: none).
        top_k: classes written per person (default 3).
    """
    if persons:
        canvas = draw_tracks(frame, np.stack([p['keypoints'] for p in persons]),
                             np.stack([p['keypoint_scores'] for p in persons]), layout,
                             track_ids=[p['id'] for p in persons])
    else:
        canvas = frame.copy()
    scale = max(frame.shape[0] / 720, 0.4)
    line = int(26 * scale)
    for person in persons:
        seen = person['keypoint_scores'] > 0
        if not seen.any():
            continue
        x, y = person['keypoints'][seen].min(axis=0)
        lines = [f'#{person["id"]}']
        if person['probabilities'] is not None:
            top = np.argsort(person['probabilities'])[::-1][:top_k]
            lines[0] += f' {class_names[top[0]]} {100 * person["probabilities"][top[0]]:.0f}%'
            lines += [f'{class_names[k]} {100 * person["probabilities"][k]:.0f}%'
                      for k in top[1:]]
        colour = TRACK_COLOURS[person['id'] % len(TRACK_COLOURS)]
        top_y = max(int(y) - line * len(lines), line)
        for i, text in enumerate(lines):
            origin = (max(int(x), 0), top_y + i * line)
            size = scale * (0.8 if i == 0 else 0.6)
            for paint, weight in (((0, 0, 0), 4), (colour, 2)):
                cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, size, paint,
                            max(1, int(weight * scale)), cv2.LINE_AA)
    if fps is not None:
        text = f'{fps:.1f} FPS'
        (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        origin = (frame.shape[1] - width - 10, line + 4)
        for colour, weight in (((0, 0, 0), 4), ((255, 255, 255), 2)):   # outlined: any background
            cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour,
                        max(1, int(weight * scale)), cv2.LINE_AA)
    return canvas
