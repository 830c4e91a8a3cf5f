"""A synthetic skeleton-action data set in the ``coco17`` layout, the project's default.

Each clip is a small 3D kinematic body (pelvis, spine, head, two arms and two legs of two
segments each) driven by an action's joint-angle trajectories, placed on the ground,
turned about the vertical axis, projected through a pinhole camera and written as 2D
keypoints with confidences, exactly as a pose estimator's output would be stored.

What varies from clip to clip: body proportions, viewpoint (yaw and camera pitch),
distance and position in the image, speed and phase of the motion, its amplitude, which
side leads, pose noise, missing joints (random drop-outs and occluded stretches) and, in
some clips, a second person standing or walking by.

Two pairs of classes, ``sit_down`` / ``stand_up`` and ``raise_hand`` / ``lower_hand``,
are time reversals of each other; repeated actions start and stop at random moments and
the limbs an action leaves alone rest in random postures. Features that ignore frame
order (such as the mean pose) cannot solve the set, while a sequence model can.
"""
import os
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import numpy as np

from posegraph.io.annotations import dump_annotations
from posegraph.skeleton import COCO17

ACTIONS = ('walk', 'run_in_place', 'wave_one_hand', 'wave_both_hands', 'clap', 'jump',
           'squat', 'punch', 'kick', 'bow', 'sit_down', 'stand_up', 'raise_hand',
           'lower_hand')
# Actions that are one transition (not a repeated motion) and hold their end pose.
_TRANSITIONS = ('sit_down', 'stand_up', 'raise_hand', 'lower_hand')
SPLITS = {'train': 0.6, 'val': 0.15, 'test': 0.25}
IMG_SHAPE = (480, 640)
FPS = 30.0

# Segment lengths in body heights (a 1.75 m adult's proportions).
_BODY = dict(spine=0.30, head=0.11, shoulder=0.115, hip=0.085, upper_arm=0.17,
             forearm=0.155, thigh=0.245, shin=0.245, ankle=0.04)

_LIMBS = ('upper_arm', 'forearm', 'thigh', 'shin')


def _direction(elevation, heading, side):
    """Unit vectors of limb segments in the body frame (x: person's left, y: up, z: front).

    ``elevation`` is the angle from straight down in degrees (90 horizontal, 180 up);
    ``heading`` turns the raise from the front (0) to the person's own side (90, outward)
    or across the body (negative). ``side`` is +1 for the left limbs, -1 for the right.
    """
    e, h = np.deg2rad(elevation), np.deg2rad(heading)
    return np.stack([side * np.sin(e) * np.sin(h), -np.cos(e), np.sin(e) * np.cos(h)], -1)


def _rest_pose(num_frames, rng):
    """Joint angles of a person standing at ease, one value per frame.

    The posture of the limbs an action leaves alone varies from person to person (arms
    hanging, folded forward or held out, feet together or apart), so the mean pose of a
    clip says little about its action.
    """
    pose = {'lean': rng.uniform(-5, 10), 'lift': 0.0, 'travel': 0.0}
    upper, fore = rng.uniform(0, 50), rng.uniform(0, 110)
    stance = rng.uniform(0, 12)
    for side in ('left', 'right'):
        pose.update({
            f'{side}_upper_arm': (upper + rng.uniform(-8, 8), rng.uniform(-20, 80)),
            f'{side}_forearm': (fore + rng.uniform(-10, 10), rng.uniform(-60, 60)),
            f'{side}_thigh': (stance, 90.0), f'{side}_shin': (stance, 90.0)})
    full = np.ones(num_frames)
    return {key: (tuple(full * v for v in value) if isinstance(value, tuple) else full * value)
            for key, value in pose.items()}


def _envelope(tau, rng):
    """How much of a repeated action is under way: it may start late and stop early."""
    start, stop = rng.uniform(0, 0.25), rng.uniform(0.75, 1.0)
    return _smoothstep((tau - start) / 0.12) * (1 - _smoothstep((tau - stop) / 0.12))


def _blend(rest, active, weight):
    if isinstance(rest, tuple):
        return tuple(r + weight * (a - r) for r, a in zip(rest, active))
    return rest + weight * (active - rest)


def _smoothstep(x):
    x = np.clip(x, 0, 1)
    return x * x * (3 - 2 * x)


