"""From heatmaps and part affinity fields to persons (OpenPose-style bottom-up grouping).

The work that grows with the crowd — scoring every candidate limb by its PAF line
integral — is done for all candidate pairs of a limb type at once with NumPy; only the
greedy matching and the assembly of persons, over the few accepted connections, loop.
"""
import cv2
import numpy as np

from posegraph.skeleton import convert_keypoints
from .targets import LIMBS, NUM_KEYPOINTS, PAF_CHANNELS


def upsample(maps, factor):
    """Bicubic upsampling of ``(C, h, w)`` maps by ``factor``."""
    if factor == 1:
        return maps
    stacked = np.ascontiguousarray(maps.transpose(1, 2, 0))
    big = cv2.resize(stacked, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return big.reshape(big.shape[0], big.shape[1], -1).transpose(2, 0, 1)


def find_peaks(heatmaps, threshold=0.1, min_distance=6.0):
    """Local maxima of every keypoint map.

    A peak is at least ``threshold``, greater than its left and upper neighbours and not
    less than its right and lower ones (so a two-pixel plateau, as a keypoint half-way
    between pixels makes, gives one peak, not none); of peaks of one map closer than
    ``min_distance`` pixels, only the strongest is kept.

    Args:
        heatmaps: ``(K, H, W)``.

    Returns:
        ``(channel, x, y, score)`` arrays, sorted by channel then by decreasing score.
    """
    padded = np.pad(heatmaps, ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    channel, y, x = np.nonzero(heatmaps >= threshold)   # compare neighbours there only
    score = heatmaps[channel, y, x]
    y1, x1 = y + 1, x + 1
    is_peak = ((score > padded[channel, y1 - 1, x1]) & (score >= padded[channel, y1 + 1, x1])
               & (score > padded[channel, y1, x1 - 1]) & (score >= padded[channel, y1, x1 + 1]))
    channel, y, x, score = channel[is_peak], y[is_peak], x[is_peak], score[is_peak]
    order = np.lexsort((-score, channel))
    channel, x, y, score = channel[order], x[order], y[order], score[order]
    if len(channel) > 1:
        # Pairwise suppression inside each map: a peak survives if no stronger peak of
        # its map, itself surviving, lies within min_distance.
        close = ((channel[:, None] == channel[None, :])
                 & (np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
                    < min_distance))
        keep = np.ones(len(channel), bool)
        for i in np.flatnonzero(close.sum(axis=1) > 1):
            if keep[i]:
                later = close[i].copy()
                later[:i + 1] = False
                keep[later] = False
        channel, x, y, score = channel[keep], x[keep], y[keep], score[keep]
    return channel, x.astype(np.float64), y.astype(np.float64), score


def bilinear(field, x, y):
    """``field`` ``(H, W)`` interpolated at float positions ``x``, ``y`` (clamped inside)."""
    height, width = field.shape
    x = np.clip(x, 0, width - 1)
    y = np.clip(y, 0, height - 1)
    x0 = np.clip(np.floor(x).astype(np.int64), 0, max(width - 2, 0))
    y0 = np.clip(np.floor(y).astype(np.int64), 0, max(height - 2, 0))
    fx, fy = x - x0, y - y0
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    top = field[y0, x0] * (1 - fx) + field[y0, x1] * fx
    bottom = field[y1, x0] * (1 - fx) + field[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def paf_score(pafs_x, pafs_y, starts, ends, num_samples=10, min_valid=0.05,
              min_valid_fraction=0.9, scale=1.0):
    """Line-integral score of every candidate limb from each start to each end.

    Args:
        pafs_x, pafs_y: the limb's two PAF channels, ``(H, W)``, sampled bilinearly.
        starts: ``(A, 2)`` candidate A keypoints (x, y); ``ends``: ``(B, 2)``, in pixels
            of a grid ``scale`` times finer than the PAFs (pixel ``u`` is PAF position
            ``(u + 0.5) / scale - 0.5``).

    Returns:
        ``(A, B)`` scores: the mean of the PAF's projection on the unit vector from A to B
        over the samples where it exceeds ``min_valid``, and 0 for a pair with fewer than
        ``min_valid_fraction`` of its samples valid.
    """
    vector = ends[None, :, :] - starts[:, None, :]                    # (A, B, 2)
    length = np.linalg.norm(vector, axis=-1, keepdims=True)
    unit = vector / np.maximum(length, 1e-6)
    steps = np.linspace(0, 1, num_samples)[:, None]
    points = starts[:, None, None, :] + steps * vector[:, :, None, :]  # (A, B, S, 2)
    points = (points + 0.5) / scale - 0.5
    xs, ys = points[..., 0], points[..., 1]
    projection = (bilinear(pafs_x, xs, ys) * unit[..., None, 0]
                  + bilinear(pafs_y, xs, ys) * unit[..., None, 1])
    valid = projection > min_valid
    count = valid.sum(axis=-1)
    mean = np.where(valid, projection, 0).sum(axis=-1) / np.maximum(count, 1)
    return np.where(count >= min_valid_fraction * num_samples, mean, 0.0)


def match_limbs(scores):
    """Greedy one-to-one matching of A to B candidates by decreasing score (> 0).

    Returns ``(a_index, b_index, score)`` arrays of the accepted connections.
    """
    a, b = np.nonzero(scores > 0)
    order = np.argsort(-scores[a, b], kind='stable')
    used_a, used_b = set(), set()
    taken = []
    for k in order:
        if a[k] not in used_a and b[k] not in used_b:
            used_a.add(a[k])
            used_b.add(b[k])
            taken.append(k)
            if len(used_a) == scores.shape[0] or len(used_b) == scores.shape[1]:
                break
    taken = np.array(taken, dtype=np.int64)
    return a[taken], b[taken], scores[a[taken], b[taken]]


def group_persons(peaks, pafs, min_keypoints=3, min_mean_score=0.2, scale=1.0):
    """Assemble connections into persons, from the neck outwards.

    Args:
        peaks: :func:`find_peaks` output.
        pafs: ``(38, h, w)``; the peaks' grid is ``scale`` times finer.

    Returns:
        ``(keypoints, scores)``: ``(P, 18, 2)`` coordinates and ``(P, 18)`` keypoint
        scores (0 for a missing keypoint) in the ``openpose18`` order, most confident person
        first.
    """
    channel, x, y, peak_score = peaks
    by_part = [np.flatnonzero(channel == k) for k in range(NUM_KEYPOINTS)]
    people = []          # each: [peak ids (18), total score, keypoint count]
    owner = {}           # (part, peak id) -> person index
    for limb, ((part_a, part_b), (cx, cy)) in enumerate(zip(LIMBS, PAF_CHANNELS)):
        ids_a, ids_b = by_part[part_a], by_part[part_b]
        if len(ids_a) == 0 or len(ids_b) == 0:
            continue
        scores = paf_score(pafs[cx], pafs[cy], np.stack([x[ids_a], y[ids_a]], 1),
                           np.stack([x[ids_b], y[ids_b]], 1), scale=scale)
        for ia, ib, score in zip(*match_limbs(scores)):
            peak_a, peak_b = ids_a[ia], ids_b[ib]
            person = owner.get((part_a, peak_a))
            if limb >= len(LIMBS) - 2:
                # Shoulder-to-ear links only fill an ear the person lacks.
                if person is not None and people[person][0][part_b] < 0 \
                        and (part_b, peak_b) not in owner:
                    _add(people, owner, person, part_b, peak_b, peak_score, score)
                continue
            if person is None:
                person = len(people)
                people.append([np.full(NUM_KEYPOINTS, -1), 0.0, 0])
                _add(people, owner, person, part_a, peak_a, peak_score, 0.0)
            if people[person][0][part_b] < 0 and (part_b, peak_b) not in owner:
                _add(people, owner, person, part_b, peak_b, peak_score, score)
    keypoints, scores, totals = [], [], []
    for ids, total, count in people:
        if count < min_keypoints or total / count < min_mean_score:
            continue
        found = ids >= 0
        keypoints.append(np.where(found[:, None], np.stack([x[ids], y[ids]], 1), 0))
        scores.append(np.where(found, peak_score[ids], 0))
        totals.append(total)
    if not keypoints:
        return np.zeros((0, NUM_KEYPOINTS, 2)), np.zeros((0, NUM_KEYPOINTS))
    order = np.argsort(-np.array(totals), kind='stable')
    return np.stack(keypoints)[order], np.stack(scores)[order]


def _add(people, owner, person, part, peak, peak_score, limb_score):
    ids, total, count = people[person]
    ids[part] = peak
    people[person] = [ids, total + peak_score[peak] + limb_score, count + 1]
    owner[(part, peak)] = person


def decode_poses(heatmaps, pafs, stride=8, upsample_factor=4, layout='coco17', **kwargs):
    """Persons in input-pixel coordinates from one image's network output.

    Args:
        heatmaps: ``(19, h, w)`` keypoint maps (the last is background).
        pafs: ``(38, h, w)``.
        stride: input pixels per map cell.
        upsample_factor: the heatmaps are upsampled this much (bicubic) before peaks are
            searched; PAFs are sampled bilinearly at their own resolution.
        layout: ``'openpose18'`` (the network's own) or ``'coco17'``.
        **kwargs: passed to :func:`group_persons`.

    Returns:
        ``(keypoints (P, V, 2), scores (P, V))`` in ``layout``.
    """
    heatmaps = upsample(heatmaps[:NUM_KEYPOINTS], upsample_factor)
    keypoints, scores = group_persons(find_peaks(heatmaps), pafs, scale=upsample_factor,
                                      **kwargs)
    # Upsampled pixel u is map coordinate (u + 0.5) / f - 0.5, whose cell centre is at
    # input pixel map * stride + (stride - 1) / 2.
    map_xy = (keypoints + 0.5) / upsample_factor - 0.5
    keypoints = np.where(scores[..., None] > 0, map_xy * stride + (stride - 1) / 2, 0)
    if layout != 'openpose18':
        keypoints, scores = convert_keypoints(keypoints, scores, 'openpose18', layout)
    return keypoints.astype(np.float32), scores.astype(np.float32)
