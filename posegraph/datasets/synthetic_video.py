"""A synthetic video set for the RGB models: shapes whose class is their motion.

Each clip shows one shape (an asymmetric polygon, so that turning shows) of random colour,
size and start on a random, noisy background, moving in one of :data:`MOTIONS`. Classes
come in pairs that are each other played backwards (left / right, up / down, clockwise /
anticlockwise) or differ only in the axis of a back-and-forth, so that any single frame, or
the frames in any order, says little: a model must use time.

Written as a folder tree (``<root>/<motion>/<name>.avi``) with list files ``train.txt``,
``val.txt`` and ``test.txt`` of ``path label`` lines.
"""
import os
from typing import Dict, List, Tuple, Union

import cv2
import numpy as np

MOTIONS = ('move_left', 'move_right', 'move_up', 'move_down', 'rotate_clockwise',
           'rotate_anticlockwise', 'swing_horizontal', 'swing_vertical')
SPLITS = {'train': 0.6, 'val': 0.15, 'test': 0.25}
# An 'L'-like outline around the origin, one unit across.
_SHAPE = np.array([(-0.5, -0.5), (0.1, -0.5), (0.1, 0.2), (0.5, 0.2), (0.5, 0.5), (-0.5, 0.5)])


def make_video_clip(motion: str, rng: np.random.Generator, num_frames: int = 16, size: int = 64,
                    return_angles: bool = False
                    ) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
    """One clip ``(T, size, size, 3)`` BGR ``uint8`` of ``motion``; with ``return_angles``
    also the shape's angle in every frame (radians, growing clockwise on screen)."""
    if motion not in MOTIONS:
        raise ValueError(f'unknown motion {motion!r}; motions are {", ".join(MOTIONS)}')
    t = np.linspace(0, 1, num_frames)
    scale = size * rng.uniform(0.2, 0.3)
    travel = size * rng.uniform(0.3, 0.45)
    centre = rng.uniform(0.35, 0.65, 2) * size
    angle = np.full(num_frames, rng.uniform(0, 2 * np.pi))
    position = np.repeat(centre[None], num_frames, 0)
    sweep = (t - 0.5) * travel
    swing = np.sin(2 * np.pi * rng.uniform(1.0, 2.0) * t + rng.uniform(0, 2 * np.pi)) * travel / 2
    if motion == 'move_left':
        position[:, 0] -= sweep
    elif motion == 'move_right':
        position[:, 0] += sweep
    elif motion == 'move_up':
        position[:, 1] -= sweep
    elif motion == 'move_down':
        position[:, 1] += sweep
    elif motion == 'rotate_clockwise':
        angle += t * rng.uniform(1.5, 3.0)
    elif motion == 'rotate_anticlockwise':
        angle -= t * rng.uniform(1.5, 3.0)
    elif motion == 'swing_horizontal':
        position[:, 0] += swing
    else:
        position[:, 1] += swing
    background = rng.integers(0, 90, 3)
    colour = tuple(int(c) for c in rng.integers(140, 256, 3))
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    for k in range(num_frames):
        c, s = np.cos(angle[k]), np.sin(angle[k])
        # Image y points down, so this rotation turns clockwise on screen for growing angles.
        outline = _SHAPE @ np.array([[c, s], [-s, c]]) * scale + position[k]
        frame = np.clip(background + rng.normal(0, 6, (size, size, 3)), 0, 255).astype(np.uint8)
        cv2.fillPoly(frame, [np.round(outline).astype(np.int32)], colour, cv2.LINE_AA)
        frames[k] = frame
    return (frames, angle) if return_angles else frames


def write_synthetic_videos(root: str, clips_per_class: int = 30, seed: int = 0,
                           num_frames: int = 16, size: int = 64
                           ) -> Dict[str, List[Tuple[str, int]]]:
    """Write the set under ``root``; returns ``{split: [(path, label), ...]}``.

    The set is a pure function of its arguments.
    """
    counts = np.cumsum([int(round(f * clips_per_class)) for f in SPLITS.values()])
    counts[-1] = clips_per_class
    lists = {name: [] for name in SPLITS}
    for label, motion in enumerate(MOTIONS):
        folder = os.path.join(root, motion)
        os.makedirs(folder, exist_ok=True)
        for k in range(clips_per_class):
            rng = np.random.default_rng([seed, label, k])
            path = os.path.join(folder, f'{motion}_{k:04d}.avi')
            writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 10, (size, size))
            for frame in make_video_clip(motion, rng, num_frames, size):
                writer.write(frame)
            writer.release()
            split = list(SPLITS)[int(np.searchsorted(counts, k, side='right'))]
            lists[split].append((os.path.relpath(path, root), label))
    for name, items in lists.items():
        with open(os.path.join(root, f'{name}.txt'), 'w') as f:
            f.writelines(f'{path} {label}\n' for path, label in items)
    with open(os.path.join(root, 'label_map.txt'), 'w') as f:
        f.write('\n'.join(MOTIONS) + '\n')
    return lists
