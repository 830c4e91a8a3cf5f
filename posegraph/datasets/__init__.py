"""Skeleton and video data: the datasets, transforms and synthetic sets (the annotation
format is read and written by :mod:`posegraph.io`).

Tensor layout
-------------
Every skeleton tensor in posegraph is laid out ``(N, M, T, V, C)``:

* ``N`` clips in the batch,
* ``M`` persons per clip (the most confident first, padded with missing persons),
* ``T`` frames,
* ``V`` joints, in the order of the clip's :class:`~posegraph.skeleton.SkeletonLayout`,
* ``C`` channels: two coordinates per input stream (joint, bone, joint motion, bone
  motion; see :class:`~posegraph.datasets.transforms.FormatStreams`), then the joint's
  confidence. A confidence of 0 marks a missing joint, whose other channels are 0.

Annotation files store one clip as ``keypoint`` ``(M, T, V, 2)`` and ``keypoint_score``
``(M, T, V)``; a dataset sample's ``inputs`` is ``(K, M, T, V, C)`` with ``K`` test clips
drawn from the same video (``K = 1`` when training), whose scores the model averages.
"""
from . import transforms
from .base import ActionDataset
from .coco_keypoints import CocoKeypointsDataset
from .pose_dataset import PoseDataset, SyntheticPoseDataset, prepare_record
from .video_dataset import SyntheticVideoDataset, VideoDataset

__all__ = ['transforms', 'ActionDataset', 'CocoKeypointsDataset', 'PoseDataset',
           'SyntheticPoseDataset', 'SyntheticVideoDataset', 'VideoDataset', 'prepare_record']
