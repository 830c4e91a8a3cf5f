"""Input streams computed from joint coordinates, and where each one sits in the channels.

A stream is a per-joint feature of a clip: the joints themselves, bones, their motion at
one or two frame steps, or DD-Net's joint collection distances. Streams are concatenated
along the channel axis in the order a config names them; :func:`stream_channel_index`
finds a stream's channels again, so a model can pick its inputs by name.
"""
from typing import List, Sequence, Tuple

import numpy as np

from .layout import LayoutLike, get_layout

STREAMS = ('joint', 'bone', 'joint_motion', 'bone_motion', 'joint_motion2', 'bone_motion2',
           'joint_motion4', 'bone_motion4', 'distance', 'distance_z')


def stream_width(name: str, num_joints: int, coords: int = 2) -> int:
    """Channels one stream takes: ``coords`` (2 or 3) for a coordinate stream, ``V`` for
    ``distance`` and ``distance_z``."""
    if name not in STREAMS:
        raise ValueError(f'unknown stream {name!r}; streams are {", ".join(STREAMS)}')
    return num_joints if name.startswith('distance') else coords


def _stream_names(streams: Sequence[str]) -> Sequence[str]:
    # A string is a sequence too: 'joint' would read as the streams 'j', 'o', 'i'...
    if isinstance(streams, str):
        raise TypeError(f'streams is a list of names, e.g. [{streams!r}], not the string '
                        f'{streams!r}')
    return streams


def stream_channels(streams: Sequence[str], num_joints: int, coords: int = 2) -> int:
    """Channels the streams take together (the confidence channel not counted)."""
    return sum(stream_width(name, num_joints, coords) for name in _stream_names(streams))


def stream_channel_index(streams: Sequence[str], names: Sequence[str],
                         num_joints: int, coords: int = 2) -> List[int]:
    """Channel indices of the streams ``names`` in an input built from ``streams``.

    >>> stream_channel_index(('joint', 'distance', 'bone'), ('bone',), 15)
    [17, 18]
    """
    start, where = 0, {}
    for stream in streams:
        width = stream_width(stream, num_joints, coords)
        where[stream] = list(range(start, start + width))
        start += width
    missing = [name for name in names if name not in where]
    if missing:
        raise ValueError(f'streams {missing} are not among the input streams {list(streams)}')
    return [index for name in names for index in where[name]]


def motion_step(name: str) -> int:
    """Frames a stream looks ahead: ``K`` for ``*_motionK`` (1 for ``*_motion``), else 0."""
    if '_motion' not in name:
        return 0
    return int(name.split('_motion')[1] or 1)


def streams_lookahead(streams: Sequence[str]) -> int:
    """Frames the streams look ahead together: how long a stream waits before frame ``t``
    is complete."""
    return max(motion_step(name) for name in streams)


def _pairwise_distance(keypoint: np.ndarray) -> np.ndarray:
    """``(..., V, V)`` Euclidean distances between the joints of ``(..., V, C)``, summed
    coordinate by coordinate: the same values as ``np.linalg.norm`` over the pairs'
    differences, 6x faster on a clip (no reduction over a 2-long axis)."""
    squares = 0
    for c in range(keypoint.shape[-1]):
        difference = keypoint[..., :, None, c] - keypoint[..., None, :, c]
        squares = squares + difference * difference
    return np.sqrt(squares)


def _standardised_distance(distance: np.ndarray, pair_visible: np.ndarray) -> np.ndarray:
    """``distance`` ``(..., V, V)`` less its frame's mean over the visible pairs of two
    joints, over their standard deviation (per frame, where DD-Net's authors scale a
    clip's distances by their mean)."""
    pairs = pair_visible & ~np.eye(distance.shape[-1], dtype=bool)
    count = np.maximum(pairs.sum((-2, -1), keepdims=True), 1)
    mean = np.where(pairs, distance, 0).sum((-2, -1), keepdims=True) / count
    centred = np.where(pairs, distance - mean, 0)
    std = np.sqrt((centred * centred).sum((-2, -1), keepdims=True) / count)
    return np.where(pairs, centred / (std + 1e-6), 0)


