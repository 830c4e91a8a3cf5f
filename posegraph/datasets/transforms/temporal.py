"""Choosing which frames of a clip the model sees."""
from typing import Sequence

import numpy as np

from posegraph.registry import TRANSFORMS
from .base import BaseTransform


@TRANSFORMS.register_module()
class RandomTemporalCrop(BaseTransform):
    """Keep a random window of the clip, ``ratio`` of its frames long (training only).

    Args:
        ratio: ``(low, high)`` bounds of the kept fraction, drawn uniformly.
            (default: ``(0.8, 1.0)``)
    """

    def __init__(self, ratio: Sequence[float] = (0.8, 1.0)):
        low, high = ratio
        if not 0 < low <= high <= 1:
            raise ValueError(f'ratio must satisfy 0 < low <= high <= 1, got {ratio}')
        self.ratio = (low, high)

    def transform(self, results: dict) -> dict:
        num_frames = results['keypoint'].shape[1]
        length = max(1, int(round(num_frames * np.random.uniform(*self.ratio))))
        start = np.random.randint(0, num_frames - length + 1)
        for key in ('keypoint', 'keypoint_score'):
            results[key] = results[key][:, start:start + length]
        results['total_frames'] = length
        return results


@TRANSFORMS.register_module()
class UniformSampleFrames(BaseTransform):
    """Resample a clip to ``clip_len`` frames, one from each of ``clip_len`` equal segments.

    While training, the frame is drawn at random inside its segment, so a clip is seen at
    varying offsets and speeds; a clip shorter than ``clip_len`` repeats frames. In test
    mode the positions are fixed: clip ``k`` of ``num_clips`` takes the point
    ``(k + 0.5) / num_clips`` of each segment, and the model averages the clips' scores.

    With ``interpolate=True`` the same points are taken between frames: the joints are
    interpolated linearly from the two frames around each point (DD-Net resamples too,
    by a cubic spline), so a short or cropped clip stretched to ``clip_len`` moves smoothly
    instead of holding repeated frames, whose motion is zero then doubled. Where either of
    the two frames lacks a joint (score 0), the nearer frame's joint is taken as it is.

    Args:
        clip_len: frames per clip.
        num_clips: clips per video, one after the other. (default: ``1``)
        test_mode: fixed positions (else random inside each segment). (default: ``False``)
        interpolate: interpolate between frames (else take whole frames).
            (default: ``False``)

    Writes ``keypoint`` ``(M, num_clips * clip_len, V, 2)``, the matching
    ``keypoint_score``, ``frame_inds`` (the nearest frames), ``clip_len`` and ``num_clips``.
    """

    def __init__(self, clip_len: int, num_clips: int = 1, test_mode: bool = False,
                 interpolate: bool = False):
        if clip_len < 1 or num_clips < 1:
            raise ValueError('clip_len and num_clips must be positive')
        self.clip_len = clip_len
        self.num_clips = num_clips
        self.test_mode = test_mode
        self.interpolate = interpolate

    def positions(self, num_frames: int) -> np.ndarray:
        """Points in ``[0, num_frames)`` to sample, shape ``(num_clips * clip_len,)``:
        frame ``i`` spans ``[i, i + 1)``."""
        if num_frames < 1:
            raise ValueError('cannot sample frames from an empty clip')
        # np.linspace(0, num_frames, clip_len + 1) as np.linspace computes it, bit for bit,
        # without its checks: 11 against 16 us a call.
        bounds = np.arange(self.clip_len + 1) * (num_frames / self.clip_len)
        bounds[-1] = num_frames
        starts, widths = bounds[:-1], np.diff(bounds)
        if self.test_mode:
            where = (np.arange(self.num_clips) + 0.5) / self.num_clips
        else:
            where = np.random.rand(self.num_clips, self.clip_len)
        return (starts + np.reshape(where, (self.num_clips, -1)) * widths).reshape(-1)

    def frame_indices(self, num_frames: int) -> np.ndarray:
        """Indices into ``num_frames`` frames, shape ``(num_clips * clip_len,)``."""
        return np.minimum(self.positions(num_frames).astype(np.int64), num_frames - 1)

    def transform(self, results: dict) -> dict:
        num_frames = results['keypoint'].shape[1]
        if not self.interpolate:
            inds = self.frame_indices(num_frames)
            results['keypoint'] = results['keypoint'][:, inds]
            results['keypoint_score'] = results['keypoint_score'][:, inds]
        else:
            # Frame centres sit at i + 0.5: interpolate between the two around each point.
            centre = np.clip(self.positions(num_frames) - 0.5, 0, num_frames - 1)
            before = np.floor(centre).astype(np.int64)
            after = np.minimum(before + 1, num_frames - 1)
            weight = (centre - before)[None, :, None]
            inds = np.where(weight[0, :, 0] < 0.5, before, after)
            keypoint, score = results['keypoint'], results['keypoint_score']
            both = (score[:, before] > 0) & (score[:, after] > 0)
            mixed = (1 - weight[..., None]) * keypoint[:, before] \
                + weight[..., None] * keypoint[:, after]
            mixed_score = (1 - weight) * score[:, before] + weight * score[:, after]
            results['keypoint'] = np.where(both[..., None], mixed,
                                           keypoint[:, inds]).astype(keypoint.dtype)
            results['keypoint_score'] = np.where(both, mixed_score,
                                                 score[:, inds]).astype(score.dtype)
        results.update(frame_inds=inds, clip_len=self.clip_len, num_clips=self.num_clips)
        return results


@TRANSFORMS.register_module()
class PoseDecode(BaseTransform):
    """MMAction2's step that gathers the sampled frames, accepted for its configs.

    In MMAction2, ``UniformSampleFrames`` only chooses ``frame_inds`` and ``PoseDecode``
    then takes those frames (all of them when none were chosen). posegraph's
    :class:`UniformSampleFrames` takes the frames itself, so after it, as without it,
    the clip already holds exactly the frames MMAction2's pair would give: this step
    checks that and passes the clip on.
    """

    def transform(self, results: dict) -> dict:
        inds = results.get('frame_inds')
        if inds is not None and len(inds) != results['keypoint'].shape[1]:
            raise ValueError(f"PoseDecode: frame_inds lists {len(inds)} frames but the clip "
                             f"holds {results['keypoint'].shape[1]}: put it right after "
                             'UniformSampleFrames')
        return results
