"""Person selection, normalisation and spatial augmentation of joint coordinates."""
from typing import Sequence

import numpy as np

from posegraph.registry import TRANSFORMS
from posegraph.skeleton import LayoutLike, frame_centres, frame_sizes, get_layout
from posegraph.skeleton.normalize import median, positive_size
from .base import BaseTransform


@TRANSFORMS.register_module()
class SelectPersons(BaseTransform):
    """Keep the ``num_person`` persons with the highest total joint confidence.

    Persons are ordered by that total, most confident first; clips with fewer persons
    are padded with missing ones (coordinates and scores 0).
    """

    def __init__(self, num_person: int = 1):
        if num_person < 1:
            raise ValueError(f'num_person must be positive, got {num_person}')
        self.num_person = num_person

    def transform(self, results: dict) -> dict:
        keypoint, score = results['keypoint'], results['keypoint_score']
        order = np.argsort(-score.sum(axis=(1, 2)), kind='stable')[:self.num_person]
        keypoint, score = keypoint[order], score[order]
        pad = self.num_person - len(order)
        if pad:
            keypoint = np.concatenate([keypoint, np.zeros((pad,) + keypoint.shape[1:],
                                                          keypoint.dtype)])
            score = np.concatenate([score, np.zeros((pad,) + score.shape[1:], score.dtype)])
        results['keypoint'], results['keypoint_score'] = keypoint, score
        return results


@TRANSFORMS.register_module()
class PoseNormalize(BaseTransform):
    """Centre and scale joint coordinates, taking the most confident person as reference.

    Args:
        layout: the skeleton layout; its ``center`` joints define the body centre.
        center: ``'clip'`` subtracts the reference's centre averaged over the clip (motion
            across the frame, as in walking or jumping, is kept); ``'frame'`` subtracts it
            in every frame; ``'image'`` subtracts the image centre. (default: ``'clip'``)
        scale: ``'body'`` divides by the reference's body size (the median over frames of
            the larger side of its joints' bounding box), ``'image'`` by half the longer
            image side. (default: ``'body'``)

    All persons move by the same offset and scale, so their relative placement survives.
    A clip with no visible joint is left at zero, which is its defined, missing, value.
    """

    def __init__(self, layout: LayoutLike, center: str = 'clip', scale: str = 'body'):
        if center not in ('clip', 'frame', 'image'):
            raise ValueError(f"center must be 'clip', 'frame' or 'image', got {center!r}")
        if scale not in ('body', 'image'):
            raise ValueError(f"scale must be 'body' or 'image', got {scale!r}")
        self.layout = get_layout(layout).name
        self.center = center
        self.scale = scale

    def transform(self, results: dict) -> dict:
        keypoint, score = results['keypoint'], results['keypoint_score']
        if keypoint.shape[-1] != 2 and 'image' in (self.center, self.scale):
            raise ValueError("PoseNormalize: center or scale 'image' needs 2D pixel "
                             f"coordinates, the clip has {keypoint.shape[-1]} per joint")
        visible = score > 0
        ref = int(np.argmax(score.sum(axis=(1, 2))))
        height, width = results.get('img_shape', (1, 1))
        centres, has_centre = frame_centres(keypoint[ref], visible[ref], self.layout)
        if self.center == 'image' or not has_centre.any():
            offset = np.array([width / 2, height / 2]) if self.center == 'image' else 0.0
        elif self.center == 'clip':
            offset = centres[has_centre].mean(axis=0)
        else:
            offset = np.where(has_centre[:, None], centres, centres[has_centre].mean(axis=0))
            offset = offset[None, :, None, :]
        if self.scale == 'image':
            size = max(height, width) / 2
        else:
            size = self.body_size(keypoint[ref], visible[ref])
        keypoint = (keypoint - offset) / size
        results['keypoint'] = np.where(visible[..., None], keypoint, 0).astype(np.float32)
        results['body_scale'] = float(size)
        results['normalized'] = True
        return results

    @staticmethod
    def body_size(keypoint: np.ndarray, visible: np.ndarray) -> float:
        """Median over frames of the larger bounding-box side of one person's joints."""
        sizes, valid = frame_sizes(keypoint, visible)
        return positive_size(median(sizes[valid])) if valid.any() else 1.0


@TRANSFORMS.register_module()
class PreNormalize2D(BaseTransform):
    """MMAction2's and PYSKL's normalisation: pixel coordinates to ``[-1, 1]`` of the image.

    ``x' = (x - w / 2) / (w / 2)``, ``y' = (y - h / 2) / (h / 2)``, with ``(h, w)`` the
    clip's ``img_shape`` (else ``img_shape`` given here), so configs written for MMAction2
    keep their meaning. Missing joints stay at 0. :class:`PoseNormalize` (body-centred,
    scaled by body size) is the normalisation posegraph's configs use.

    Args:
        img_shape: ``(h, w)`` for clips that do not say theirs (default ``(1080, 1920)``).
    """

    def __init__(self, img_shape: Sequence[int] = (1080, 1920)):
        self.img_shape = tuple(img_shape)

    def transform(self, results: dict) -> dict:
        height, width = results.get('img_shape', self.img_shape)
        half = np.array([width / 2, height / 2], np.float32)
        visible = results['keypoint_score'] > 0
        keypoint = (results['keypoint'] - half) / half
        results['keypoint'] = np.where(visible[..., None], keypoint, 0).astype(np.float32)
        results['normalized'] = True
        return results


