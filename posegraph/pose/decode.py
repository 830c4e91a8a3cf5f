r"""From heatmaps and part affinity fields to persons, as the public Lightweight OpenPose
decodes them.

The rules (checked equal, person for person and joint for joint, against the public
implementation on the same maps: ``tests/pose/test_pose_decode.py``, ``benchmarks/pose_decode.py``):

1. Heatmaps and PAFs are upsampled ``4x`` (bicubic) from the stride-8 grid.
2. **Peaks**: values under 0.1 count as 0; a peak is greater than its four neighbours.
   In each map, peaks are taken in order of ``x`` (then ``y``); one closer than 6 upsampled
   pixels to a peak kept before it is dropped.
3. **Limbs**: a candidate limb from peak ``a`` to peak ``b`` samples the limb's PAF at 10
   points ``a + t (b - a)``, ``t = 0, 1/9, ..., 1``, rounded to the grid; its score is the
   mean projection :math:`L(p) \cdot (b - a) / \|b - a\|` over the samples above 0.05,
   kept if more than 8 of the 10 samples are and the mean is positive. Connections are
   chosen greedily by decreasing score, each peak used once per limb type.
4. **Persons** are grown limb type by limb type in the network's order, from the neck; a
   connection whose first peak belongs to a person extends every such person (count + 1,
   total + peak score + limb score), otherwise it starts a person of two joints. The two
   shoulder-to-ear links only fill an ear (or shoulder) that a person lacks. Persons with
   fewer than 3 joints or a mean score under 0.2 are dropped.

The work that grows with the crowd (finding peaks, scoring every candidate pair, extending
persons) is done with whole-array NumPy operations; only the greedy matching loops, over
the few accepted candidates. With numba installed, :mod:`posegraph.pose.decode_numba`
does it in compiled loops instead, upsampling the maps itself (OpenCV's arithmetic, bit for
bit, where :func:`resize_taps` finds it so) and the PAFs only where limbs are sampled.

Coordinates follow the public demo: upsampled pixel ``u`` is input pixel ``u * stride / 4``.
``pixel_centres=True`` maps cell centres to pixel centres instead
(``(u + 0.5) * stride / 4 - 0.5``), which is closer to the truth by about half an upsampled
pixel (tested on rendered maps), at the price of differing from the demo by that much.
"""
import functools
from typing import List, Optional, Tuple, Union

import cv2
import numpy as np

from posegraph.skeleton import convert_keypoints
from .targets import LIMBS, NUM_KEYPOINTS, PAF_CHANNELS

NUM_SAMPLES = 10
PEAK_THRESHOLD, PEAK_DISTANCE = 0.1, 6.0
# A sample is valid when its projection exceeds MIN_VALID; a limb needs more than
# MIN_FRACTION of its samples valid.
MIN_VALID, MIN_FRACTION = 0.05, 0.8
# Shoulder-to-ear links (the last two limb types) only complete persons.
EAR_LIMBS = (len(LIMBS) - 2, len(LIMBS) - 1)

Peaks = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
# For each upsampled row and column, its 4 source rows (columns) and weights: cubic_taps.
Taps = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def upsample(maps: np.ndarray, factor: int) -> np.ndarray:
    """Bicubic upsampling (OpenCV's, by scale factor) of ``(H, W, C)`` maps by ``factor``."""
    if factor == 1:
        return maps
    big = cv2.resize(np.ascontiguousarray(maps), (0, 0), fx=factor, fy=factor,
                     interpolation=cv2.INTER_CUBIC)
    return big.reshape(big.shape[0], big.shape[1], -1)


