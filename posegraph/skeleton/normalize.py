"""Body-centred, scale-normalised joints: the per-frame statistics that
:class:`~posegraph.datasets.transforms.PoseNormalize` reduces over a clip, and their running
form for a person seen a frame at a time."""
import bisect
from collections import deque
from typing import Deque, List, Sequence, Tuple

import numpy as np

from .layout import get_layout


class StreamingPoseNormalize:
    """:class:`~posegraph.datasets.transforms.PoseNormalize` for one person seen a frame at
    a time: the clip's statistics become running ones over the last ``history`` frames (the
    mean centre, the median body size), so a stream is normalised as the clip it has been
    lately, at a cost that does not grow with its length.

    Args:
        layout, center, scale: as ``PoseNormalize`` takes them.
        history: frames the statistics cover (default 300, ten seconds at 30 fps; longer
            than the clips the models are trained on, so a clip streamed whole is normalised
            with the clip's statistics).
    """

    def __init__(self, layout: str, center: str = 'clip', scale: str = 'body',
                 history: int = 300):
        if center not in ('clip', 'frame', 'image') or scale not in ('body', 'image'):
            raise ValueError("center must be 'clip', 'frame' or 'image' and scale 'body' or "
                             f"'image', got {center!r} and {scale!r}")
        self.layout, self.center, self.scale = get_layout(layout).name, center, scale
        self.history = history
        # Running statistics, updated as frames come and go: the centres' sum, and the
        # sizes kept sorted too, so a frame costs the same at any history.
        self.centres: Deque[np.ndarray] = deque()
        self.centre_sum = np.zeros(2)
        self.sizes: Deque[float] = deque()
        self.sorted_sizes: List[float] = []

    def __call__(self, keypoint: np.ndarray, score: np.ndarray,
                 img_shape: Tuple[int, int] = (1, 1)) -> np.ndarray:
        """Normalise one frame's joints ``(V, 2)`` (scores ``(V,)``) and fold them into the
        running statistics; missing joints become 0."""
        visible = score > 0
        centre, has_centre = frame_centres(keypoint[None], visible[None], self.layout)
        size, valid = frame_sizes(keypoint[None], visible[None])
        if has_centre[0]:
            self._add_centre(centre[0].astype(np.float64))
        if valid[0]:
            self._add_size(float(size[0]))
        height, width = img_shape
        running = self.centre_sum / len(self.centres) if self.centres else np.zeros(2)
        if self.center == 'image':
            offset = np.array([width / 2, height / 2])
        elif self.center == 'frame' and has_centre[0]:
            offset = centre[0]
        else:
            offset = running
        if self.scale == 'image':
            size = max(height, width) / 2
        else:
            size = positive_size(self._median_size()) if self.sizes else 1.0
        normalized = (keypoint - offset) / size
        return np.where(visible[:, None], normalized, 0).astype(np.float32)

    def _add_centre(self, centre: np.ndarray) -> None:
        self.centres.append(centre)
        self.centre_sum += centre
        if len(self.centres) > self.history:
            self.centre_sum -= self.centres.popleft()

    def _add_size(self, size: float) -> None:
        self.sizes.append(size)
        bisect.insort(self.sorted_sizes, size)
        if len(self.sizes) > self.history:
            del self.sorted_sizes[bisect.bisect_left(self.sorted_sizes, self.sizes.popleft())]

    def _median_size(self) -> float:
        """``np.median`` of the kept sizes, from the sorted ones."""
        return sorted_median(self.sorted_sizes)


def sorted_median(ordered: Sequence[float]) -> float:
    """The median of values already sorted (none NaN): the middle one, or the two middle ones
    summed and halved in their own type, as np.median's mean does."""
    middle, odd = divmod(len(ordered), 2)
    return float(ordered[middle] if odd else (ordered[middle - 1] + ordered[middle]) / 2)


def median(values: np.ndarray) -> float:
    """``np.median`` of a 1-D array, the same value (NaN if any is NaN), from a sort: np.median's
    partition and checks take 6x as long on a clip's few dozen sizes."""
    ordered = np.sort(values)
    if not len(ordered) or np.isnan(ordered[-1]):
        return float(np.median(ordered))
    return sorted_median(ordered)


def positive_size(size: float) -> float:
    """``size``, or 1 where it is too small to divide by."""
    return size if size > 1e-6 else 1.0


def frame_centres(keypoint: np.ndarray, visible: np.ndarray,
                  layout: str) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame body centre of one person, ``(T, 2)``, and which frames have one.

    The centre is the mean of the layout's ``center`` joints; frames missing one of them
    fall back to the mean visible joint.
    """
    centre_joints = list(get_layout(layout).center)
    on_centre = visible[:, centre_joints].all(axis=1)
    centre = keypoint[:, centre_joints].mean(axis=1)
    count = visible.sum(axis=1)
    fallback = (keypoint * visible[..., None]).sum(axis=1) / np.maximum(count, 1)[:, None]
    return np.where(on_centre[:, None], centre, fallback), count > 0


def frame_sizes(keypoint: np.ndarray, visible: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame body size of one person, ``(T,)``: the larger side of its visible joints'
    bounding box; and which frames have one (two joints or more)."""
    # The minimum of the coordinates and of their negatives in one pass (the negated
    # minimum of the negatives is the maximum, exactly): 44 against 55-70 us a clip.
    both = np.concatenate([keypoint, -keypoint], axis=-1)
    extremes = np.where(visible[..., None], both, np.inf).min(axis=1)
    coords = keypoint.shape[-1]
    lo, hi = extremes[..., :coords], -extremes[..., coords:]
    valid = visible.sum(axis=1) >= 2
    return np.where(valid, (hi - lo).max(axis=1), 0.0), valid
