"""Skeleton transforms, registered in ``posegraph.registry.TRANSFORMS``.

A training pipeline usually runs, in this order: :class:`SelectPersons`,
:class:`PoseNormalize`, :class:`RandomTemporalCrop`, :class:`UniformSampleFrames`,
:class:`RandomFlip`, :class:`RandomAffine`, :class:`RandomJointDropout`,
:class:`FormatStreams`, :class:`PackSkeletonInputs`.
"""
from .base import SkeletonTransform, mask_missing
from .formatting import STREAMS, FormatStreams, PackSkeletonInputs, joint_streams
from .spatial import (PoseNormalize, RandomAffine, RandomFlip, RandomJointDropout,
                      SelectPersons)
from .temporal import RandomTemporalCrop, UniformSampleFrames

__all__ = ['SkeletonTransform', 'mask_missing', 'STREAMS', 'joint_streams', 'FormatStreams',
           'PackSkeletonInputs', 'PoseNormalize', 'RandomAffine', 'RandomFlip',
           'RandomJointDropout', 'SelectPersons', 'RandomTemporalCrop',
           'UniformSampleFrames']