def find_peaks(heatmaps: np.ndarray, threshold: float = PEAK_THRESHOLD,
               min_distance: float = PEAK_DISTANCE,
               num_maps: Optional[int] = None) -> Peaks:
    """Peaks of every keypoint map (rule 2 of the module's docstring).

    Args:
        heatmaps: ``(H, W, K)`` float32 maps.
        threshold: values under it count as 0. (default: ``0.1``)
        min_distance: peaks of one map closer than this to a peak kept before them (in
            order of ``x``, then ``y``) are dropped. (default: ``6.0``)
        num_maps: search only the first maps (default: all).

    Returns:
        ``(channel, x, y, score)`` arrays ordered by channel, then ``x``, then ``y``; a
        peak's index in them is its id.
    """
    heatmaps = np.asarray(heatmaps, dtype=np.float32)
    height, width, num_channels = heatmaps.shape
    channels = min(num_channels, num_maps or num_channels)
    # A neighbour under the threshold counts as 0, which a peak (>= threshold) exceeds
    # anyway: comparing with the largest raw neighbour decides the same. Outside the map
    # there is no neighbour, as a zero border would be for such values.
    neighbours = cv2.dilate(heatmaps, _CROSS).reshape(heatmaps.shape)
    is_peak = (heatmaps >= threshold) & (heatmaps > neighbours)
    is_peak[..., channels:] = False
    index = np.flatnonzero(is_peak)
    cell, channel = np.divmod(index, num_channels)
    y, x = np.divmod(cell, width)
    score = heatmaps.reshape(-1)[index]
    order = np.lexsort((y, x, channel))
    channel, x, y, score = channel[order], x[order], y[order], score[order]
    keep = np.ones(len(x), bool)
    limit = min_distance ** 2
    # Two peaks closer than min_distance have x within it, and so have all the peaks
    # between them in x order: maps without such neighbours in that order need no check.
    crowded = np.unique(channel[:-1][(np.diff(x) < min_distance)
                                     & (channel[1:] == channel[:-1])])
    bounds = np.searchsorted(channel, np.arange(channels + 1))
    for k in crowded:
        start, end = bounds[k], bounds[k + 1]
        dx = x[start:end, None] - x[None, start:end]
        dy = y[start:end, None] - y[None, start:end]
        close = np.triu((dx * dx + dy * dy) < limit, k=1)
        for i in np.flatnonzero(close.any(axis=1)):   # earlier kept peaks drop later ones
            if keep[start + i]:
                keep[start:end] &= ~close[i]
    return channel[keep], x[keep], y[keep], score[keep]


_CROSS = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.uint8)
_PAF_CHANNELS = np.asarray(PAF_CHANNELS)
_LIMB_PARTS = np.asarray(LIMBS)
# From the middle out: the order in which wrong pairs fail soonest on crowds (the samples
# next to the peaks often lie on the right limb of another person).
_SAMPLE_ORDER = np.array([4, 5, 3, 6, 2, 7, 1, 8, 0, 9])


