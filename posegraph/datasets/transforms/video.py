"""Video transforms: decoding, frame sampling, optical-flow stacks, cropping, packing.

Frames travel as ``imgs``: a ``uint8`` array ``(K, T, H, W, C)`` of ``K`` clips of ``T``
frames once sampled (BGR frames become RGB at decoding; flow channels follow). A video
pipeline runs :class:`DecodeVideo`, :class:`SampleVideoFrames`, optionally
:class:`LoadFlowStack`, then resizing and cropping, :class:`PackVideoInputs`.
"""
from collections import OrderedDict
from typing import Sequence, Union

import cv2
import numpy as np

from posegraph.io.video import read_video
from posegraph.registry import TRANSFORMS
from ..flow import flow_path, load_flow
from .base import BaseTransform
from .formatting import pack_sample


@TRANSFORMS.register_module()
class DecodeVideo(BaseTransform):
    """Decode ``filename`` (a video or a folder of frames) into ``video`` ``(F, H, W, 3)``
    RGB and set ``total_frames``.

    Args:
        cache_mb: keep up to this many megabytes of decoded videos in memory (per data
            loader worker), so small sets decode once; 0 disables the cache. (default: ``0``)

    An unreadable video raises :class:`~posegraph.io.video.VideoReadError`
    naming it.
    """

    def __init__(self, cache_mb: float = 0):
        self.cache_mb = cache_mb
        self._cache, self._cached_bytes = OrderedDict(), 0

    def _decode(self, path):
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        video = np.stack([cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in read_video(path)])
        if self.cache_mb and video.nbytes <= self.cache_mb * 2 ** 20:
            self._cache[path] = video
            self._cached_bytes += video.nbytes
            while self._cached_bytes > self.cache_mb * 2 ** 20:
                self._cached_bytes -= self._cache.popitem(last=False)[1].nbytes
        return video

    def transform(self, results: dict) -> dict:
        results['video'] = self._decode(results['filename'])
        results['total_frames'] = len(results['video'])
        results['img_shape'] = results['video'].shape[1:3]
        return results


