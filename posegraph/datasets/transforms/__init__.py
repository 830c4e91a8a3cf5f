"""Skeleton and video transforms, registered in ``posegraph.registry.TRANSFORMS``.

A training pipeline usually runs, in this order: :class:`SelectPersons`,
:class:`PoseNormalize`, :class:`RandomTemporalCrop`, :class:`UniformSampleFrames`,
:class:`RandomFlip`, :class:`RandomAffine`, :class:`RandomJointDropout`,
:class:`FormatStreams`, :class:`PackSkeletonInputs`; a test pipeline may add
:class:`AddFlippedClips` after sampling. Video pipelines are described in
:mod:`posegraph.datasets.transforms.video`.
"""
from .base import SkeletonTransform, mask_missing
from posegraph.skeleton.streams import STREAMS, joint_streams, stream_channels
from .formatting import FormatStreams, PackSkeletonInputs
from .spatial import (AddFlippedClips, PoseNormalize, PreNormalize2D, RandomAffine, RandomFlip,
                      RandomJitter, RandomJointDropout, SelectPersons, StreamingPoseNormalize)
from .temporal import PoseDecode, RandomTemporalCrop, UniformSampleFrames
from .video import (CropFrames, DecodeVideo, FlipFrames, LoadFlowStack, PackVideoInputs,
                    ResizeFrames, SampleVideoFrames, ShuffleFrames)

__all__ = ['SkeletonTransform', 'mask_missing', 'STREAMS', 'joint_streams', 'stream_channels',
           'FormatStreams', 'PackSkeletonInputs', 'AddFlippedClips', 'PoseNormalize',
           'PreNormalize2D', 'StreamingPoseNormalize', 'PoseDecode', 'RandomJitter',
           'RandomAffine', 'RandomFlip', 'RandomJointDropout', 'SelectPersons',
           'RandomTemporalCrop', 'UniformSampleFrames', 'CropFrames', 'DecodeVideo', 'FlipFrames',
           'LoadFlowStack', 'PackVideoInputs', 'ResizeFrames', 'SampleVideoFrames', 'ShuffleFrames']