class _Motion:
    """What an action's trajectories are drawn from: the clip's times, its random speed,
    amplitude, phase and lead side, and its rest pose."""

    def __init__(self, t, tau, rng, rest, frequency):
        self.t, self.tau, self.rng, self.rest = t, tau, rng, rest
        self.amp = rng.uniform(0.8, 1.2)
        self.speed = rng.uniform(0.75, 1.35)
        self.phase = 2 * np.pi * (self.speed * t * frequency + rng.uniform(0, 1))
        self.lead, self.other = ('left', 'right') if rng.random() < 0.5 else ('right', 'left')
        self.sides = {self.lead: 1.0, self.other: -1.0}  # opposite phase for the two sides
        self.sin, self.cos = np.sin(self.phase), np.cos(self.phase)

    def constant(self, value):
        return 0 * self.t + value

    def progress(self, end_range, reverse):
        """A one-off movement's progress from 0 to 1 between random start and end."""
        start, end = self.rng.uniform(0.05, 0.3), self.rng.uniform(*end_range)
        progress = _smoothstep((self.tau - start) / (end - start))
        return 1 - progress if reverse else progress  # reversed: the same motion backwards


def _walk(m, pose):
    for side, sign in m.sides.items():
        leg_phase = m.phase + (0 if sign > 0 else np.pi)
        swing = 25 * m.amp * np.sin(leg_phase)
        knee = 40 * m.amp * np.maximum(0, np.cos(leg_phase))  # bent while swinging through
        pose[f'{side}_thigh'] = (swing, m.constant(0))
        pose[f'{side}_shin'] = (swing - knee, m.constant(0))
        pose[f'{side}_upper_arm'] = (-0.8 * swing, m.constant(10))
        pose[f'{side}_forearm'] = (-0.8 * swing + 15, m.constant(10))
    pose['travel'] = 0.5 * m.speed * m.t


def _run_in_place(m, pose):
    for side, sign in m.sides.items():
        up = np.maximum(0, sign * m.sin)
        pose[f'{side}_thigh'] = (70 * m.amp * up, m.constant(0))
        pose[f'{side}_shin'] = (70 * m.amp * up - 95 * up, m.constant(0))
        pose[f'{side}_upper_arm'] = (-35 * m.amp * sign * m.sin, m.constant(10))
        pose[f'{side}_forearm'] = (-35 * m.amp * sign * m.sin + 90, m.constant(0))
    pose['lift'] = 0.03 * np.abs(m.sin)


def _wave(both):
    def wave(m, pose):
        for side in ((m.lead, m.other) if both else (m.lead,)):
            pose[f'{side}_upper_arm'] = (m.constant(115), m.constant(75))
            pose[f'{side}_forearm'] = (160 + 30 * m.amp * m.sin, m.constant(75))
    return wave


def _clap(m, pose):
    open_ = (1 + m.cos) / 2
    for side in ('left', 'right'):
        pose[f'{side}_upper_arm'] = (m.constant(45), m.constant(-20))
        pose[f'{side}_forearm'] = (m.constant(85), -70 + 80 * m.amp * open_)


def _jump(m, pose):
    air, crouch = np.maximum(0, m.sin), np.maximum(0, -m.sin)
    pose['lift'] = 0.16 * m.amp * air ** 1.5
    pose['lean'] = 25 * crouch
    for side in ('left', 'right'):
        pose[f'{side}_thigh'] = (50 * crouch, m.constant(0))
        pose[f'{side}_shin'] = (50 * crouch - 80 * crouch, m.constant(0))
        pose[f'{side}_upper_arm'] = (-30 * crouch + 150 * m.amp * air + 5, m.constant(25))
        pose[f'{side}_forearm'] = (-25 * crouch + 160 * m.amp * air + 10, m.constant(25))


def _squat(m, pose):
    depth = m.amp * (1 - m.cos) / 2
    pose['lean'] = 35 * depth
    for side in ('left', 'right'):
        pose[f'{side}_thigh'] = (95 * depth, m.constant(15))
        pose[f'{side}_shin'] = (95 * depth - 120 * depth, m.constant(15))
        pose[f'{side}_upper_arm'] = (10 + 80 * depth, m.constant(0))
        pose[f'{side}_forearm'] = (10 + 80 * depth, m.constant(0))


def _punch(m, pose):
    for side, sign in m.sides.items():
        hit = np.maximum(0, sign * m.sin) ** 3
        pose[f'{side}_upper_arm'] = (30 + 55 * m.amp * hit, 10 - 20 * hit)
        pose[f'{side}_forearm'] = (150 - 62 * m.amp * hit, -20 + 10 * hit)
    pose['lean'] = m.constant(8)


