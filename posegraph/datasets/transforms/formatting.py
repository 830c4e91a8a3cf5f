"""Turning joint coordinates into the model's input streams and packing them."""
import numpy as np
import torch

from posegraph.registry import TRANSFORMS
from posegraph.skeleton import get_layout
from posegraph.structures import ActionDataSample
from .base import SkeletonTransform, mask_missing

STREAMS = ('joint', 'bone', 'joint_motion', 'bone_motion', 'distance')


def stream_channels(streams, num_joints):
    """Channels the streams take: 2 per coordinate stream, ``V`` for ``distance``."""
    return sum(num_joints if name == 'distance' else 2 for name in streams)


def joint_streams(keypoint, visible, layout, streams):
    """Feature streams of joint coordinates.

    Args:
        keypoint: coordinates ``(..., T, V, 2)``.
        visible: boolean mask ``(..., T, V)``.
        layout: the skeleton layout whose bones define the bone stream.
        streams: names from :data:`STREAMS`.

    Returns:
        ``(..., T, V, stream_channels(streams, V))`` float32. A bone is
        ``x[child] - x[parent]`` (zero at the root); motion at frame ``t`` is
        ``x[t + 1] - x[t]`` (zero at the last frame); ``distance`` gives each joint its
        distances to all ``V`` joints of the frame (the joint collection distances of
        DD-Net, one row per joint). Any value that involves a missing joint is 0.
    """
    parents = get_layout(layout).parents
    has_parent = parents >= 0
    parent_index = np.where(has_parent, parents, np.arange(len(parents)))
    bone = keypoint - keypoint[..., parent_index, :]
    bone_visible = visible & visible[..., parent_index] & has_parent

    def motion(x, vis):
        out = np.zeros_like(x)
        out[..., :-1, :, :] = x[..., 1:, :, :] - x[..., :-1, :, :]
        ok = np.zeros_like(vis)
        ok[..., :-1, :] = vis[..., 1:, :] & vis[..., :-1, :]
        return out, ok

    computed = {'joint': (keypoint, visible), 'bone': (bone, bone_visible)}
    computed['joint_motion'] = motion(keypoint, visible)
    computed['bone_motion'] = motion(bone, bone_visible)
    pair_visible = visible[..., :, None] & visible[..., None, :]
    distance = np.linalg.norm(keypoint[..., :, None, :] - keypoint[..., None, :, :], axis=-1)
    computed['distance'] = (np.where(pair_visible, distance, 0), visible)
    features = []
    for name in streams:
        if name not in computed:
            raise ValueError(f'unknown stream {name!r}; streams are {", ".join(STREAMS)}')
        values, ok = computed[name]
        features.append(np.where(ok[..., None], values, 0))
    return np.concatenate(features, axis=-1).astype(np.float32)


@TRANSFORMS.register_module()
class FormatStreams(SkeletonTransform):
    """Build the input array ``(K, M, T, V, C)`` from the sampled clip.

    ``K`` is the number of clips :class:`UniformSampleFrames` drew and ``T`` its
    ``clip_len``. The channels are the chosen streams (two coordinates each, ``V``
    distances for ``distance``; see :func:`stream_channels`) followed by the joint
    confidence, and a confidence of 0 marks a missing joint (whose other channels are 0).
    """

    def __init__(self, layout, streams=('joint',)):
        self.layout = get_layout(layout).name
        self.streams = tuple(streams)
        unknown = set(self.streams) - set(STREAMS)
        if unknown or not self.streams:
            raise ValueError(f'streams must be a non-empty choice of {", ".join(STREAMS)}, '
                             f'got {streams}')

    def transform(self, results):
        keypoint, score = mask_missing(results['keypoint'], results['keypoint_score'])
        num_clips = results.get('num_clips', 1)
        num_person, frames, num_joints, _ = keypoint.shape
        clip_len = results.get('clip_len', frames // num_clips)
        if num_clips * clip_len != frames:
            raise ValueError(f'{frames} frames do not split into {num_clips} clips '
                             f'of {clip_len}')
        keypoint = keypoint.reshape(num_person, num_clips, clip_len, num_joints, 2)
        score = score.reshape(num_person, num_clips, clip_len, num_joints)
        keypoint, score = keypoint.swapaxes(0, 1), score.swapaxes(0, 1)
        features = joint_streams(keypoint, score > 0, self.layout, self.streams)
        results['inputs'] = np.concatenate([features, score[..., None]], axis=-1)
        return results


@TRANSFORMS.register_module()
class PackSkeletonInputs(SkeletonTransform):
    """Pack ``inputs`` as a tensor and the label and meta data as an :class:`ActionDataSample`."""

    def __init__(self, meta_keys=('frame_dir', 'total_frames', 'img_shape', 'num_clips',
                                  'sample_idx')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results):
        return pack_sample(np.ascontiguousarray(results['inputs']), results, self.meta_keys)


def pack_sample(inputs, results, meta_keys):
    """``{'inputs': tensor, 'data_samples': ActionDataSample}`` with the label (if any) and
    the ``meta_keys`` present in ``results``."""
    sample = ActionDataSample(metainfo={key: results[key] for key in meta_keys
                                        if key in results})
    if 'label' in results:
        sample.set_gt_label(results['label'])
    return {'inputs': torch.from_numpy(inputs), 'data_samples': sample}
