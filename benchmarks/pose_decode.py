"""Decode time per frame: posegraph's vectorised decoder against a per-limb Python loop.

No trained estimator can be downloaded here, so the maps are the training targets of
crowds (heatmaps and PAFs rendered from skeletons, as a perfect network would output),
at the map size of a 1280x720 frame (video.avi) resized to network height 256
(32 x 57 cells at stride 8). The crowds are the real BlazePose track of video.avi's
central person, repeated at other places and scales. The reference implements the same
algorithm with a Python loop over every limb type, candidate pair and sample (the shape
of the public post-processing); the outputs must be identical.

    python benchmarks/pose_decode.py [--people 1 5 10 20] [--frames 20]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from posegraph.pose.decode import decode_poses, find_peaks, upsample  # noqa: E402
from posegraph.pose.targets import (LIMBS, NUM_KEYPOINTS, PAF_CHANNELS,  # noqa: E402
                                    keypoint_heatmaps, part_affinity_fields)
from posegraph.skeleton import convert_keypoints  # noqa: E402

LANDMARKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared',
                         'data', 'reference', 'video_mediapipe_landmarks.npz')
MAP_SHAPE, SCALE = (32, 57), 256 / 720


def point_value(field, x, y):
    """Bilinear interpolation at one point, clamped inside the field."""
    height, width = field.shape
    x, y = min(max(x, 0.0), width - 1), min(max(y, 0.0), height - 1)
    x0, y0 = min(int(x), width - 2), min(int(y), height - 2)
    fx, fy = x - x0, y - y0
    return ((field[y0, x0] * (1 - fx) + field[y0, x0 + 1] * fx) * (1 - fy)
            + (field[y0 + 1, x0] * (1 - fx) + field[y0 + 1, x0 + 1] * fx) * fy)


def reference_decode(heatmaps, pafs, upsample_factor=4, stride=8):
    """The same decoding as :func:`decode_poses` (layout openpose18), written as loops."""
    heatmaps = upsample(heatmaps[:NUM_KEYPOINTS], upsample_factor)
    channel, x, y, peak_score = find_peaks(heatmaps)
    parts = [[i for i in range(len(channel)) if channel[i] == k] for k in range(NUM_KEYPOINTS)]
    people, owner = [], {}
    for limb, ((part_a, part_b), (cx, cy)) in enumerate(zip(LIMBS, PAF_CHANNELS)):
        candidates = []
        for ia, a in enumerate(parts[part_a]):
            for ib, b in enumerate(parts[part_b]):
                dx, dy = x[b] - x[a], y[b] - y[a]
                norm = max(np.hypot(dx, dy), 1e-6)
                ux, uy = dx / norm, dy / norm
                total, valid = 0.0, 0
                for s in range(10):
                    t = s / 9
                    px = (x[a] + t * dx + 0.5) / upsample_factor - 0.5
                    py = (y[a] + t * dy + 0.5) / upsample_factor - 0.5
                    value = (point_value(pafs[cx], px, py) * ux
                             + point_value(pafs[cy], px, py) * uy)
                    if value > 0.05:
                        total += value
                        valid += 1
                score = total / max(valid, 1) if valid >= 9 else 0.0
                if score > 0:
                    candidates.append((score, ia * 10_000 + ib, a, b))
        candidates.sort(key=lambda c: (-c[0], c[1]))
        used_a, used_b = set(), set()
        for score, _, a, b in candidates:
            if a in used_a or b in used_b:
                continue
            used_a.add(a)
            used_b.add(b)
            person = owner.get((part_a, a))
            if limb >= len(LIMBS) - 2:
                if person is not None and people[person][0][part_b] < 0 \
                        and (part_b, b) not in owner:
                    people[person][0][part_b] = b
                    people[person][1] += peak_score[b] + score
                    people[person][2] += 1
                    owner[(part_b, b)] = person
                continue
            if person is None:
                person = len(people)
                people.append([[-1] * NUM_KEYPOINTS, peak_score[a], 1])
                people[person][0][part_a] = a
                owner[(part_a, a)] = person
            if people[person][0][part_b] < 0 and (part_b, b) not in owner:
                people[person][0][part_b] = b
                people[person][1] += peak_score[b] + score
                people[person][2] += 1
                owner[(part_b, b)] = person
    kept = sorted((p for p in people if p[2] >= 3 and p[1] / p[2] >= 0.2), key=lambda p: -p[1])
    keypoints = np.zeros((len(kept), NUM_KEYPOINTS, 2))
    scores = np.zeros((len(kept), NUM_KEYPOINTS))
    for i, (ids, _, _) in enumerate(kept):
        for k, peak in enumerate(ids):
            if peak >= 0:
                map_xy = (np.array([x[peak], y[peak]]) + 0.5) / upsample_factor - 0.5
                keypoints[i, k] = map_xy * stride + (stride - 1) / 2
                scores[i, k] = peak_score[peak]
    return keypoints.astype(np.float32), scores.astype(np.float32)


def crowd_maps(track, num_people, frame, rng):
    """Target maps of ``num_people`` copies of one real person's pose at ``frame``."""
    keypoints, scores = track
    people = []
    for k in range(num_people):
        scale = rng.uniform(0.4, 1.0)
        shift = np.array([rng.uniform(-500, 500), rng.uniform(-150, 150)])
        pose = (keypoints[(frame + 7 * k) % len(keypoints)] - [640, 360]) * scale + [640, 360]
        people.append(np.concatenate([(pose + shift) * SCALE,
                                      scores[(frame + 7 * k) % len(keypoints), :, None]], 1))
    people = np.stack(people)
    people[..., 2] = (people[..., 2] > 0.5).astype(float)
    return keypoint_heatmaps(people, MAP_SHAPE), part_affinity_fields(people, MAP_SHAPE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--people', type=int, nargs='+', default=[1, 5, 10, 20])
    parser.add_argument('--frames', type=int, default=20)
    args = parser.parse_args()
    data = np.load(LANDMARKS)
    coco = convert_keypoints(data['landmarks'][..., :2], data['landmarks'][..., 3],
                             'mediapipe33', 'coco17')
    track = convert_keypoints(*coco, 'coco17', 'openpose18')
    print('| people | reference loop (ms/frame) | posegraph (ms/frame) | speed-up | identical |')
    print('| --- | --- | --- | --- | --- |')
    for count in args.people:
        rng = np.random.default_rng(count)
        maps = [crowd_maps(track, count, 5 * f, rng) for f in range(args.frames)]
        start = time.perf_counter()
        ours = [decode_poses(h, p, layout='openpose18') for h, p in maps]
        ours_ms = 1000 * (time.perf_counter() - start) / len(maps)
        start = time.perf_counter()
        theirs = [reference_decode(h, p) for h, p in maps]
        reference_ms = 1000 * (time.perf_counter() - start) / len(maps)
        same = all(a[0].shape == b[0].shape and np.array_equal(a[0], b[0])
                   and np.array_equal(a[1], b[1]) for a, b in zip(ours, theirs))
        found = np.mean([len(k) for k, _ in ours])
        print(f'| {count} ({found:.1f} found) | {reference_ms:.1f} | {ours_ms:.1f} | '
              f'{reference_ms / ours_ms:.1f}x | {"yes" if same else "NO"} |')


if __name__ == '__main__':
    main()
