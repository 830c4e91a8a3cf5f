"""Skeleton and video transforms, registered in ``posegraph.registry.TRANSFORMS``.

A training pipeline usually runs, in this order: :class:`SelectPersons`,
:class:`PoseNormalize`, :class:`RandomTemporalCrop`, :class:`UniformSampleFrames`,
:class:`RandomFlip`, :class:`RandomAffine`, :class:`RandomJointDropout`,
:class:`FormatStreams`, :class:`PackSkeletonInputs`; a test pipeline may add
:class:`AddFlippedClips` after sampling. Video pipelines are described in
:mod:`posegraph.datasets.transforms.video`.
"""
from posegraph.skeleton import STREAMS, joint_streams, mask_missing, stream_channels
from .base import BaseTransform
from .formatting import FormatStreams, PackSkeletonInputs
from .spatial import (
                      AddFlippedClips,
                      PoseNormalize,
                      PreNormalize2D,
                      RandomAffine,
                      RandomFlip,
                      RandomJitter,
                      RandomJointDropout,
                      SelectPersons,
)
from .temporal import PoseDecode, RandomTemporalCrop, UniformSampleFrames
from .video import (
                      CropFrames,
                      DecodeVideo,
                      FlipFrames,
                      LoadFlowStack,
                      PackVideoInputs,
                      ResizeFrames,
                      SampleVideoFrames,
                      ShuffleFrames,
)

__all__ = ['BaseTransform', 'mask_missing', 'STREAMS', 'joint_streams', 'stream_channels',
           'FormatStreams', 'PackSkeletonInputs', 'AddFlippedClips', 'PoseNormalize',
           'PreNormalize2D', 'PoseDecode', 'RandomJitter',
           'RandomAffine', 'RandomFlip', 'RandomJointDropout', 'SelectPersons',
           'RandomTemporalCrop', 'UniformSampleFrames', 'CropFrames', 'DecodeVideo', 'FlipFrames',
           'LoadFlowStack', 'PackVideoInputs', 'ResizeFrames', 'SampleVideoFrames', 'ShuffleFrames']