def _kick(m, pose):
    kick = np.maximum(0, m.sin) ** 2
    pose[f'{m.lead}_thigh'] = (85 * m.amp * kick, m.constant(0))
    pose[f'{m.lead}_shin'] = (85 * m.amp * kick - 90 * np.sin(np.pi * kick) * (1 - kick),
                              m.constant(0))
    for side in ('left', 'right'):
        pose[f'{side}_upper_arm'] = (20 + 25 * kick, m.constant(70))
    pose['lean'] = -10 * kick


def _bow(m, pose):
    pose['lean'] = 70 * m.amp * (1 - m.cos) / 2
    for side in ('left', 'right'):
        pose[f'{side}_upper_arm'] = (pose['lean'] * 0.3 + 5, m.constant(0))
        pose[f'{side}_forearm'] = (pose['lean'] * 0.3 + 10, m.constant(0))


def _sit(reverse):
    def sit(m, pose):
        progress = m.progress((0.6, 0.9), reverse)
        move = np.sin(np.pi * progress)
        pose['lean'] = 30 * m.amp * move + 8 * progress
        for side in ('left', 'right'):
            pose[f'{side}_thigh'] = (88 * progress, m.constant(10))
            pose[f'{side}_shin'] = (88 * progress - 85 * progress, m.constant(10))
            pose[f'{side}_upper_arm'] = (10 + 35 * move + 15 * progress, m.constant(20))
            pose[f'{side}_forearm'] = (15 + 40 * move + 25 * progress, m.constant(10))
    return sit


def _raise_hand(reverse):
    def raise_hand(m, pose):
        progress = m.progress((0.45, 0.7), reverse)
        for part, elevation in (('upper_arm', 165), ('forearm', 170)):
            rest_elevation, rest_heading = m.rest[f'{m.lead}_{part}']
            pose[f'{m.lead}_{part}'] = (
                rest_elevation + (elevation * m.amp - rest_elevation) * progress,
                rest_heading + (40 - rest_heading) * progress)
    return raise_hand


# Each action: its repetition frequency (Hz at speed 1; 0 for one-off movements) and the
# function that poses the limbs.
_MOTIONS = {
    'idle': (0.0, lambda m, pose: None),
    'walk': (0.9, _walk),
    'run_in_place': (2.0, _run_in_place),
    'wave_one_hand': (1.8, _wave(both=False)),
    'wave_both_hands': (1.8, _wave(both=True)),
    'clap': (2.0, _clap),
    'jump': (1.1, _jump),
    'squat': (0.55, _squat),
    'punch': (1.2, _punch),
    'kick': (0.7, _kick),
    'bow': (0.45, _bow),
    'sit_down': (0.0, _sit(reverse=False)),
    'stand_up': (0.0, _sit(reverse=True)),
    'raise_hand': (0.0, _raise_hand(reverse=False)),
    'lower_hand': (0.0, _raise_hand(reverse=True)),
}


def _action_pose(action, t, tau, rng):
    """Joint-angle trajectories of one clip.

    Args:
        action: a name from :data:`ACTIONS`.
        t: time of every frame in seconds, shape ``(T,)``.
        tau: the same time as a fraction of the clip, in ``[0, 1]``.
        rng: the clip's random generator (speed, phase, amplitude and lead side).
    """
    rest = _rest_pose(len(t), rng)
    pose = dict(rest)
    frequency, move = _MOTIONS.get(action, (0.0, None))
    motion = _Motion(t, tau, rng, rest, frequency)
    if move is None:
        raise ValueError(f'unknown action {action!r}; actions are {", ".join(ACTIONS)}')
    move(motion, pose)
    if action not in _TRANSITIONS:
        envelope = _envelope(tau, rng)
        pose = {key: _blend(rest[key], value, envelope) for key, value in pose.items()}
    # A little sway of the arms keeps every action alive.
    sway = 4 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 2 * np.pi))
    for side in ('left', 'right'):
        elevation, heading = pose[f'{side}_upper_arm']
        pose[f'{side}_upper_arm'] = (elevation + sway, heading)
    return pose


