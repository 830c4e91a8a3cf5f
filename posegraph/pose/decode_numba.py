r"""Compiled loops for :mod:`posegraph.pose.decode`, used when numba is installed
(``pip install posegraph[fast]``).

They follow the rules of :mod:`posegraph.pose.decode` one peak, pair and person at a time,
where NumPy has to build every candidate pair as arrays first. They also do the 4x bicubic
upsampling themselves, with OpenCV's arithmetic: the same float32 products and sums in the
same order, so the same bits (:func:`posegraph.pose.decode.resize_taps` checks this against
``cv2.resize`` before it is relied on). OpenCV resizes in two passes: each source row along x
(:func:`horizontal_pass`), then each upsampled row from 4 of those. The heatmaps get both
passes, whole; the PAFs get the first, and the second only at the cells that limbs sample
(:func:`_vertical`): 1-7 % of their values with 10-30 people in a frame. Results do not
depend on the loops:

- peaks, the greedy matching and the persons are integer work and float64 sums in the
  public decoder's order;
- :func:`surviving_pairs` only drops candidate limbs that cannot be accepted (two samples
  clearly under ``min_valid``); the survivors' samples are scored by the NumPy code of
  :func:`posegraph.pose.decode.limb_connections`, so no float32 mean is rebuilt here.

``taps`` is ``(rows, row_weights, cols, col_weights)``: for each upsampled row (column), its
4 source rows (columns) and float32 weights (:func:`posegraph.pose.decode.cubic_taps`).

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

# Rows, row weights, columns, column weights (the module docstring).
Taps = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@njit(cache=True, nogil=True)
def horizontal_pass(maps: np.ndarray, taps: Taps, num_maps: int) -> np.ndarray:
    """OpenCV's first pass over the first ``num_maps`` of ``(h, w, C)`` maps: every source
    row upsampled along x, ``(h, W, num_maps)``."""
    cols, col_weights = taps[2], taps[3]
    out = np.empty((maps.shape[0], len(cols), num_maps), np.float32)
    for i in range(maps.shape[0]):
        for x in range(len(cols)):
            c0, c1, c2, c3 = cols[x, 0], cols[x, 1], cols[x, 2], cols[x, 3]
            w0, w1 = col_weights[x, 0], col_weights[x, 1]
            w2, w3 = col_weights[x, 2], col_weights[x, 3]
            for c in range(num_maps):
                # The 4 taps summed from the left, as OpenCV does.
                out[i, x, c] = (((maps[i, c0, c] * w0 + maps[i, c1, c] * w1)
                                 + maps[i, c2, c] * w2) + maps[i, c3, c] * w3)
    return out


@njit(cache=True, nogil=True)
def _vertical(across, y, x, c, taps):
    # OpenCV's second pass, as its vectorised loop sums the 4 rows: from the last up.
    rows, row_weights = taps[0], taps[1]
    return (across[rows[y, 0], x, c] * row_weights[y, 0]
            + (across[rows[y, 1], x, c] * row_weights[y, 1]
               + (across[rows[y, 2], x, c] * row_weights[y, 2]
                  + across[rows[y, 3], x, c] * row_weights[y, 3])))


@njit(cache=True, nogil=True)
def _vertical_rows(across, taps, target):
    # OpenCV's second pass into ``target``, ``(H, W * C)``: whole rows at a time, so that
    # the compiler vectorises it.
    rows, row_weights = taps[0], taps[1]
    source = across.reshape(across.shape[0], target.shape[1])
    for y in range(target.shape[0]):
        row0, row1 = source[rows[y, 0]], source[rows[y, 1]]
        row2, row3 = source[rows[y, 2]], source[rows[y, 3]]
        w0, w1 = row_weights[y, 0], row_weights[y, 1]
        w2, w3 = row_weights[y, 2], row_weights[y, 3]
        line = target[y]
        for k in range(target.shape[1]):
            line[k] = row0[k] * w0 + (row1[k] * w1 + (row2[k] * w2 + row3[k] * w3))


@njit(cache=True, nogil=True)
def upsample(maps: np.ndarray, taps: Taps) -> np.ndarray:
    """The upsampled ``(H, W, C)`` maps, as ``cv2.resize`` makes them."""
    out = np.empty((len(taps[0]), len(taps[2]), maps.shape[2]), np.float32)
    _vertical_rows(horizontal_pass(maps, taps, maps.shape[2]), taps,
                   out.reshape(out.shape[0], -1))
    return out


@njit(cache=True, nogil=True)
def _is_peak(value, left, right, above, below, threshold):
    # Greater than its four neighbours: a neighbour under the threshold counts as 0, which a
    # value at or above it exceeds anyway.
    return ((value >= threshold) & (value > left) & (value > right) & (value > above)
            & (value > below))


@njit(cache=True, nogil=True)
def _appended(keys, count, key):
    # ``keys`` with ``key`` at position ``count``, doubled first when full.
    if count == len(keys):
        keys = np.concatenate((keys, np.empty(count, np.int64)))
    keys[count] = key
    return keys


@njit(cache=True, nogil=True)
def find_peaks(heatmaps: np.ndarray, num_maps: int, taps: Taps, threshold: float,
               min_distance: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rule 2 of :mod:`posegraph.pose.decode` on the first ``num_maps`` of the ``(h, w, C)``
    maps upsampled through ``taps``; returns ``(channel, x, y, score)`` in upsampled pixels,
    ordered by channel, then x, then y."""
    height, width = len(taps[0]), len(taps[2])
    length = width * num_maps
    # The upsampled maps as rows of values, framed by a row of -inf above and below: outside
    # the map there is no neighbour.
    framed = np.empty((height + 2, length), np.float32)
    framed[0], framed[-1] = -np.inf, -np.inf
    _vertical_rows(horizontal_pass(heatmaps, taps, num_maps), taps, framed[1:-1])
    inner = max(length - 2 * num_maps, 0)    # the values not in the first or last column
    found = np.zeros((inner + 7) // 8 * 8, np.uint8)
    words = found.view(np.uint64)       # 8 flags at a time
    keys = np.empty(1024, np.int64)
    count = 0
    for y in range(height):
        above, line, below = framed[y], framed[y + 1], framed[y + 2]
        # The row and its neighbours shifted by a pixel, compared at once without branches,
        # so that the compiler vectorises it (unsigned indices: no test for negative ones);
        # few values are peaks, and only the words of flags that hold one are read again.
        left, centre, right = line[:inner], line[num_maps:-num_maps], line[2 * num_maps:]
        above, below = above[num_maps:-num_maps], below[num_maps:-num_maps]
        for k in range(np.uint64(inner)):
            found[k] = _is_peak(centre[k], left[k], right[k], above[k], below[k], threshold)
        for word in range(len(words)):
            if words[word] == 0:
                continue
            for k in range(8 * word, min(8 * word + 8, inner)):
                if found[k]:
                    x, c = divmod(k, num_maps)
                    keys = _appended(keys, count, (c * width + x + 1) * height + y)
                    count += 1
        for x in range(0, width, max(width - 1, 1)):     # the first and last column
            for c in range(num_maps):
                k = x * num_maps + c
                west = line[k - num_maps] if x > 0 else -np.inf
                east = line[k + num_maps] if x < width - 1 else -np.inf
                if _is_peak(line[k], west, east, framed[y, k], framed[y + 2, k], threshold):
                    keys = _appended(keys, count, (c * width + x) * height + y)
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
        score[i] = framed[ys[i] + 1, xs[i] * num_maps + channel[i]]
    return channel, xs, ys, score


@njit(cache=True, nogil=True)
def _sample_cell(x, y, a, b, sample):
    # The float32 steps of the NumPy code: the same sample cells.
    xa, ya = np.float32(x[a]), np.float32(y[a])
    t = np.float32(sample)
    ninth = np.float32(1 / 9)
    step_x, step_y = (np.float32(x[b]) - xa) * ninth, (np.float32(y[b]) - ya) * ninth
    return int(np.rint(step_y * t + ya)), int(np.rint(step_x * t + xa))


@njit(cache=True, nogil=True)
def surviving_pairs(x: np.ndarray, y: np.ndarray, channel_bounds: np.ndarray, limbs: np.ndarray,
                    paf_channels: np.ndarray, across: np.ndarray, taps: Taps,
                    sample_order: np.ndarray, max_invalid: int, min_valid: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate limbs that may be accepted, ``(limb, a, b, samples_x, samples_y)``, in the
    order :func:`posegraph.pose.decode.limb_connections` builds them (limb, then b, then a),
    with their upsampled PAF values at every sample, each ``(P, len(sample_order))``;
    ``across`` is :func:`horizontal_pass` of the PAFs."""
    tiny = np.float32(1e-6)
    failing = np.float32(min_valid) - MARGIN
    num_samples = len(sample_order)
    total = 0
    for limb in range(limbs.shape[0]):
        total += ((channel_bounds[limbs[limb, 0] + 1] - channel_bounds[limbs[limb, 0]])
                  * (channel_bounds[limbs[limb, 1] + 1] - channel_bounds[limbs[limb, 1]]))
    out_limb = np.empty(total, np.int64)
    out_a = np.empty(total, np.int64)
    out_b = np.empty(total, np.int64)
    samples_x = np.empty((total, num_samples), np.float32)
    samples_y = np.empty((total, num_samples), np.float32)
    count = 0
    for limb in range(limbs.shape[0]):
        cx, cy = paf_channels[limb, 0], paf_channels[limb, 1]
        first_a, end_a = channel_bounds[limbs[limb, 0]], channel_bounds[limbs[limb, 0] + 1]
        first_b, end_b = channel_bounds[limbs[limb, 1]], channel_bounds[limbs[limb, 1] + 1]
        for b in range(first_b, end_b):
            for a in range(first_a, end_a):
                vx = np.float32(x[b]) - np.float32(x[a])
                vy = np.float32(y[b]) - np.float32(y[a])
                norm = np.sqrt(vx * vx + vy * vy) + tiny
                ux, uy = vx / norm, vy / norm
                invalid = 0
                # Written in the next free row, kept there if the pair survives: a survivor
                # has had all its samples read.
                for sample in sample_order:
                    py, px = _sample_cell(x, y, a, b, sample)
                    value_x = _vertical(across, py, px, cx, taps)
                    value_y = _vertical(across, py, px, cy, taps)
                    samples_x[count, sample], samples_y[count, sample] = value_x, value_y
                    if value_x * ux + value_y * uy < failing:
                        invalid += 1
                        if invalid > max_invalid:
                            break
                if invalid <= max_invalid:
                    out_limb[count], out_a[count], out_b[count] = limb, a, b
                    count += 1
    return (out_limb[:count], out_a[:count], out_b[:count], samples_x[:count],
            samples_y[:count])


@njit(cache=True, nogil=True)
def greedy_matching(limb: np.ndarray, a: np.ndarray, b: np.ndarray, num_peaks: int
                    ) -> np.ndarray:
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
def group_persons(limb: np.ndarray, a: np.ndarray, b: np.ndarray, score: np.ndarray,
                  limbs: np.ndarray, peak_score: np.ndarray, ear_limbs: np.ndarray,
                  num_keypoints: int, min_keypoints: int, min_mean_score: float
                  ) -> tuple[np.ndarray, np.ndarray]:
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
