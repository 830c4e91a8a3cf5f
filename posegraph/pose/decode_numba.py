r"""Compiled loops for :mod:`posegraph.pose.decode`, used when numba is installed
(``pip install posegraph[fast]``).

They follow the rules of :mod:`posegraph.pose.decode` one peak, pair and person at a time,
where NumPy has to build every candidate pair as arrays first. Results do not depend on them:

- peaks, the greedy matching and the persons are integer work and float64 sums in the
  public decoder's order;
- :func:`surviving_pairs` only drops candidate limbs that cannot be accepted (two samples
  clearly under ``min_valid``); the survivors are scored by the NumPy code that
  :func:`posegraph.pose.decode.limb_connections` uses, so no float32 sum is rebuilt here.

Importing this module imports numba; :mod:`posegraph.pose.decode` does so only when asked
to decode.
"""
import numpy as np
from numba import njit

# The sample cells and projections are NumPy's float32 operations in NumPy's order; a sample
# still counts as failed only when it is this far under ``min_valid``, so that a compiler
# fusing or reordering the projection's two products (a few ulps) cannot drop a pair the
# exact scoring keeps.
MARGIN = np.float32(1e-4)


@njit(cache=True, nogil=True)
def _is_peak(heatmaps, y, x, c, left, right, up, down, threshold):
    # A neighbour under the threshold counts as 0, which a value at or above it exceeds
    # anyway; a neighbour outside the map (its index clamped to the cell's own) does not
    # count.
    value = heatmaps[y, x, c]
    return ((value >= threshold)
            & ((value > heatmaps[y, left, c]) | (left == x))
            & ((value > heatmaps[y, right, c]) | (right == x))
            & ((value > heatmaps[up, x, c]) | (up == y))
            & ((value > heatmaps[down, x, c]) | (down == y)))