def _body_joints(pose, body):
    """3D ``coco17`` joints ``(T, 17, 3)`` of a posed body standing on the ground."""
    lean = np.deg2rad(pose['lean'])
    up = np.stack([0 * lean, np.cos(lean), np.sin(lean)], -1)
    front = np.stack([0 * lean, -np.sin(lean), np.cos(lean)], -1)
    x_axis = np.array([1.0, 0.0, 0.0])
    pelvis = np.zeros_like(up)
    neck = pelvis + body['spine'] * up
    head = neck + body['head'] * up + 0.02 * front
    joints = {
        'nose': head + 0.08 * front,
        'left_eye': head + 0.03 * up + 0.065 * front + 0.03 * x_axis,
        'right_eye': head + 0.03 * up + 0.065 * front - 0.03 * x_axis,
        'left_ear': head + 0.015 * up + 0.07 * x_axis,
        'right_ear': head + 0.015 * up - 0.07 * x_axis,
    }
    for side, sign in (('left', 1.0), ('right', -1.0)):
        limb = {name: _direction(*pose[f'{side}_{name}'], sign) * body[name]
                for name in _LIMBS}
        shoulder = neck - 0.02 * up + sign * body['shoulder'] * x_axis
        hip = pelvis + sign * body['hip'] * x_axis
        joints[f'{side}_shoulder'] = shoulder
        joints[f'{side}_elbow'] = shoulder + limb['upper_arm']
        joints[f'{side}_wrist'] = joints[f'{side}_elbow'] + limb['forearm']
        joints[f'{side}_hip'] = hip
        joints[f'{side}_knee'] = hip + limb['thigh']
        joints[f'{side}_ankle'] = joints[f'{side}_knee'] + limb['shin']
    out = np.stack([joints[name] for name in COCO17.joint_names], axis=1)
    # Stand on the ground: the lower ankle touches it, unless the body is in the air.
    ground = out[:, [15, 16], 1].min(axis=1) - body['ankle']
    out[:, :, 1] += (pose['lift'] - ground)[:, None]
    out[:, :, 2] += pose['travel'][:, None]
    return out


def _random_body(rng):
    return {name: length * rng.uniform(0.9, 1.1) for name, length in _BODY.items()}


def _project(joints, yaw, pitch, distance, height_px, centre_px):
    """Pinhole projection of ``(T, V, 3)`` body-height units to pixel coordinates."""
    cy, sy = np.cos(yaw), np.sin(yaw)
    cp, sp = np.cos(pitch), np.sin(pitch)
    turn = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    tilt = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    # Centre the body at mid-height before projecting, so the camera aims at it.
    points = (joints - np.array([0.0, 0.55, 0.0])) @ (tilt @ turn).T
    depth = distance - points[..., 2]
    u = points[..., 0] * distance / depth
    v = -points[..., 1] * distance / depth
    return np.stack([u, v], -1) * height_px + centre_px


def _render_person(action, num_frames, rng, height_px, centre_px, yaw):
    t = np.arange(num_frames) / FPS
    tau = np.linspace(0, 1, num_frames)
    pose = _action_pose(action, t, tau, rng)
    joints = _body_joints(pose, _random_body(rng))
    pitch = np.deg2rad(rng.uniform(-5, 20))
    distance = rng.uniform(3.5, 7.0)
    # Walking carries the body away from its start; start it back so it stays in view.
    joints[..., 2] -= joints[..., 2].mean()
    keypoint = _project(joints, yaw, pitch, distance, height_px, centre_px)
    # Shift the whole track into the image where it fits, as a cameraman would frame it.
    size = np.array(IMG_SHAPE[::-1])
    lo, hi = keypoint.reshape(-1, 2).min(axis=0), keypoint.reshape(-1, 2).max(axis=0)
    keypoint += np.where(hi - lo < size, np.clip(0, -lo, size - 1 - hi), (size - lo - hi) / 2)
    keypoint += rng.normal(0, rng.uniform(0.004, 0.015) * height_px, keypoint.shape)
    score = np.clip(rng.normal(rng.uniform(0.6, 0.9), 0.08, keypoint.shape[:2]), 0.05, 1.0)
    return keypoint.astype(np.float32), score.astype(np.float32)