def _paf_samples(pafs: np.ndarray, cx: np.ndarray, cy: np.ndarray, starts: np.ndarray,
                 vectors: np.ndarray, samples: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """PAF values ``(x channel, y channel)``, each ``(P, len(samples))``, at the given sample
    numbers of P candidate limbs, at the cells the public decoder reads."""
    steps = vectors * np.float32(1 / (NUM_SAMPLES - 1))
    points = steps[:, None, :] * samples.astype(np.float32)[:, None] + starts[:, None, :]
    points = points.round().astype(np.int64)
    height, width, channels = pafs.shape
    cell = (points[..., 1] * width + points[..., 0]) * channels          # (P, S)
    flat = pafs.reshape(-1)
    return flat[cell + cx[:, None]], flat[cell + cy[:, None]]


def _projections(samples_x: np.ndarray, samples_y: np.ndarray, units: np.ndarray) -> np.ndarray:
    """PAF projections of the samples on their limbs' ``(P, 2)`` unit vectors, in float32
    exactly as the public decoder computes them."""
    # fx ux + fy uy: the same float32 sum of two products as a sum over the last axis.
    return samples_x * units[:, None, 0] + samples_y * units[:, None, 1]


def _limb_geometry(starts: np.ndarray, ends: np.ndarray):
    starts = starts.astype(np.float32)
    vectors = ends.astype(np.float32) - starts
    units = vectors / (np.linalg.norm(vectors, axis=-1, keepdims=True) + 1e-6)
    return starts, vectors, units


def _mean_valid(projection: np.ndarray, min_valid: float):
    valid = projection > min_valid
    count = valid.sum(-1)
    return (projection * valid).sum(-1) / (count + 1e-6), count / NUM_SAMPLES


def paf_score(pafs_x: np.ndarray, pafs_y: np.ndarray, starts: np.ndarray,
              ends: np.ndarray, min_valid: float = 0.05) -> Tuple[np.ndarray, np.ndarray]:
    """Scores of every candidate limb from each start to each end (rule 3).

    Args:
        pafs_x, pafs_y: the limb's two PAF channels on the peaks' grid, ``(H, W)``.
        starts: ``(A, 2)`` peaks (x, y); ``ends``: ``(B, 2)``.
        min_valid: a sample counts when its projection exceeds this. (default: ``0.05``)

    Returns:
        ``(score, valid_fraction)``, each ``(B, A)``: the mean projection over the valid
        samples, and the fraction of the samples that are valid.
    """
    num_a, num_b = len(starts), len(ends)
    a = np.repeat(starts[None], num_b, 0).reshape(-1, 2)
    b = np.repeat(ends, num_a, 0)
    starts, vectors, units = _limb_geometry(a, b)
    pafs = np.stack([pafs_x, pafs_y], axis=-1)
    channel = np.zeros(len(a), np.int64)
    projection = _projections(*_paf_samples(pafs, channel, channel + 1, starts, vectors,
                                            np.arange(NUM_SAMPLES)), units)
    score, fraction = _mean_valid(projection, min_valid)
    return score.reshape(num_b, num_a), fraction.reshape(num_b, num_a)


def match_limbs(score: np.ndarray, a: np.ndarray,
                b: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy one-to-one matching of candidate limbs by decreasing score.

    Args:
        score: ``(K,)`` scores of candidates joining start ``a[k]`` to end ``b[k]``.

    Returns:
        ``(a, b, score)`` of the accepted candidates, best first.
    """
    order = _best_first(score)
    used_a, used_b, taken = set(), set(), []
    for k, i, j in zip(order.tolist(), a[order].tolist(), b[order].tolist()):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            taken.append(k)
    taken = np.asarray(taken, dtype=np.int64)
    return a[taken], b[taken], score[taken]


def _max_invalid(min_fraction: float) -> int:
    """How many of a limb's samples may fail when more than ``min_fraction`` must be valid
    (-1: none can be a limb)."""
    needed = [n for n in range(NUM_SAMPLES + 1) if n / NUM_SAMPLES > min_fraction]
    return NUM_SAMPLES - needed[0] if needed else -1


def _best_first(score: np.ndarray) -> np.ndarray:
    # NumPy's default sort, reversed, as the public decoder orders candidates: ties fall as
    # they fall there.
    return np.argsort(score)[::-1]


def limb_connections(
        peaks: Peaks, pafs: np.ndarray, min_valid: float = MIN_VALID,
        min_fraction: float = MIN_FRACTION) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Accepted connections ``(a peak ids, b peak ids, scores)`` of every limb type.

    Every candidate pair of every limb type is scored at once. A limb needs more than
    ``min_fraction`` of its 10 samples valid, so at most ``k`` may fail (1 by default): a
    pair whose ``k + 1`` middle samples all fail is dropped before its others are computed;
    the rest are computed exactly as :func:`paf_score` does.
    """
    channel, x, y, _ = peaks
    bounds = np.searchsorted(channel, np.arange(NUM_KEYPOINTS + 1))    # peaks by channel
    by_part = [np.arange(start, end) for start, end in zip(bounds[:-1], bounds[1:])]
    pair_limb, pair_a, pair_b = [], [], []
    for limb, (part_a, part_b) in enumerate(LIMBS):
        ids_a, ids_b = by_part[part_a], by_part[part_b]
        pair_limb.append(np.full(len(ids_a) * len(ids_b), limb))
        pair_a.append(np.tile(ids_a, len(ids_b)))           # pairs in order b * A + a
        pair_b.append(np.repeat(ids_b, len(ids_a)))
    pair_limb, pair_a, pair_b = map(np.concatenate, (pair_limb, pair_a, pair_b))
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if len(pair_limb) == 0:
        return [empty] * len(LIMBS)
    xy = np.stack([x, y], 1)
    starts, vectors, units = _limb_geometry(xy[pair_a], xy[pair_b])
    cx, cy = _PAF_CHANNELS[pair_limb, 0], _PAF_CHANNELS[pair_limb, 1]
    middle = _projections(*_paf_samples(pafs, cx, cy, starts, vectors,
                                        _SAMPLE_ORDER[:_max_invalid(min_fraction) + 1]), units)
    alive = np.flatnonzero((middle > min_valid).any(-1))
    limb = pair_limb[alive]
    samples = _paf_samples(pafs, cx[alive], cy[alive], starts[alive], vectors[alive],
                           np.arange(NUM_SAMPLES))
    limb, ids_a, ids_b, score = _accepted_limbs(*samples, units[alive], limb, pair_a[alive],
                                                pair_b[alive], min_valid, min_fraction)
    connections = []
    bounds = np.searchsorted(limb, np.arange(len(LIMBS) + 1))
    for start, end in zip(bounds[:-1], bounds[1:]):
        if start == end:
            connections.append(empty)
            continue
        connections.append(match_limbs(score[start:end], ids_a[start:end], ids_b[start:end]))
    return connections


def _accepted_limbs(samples_x: np.ndarray, samples_y: np.ndarray, units: np.ndarray,
                    limb: np.ndarray, a: np.ndarray, b: np.ndarray, min_valid: float,
                    min_fraction: float) -> Tuple[np.ndarray, ...]:
    """``(limb, a, b, score)`` of the candidate limbs whose 10 PAF samples (``(P, 10)`` each
    channel) make a limb (rule 3), scored exactly as the public decoder scores them; in the
    candidates' order."""
    score, fraction = _mean_valid(_projections(samples_x, samples_y, units), min_valid)
    kept = (score > 0) & (fraction > min_fraction)
    return limb[kept], a[kept], b[kept], score[kept]


def group_persons(peaks: Peaks, pafs: np.ndarray, min_keypoints: int = 3,
                  min_mean_score: float = 0.2) -> Tuple[np.ndarray, np.ndarray]:
    """Assemble connections into persons (rule 4).

    The connections of one limb type never share a peak, so each person is extended by at
    most one of them, and all of a type's extensions are applied at once.

    Args:
        peaks: :func:`find_peaks` output.
        pafs: ``(H, W, 38)`` on the peaks' grid.
        min_keypoints, min_mean_score: persons with fewer joints, or a lower total score
            per joint, are dropped. (defaults: ``3``, ``0.2``)

    Returns:
        ``(joints, totals)``: ``(P, 18)`` peak ids (-1 for a missing joint, ``openpose18``
        order) and ``(P,)`` total scores, in the order the persons were started.
    """
    peak_score = peaks[3].astype(np.float64)
    num_peaks = len(peak_score)
    joints = np.full((0, NUM_KEYPOINTS), -1, np.int64)
    totals = np.zeros(0)
    counts = np.zeros(0, np.int64)
    for limb, (ids_a, ids_b, scores) in enumerate(limb_connections(peaks, pafs)):
        if len(ids_a) == 0:
            continue
        part_a, part_b = LIMBS[limb]
        connection_of_a = np.full(num_peaks + 1, -1)       # index -1: a missing joint
        connection_of_a[ids_a] = np.arange(len(ids_a))
        owner = connection_of_a[joints[:, part_a]]
        if limb in EAR_LIMBS:
            # Only fill what a person lacks: an ear from its shoulder, or the other way.
            fill = (owner >= 0) & (joints[:, part_b] < 0)
            joints[fill, part_b] = ids_b[owner[fill]]
            connection_of_b = np.full(num_peaks + 1, -1)
            connection_of_b[ids_b] = np.arange(len(ids_b))
            owner_b = connection_of_b[joints[:, part_b]]
            fill = ~fill & (owner_b >= 0) & (joints[:, part_a] < 0)
            joints[fill, part_a] = ids_a[owner_b[fill]]
            continue
        extended = owner >= 0
        k = owner[extended]
        joints[extended, part_b] = ids_b[k]
        counts[extended] += 1
        totals[extended] += peak_score[ids_b[k]] + scores[k]
        started = np.setdiff1d(np.arange(len(ids_a)), k, assume_unique=True)
        if len(started):
            new = np.full((len(started), NUM_KEYPOINTS), -1, np.int64)
            new[:, part_a], new[:, part_b] = ids_a[started], ids_b[started]
            joints = np.concatenate([joints, new])
            totals = np.concatenate([totals, (peak_score[ids_a[started]]
                                              + peak_score[ids_b[started]]) + scores[started]])
            counts = np.concatenate([counts, np.full(len(started), 2)])
    kept = (counts >= min_keypoints) & (totals / np.maximum(counts, 1) >= min_mean_score)
    return joints[kept], totals[kept]


def _group_persons_compiled(kernels, peaks: Peaks, pafs_across: np.ndarray, taps: Taps,
                            min_keypoints: int = 3,
                            min_mean_score: float = 0.2) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`group_persons` through numba's loops (:mod:`posegraph.pose.decode_numba`),
    from the PAFs' horizontal pass through ``taps``: candidate pairs are pruned one at a time
    instead of as arrays, the survivors scored by the same NumPy code, the matching and the
    persons grown in the public decoder's loops."""
    channel, x, y, peak_score = peaks
    bounds = np.searchsorted(channel, np.arange(NUM_KEYPOINTS + 1))
    limb, a, b, *samples = kernels.surviving_pairs(
        x, y, bounds, _LIMB_PARTS, _PAF_CHANNELS, pafs_across, taps, _SAMPLE_ORDER,
        _max_invalid(MIN_FRACTION), MIN_VALID)
    xy = np.stack([x, y], 1)
    _, _, units = _limb_geometry(xy[a], xy[b])
    limb, a, b, score = _accepted_limbs(*samples, units, limb, a, b, MIN_VALID, MIN_FRACTION)
    bounds = np.searchsorted(limb, np.arange(len(LIMBS) + 1))
    order = np.concatenate([start + _best_first(score[start:end])
                            for start, end in zip(bounds[:-1], bounds[1:])])
    limb, a, b, score = limb[order], a[order], b[order], score[order]
    taken = kernels.greedy_matching(limb, a, b, len(x))
    return kernels.group_persons(limb[taken], a[taken], b[taken], score[taken], _LIMB_PARTS,
                                 peak_score.astype(np.float64), np.asarray(EAR_LIMBS),
                                 NUM_KEYPOINTS, min_keypoints, min_mean_score)


def cubic_taps(size: int, factor: int) -> Tuple[np.ndarray, np.ndarray]:
    """Source indices ``(size * factor, 4)`` and float32 weights of OpenCV's bicubic resize
    by ``factor`` along one axis, computed as OpenCV computes them."""
    position = ((np.arange(size * factor) + 0.5) * (1 / factor) - 0.5).astype(np.float32)
    first = np.floor(position)
    t = position - first
    a = np.float32(-0.75)      # OpenCV's cubic coefficient, in float32 like every step
    one = np.float32(1)
    w0 = ((a * (t + one) - 5 * a) * (t + one) + 8 * a) * (t + one) - 4 * a
    w1 = ((a + 2) * t - (a + 3)) * t * t + one
    w2 = ((a + 2) * (one - t) - (a + 3)) * (one - t) * (one - t) + one
    weights = np.stack([w0, w1, w2, one - w0 - w1 - w2], 1).astype(np.float32)
    index = np.clip(first.astype(np.int64)[:, None] + np.arange(-1, 3), 0, size - 1)
    return index, weights


def _identity_taps(height: int, width: int) -> Taps:
    """Taps that read the maps as they are (weight 1 on the second tap)."""
    def axis(size):
        return (np.repeat(np.arange(size), 4).reshape(size, 4),
                np.tile(np.array([0, 1, 0, 0], np.float32), (size, 1)))
    return axis(height) + axis(width)


@functools.lru_cache(maxsize=16)
def resize_taps(height: int, width: int, factor: int) -> Optional[Taps]:
    """``(rows, row_weights, cols, col_weights)`` through which
    :mod:`posegraph.pose.decode_numba` computes :func:`upsample`'s values of
    ``(height, width, C)`` maps where it reads them; None where this OpenCV computes its
    resize otherwise (checked bit for bit, once per map size, on random maps of 19 and 38
    channels), so the maps must be upsampled whole. (With the opencv-python wheels tested,
    factors 4 and 8 are computed alike; 2 and 3 differ in about 0.1 % of the values.)"""
    from . import decode_numba
    if factor == 1:
        return _identity_taps(height, width)
    taps = cubic_taps(height, factor) + cubic_taps(width, factor)
    rng = np.random.default_rng(0)
    for channels in (NUM_KEYPOINTS + 1, len(PAF_CHANNELS) * 2):
        maps = rng.standard_normal((height, width, channels), dtype=np.float32)
        if not np.array_equal(decode_numba.upsample(maps, taps), upsample(maps, factor)):
            return None
    return taps


def _compiled_kernels(accelerate: Optional[bool]):
    """:mod:`posegraph.pose.decode_numba` if ``accelerate`` is not False and numba is
    installed (an error if ``accelerate`` is True and it is not), else None."""
    if accelerate is False:
        return None
    try:
        from . import decode_numba
    except ImportError as error:
        if accelerate:
            raise ImportError('decode_poses(accelerate=True) needs numba: '
                              'pip install "posegraph[fast]"') from error
        return None
    return decode_numba


def decode_poses(heatmaps: np.ndarray, pafs: np.ndarray, stride: int = 8,
                 upsample_factor: int = 4, layout: str = 'coco17',
                 pixel_centres: bool = False, with_person_scores: bool = False,
                 channels_last: bool = False, accelerate: Optional[bool] = None, **kwargs
                 ) -> Union[Tuple[np.ndarray, np.ndarray],
                            Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Persons in network-input pixels from one image's network output.

    Args:
        heatmaps: ``(19, h, w)`` keypoint maps (the last is background), or ``(h, w, 19)``
            with ``channels_last``.
        pafs: ``(38, h, w)`` (or ``(h, w, 38)``).
        stride: input pixels per map cell. (default: ``8``)
        upsample_factor: maps are upsampled this much (bicubic) before decoding. (default: ``4``)
        layout: ``'openpose18'`` (the network's own) or ``'coco17'``. (default: ``'coco17'``)
        pixel_centres: map cell centres to pixel centres (see the module's docstring)
            instead of the public demo's convention (default ``False``).
        with_person_scores: also return each person's total score. (default: ``False``)
        accelerate: run the loops compiled by numba (``pip install "posegraph[fast]"``):
            ``None`` when it is installed, ``True`` always, ``False`` never. The persons
            are the same either way (tested). (default: ``None``)
        **kwargs: passed to :func:`group_persons`.

    Returns:
        ``(keypoints (P, V, 2), scores (P, V))`` in ``layout`` (scores 0 for a missing
        joint), and ``(P,)`` person scores if asked; persons in the order they were found.
    """
    if not channels_last:
        heatmaps, pafs = heatmaps.transpose(1, 2, 0), pafs.transpose(1, 2, 0)
    kernels = _compiled_kernels(accelerate)
    taps = None
    if kernels is not None:
        # The compiled loops compute upsampled values where they read them, as OpenCV
        # would; where this OpenCV computes them otherwise, they read its whole output.
        heatmaps = np.ascontiguousarray(heatmaps, dtype=np.float32)
        pafs = np.ascontiguousarray(pafs, dtype=np.float32)
        taps = resize_taps(*heatmaps.shape[:2], upsample_factor)
    if taps is None:
        # All 19 maps are resized together, as the public demo does, so OpenCV computes each
        # value the same way.
        heatmaps = upsample(heatmaps, upsample_factor)
        pafs = np.ascontiguousarray(upsample(pafs, upsample_factor))
    if kernels is None:
        peaks = find_peaks(heatmaps, num_maps=NUM_KEYPOINTS)
        joints, totals = group_persons(peaks, pafs, **kwargs)
    else:
        if taps is None:
            taps = _identity_taps(*heatmaps.shape[:2])
        peaks = kernels.find_peaks(heatmaps, NUM_KEYPOINTS, taps, np.float32(PEAK_THRESHOLD),
                                   PEAK_DISTANCE)
        joints, totals = _group_persons_compiled(
            kernels, peaks, kernels.horizontal_pass(pafs, taps, pafs.shape[2]), taps, **kwargs)
    _, x, y, peak_score = peaks
    found = joints >= 0
    grid = np.stack([x, y], 1).astype(np.float64) if len(x) else np.zeros((0, 2))
    xy = grid[np.where(found, joints, 0)] if len(grid) else np.zeros(joints.shape + (2,))
    if pixel_centres:
        xy = (xy + 0.5) * (stride / upsample_factor) - 0.5
    else:
        xy = xy * (stride / upsample_factor)
    keypoints = np.where(found[..., None], xy, 0)
    scores = np.where(found, peak_score[np.where(found, joints, 0)] if len(x) else 0, 0)
    if layout != 'openpose18':
        keypoints, scores = convert_keypoints(keypoints, scores, 'openpose18', layout)
    result = (keypoints.astype(np.float32), scores.astype(np.float32))
    return result + (totals.astype(np.float32),) if with_person_scores else result