@TRANSFORMS.register_module()
class RandomFlip(BaseTransform):
    """Mirror the clip horizontally with probability ``prob``, swapping left and right.

    Normalised coordinates mirror about ``x = 0``, pixel coordinates about the image's
    vertical centre line.
    """

    def __init__(self, layout: LayoutLike, prob: float = 0.5):
        self.layout = get_layout(layout).name
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        flip_index = get_layout(self.layout).flip_index
        keypoint = results['keypoint'][..., flip_index, :].copy()
        score = results['keypoint_score'][..., flip_index]
        axis = 0.0 if results.get('normalized') else (results['img_shape'][1] - 1)
        keypoint[..., 0] = np.where(score > 0, axis - keypoint[..., 0], 0)
        results['keypoint'], results['keypoint_score'] = keypoint, score
        results['flipped'] = not results.get('flipped', False)
        return results


@TRANSFORMS.register_module()
class AddFlippedClips(BaseTransform):
    """Test-time augmentation: append a mirrored copy of every sampled clip.

    Put it after :class:`UniformSampleFrames`: the ``num_clips`` clips become
    ``2 * num_clips`` (the originals, then their mirror images), whose scores the model
    averages like any other test clips.
    """

    def __init__(self, layout: LayoutLike):
        self.layout = get_layout(layout).name
        self._mirror = RandomFlip(self.layout, prob=1.0)

    def transform(self, results: dict) -> dict:
        mirrored = self._mirror(dict(results))
        for key in ('keypoint', 'keypoint_score'):
            results[key] = np.concatenate([results[key], mirrored[key]], axis=1)
        results['num_clips'] = 2 * results.get('num_clips', 1)
        return results


@TRANSFORMS.register_module()
class RandomAffine(BaseTransform):
    """Rotate, scale and shear normalised coordinates about the origin.

    One transform is drawn per clip: an angle uniform in ``[-rotate, rotate]`` degrees,
    a scale uniform in ``scale``, horizontal and vertical shears uniform in
    ``[-shear, shear]``. Put it after :class:`PoseNormalize`. 3D joints turn about the
    depth axis (the image plane's rotation) and scale in all three axes.
    """

    def __init__(self, rotate: float = 10.0, scale: Sequence[float] = (0.9, 1.1),
                 shear: float = 0.1):
        self.rotate = rotate
        self.scale = tuple(scale)
        self.shear = shear

    def matrix(self) -> np.ndarray:
        """Draw one 2x2 transform: scale @ shear @ rotation."""
        angle = np.deg2rad(np.random.uniform(-self.rotate, self.rotate))
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        shx, shy = np.random.uniform(-self.shear, self.shear, size=2)
        shear = np.array([[1.0, shx], [shy, 1.0]])
        return np.random.uniform(*self.scale) * shear @ rotation

    def transform(self, results: dict) -> dict:
        if not results.get('normalized'):
            raise ValueError('RandomAffine works on normalised coordinates: '
                             'put PoseNormalize before it in the pipeline')
        coords = results['keypoint'].shape[-1]
        matrix = np.eye(coords)
        planar = self.matrix()
        matrix[:2, :2] = planar
        if coords == 3:   # depth scales like the plane: the scale is the root of |det|
            matrix[2, 2] = np.sqrt(abs(np.linalg.det(planar)))
        keypoint = results['keypoint'] @ matrix.T.astype(np.float32)
        visible = results['keypoint_score'] > 0
        results['keypoint'] = np.where(visible[..., None], keypoint, 0).astype(np.float32)
        return results


@TRANSFORMS.register_module()
class RandomJointDropout(BaseTransform):
    """Mark joints missing at random, as a detector that loses them would.

    Args:
        prob: chance that a joint is dropped. (default: ``0.05``)
        per_frame: drop joints frame by frame (``True``) or a joint for the whole clip.
            (default: ``True``)
    """

    def __init__(self, prob: float = 0.05, per_frame: bool = True):
        self.prob = prob
        self.per_frame = per_frame

    def transform(self, results: dict) -> dict:
        score = results['keypoint_score']
        num_person, num_frames, num_joints = score.shape
        shape = (num_person, num_frames if self.per_frame else 1, num_joints)
        keep = np.random.rand(*shape) >= self.prob
        results['keypoint_score'] = score * keep
        results['keypoint'] = results['keypoint'] * keep[..., None]
        return results


@TRANSFORMS.register_module()
class RandomJitter(BaseTransform):
    """Move every visible joint by Gaussian noise, as a pose estimator's error would.

    Args:
        sigma: standard deviation in normalised units (body sizes after
            :class:`PoseNormalize`; default 0.02).
        prob: chance that a clip is jittered at all (default 1.0).
    """

    def __init__(self, sigma: float = 0.02, prob: float = 1.0):
        self.sigma = sigma
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if not results.get('normalized'):
            raise ValueError('RandomJitter works on normalised coordinates: '
                             'put PoseNormalize before it in the pipeline')
        if np.random.rand() >= self.prob:
            return results
        keypoint = results['keypoint']
        noise = np.random.normal(0, self.sigma, keypoint.shape).astype(np.float32)
        visible = results['keypoint_score'] > 0
        results['keypoint'] = np.where(visible[..., None], keypoint + noise, 0)
        return results
