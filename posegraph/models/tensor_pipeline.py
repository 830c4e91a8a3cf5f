r"""A skeleton model's test pipeline as tensor operations: raw keypoints in, the network's
input out, so that a whole video goes through one graph (one ONNX call with
:func:`posegraph.export.export_keypoints_onnx`)."""
from typing import Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.skeleton import STREAMS, get_layout
from posegraph.skeleton.layout import LayoutLike
from posegraph.skeleton.streams import motion_step

#: What each transform of a test pipeline may set to be run as tensors (the rest
#: must keep their defaults).
SUPPORTED = {
    'SelectPersons': {'num_person'},
    'PoseNormalize': {'layout', 'center', 'scale'},
    'UniformSampleFrames': {'clip_len', 'num_clips', 'test_mode', 'interpolate'},
    'FormatStreams': {'layout', 'streams'},
    'PackSkeletonInputs': {'meta_keys'},
}
TENSOR_STREAMS = tuple(name for name in STREAMS if name != 'distance_z')


class TensorTestPipeline(nn.Module):
    r""":class:`~posegraph.datasets.transforms.SelectPersons`,
    :class:`~posegraph.datasets.transforms.PoseNormalize` (``center='clip'``,
    ``scale='body'``), :class:`~posegraph.datasets.transforms.UniformSampleFrames` in test
    mode and :class:`~posegraph.datasets.transforms.FormatStreams` on one video, as tensor
    operations: the same numbers as the numpy transforms (to float rounding), in a graph
    that exports to ONNX with the video's persons and frames dynamic.

    Persons are ordered by their total joint confidence, most confident first, ties in
    input order, and cut or padded (with missing persons) to ``num_person``; the first
    is the reference whose clip-mean body centre and median body size (the larger side
    of its joints' bounding box) normalise all of them. Clip :math:`k` of ``num_clips``
    samples frame segment :math:`i` of ``clip_len`` at the point
    :math:`(i + (k + \tfrac12) / K) \cdot T_{raw} / T`, interpolating between the two
    frames around it if ``interpolate`` (where both see the joint). The streams then
    follow :func:`~posegraph.skeleton.format_streams`.

    Args:
        layout: the skeleton layout of the keypoints.
        clip_len: frames :math:`T` of each clip.
        streams: the input streams, in ``FormatStreams``' order (any of
            :data:`TENSOR_STREAMS`).
        num_person: persons :math:`M` kept. (default: ``1``)
        num_clips: clips :math:`K` a video is scored by. (default: ``1``)
        interpolate: sample between frames (else the frame each point falls in).
            (default: ``False``)

    Shapes:
        - input: ``keypoint`` :math:`(M_{raw}, T_{raw}, V, 2)`, ``keypoint_score``
          :math:`(M_{raw}, T_{raw}, V)`, :math:`M_{raw} \geq 1`; a joint with score 0 or a
          coordinate that is not finite is missing, as
          :class:`~posegraph.datasets.PoseDataset` loads it
        - output: :math:`(K, M, T, V, C)`, the ``inputs`` the numpy pipeline packs
    """

    def __init__(self, layout: LayoutLike, clip_len: int, streams: Sequence[str],
                 num_person: int = 1, num_clips: int = 1, interpolate: bool = False):
        super().__init__()
        layout = get_layout(layout)
        if not streams or any(name not in TENSOR_STREAMS for name in streams):
            raise ValueError(f'TensorTestPipeline: streams must be a non-empty choice of '
                             f'{", ".join(TENSOR_STREAMS)}, got {list(streams)}')
        if min(clip_len, num_person, num_clips) < 1:
            raise ValueError('TensorTestPipeline: clip_len, num_person and num_clips must be '
                             f'positive, got {clip_len}, {num_person}, {num_clips}')
        self.layout = layout.name
        self.streams = tuple(streams)
        self.clip_len, self.num_person, self.num_clips = clip_len, num_person, num_clips
        self.interpolate = interpolate
        parents = torch.from_numpy(layout.parents)
        self.register_buffer('parent_index', torch.where(
            parents >= 0, parents, torch.arange(len(parents))), persistent=False)
        self.register_buffer('has_parent', (parents >= 0)[:, None], persistent=False)
        self.register_buffer('centre_joints', torch.tensor(layout.center), persistent=False)

    @classmethod
    def from_transforms(cls, pipeline: Sequence[dict]) -> 'TensorTestPipeline':
        """The tensor form of a config's ``test_pipeline`` (a list of transform dicts);
        a transform or setting it cannot run raises ``ValueError`` naming it."""
        settings = {}
        for transform in pipeline:
            kind = transform.get('type')
            extra = set(transform) - {'type'} - SUPPORTED.get(kind, set())
            if kind not in SUPPORTED or extra:
                raise ValueError(
                    f'TensorTestPipeline runs {", ".join(SUPPORTED)} on their own; the test '
                    f'pipeline has {kind}' + (f' with {sorted(extra)}' if extra else ''))
            settings[kind] = transform
        missing = [kind for kind in SUPPORTED if kind != 'PackSkeletonInputs'
                   and kind not in settings]
        if missing:
            raise ValueError(f'TensorTestPipeline needs {", ".join(missing)} in the test '
                             'pipeline')
        normalize, sample = settings['PoseNormalize'], settings['UniformSampleFrames']
        if normalize.get('center', 'clip') != 'clip' or normalize.get('scale', 'body') != 'body':
            raise ValueError("TensorTestPipeline normalises with center='clip' and "
                             f"scale='body', the test pipeline asks {normalize}")
        if not sample.get('test_mode', False):
            raise ValueError('TensorTestPipeline samples frames as the test mode does; the '
                             'test pipeline has UniformSampleFrames without test_mode=True')
        return cls(settings['FormatStreams']['layout'], sample['clip_len'],
                   settings['FormatStreams'].get('streams', ('joint',)),
                   num_person=settings['SelectPersons'].get('num_person', 1),
                   num_clips=sample.get('num_clips', 1),
                   interpolate=sample.get('interpolate', False))

    def forward(self, keypoint: Tensor, keypoint_score: Tensor) -> Tensor:
        # Coordinates and score travel as one (M, T, V, 3) tensor, so that each person
        # or frame selection is one gather. Missing joints (score 0, or a coordinate
        # that is not finite: x - x is then NaN) are zeroed first, as PoseDataset loads
        # them (posegraph.skeleton.mask_missing).
        joints = torch.cat([keypoint, keypoint_score[..., None]], -1)
        visible = ((joints - joints) == 0).all(-1) & (keypoint_score > 0)
        joints = self.select_persons(torch.where(visible[..., None], joints, 0.0))
        joints = self.normalize(joints)
        return self.format(self.sample(joints))

    def select_persons(self, joints: Tensor) -> Tensor:
        """The ``num_person`` most confident persons, padded with missing ones."""
        total = joints[..., 2].sum((1, 2))
        if self.num_person == 1:
            # The first of equal maxima, in torch and ONNX; a video has one person or more.
            return joints.index_select(0, total.argmax()[None])
        # Places in a stable descending sort (which ONNX lacks): the persons ahead of
        # each, counted pair by pair.
        index = torch.arange(total.shape[0], device=total.device)
        ahead = (total[None, :] > total[:, None]) | (
            (total[None, :] == total[:, None]) & (index[None, :] < index[:, None]))
        joints = joints.index_select(0, torch.argsort(ahead.sum(1)))
        # Missing persons appended, then a cut: no branch on the number of persons.
        return torch.cat([joints, joints.new_zeros((self.num_person,) + joints.shape[1:])]
                         )[:self.num_person]

    def normalize(self, joints: Tensor) -> Tensor:
        """Centre and scale every person's coordinates by the first person's."""
        keypoint, visible = joints[..., :2], joints[..., 2:] > 0
        ref, ref_visible = keypoint[0], visible[0]
        weight = ref_visible.to(joints.dtype)
        count = weight.sum(1)
        on_centre = ref_visible.index_select(1, self.centre_joints).all(1)
        centres = torch.where(on_centre,
                              ref.index_select(1, self.centre_joints).mean(1),
                              (ref * weight).sum(1) / count.clamp(min=1))
        has_centre = (count > 0).to(joints.dtype)
        offset = (centres * has_centre).sum(0) / has_centre.sum().clamp(min=1)
        # Missing joints pushed out of the bounding box by a constant (exact for the
        # frames with two joints or more, the only ones that count): onnxruntime
        # multiplies and adds several times faster than it selects.
        far = (1 - weight) * 1e30
        lo = (ref + far).amin(1)
        hi = (ref - far).amax(1)
        valid = count[:, 0] >= 2
        # The median of the valid frames' sizes (np.median: the two middle ones averaged),
        # the others sorted past them.
        sizes = torch.sort(torch.where(valid, (hi - lo).amax(1), torch.inf)).values
        num_valid = valid.sum()
        middle = torch.div(torch.stack([num_valid - 1, num_valid]), 2, rounding_mode='trunc')
        median = sizes[middle.clamp(min=0)].mean()
        size = torch.where((num_valid > 0) & (median > 1e-6), median, 1.0)
        normalized = (keypoint - offset) / size * visible.to(joints.dtype)
        return torch.cat([normalized, joints[..., 2:]], -1)

    def sample(self, joints: Tensor) -> Tensor:
        """``num_clips * clip_len`` frames at the test mode's fixed points."""
        # In float64 and in numpy's order of operations, so that a point on a frame
        # boundary falls on the same side as in UniformSampleFrames.
        frames = torch.full((), joints.shape[1], dtype=torch.float64, device=joints.device)
        bounds = torch.arange(self.clip_len + 1, dtype=torch.float64,
                              device=joints.device) * (frames / self.clip_len)
        where = (torch.arange(self.num_clips, dtype=torch.float64, device=joints.device)
                 + 0.5) / self.num_clips
        points = (bounds[:-1] + where[:, None] * (bounds[1:] - bounds[:-1])).reshape(-1)
        if not self.interpolate:
            return joints.index_select(1, torch.minimum(points.long(), frames.long() - 1))
        centre = torch.minimum((points - 0.5).clamp(min=0), frames - 1)
        before = centre.floor()
        after = torch.minimum(before + 1, frames - 1)
        weight = (centre - before).to(joints.dtype)[None, :, None, None]
        before = joints.index_select(1, before.long())
        after = joints.index_select(1, after.long())
        # Where both frames see a joint, the mix; elsewhere the nearer frame (weight 0 or
        # 1, which mixes to that frame's values exactly).
        both = (before[..., 2:] > 0) & (after[..., 2:] > 0)
        weight = torch.where(both, weight, (weight >= 0.5).to(joints.dtype))
        return (1 - weight) * before + weight * after

    def format(self, joints: Tensor) -> Tensor:
        """The streams and the confidence, ``(K, M, T, V, C)``; missing joints 0."""
        shape = (self.num_person, self.num_clips, self.clip_len) + joints.shape[2:]
        joints = self._clips_first(joints.reshape(shape))
        keypoint, score = joints[..., :2], joints[..., 2:]
        visible = score > 0
        sources = {'joint': (keypoint, visible)}
        if any(name.startswith('bone') for name in self.streams):
            sources['bone'] = (
                keypoint - keypoint.index_select(-2, self.parent_index),
                visible & visible.index_select(-2, self.parent_index) & self.has_parent)
        channels = []
        for name in self.streams:
            if name == 'distance':
                # Coordinate by coordinate, as numpy: no reduction over a 2-long axis.
                squares = 0
                for c in range(keypoint.shape[-1]):
                    difference = keypoint[..., c:c + 1] - keypoint[..., c].unsqueeze(-2)
                    squares = squares + difference * difference
                pair = visible & visible[..., 0].unsqueeze(-2)
                channels.append(squares.sqrt() * pair.to(keypoint.dtype))
            elif '_motion' in name:
                x, ok = sources[name.split('_motion')[0]]
                k = min(motion_step(name), self.clip_len)
                motion = (x[:, :, k:] - x[:, :, :-k]) * (ok[:, :, k:] & ok[:, :, :-k]).to(x.dtype)
                channels.append(F.pad(motion, (0, 0, 0, 0, 0, k)))  # the last k frames 0
            else:
                x, ok = sources[name]
                channels.append(x * ok.to(x.dtype))
        return torch.cat(channels + [score], -1)

    def _clips_first(self, x: Tensor) -> Tensor:
        """``(M, K, ...)`` to ``(K, M, ...)``; a reshape where either is 1, so that the
        exported graph holds no transpose then."""
        if 1 in (self.num_person, self.num_clips):
            return x.reshape((self.num_clips, self.num_person) + x.shape[2:])
        return x.transpose(0, 1)

    def __repr__(self):
        return (f'{type(self).__name__}(layout={self.layout!r}, clip_len={self.clip_len}, '
                f'streams={list(self.streams)}, num_person={self.num_person}, '
                f'num_clips={self.num_clips}, interpolate={self.interpolate})')