def _motion_into(out: np.ndarray, x: np.ndarray, visible: np.ndarray, step: int) -> None:
    """Write ``x[t + step] - x[t]`` into ``out`` (zeros), where both ends are visible; the
    last ``step`` frames stay zero."""
    if x.shape[-3] > step:
        ok = visible[..., step:, :] & visible[..., :-step, :]
        np.subtract(x[..., step:, :, :], x[..., :-step, :, :], out=out[..., :-step, :, :],
                    where=ok[..., None])


def joint_streams(keypoint: np.ndarray, visible: np.ndarray, layout: LayoutLike,
                  streams: Sequence[str]) -> np.ndarray:
    """Feature streams of joint coordinates.

    Args:
        keypoint: coordinates ``(..., T, V, C)``, ``C`` 2 or 3.
        visible: boolean mask ``(..., T, V)``.
        layout: the skeleton layout (or its name) whose bones define the bone stream.
        streams: names from :data:`STREAMS`.

    Returns:
        ``(..., T, V, stream_channels(streams, V, C))`` float32. A bone is
        ``x[child] - x[parent]`` (zero at the root); ``*_motion`` at frame ``t`` is
        ``x[t + 1] - x[t]`` and ``*_motionK`` is ``x[t + K] - x[t]`` (zero at the last
        ``K`` frames); ``distance`` gives each joint its distances to all ``V`` joints of the
        frame (the joint collection distances of DD-Net, one row per joint), and
        ``distance_z`` the same standardised in each frame over its pairs of two visible
        joints (0 on the diagonal). Any value that involves a missing joint is 0.
    """
    num_joints, coords = keypoint.shape[-2:]
    widths = [stream_width(name, num_joints, coords) for name in _stream_names(streams)]
    parents = get_layout(layout).parents
    has_parent = parents >= 0
    parent_index = np.where(has_parent, parents, np.arange(len(parents)))
    sources = {'joint': (keypoint, visible)}
    if any(name.startswith('bone') for name in streams):
        sources['bone'] = (keypoint - keypoint[..., parent_index, :],
                           visible & visible[..., parent_index] & has_parent)
    # Each stream is written into its channels of one zeroed array, only where it is
    # defined: no per-stream copies to mask and concatenate.
    out = np.zeros(keypoint.shape[:-1] + (sum(widths),), np.float32)
    start = 0
    for name, width in zip(streams, widths):
        channels = out[..., start:start + width]
        start += width
        if name.startswith('distance'):
            pair_visible = visible[..., :, None] & visible[..., None, :]
            distance = _pairwise_distance(keypoint)
            if name == 'distance_z':
                distance = _standardised_distance(distance, pair_visible)
            np.copyto(channels, distance, where=pair_visible, casting='same_kind')
        elif '_motion' in name:
            _motion_into(channels, *sources[name.split('_motion')[0]], step=motion_step(name))
        else:
            values, ok = sources[name]
            np.copyto(channels, values, where=ok[..., None], casting='same_kind')
    return out


def mask_missing(keypoint: np.ndarray, keypoint_score: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mark joints with a score of 0 or a non-finite coordinate as missing.

    Returns copies of ``keypoint`` ``(..., V, 2)`` and ``keypoint_score`` ``(..., V)``
    in which every missing joint has coordinates 0 and score 0, so no NaN travels on.
    """
    visible = np.isfinite(keypoint).all(axis=-1) & np.isfinite(keypoint_score)
    visible &= keypoint_score > 0
    keypoint = np.where(visible[..., None], keypoint, 0).astype(np.float32)
    keypoint_score = np.where(visible, keypoint_score, 0).astype(np.float32)
    return keypoint, keypoint_score


def format_streams(keypoint: np.ndarray, keypoint_score: np.ndarray, layout: LayoutLike,
                   streams: Sequence[str]) -> np.ndarray:
    """The network input of joints: the ``streams`` (:func:`joint_streams`) followed by
    the joint confidence, missing joints (:func:`mask_missing`) zero in every channel.

    Args:
        keypoint: ``(..., T, V, C)``; ``keypoint_score``: ``(..., T, V)``.

    Returns:
        ``(..., T, V, stream_channels(streams, V, C) + 1)`` float32.
    """
    keypoint, keypoint_score = mask_missing(keypoint, keypoint_score)
    features = joint_streams(keypoint, keypoint_score > 0, layout, streams)
    return np.concatenate([features, keypoint_score[..., None]], axis=-1)
