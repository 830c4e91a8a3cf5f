"""Skeleton layouts: joint names, bones, centre and left/right pairs of each keypoint set."""
from dataclasses import dataclass, field
from typing import Union

import numpy as np

from posegraph.errors import UnknownNameError


@dataclass(frozen=True)
class SkeletonLayout:
    """A keypoint set and the tree of bones that joins it.

    Args:
        name: the layout's name, as configs spell it (``'coco17'``).
        joint_names: one name per joint, in the order the data stores them.
        bones: ``(child, parent)`` pairs forming a spanning tree of the joints; the bone
            stream of a joint is ``x[child] - x[parent]``. The joint with no parent is
            the tree's ``root``.
        center: joints whose mean is the body centre, used to centre poses and as the
            reference of the ST-GCN spatial partition.
        flip_pairs: ``(left, right)`` pairs swapped by a horizontal flip.
    """
    name: str
    joint_names: tuple
    bones: tuple
    center: tuple
    flip_pairs: tuple
    parents: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        num_joints = len(self.joint_names)
        parents = np.full(num_joints, -1, dtype=np.int64)
        for child, parent in self.bones:
            if not (0 <= child < num_joints and 0 <= parent < num_joints):
                raise ValueError(f'{self.name}: bone ({child}, {parent}) names a joint '
                                 f'outside 0..{num_joints - 1}')
            if parents[child] != -1:
                raise ValueError(f'{self.name}: joint {child} has two parents')
            parents[child] = parent
        if len(self.bones) != num_joints - 1 or (parents == -1).sum() != 1:
            raise ValueError(f'{self.name}: bones must form a tree over {num_joints} joints')
        object.__setattr__(self, 'parents', parents)

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    @property
    def root(self) -> int:
        return int(np.flatnonzero(self.parents == -1)[0])

    @property
    def flip_index(self) -> np.ndarray:
        """Index array that reorders joints as seen in a mirror."""
        index = np.arange(self.num_joints)
        for left, right in self.flip_pairs:
            index[left], index[right] = right, left
        return index

    def index(self, joint_name: str) -> int:
        return self.joint_names.index(joint_name)

    def __repr__(self) -> str:
        return f'SkeletonLayout({self.name!r}, num_joints={self.num_joints})'


COCO17 = SkeletonLayout(
    name='coco17',
    joint_names=('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
                 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
                 'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
                 'left_knee', 'right_knee', 'left_ankle', 'right_ankle'),
    # COCO has no neck: as in PYSKL, the shoulders hang from the nose.
    bones=((1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 5), (8, 6), (9, 7),
           (10, 8), (11, 5), (12, 6), (13, 11), (14, 12), (15, 13), (16, 14)),
    center=(11, 12),
    flip_pairs=((1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)),
)

OPENPOSE18 = SkeletonLayout(
    name='openpose18',
    joint_names=('nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'left_shoulder', 'left_elbow', 'left_wrist', 'right_hip', 'right_knee',
                 'right_ankle', 'left_hip', 'left_knee', 'left_ankle', 'right_eye',
                 'left_eye', 'right_ear', 'left_ear'),
    # The tree of Lightweight OpenPose's limb list (the neck joins arms, hips and head).
    bones=((2, 1), (5, 1), (3, 2), (4, 3), (6, 5), (7, 6), (8, 1), (9, 8), (10, 9),
           (11, 1), (12, 11), (13, 12), (0, 1), (14, 0), (16, 14), (15, 0), (17, 15)),
    center=(1,),
    flip_pairs=((5, 2), (6, 3), (7, 4), (11, 8), (12, 9), (13, 10), (15, 14), (17, 16)),
)

JHMDB15 = SkeletonLayout(
    name='jhmdb15',
    joint_names=('neck', 'belly', 'face', 'right_shoulder', 'left_shoulder', 'right_hip',
                 'left_hip', 'right_elbow', 'left_elbow', 'right_knee', 'left_knee',
                 'right_wrist', 'left_wrist', 'right_ankle', 'left_ankle'),
    bones=((0, 1), (2, 0), (3, 0), (4, 0), (7, 3), (8, 4), (11, 7), (12, 8), (5, 1),
           (6, 1), (9, 5), (10, 6), (13, 9), (14, 10)),
    center=(1,),
    flip_pairs=((4, 3), (6, 5), (8, 7), (10, 9), (12, 11), (14, 13)),
)

MEDIAPIPE33 = SkeletonLayout(
    name='mediapipe33',
    joint_names=('nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner',
                 'right_eye', 'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left',
                 'mouth_right', 'left_shoulder', 'right_shoulder', 'left_elbow',
                 'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky', 'right_pinky',
                 'left_index', 'right_index', 'left_thumb', 'right_thumb', 'left_hip',
                 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
                 'left_heel', 'right_heel', 'left_foot_index', 'right_foot_index'),
    bones=((1, 0), (2, 1), (3, 2), (7, 3), (4, 0), (5, 4), (6, 5), (8, 6), (9, 0),
           (10, 0), (11, 0), (12, 0), (13, 11), (14, 12), (15, 13), (16, 14), (17, 15),
           (18, 16), (19, 15), (20, 16), (21, 15), (22, 16), (23, 11), (24, 12),
           (25, 23), (26, 24), (27, 25), (28, 26), (29, 27), (30, 28), (31, 27),
           (32, 28)),
    center=(23, 24),
    flip_pairs=((1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16),
                (17, 18), (19, 20), (21, 22), (23, 24), (25, 26), (27, 28), (29, 30),
                (31, 32)),
)