def _drop_joints(keypoint, score, rng):
    """Lose joints as a detector would: scattered misses and occluded stretches."""
    num_frames, num_joints = score.shape
    lost = rng.random(score.shape) < rng.uniform(0, 0.06)
    for _ in range(rng.poisson(0.7)):
        start = rng.integers(0, num_frames)
        length = rng.integers(3, max(4, num_frames // 3))
        joints = rng.choice(num_joints, size=rng.integers(1, 4), replace=False)
        lost[start:start + length, joints] = True
    height, width = IMG_SHAPE
    outside = ((keypoint < 0) | (keypoint >= (width, height))).any(axis=-1)
    lost |= outside
    keypoint[lost] = 0
    score[lost] = 0


def make_clip(action: str, rng: np.random.Generator, index: int = 0) -> dict:
    """One annotation record of ``action``, drawn with the generator ``rng``."""
    num_frames = int(rng.integers(48, 97))
    height, width = IMG_SHAPE
    height_px = height * rng.uniform(0.35, 0.75)
    centre = np.array([width * rng.uniform(0.3, 0.7), height * rng.uniform(0.4, 0.6)])
    yaw = np.deg2rad(rng.uniform(-135, 135))
    keypoints, scores = [], []
    kp, sc = _render_person(action, num_frames, rng, height_px, centre, yaw)
    keypoints.append(kp)
    scores.append(sc)
    if rng.random() < 0.3:  # a bystander, smaller and less sharply detected
        by_height = height_px * rng.uniform(0.5, 0.8)
        by_centre = np.array([width * rng.choice([0.15, 0.85]), centre[1]])
        kp, sc = _render_person(rng.choice(['idle', 'walk']), num_frames, rng, by_height,
                                by_centre, np.deg2rad(rng.uniform(-180, 180)))
        keypoints.append(kp)
        scores.append(sc * 0.7)
        if rng.random() < 0.5:  # persons come in no particular order
            keypoints.reverse()
            scores.reverse()
    for kp, sc in zip(keypoints, scores):
        _drop_joints(kp, sc, rng)
    return {
        'frame_dir': f'{action}_{index:05d}',
        'label': ACTIONS.index(action),
        'img_shape': IMG_SHAPE,
        'original_shape': IMG_SHAPE,
        'total_frames': num_frames,
        'keypoint': np.stack(keypoints),
        'keypoint_score': np.stack(scores),
    }


def make_synthetic(clips_per_class: int = 80, seed: int = 0,
                   progress: Optional[Callable[[List], Iterable]] = None
                   ) -> Tuple[List[dict], Dict[str, List[str]]]:
    """Generate the synthetic set.

    Args:
        clips_per_class: clips of each action, divided among :data:`SPLITS`. (default: ``80``)
        seed: the set is a pure function of ``seed`` and ``clips_per_class``. (default: ``0``)
        progress: optional wrapper around the clip iterator (a progress bar). (default: ``None``)

    Returns:
        ``(annotations, split)`` in the PYSKL format.
    """
    jobs = [(action, k) for k in range(clips_per_class) for action in ACTIONS]
    iterator = progress(jobs) if progress is not None else jobs
    annotations = []
    for index, (action, _) in enumerate(iterator):
        rng = np.random.default_rng([seed, index])
        annotations.append(make_clip(action, rng, index))
    split, start = {}, 0
    bounds = np.cumsum([int(round(f * clips_per_class)) for f in SPLITS.values()])
    bounds[-1] = clips_per_class
    for name, end in zip(SPLITS, bounds):
        split[name] = [a['frame_dir'] for a in annotations[start * len(ACTIONS):
                                                           end * len(ACTIONS)]]
        start = end
    return annotations, split


def write_synthetic(path: str, clips_per_class: int = 80, seed: int = 0,
                    progress: Optional[Callable[[List], Iterable]] = None
                    ) -> Tuple[List[dict], Dict[str, List[str]]]:
    """Generate the set and write it to ``path`` with a ``label_map.txt`` beside it.

    Returns ``(annotations, split)``.
    """
    annotations, split = make_synthetic(clips_per_class, seed, progress)
    dump_annotations(path, annotations, split, classes=ACTIONS)
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), 'label_map.txt'),
              'w') as f:
        f.write('\n'.join(ACTIONS) + '\n')
    return annotations, split


def summarize(annotations: List[dict], split: Dict[str, List[str]]) -> str:
    """A short text summary of a skeleton annotation set."""
    frames = np.array([a['keypoint'].shape[1] for a in annotations])
    persons = np.array([a['keypoint'].shape[0] for a in annotations])
    missing = np.mean([float((a['keypoint_score'][0] == 0).mean()) for a in annotations])
    lines = [f'{len(annotations)} clips, {len(set(a["label"] for a in annotations))} classes',
             f'frames per clip: min {frames.min()}, mean {frames.mean():.1f}, '
             f'max {frames.max()}',
             f'clips with a second person: {100 * (persons > 1).mean():.1f} %',
             f'missing joints (first person): {100 * missing:.1f} %']
    lines += [f'split {name}: {len(members)} clips' for name, members in split.items()]
    return '\n'.join(lines)