@TRANSFORMS.register_module()
class SampleVideoFrames(BaseTransform):
    """Pick ``clip_len`` frames for each of ``num_clips`` clips and gather them into ``imgs``.

    * ``mode='uniform'``: frames at a constant interval. Training draws the interval
      (1 to the largest that fits) and the start at random; testing spreads the clip over
      the whole video, later clips shifted by a fraction of the interval.
    * ``mode='segments'`` (TSN): the video cut into ``clip_len`` equal segments, one frame
      from each: a random one when training, the centre (shifted per clip) when testing.

    Videos shorter than the clip repeat frames. Sets ``frame_inds`` ``(K, T)``.
    """

    def __init__(self, clip_len: int, num_clips: int = 1, mode: str = 'uniform',
                 test_mode: bool = False):
        if mode not in ('uniform', 'segments'):
            raise ValueError(f"mode must be 'uniform' or 'segments', got {mode!r}")
        self.clip_len, self.num_clips, self.mode, self.test_mode = (clip_len, num_clips, mode,
                                                                     test_mode)

    def _uniform(self, total):
        span = max(self.clip_len - 1, 1)
        if self.test_mode:
            step = (total - 1) / span if self.clip_len > 1 else 0
            shifts = np.arange(self.num_clips) / self.num_clips * min(step, 1.0)
            base = np.arange(self.clip_len) * step
            return np.minimum(np.round(base[None] + shifts[:, None]), total - 1).astype(int)
        inds = []
        for _ in range(self.num_clips):
            interval = np.random.randint(1, max(1, (total - 1) // span) + 1)
            start = np.random.randint(0, max(0, total - 1 - interval * span) + 1)
            inds.append(start + interval * np.arange(self.clip_len))
        return np.minimum(np.stack(inds), total - 1)

    def _segments(self, total):
        edges = np.linspace(0, total, self.clip_len + 1)
        if self.test_mode:
            where = (np.arange(self.num_clips)[:, None] + 0.5) / self.num_clips
        else:
            where = np.random.rand(self.num_clips, self.clip_len)
        inds = edges[:-1] + where * (edges[1:] - edges[:-1])
        return np.minimum(np.floor(inds), total - 1).astype(int)

    def transform(self, results: dict) -> dict:
        total = results['total_frames']
        inds = self._uniform(total) if self.mode == 'uniform' else self._segments(total)
        results['frame_inds'] = inds
        results['imgs'] = results['video'][inds]
        results['num_clips'] = self.num_clips
        return results


@TRANSFORMS.register_module()
class LoadFlowStack(BaseTransform):
    """Append ``2 * length`` optical-flow channels to every sampled frame: the x and y flow
    of the ``length`` frame pairs starting at it (clamped at the video's end).

    The flows come from ``flow_dir`` as written by ``tools/extract_flow.py`` (one
    compressed array per video, quantised to ``uint8`` around 128) and are resized to
    the frames if their size differs.
    """

    def __init__(self, flow_dir: str, length: int = 4):
        self.flow_dir, self.length = flow_dir, length

    def transform(self, results: dict) -> dict:
        flow = load_flow(flow_path(self.flow_dir, results['frame_dir']))['flow']
        frames = results['imgs']
        h, w = frames.shape[2:4]
        if flow.shape[1:3] != (h, w):
            flow = np.stack([cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR) for f in flow])
        inds = results['frame_inds'][..., None] + np.arange(self.length)
        stacks = flow[np.clip(inds, 0, len(flow) - 1)]  # (K, T, L, H, W, 2)
        stacks = stacks.transpose(0, 1, 3, 4, 2, 5).reshape(*frames.shape[:4], 2 * self.length)
        results['imgs'] = np.concatenate([frames, stacks], -1)
        return results


def _resize(imgs, size):
    k, t, _, _, c = imgs.shape
    flat = imgs.reshape(k * t, *imgs.shape[2:])
    out = np.stack([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in flat])
    return out.reshape(k, t, size[1], size[0], c)


@TRANSFORMS.register_module()
class ResizeFrames(BaseTransform):
    """Resize every frame: ``scale`` is the short side (an int, aspect kept) or ``(w, h)``."""

    def __init__(self, scale: Union[int, Sequence[int]]):
        self.scale = scale

    def transform(self, results: dict) -> dict:
        h, w = results['imgs'].shape[2:4]
        if isinstance(self.scale, int):
            ratio = self.scale / min(h, w)
            size = (max(1, round(w * ratio)), max(1, round(h * ratio)))
        else:
            size = tuple(self.scale)
        if size != (w, h):
            results['imgs'] = _resize(results['imgs'], size)
        results['img_shape'] = results['imgs'].shape[2:4]
        return results


@TRANSFORMS.register_module()
class CropFrames(BaseTransform):
    """Crop ``size`` (an int or ``(w, h)``) from every frame of a clip at the same place:
    at random when ``random`` (training), else the centre."""

    def __init__(self, size: Union[int, Sequence[int]], random: bool = False):
        self.size, self.random = size, random

    def transform(self, results: dict) -> dict:
        cw, ch = (self.size, self.size) if isinstance(self.size, int) else self.size
        h, w = results['imgs'].shape[2:4]
        if ch > h or cw > w:
            raise ValueError(f'{results.get("filename")}: cannot crop {cw}x{ch} from '
                             f'{w}x{h} frames (resize first)')
        if self.random:
            y, x = np.random.randint(0, h - ch + 1), np.random.randint(0, w - cw + 1)
        else:
            y, x = (h - ch) // 2, (w - cw) // 2
        results['imgs'] = results['imgs'][:, :, y:y + ch, x:x + cw]
        results['img_shape'] = (ch, cw)
        return results


@TRANSFORMS.register_module()
class FlipFrames(BaseTransform):
    """Mirror clips left-right with probability ``prob``; flow x channels (every other
    channel after the first three) change sign (``255 - v`` around the quantisation's 128).

    Not for sets whose classes tell left from right.
    """

    def __init__(self, prob: float = 0.5):
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if np.random.rand() < self.prob:
            imgs = results['imgs'][:, :, :, ::-1].copy()
            imgs[..., 3::2] = 255 - imgs[..., 3::2]
            results['imgs'] = imgs
        return results


@TRANSFORMS.register_module()
class ShuffleFrames(BaseTransform):
    """Put each clip's frames in a random order: the time-blind ablation.

    Args:
        still_flow: also set every channel after the first three (optical flow) to 128,
            no motion, since flow carries time of its own. (default: ``False``)
    """

    def __init__(self, still_flow: bool = False):
        self.still_flow = still_flow

    def transform(self, results: dict) -> dict:
        imgs = results['imgs']
        order = np.stack([np.random.permutation(imgs.shape[1]) for _ in range(len(imgs))])
        imgs = np.take_along_axis(imgs, order[:, :, None, None, None], 1)
        if self.still_flow:
            imgs[..., 3:] = 128
        results['imgs'] = imgs
        return results


@TRANSFORMS.register_module()
class PackVideoInputs(BaseTransform):
    """Pack ``imgs`` as ``inputs`` ``(K, T, C, H, W)`` ``uint8`` and the label and meta data
    as an :class:`ActionDataSample`."""

    def __init__(self, meta_keys: Sequence[str] = ('frame_dir', 'filename', 'total_frames',
                                                   'img_shape', 'num_clips', 'sample_idx')):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = np.ascontiguousarray(results['imgs'].transpose(0, 1, 4, 2, 3))
        return pack_sample(inputs, results, self.meta_keys)
