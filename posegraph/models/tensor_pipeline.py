r"""A skeleton model's test pipeline as tensor operations: raw keypoints in, the network's
input out, so that a whole video goes through one graph (one ONNX call with
:func:`posegraph.export.export_keypoints_onnx`)."""
from typing import Optional, Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.skeleton import STREAMS, get_layout
from posegraph.skeleton.layout import LayoutLike
from posegraph.skeleton.streams import motion_step, stream_channel_index

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
        # The distance stream's pairs, channel (other joint) first: (j, i) for j, i < V.
        joints = torch.arange(len(parents))
        self.register_buffer('pair_joint', joints.repeat(len(parents)), persistent=False)
        self.register_buffer('pair_other', joints.repeat_interleave(len(parents)),
                             persistent=False)
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

    def with_channels(self, channels: Sequence[int]) -> Optional['TensorTestPipeline']:
        """This pipeline making only the input ``channels`` (indices into its streams'
        channels, the confidence not among them) in that order, followed by the
        confidence; ``None`` where they are not whole streams. A network that reads a
        subset of the input (an ensemble's student) then takes the pipeline's output as it
        is, with no gather on the channel axis (several percent of a video's time in
        onnxruntime)."""
        num_joints = self.parent_index.shape[0]
        # The streams whose first channel is asked for, kept if they give the channels back.
        first = {stream_channel_index(self.streams, [name], num_joints)[0]: name
                 for name in self.streams}
        streams = [first[c] for c in channels if c in first]
        if not streams or stream_channel_index(self.streams, streams,
                                               num_joints) != list(channels):
            return None
        return type(self)(self.layout, self.clip_len, streams, self.num_person,
                          self.num_clips, self.interpolate)

    def forward(self, keypoint: Tensor, keypoint_score: Tensor) -> Tensor:
        # Coordinates and score travel as one tensor, so that each person or frame
        # selection is one gather, laid out (3, M, V, T), the channels first and the
        # frames last: onnxruntime runs an elementwise operation several times faster
        # when its broadcast operand repeats over long rows (a mask over the channels, a
        # frame weight over the joints) than over rows of 1-15 values. Missing joints
        # (score 0, or a value that is not finite: its x - x is then NaN) are zeroed
        # first, as PoseDataset loads them (posegraph.skeleton.mask_missing).
        joints = torch.cat([keypoint.permute(3, 0, 2, 1), keypoint_score.transpose(1, 2)[None]])
        visible = ((joints - joints).sum(0) == 0) & (joints[2] > 0)
        joints = torch.where(visible, joints, 0.0)
        joints = self.normalize(self.select_persons(joints))
        return self.format(self.sample(joints))

    def select_persons(self, joints: Tensor) -> Tensor:
        """The ``num_person`` most confident persons of ``joints`` :math:`(3, M, V, T)`
        (coordinates and score), padded with missing ones."""
        total = joints[2].sum((1, 2))
        if self.num_person == 1:
            # The first of equal maxima, in torch and ONNX; a video has one person or more.
            return joints.index_select(1, total.argmax()[None])
        # Places in a stable descending sort (which ONNX lacks): the persons ahead of
        # each, counted pair by pair.
        index = torch.arange(total.shape[0], device=total.device)
        ahead = (total[None, :] > total[:, None]) | (
            (total[None, :] == total[:, None]) & (index[None, :] < index[:, None]))
        joints = joints.index_select(1, torch.argsort(ahead.sum(1)))
        # Missing persons appended, then a cut: no branch on the number of persons.
        missing = joints.new_zeros((3, self.num_person) + joints.shape[2:])
        return torch.cat([joints, missing], 1)[:, :self.num_person]

    def normalize(self, joints: Tensor) -> Tensor:
        """Centre and scale every person's coordinates by the first person's,
        :math:`(3, M, V, T)` in and out."""
        keypoint, seen = joints[:2], (joints[2] > 0).to(joints.dtype)
        # Missing joints are zero: sums over joints need no mask, and a frame without
        # joints has centre 0.
        ref, ref_seen = keypoint[:, 0], seen[0]
        count = ref_seen.sum(0)
        on_centre = ref_seen.index_select(0, self.centre_joints).amin(0) > 0
        centres = torch.where(on_centre, ref.index_select(1, self.centre_joints).mean(1),
                              ref.sum(1) / count.clamp(min=1))
        offset = centres.sum(1) / (count > 0).sum().clamp(min=1)
        # Missing joints pushed out of the bounding box by a constant (exact for the
        # frames with two joints or more, the only ones that count): onnxruntime
        # multiplies and adds several times faster than it selects.
        far = (1 - ref_seen) * 1e30
        valid = count >= 2
        # The median of the valid frames' sizes (np.median: the two middle ones averaged),
        # the others sorted past them.
        sizes = ((ref - far).amax(1) - (ref + far).amin(1)).amax(0)
        sizes = torch.sort(torch.where(valid, sizes, torch.inf)).values
        num_valid = valid.sum()
        middle = torch.div(torch.stack([num_valid - 1, num_valid]), 2, rounding_mode='floor')
        median = sizes[middle.clamp(min=0)].mean()
        size = torch.where((num_valid > 0) & (median > 1e-6), median, 1.0)
        normalized = (keypoint - offset[:, None, None, None]) / size * seen
        return torch.cat([normalized, joints[2:]])

    def sample(self, joints: Tensor) -> Tensor:
        """``num_clips * clip_len`` frames at the test mode's fixed points, the last axis
        of :math:`(3, M, V, T)`."""
        # In float64 and in numpy's order of operations, so that a point on a frame
        # boundary falls on the same side as in UniformSampleFrames.
        frames = torch.full((), joints.shape[-1], dtype=torch.float64, device=joints.device)
        bounds = torch.arange(self.clip_len + 1, dtype=torch.float64,
                              device=joints.device) * (frames / self.clip_len)
        where = (torch.arange(self.num_clips, dtype=torch.float64, device=joints.device)
                 + 0.5) / self.num_clips
        points = (bounds[:-1] + where[:, None] * (bounds[1:] - bounds[:-1])).reshape(-1)
        if not self.interpolate:
            return joints.index_select(-1, torch.minimum(points.long(), frames.long() - 1))
        centre = torch.minimum((points - 0.5).clamp(min=0), frames - 1)
        start = centre.floor()
        weight = (centre - start).to(joints.dtype)
        before = joints.index_select(-1, start.long())
        after = joints.index_select(-1, torch.minimum(start + 1, frames - 1).long())
        # Where both frames see a joint, the mix; elsewhere the nearer frame (weight 0 or
        # 1, which mixes to that frame's values exactly).
        weight = torch.where((before[2] > 0) & (after[2] > 0), weight,
                             (weight >= 0.5).to(joints.dtype))
        return (1 - weight) * before + weight * after

    def format(self, joints: Tensor) -> Tensor:
        """The streams and the confidence of :math:`(3, M, V, K T)`, as
        :math:`(K, M, T, V, C)`; missing joints 0."""
        joints = joints.reshape(joints.shape[:3] + (self.num_clips, self.clip_len))
        # The coordinates are already 0 where a joint is missing (normalize, then
        # sample, which takes a missing joint's frame whole).
        keypoint, score = joints[:2], joints[2:]
        seen = (score[0] > 0).to(score.dtype)
        streams = {'joint': keypoint}
        values, masks = [keypoint], [seen]
        if any(name.startswith('bone') for name in self.streams):
            # A root is its own parent: its bone is 0.
            bone_seen = seen * seen.index_select(1, self.parent_index)
            streams['bone'] = (keypoint - keypoint.index_select(2, self.parent_index)
                               ) * bone_seen
            values.append(streams['bone'])
            masks.append(bone_seen)
        # Joint and bone motion side by side, one difference per step.
        values, masks = torch.stack(values), torch.stack(masks)[:, None]
        for step in sorted({min(motion_step(name), self.clip_len)
                            for name in self.streams if '_motion' in name}):
            motion = F.pad((values[..., step:] - values[..., :-step])
                           * (masks[..., step:] * masks[..., :-step]), (0, step))
            for name in self.streams:
                if '_motion' in name and min(motion_step(name), self.clip_len) == step:
                    streams[name] = motion[0 if name.startswith('joint') else 1]
        if 'distance' in self.streams:
            # Channel j of joint i: |x_i - x_j|, summed coordinate by coordinate as numpy.
            difference = (keypoint.index_select(2, self.pair_joint)
                          - keypoint.index_select(2, self.pair_other))
            squares = difference * difference
            distance = (squares[0] + squares[1]).sqrt() * (
                seen.index_select(1, self.pair_joint) * seen.index_select(1, self.pair_other))
            streams['distance'] = distance.reshape(
                (distance.shape[0], self.parent_index.shape[0], -1) + distance.shape[2:]
            ).transpose(0, 1)
        channels = torch.cat([streams[name] for name in self.streams] + [score])
        # (C, M, V, K, T) to (K, M, T, V, C) as two swaps of a (batched) matrix's axes:
        # onnxruntime transposes those in 2 us and any other order of axes in 45 us.
        c, m, v, k, t = channels.shape
        frames_first = channels.reshape(c * m, v, k * t).transpose(1, 2)
        channels_last = frames_first.reshape(c, -1).t().reshape(m, k, t, v, c)
        if m > 1 and k > 1:
            return channels_last.transpose(0, 1)
        # One person or one clip: the last swap is a reshape, no copy and no graph node.
        return channels_last.reshape(k, m, t, v, c)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(layout={self.layout!r}, clip_len={self.clip_len}, '
                f'streams={list(self.streams)}, num_person={self.num_person}, '
                f'num_clips={self.num_clips}, interpolate={self.interpolate})')