def _one_based(pairs):
    return tuple((a - 1, b - 1) for a, b in pairs)


NTU25 = SkeletonLayout(
    name='ntu25',
    # Kinect v2 joints as NTU RGB+D stores them (3D in metres, or 2D in its colour images).
    joint_names=('spine_base', 'spine_mid', 'neck', 'head', 'left_shoulder', 'left_elbow',
                 'left_wrist', 'left_hand', 'right_shoulder', 'right_elbow', 'right_wrist',
                 'right_hand', 'left_hip', 'left_knee', 'left_ankle', 'left_foot',
                 'right_hip', 'right_knee', 'right_ankle', 'right_foot', 'spine_shoulder',
                 'left_hand_tip', 'left_thumb', 'right_hand_tip', 'right_thumb'),
    # ST-GCN's and PYSKL's 'nturgb+d' tree, rooted at the spine between the shoulders.
    bones=_one_based(((1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7),
                      (9, 21), (10, 9), (11, 10), (12, 11), (13, 1), (14, 13), (15, 14),
                      (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 23), (23, 8),
                      (24, 25), (25, 12))),
    center=(0,),
    flip_pairs=_one_based(((5, 9), (6, 10), (7, 11), (8, 12), (13, 17), (14, 18), (15, 19),
                           (16, 20), (22, 24), (23, 25))),
)

_FINGERS = ('thumb', 'index', 'middle', 'ring', 'pinky')
HAND21 = SkeletonLayout(
    name='hand21',
    # One hand as MediaPipe Hands and OpenPose's hand model give it: the wrist, then four
    # joints per finger from the palm to the tip.
    joint_names=('wrist',) + tuple(f'{finger}_{k}' for finger in _FINGERS for k in range(1, 5)),
    bones=tuple((4 * f + k + 1, 0 if k == 0 else 4 * f + k) for f in range(5) for k in range(4)),
    center=(0,),
    flip_pairs=(),  # a mirrored hand keeps its joints; only the side of the body changes
)

# What every function taking a layout accepts: the layout, its name or an alias.
LayoutLike = Union[str, SkeletonLayout]

LAYOUTS = {layout.name: layout
           for layout in (COCO17, OPENPOSE18, JHMDB15, MEDIAPIPE33, NTU25, HAND21)}
# PYSKL's and MMAction2's graph layout names for the same joint sets.
LAYOUT_ALIASES = {'coco': 'coco17', 'openpose': 'openpose18', 'nturgb+d': 'ntu25',
                  'handmp': 'hand21'}


def get_layout(layout: 'LayoutLike') -> SkeletonLayout:
    """Return a :class:`SkeletonLayout` given one, its name or a PYSKL / MMAction2 alias
    (``'coco'``, ``'openpose'``, ``'nturgb+d'``, ``'handmp'``).

    Raises:
        UnknownNameError: a ``KeyError`` naming the known layouts and aliases.
    """
    if isinstance(layout, SkeletonLayout):
        return layout
    try:
        return LAYOUTS[LAYOUT_ALIASES.get(layout, layout)]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f'unknown skeleton layout {layout!r}; known layouts: {", ".join(LAYOUTS)} '
            f'(aliases: {", ".join(f"{a}={n}" for a, n in LAYOUT_ALIASES.items())}); add your '
            'own with posegraph.skeleton.register_layout') from None


def check_num_joints(num_joints: int, layout: 'LayoutLike', what: str) -> SkeletonLayout:
    """The layout ``layout`` names, if ``what`` (e.g. ``'the record'``) with ``num_joints``
    joints a person can be in it; otherwise a ``ValueError`` that names the layouts of that
    many joints: joints read in another layout's order join the wrong bones without a word.
    """
    given = get_layout(layout)
    if num_joints != given.num_joints:
        fitting = [name for name, known in LAYOUTS.items() if known.num_joints == num_joints]
        raise ValueError(f'{what} has {num_joints} joints a person, layout {given.name} has '
                         f'{given.num_joints}: give the layout they are in'
                         + (f' ({" or ".join(fitting)}?)' if fitting else ''))
    return given


def register_layout(layout: SkeletonLayout, force: bool = False) -> SkeletonLayout:
    """Make a custom layout known by its name, so configs can say ``layout='<name>'``.

    Args:
        layout: the new layout; its bones are checked to form a tree when it is built.
        force: replace a layout of the same name (built-in ones included). (default: ``False``)

    Returns:
        The layout, so this can be used as ``MY = register_layout(SkeletonLayout(...))``.
    """
    if not isinstance(layout, SkeletonLayout):
        raise TypeError(f'expected a SkeletonLayout, got {type(layout).__name__}')
    taken = layout.name in LAYOUTS or layout.name in LAYOUT_ALIASES
    if taken and not force and LAYOUTS.get(layout.name) != layout:
        raise ValueError(f'a layout named {layout.name!r} exists already; '
                         'pass force=True to replace it')
    LAYOUTS[layout.name] = layout
    return layout
