"""Training targets of the pose network: keypoint heatmaps and part affinity fields.

Keypoints are in the ``openpose18`` order; limbs and their PAF channels follow the public
Lightweight OpenPose (:data:`LIMBS`, :data:`PAF_CHANNELS`). Map cell ``(i, j)`` of a
stride-``s`` map covers the input pixel centre ``(j * s + (s - 1) / 2, i * s + (s - 1) / 2)``.
"""
from typing import Tuple

import numpy as np
from numpy.typing import ArrayLike

# (A, B) keypoints of each limb, grown from the neck outwards; the last two (shoulder to
# ear) are redundant links that only fill in missing ears.
LIMBS = ((1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11),
         (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17), (2, 16), (5, 17))
# The (x, y) PAF channels of each limb in LIMBS.
PAF_CHANNELS = ((12, 13), (20, 21), (14, 15), (16, 17), (22, 23), (24, 25), (0, 1), (2, 3),
                (4, 5), (6, 7), (8, 9), (10, 11), (28, 29), (30, 31), (34, 35), (32, 33),
                (36, 37), (18, 19), (26, 27))
NUM_KEYPOINTS = 18


def cell_centres(map_shape: Tuple[int, int], stride: int) -> Tuple[np.ndarray, np.ndarray]:
    """Input-pixel coordinates of every map cell: ``x`` ``(1, w)`` and ``y`` ``(h, 1)``."""
    height, width = map_shape
    offset = (stride - 1) / 2
    return (np.arange(width) * stride + offset)[None, :], \
        (np.arange(height) * stride + offset)[:, None]


def keypoint_heatmaps(keypoints: ArrayLike, map_shape: Tuple[int, int], stride: int = 8,
                      sigma: float = 7.0) -> np.ndarray:
    """Gaussian keypoint maps plus the background map.

    Args:
        keypoints: ``(P, 18, 3)`` input-pixel ``x, y`` and visibility (> 0 labelled).
        map_shape: ``(h, w)`` of the output maps.
        stride: input pixels per map cell. (default: ``8``)
        sigma: Gaussian spread in input pixels. (default: ``7.0``)

    Returns:
        ``(19, h, w)`` float32: every person's Gaussians summed and clipped at 1, then the
        background ``1 - max`` of the keypoint maps.
    """
    keypoints = np.asarray(keypoints, dtype=np.float64).reshape(-1, NUM_KEYPOINTS, 3)
    xs, ys = cell_centres(map_shape, stride)
    maps = np.zeros((NUM_KEYPOINTS + 1,) + tuple(map_shape), np.float64)
    for person in keypoints:
        for k in np.flatnonzero(person[:, 2] > 0):
            x, y = person[k, :2]
            maps[k] += np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma ** 2))
    maps[:-1] = np.minimum(maps[:-1], 1)
    maps[-1] = 1 - maps[:-1].max(axis=0)
    return maps.astype(np.float32)


def part_affinity_fields(keypoints: ArrayLike, map_shape: Tuple[int, int], stride: int = 8,
                         thickness: float = 1.0) -> np.ndarray:
    """Unit vectors along every labelled limb.

    A cell gets the unit vector from A to B when its centre lies within ``thickness`` map
    cells of the segment (ends included, so that even a limb shorter than a cell is
    drawn); where several persons' limbs of one type overlap, their vectors are averaged.

    Returns:
        ``(38, h, w)`` float32.
    """
    keypoints = np.asarray(keypoints, dtype=np.float64).reshape(-1, NUM_KEYPOINTS, 3)
    xs, ys = cell_centres(map_shape, stride)
    fields = np.zeros((2 * len(LIMBS),) + tuple(map_shape), np.float64)
    for (a, b), (cx, cy) in zip(LIMBS, PAF_CHANNELS):
        total = np.zeros((2,) + tuple(map_shape))
        count = np.zeros(map_shape)
        for person in keypoints:
            if person[a, 2] <= 0 or person[b, 2] <= 0:
                continue
            start, end = person[a, :2], person[b, :2]
            length = np.linalg.norm(end - start)
            if length < 1e-6:
                continue
            unit = (end - start) / length
            dx, dy = xs - start[0], ys - start[1]
            along = np.clip(dx * unit[0] + dy * unit[1], 0, length)
            on = np.hypot(dx - along * unit[0], dy - along * unit[1]) <= thickness * stride
            total[:, on] += unit[:, None]
            count += on
        fields[[cx, cy]] = total / np.maximum(count, 1)
    return fields.astype(np.float32)