@njit(cache=True, nogil=True)
def find_peaks(heatmaps, num_maps, threshold, min_distance):
    """Rule 2 of :mod:`posegraph.pose.decode` on ``(H, W, C)`` maps; returns
    ``(channel, x, y, score)`` ordered by channel, then x, then y."""
    height, width, _ = heatmaps.shape
    # Peaks are strict maxima, so no two touch: at most half the cells are peaks.
    keys = np.empty((height * width * num_maps + 1) // 2 + 1, np.int64)
    count = 0
    for y in range(height):
        up, down = max(y - 1, 0), min(y + 1, height - 1)
        for x in range(width):
            left, right = max(x - 1, 0), min(x + 1, width - 1)
            # All maps of a cell at once, without branches (the compiler vectorises it):
            # few cells hold a peak, and only those are read again.
            any_peak = False
            for c in range(num_maps):
                any_peak |= _is_peak(heatmaps, y, x, c, left, right, up, down, threshold)
            if any_peak:
                for c in range(num_maps):
                    if _is_peak(heatmaps, y, x, c, left, right, up, down, threshold):
                        keys[count] = (c * width + x) * height + y
                        count += 1
    order = np.sort(keys[:count])
    channel = order // (width * height)
    xs = order % (width * height) // height
    ys = order % height
    keep = np.ones(count, np.bool_)
    limit = min_distance * min_distance
    for i in range(count):
        if not keep[i]:
            continue
        for j in range(i + 1, count):   # earlier kept peaks drop later ones of their map
            if channel[j] != channel[i]:
                break
            dx, dy = xs[j] - xs[i], ys[j] - ys[i]
            if dx * dx + dy * dy < limit:
                keep[j] = False
    channel, xs, ys = channel[keep], xs[keep], ys[keep]
    score = np.empty(len(xs), np.float32)
    for i in range(len(xs)):
        score[i] = heatmaps[ys[i], xs[i], channel[i]]
    return channel, xs, ys, score


@njit(cache=True, nogil=True)
def surviving_pairs(x, y, channel_bounds, limbs, paf_channels, pafs, sample_order,
                    max_invalid, min_valid):
    """Candidate limbs ``(limb, a, b)`` that may be accepted, in the order
    :func:`posegraph.pose.decode.limb_connections` builds them (limb, then b, then a)."""
    ninth = np.float32(1 / 9)
    tiny = np.float32(1e-6)
    failing = np.float32(min_valid) - MARGIN
    total = 0
    for limb in range(limbs.shape[0]):
        total += ((channel_bounds[limbs[limb, 0] + 1] - channel_bounds[limbs[limb, 0]])
                  * (channel_bounds[limbs[limb, 1] + 1] - channel_bounds[limbs[limb, 1]]))
    out_limb = np.empty(total, np.int64)
    out_a = np.empty(total, np.int64)
    out_b = np.empty(total, np.int64)
    count = 0
    for limb in range(limbs.shape[0]):
        cx, cy = paf_channels[limb, 0], paf_channels[limb, 1]
        first_a, end_a = channel_bounds[limbs[limb, 0]], channel_bounds[limbs[limb, 0] + 1]
        first_b, end_b = channel_bounds[limbs[limb, 1]], channel_bounds[limbs[limb, 1] + 1]
        for b in range(first_b, end_b):
            for a in range(first_a, end_a):
                # The float32 steps of the NumPy code: the same sample cells.
                xa, ya = np.float32(x[a]), np.float32(y[a])
                vx, vy = np.float32(x[b]) - xa, np.float32(y[b]) - ya
                norm = np.sqrt(vx * vx + vy * vy) + tiny
                ux, uy = vx / norm, vy / norm
                sx, sy = vx * ninth, vy * ninth
                invalid = 0
                for sample in sample_order:
                    t = np.float32(sample)
                    px = int(np.rint(sx * t + xa))
                    py = int(np.rint(sy * t + ya))
                    projection = pafs[py, px, cx] * ux + pafs[py, px, cy] * uy
                    if projection < failing:
                        invalid += 1
                        if invalid > max_invalid:
                            break
                if invalid <= max_invalid:
                    out_limb[count], out_a[count], out_b[count] = limb, a, b
                    count += 1
    return out_limb[:count], out_a[:count], out_b[:count]


@njit(cache=True, nogil=True)
def greedy_matching(limb, a, b, num_peaks):
    """Positions of the candidates accepted when they are offered in order (best first
    within each limb type) and a peak may be used once per limb type."""
    used_a = np.full(num_peaks, -1, np.int64)   # the limb type that used the peak last
    used_b = np.full(num_peaks, -1, np.int64)
    taken = np.empty(len(limb), np.int64)
    count = 0
    for k in range(len(limb)):
        if used_a[a[k]] != limb[k] and used_b[b[k]] != limb[k]:
            used_a[a[k]] = limb[k]
            used_b[b[k]] = limb[k]
            taken[count] = k
            count += 1
    return taken[:count]


@njit(cache=True, nogil=True)
def group_persons(limb, a, b, score, limbs, peak_score, ear_limbs, num_keypoints,
                  min_keypoints, min_mean_score):
    """Rule 4, one connection and person at a time as the public decoder grows them, from
    the accepted connections ordered by limb type (best first within each)."""
    capacity = len(limb)
    joints = np.full((capacity, num_keypoints), -1, np.int64)
    totals = np.zeros(capacity)
    counts = np.zeros(capacity, np.int64)
    persons = 0
    for k in range(len(limb)):
        part_a, part_b = limbs[limb[k], 0], limbs[limb[k], 1]
        if limb[k] == ear_limbs[0] or limb[k] == ear_limbs[1]:
            for j in range(persons):   # only fill what a person lacks
                if joints[j, part_a] == a[k] and joints[j, part_b] == -1:
                    joints[j, part_b] = b[k]
                elif joints[j, part_b] == b[k] and joints[j, part_a] == -1:
                    joints[j, part_a] = a[k]
            continue
        extended = 0
        for j in range(persons):
            if joints[j, part_a] == a[k]:
                joints[j, part_b] = b[k]
                counts[j] += 1
                totals[j] += peak_score[b[k]] + score[k]
                extended += 1
        if extended == 0:
            joints[persons, part_a] = a[k]
            joints[persons, part_b] = b[k]
            counts[persons] = 2
            totals[persons] = (peak_score[a[k]] + peak_score[b[k]]) + score[k]
            persons += 1
    kept = np.zeros(persons, np.bool_)
    for j in range(persons):
        kept[j] = counts[j] >= min_keypoints and totals[j] / counts[j] >= min_mean_score
    return joints[:persons][kept], totals[:persons][kept]
