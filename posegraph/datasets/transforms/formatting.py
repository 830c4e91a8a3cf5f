"""Turning joint coordinates into the model's input streams and packing them."""
from typing import Dict, Sequence

import numpy as np
import torch

from posegraph.registry import TRANSFORMS
from posegraph.skeleton import STREAMS, LayoutLike, format_streams, get_layout
from posegraph.structures import ActionDataSample
from .base import BaseTransform


@TRANSFORMS.register_module()
class FormatStreams(BaseTransform):
    """Build the input array ``(K, M, T, V, C)`` from the sampled clip.

    ``K`` is the number of clips :class:`UniformSampleFrames` drew and ``T`` its
    ``clip_len``. The channels are the chosen streams (2 or 3 coordinates each, ``V``
    distances for ``distance``; see :func:`~posegraph.skeleton.streams.stream_channels`)
    followed by the joint confidence, and a confidence of 0 marks a missing joint (whose
    other channels are 0).
    """

    def __init__(self, layout: LayoutLike, streams: Sequence[str] = ('joint',)):
        self.layout = get_layout(layout).name
        self.streams = tuple(streams)
        unknown = set(self.streams) - set(STREAMS)
        if unknown or not self.streams:
            raise ValueError(f'streams must be a non-empty choice of {", ".join(STREAMS)}, '
                             f'got {streams}')

    def transform(self, results: dict) -> dict:
        keypoint, score = results['keypoint'], results['keypoint_score']
        num_clips = results.get('num_clips', 1)
        num_person, frames, num_joints, coords = keypoint.shape
        clip_len = results.get('clip_len', frames // num_clips)
        if num_clips * clip_len != frames:
            raise ValueError(f'{frames} frames do not split into {num_clips} clips '
                             f'of {clip_len}')
        keypoint = keypoint.reshape(num_person, num_clips, clip_len, num_joints, coords)
        score = score.reshape(num_person, num_clips, clip_len, num_joints)
        results['inputs'] = format_streams(keypoint.swapaxes(0, 1), score.swapaxes(0, 1),
                                           self.layout, self.streams)
        return results


@TRANSFORMS.register_module()
class PackSkeletonInputs(BaseTransform):
    """Pack ``inputs`` as a tensor and the label and meta data as an :class:`ActionDataSample`."""

    def __init__(self, meta_keys: Sequence[str] = ('frame_dir', 'total_frames', 'img_shape',
                                                   'num_clips', 'sample_idx')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        return pack_sample(np.ascontiguousarray(results['inputs']), results, self.meta_keys)


def pack_sample(inputs: np.ndarray, results: dict, meta_keys: Sequence[str]
                ) -> Dict[str, object]:
    """``{'inputs': tensor, 'data_samples': ActionDataSample}`` with the label (if any) and
    the ``meta_keys`` present in ``results``."""
    sample = ActionDataSample(metainfo={key: results[key] for key in meta_keys
                                        if key in results})
    if 'label' in results:
        sample.set_gt_label(results['label'])
    return {'inputs': torch.from_numpy(inputs), 'data_samples': sample}
