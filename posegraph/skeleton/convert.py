"""Conversion of keypoints between layouts whose joints correspond."""
import functools
from typing import Tuple

import numpy as np

from .layout import LayoutLike, get_layout

# For each (source, target) pair, the source joints behind every target joint. A target
# joint with several sources (OpenPose's neck) is their mean, or a weighted sum ({joint:
# weight}), scored by their minimum.
_CONVERSIONS = {
    ('openpose18', 'coco17'): [0, 15, 14, 17, 16, 5, 2, 6, 3, 7, 4, 11, 8, 12, 9, 13, 10],
    ('coco17', 'openpose18'): [0, (5, 6), 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1,
                               4, 3],
    ('mediapipe33', 'coco17'): [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27,
                                28],
    # JHMDB's neck and belly lie on the hip-to-shoulder line: measured on its ground truth
    # (../shared/data/jhmdb_gt), the neck at 1.14 and the belly at 0.23 of the way from the
    # mid-hip to the mid-shoulder point; its face is taken at the nose.
    ('coco17', 'jhmdb15'): [{5: 0.57, 6: 0.57, 11: -0.07, 12: -0.07},
                            {5: 0.114, 6: 0.114, 11: 0.386, 12: 0.386}, 0, 6, 5, 12, 11, 8,
                            7, 14, 13, 10, 9, 16, 15],
}
# Conversions that go through coco17.
_VIA = 'coco17'


def convert_keypoints(keypoint: np.ndarray, keypoint_score: np.ndarray,
                      source: LayoutLike, target: LayoutLike) -> Tuple[np.ndarray, np.ndarray]:
    """Convert keypoints from layout ``source`` to layout ``target``.

    Args:
        keypoint: coordinates, shape ``(..., V_source, C)``.
        keypoint_score: confidences, shape ``(..., V_source)``.
        source, target: layouts or their names.

    Returns:
        ``(keypoint, keypoint_score)`` of shapes ``(..., V_target, C)`` and
        ``(..., V_target)``. A derived joint is missing (score 0, coordinates 0)
        wherever one of its source joints is.
    """
    source, target = get_layout(source), get_layout(target)
    if source.name == target.name:
        return keypoint.copy(), keypoint_score.copy()
    table = _CONVERSIONS.get((source.name, target.name))
    if table is None:
        if (source.name, _VIA) in _CONVERSIONS and (_VIA, target.name) in _CONVERSIONS:
            return convert_keypoints(*convert_keypoints(keypoint, keypoint_score, source, _VIA),
                                     _VIA, target)
        known = ', '.join(f'{s} -> {t}' for s, t in _CONVERSIONS)
        raise ValueError(f'no conversion from {source.name} to {target.name}; '
                         f'known: {known} (and their combinations through {_VIA})')
    if keypoint.shape[-2] != source.num_joints:
        raise ValueError(f'{source.name} has {source.num_joints} joints, '
                         f'the keypoints have {keypoint.shape[-2]}')
    index, weight = _gather_table(source.name, target.name)
    score = keypoint_score[..., index].min(axis=-1)
    # The products of each target joint's sources, summed in the order the table lists
    # them (padding adds zeros), as one gather instead of a loop over the target joints.
    # A joint without coordinates (NaN, inf) stays without them, as the readers downstream
    # expect, padding's 0 x inf included: no warning for it.
    with np.errstate(invalid='ignore'):
        xy = (keypoint[..., index, :] * weight[:, :, None]).sum(axis=-2)
    return (np.where((score > 0)[..., None], xy, 0).astype(keypoint.dtype),
            score.astype(keypoint_score.dtype))


@functools.lru_cache(maxsize=None)
def _gather_table(source: str, target: str) -> Tuple[np.ndarray, np.ndarray]:
    """The conversion ``(source, target)`` as ``(V_target, K)`` source indices and weights:
    each target joint's sources, padded with its first source at weight 0."""
    table = _CONVERSIONS[(source, target)]
    width = max(len(sources) if isinstance(sources, dict) else np.size(sources)
                for sources in table)
    index = np.zeros((len(table), width), np.int64)
    weight = np.zeros((len(table), width))
    for joint, sources in enumerate(table):
        if isinstance(sources, dict):
            ids, weights = list(sources), list(sources.values())
        else:
            ids = list(np.atleast_1d(sources))
            weights = [1 / len(ids)] * len(ids)
        index[joint] = ids + [ids[0]] * (width - len(ids))
        weight[joint, :len(ids)] = weights
    index.flags.writeable = weight.flags.writeable = False
    return index, weight
