"""Export to ONNX: skeleton networks (the whole clip, or one online step), the RGB
companion networks and (from :mod:`posegraph.pose.lwopenpose`) the pose estimator."""
from typing import Sequence, Tuple, Union

import torch
from torch import Tensor, nn

from posegraph.io.onnx import write_onnx
from posegraph.models.tensor_pipeline import TensorTestPipeline
from posegraph.pose.lwopenpose import export_pose_onnx
from posegraph.skeleton import get_layout, stream_channels

__all__ = ['StreamingStep', 'ClipScores', 'KeypointScores', 'growing_axis', 'export_onnx',
           'export_keypoints_onnx', 'export_video_onnx', 'export_pose_onnx']


class StreamingStep(nn.Module):
    """One online step of a skeleton network (``network.step``) as a module of tensors.

    Inputs: ``frame`` :math:`(N, M, V, C)` and the state tensors; outputs: ``logits``
    :math:`(N, classes)` and the new state, in the same order.
    """

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network
        self.state_names = [f'state_{k}' for k in range(len(network.initial_state(1, 1)))]

    def initial_state(self, batch_size: int, num_person: int) -> Tuple[Tensor, ...]:
        """The network's state before the first frame."""
        return self.network.initial_state(batch_size, num_person)

    def forward(self, frame: Tensor, *state: Tensor) -> Tuple[Tensor, ...]:
        logits, state = self.network.step(frame, state)
        return (logits,) + tuple(state)


class ClipScores(nn.Module):
    """A network's class logits for a whole clip (skeleton :math:`(N, M, T, V, C)` or
    video :math:`(N, T, C, H, W)`)."""

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network

    def forward(self, x: Tensor) -> Tensor:
        return self.network(x)['logits']


class KeypointScores(nn.Module):
    """A video's class scores from its raw keypoints: the test pipeline as tensors
    (:class:`~posegraph.models.TensorTestPipeline`), the network on each clip, and the
    clips' softmax scores averaged, as :class:`~posegraph.models.SkeletonRecognizer`
    averages them.

    An ensemble that scores with one branch alone (a distilled student) is replaced by
    that branch, and the pipeline makes only the branch's streams, in its order: the same
    scores without the branch's gather of its channels from the whole input.

    Inputs: ``keypoint`` :math:`(M_{raw}, T_{raw}, V, 2)` and ``keypoint_score``
    :math:`(M_{raw}, T_{raw}, V)`; output: ``scores`` :math:`(1, classes)`.
    """

    def __init__(self, pipeline: TensorTestPipeline, network: nn.Module):
        super().__init__()
        branches = getattr(network, 'inference_branches', [])
        if len(branches) == 1:
            narrowed = pipeline.with_channels(network.branch_channels[branches[0]])
            if narrowed is not None:
                pipeline, network = narrowed, network.branches[branches[0]]
        self.pipeline = pipeline
        self.network = network

    def forward(self, keypoint: Tensor, keypoint_score: Tensor) -> Tensor:
        logits = self.network(self.pipeline(keypoint, keypoint_score))['logits']
        return logits.softmax(-1).mean(0, keepdim=True)


def growing_axis(state: torch.Tensor, state_more: torch.Tensor) -> int:
    """The axis along which ``state_more`` (a state for more persons) outgrows ``state``."""
    return next(i for i, (a, b) in enumerate(zip(state.shape, state_more.shape)) if a != b)


def _person_axis(state, state_more, num_person, persons):
    """``{axis: k * persons}`` for the axis of ``state`` that is ``k * num_person`` long
    (``state_more`` being the same state for one person more)."""
    axis = growing_axis(state, state_more)
    per_person = state.shape[axis] // num_person
    return {axis: persons if per_person == 1 else per_person * persons}


def export_onnx(network: nn.Module, path: str, num_person: int = 2, clip_len: int = 32,
                streaming: bool = False, persons_as_batch: bool = False, opset: int = 18
                ) -> Tuple[torch.Tensor, ...]:
    """Write ``network`` (in eval mode) to ONNX at ``path``, as one file.

    The offline graph takes ``inputs`` :math:`(N, M, T, V, C)` with ``N``, ``M`` and
    ``T`` dynamic and returns ``logits``; the streaming graph (``streaming=True``) is one
    :class:`StreamingStep` for one video (``N = 1``) with the number of persons ``M``
    dynamic (every state tensor's person axis with it), or, with ``persons_as_batch``, for
    ``N`` persons recognised apart (``M = 1``, ``N`` dynamic: logits per person).
    ``num_person`` is only the tracing example's. Returns the example inputs used for
    tracing.
    """
    network = network.eval()
    channels, joints = network.in_channels, network.num_joints
    num_person = max(num_person, 2)  # an example axis of size 1 would be traced as fixed
    if streaming:
        module = StreamingStep(network).eval()
        shape = (num_person, 1) if persons_as_batch else (1, num_person)
        frame = torch.randn(*shape, joints, channels)
        frame[..., -1] = 1
        example = (frame,) + module.initial_state(*shape)
        input_names = ['frame'] + module.state_names
        output_names = ['logits'] + [f'{name}_out' for name in module.state_names]
        persons = torch.export.Dim('step_persons', min=1, max=256)
        more = (num_person + 1, 1) if persons_as_batch else (1, num_person + 1)
        # Each state tensor has one axis that grows with the persons (by one per person,
        # or by a multiple when branches stack along the batch): find it by comparing
        # with one person more. (The second entry is StreamingStep.forward's ``*state``.)
        dynamic_shapes = ({0 if persons_as_batch else 1: persons}, tuple(
            _person_axis(a, b, num_person, persons)
            for a, b in zip(example[1:], module.initial_state(*more))))
    else:
        module = ClipScores(network).eval()
        clip = torch.randn(1, num_person, clip_len, joints, channels)
        clip[..., -1] = 1
        example = (clip,)
        input_names, output_names = ['inputs'], ['logits']
        dynamic_shapes = ({0: torch.export.Dim('batch', max=4096),
                           1: torch.export.Dim('persons', min=1, max=256),
                           2: torch.export.Dim('frames', min=2, max=4096)},)
    write_onnx(module, example, path, input_names, output_names, dynamic_shapes, opset)
    return example


def export_keypoints_onnx(network: nn.Module,
                          pipeline: Union[TensorTestPipeline, Sequence[dict]], path: str,
                          opset: int = 18) -> Tuple[torch.Tensor, ...]:
    """Write a skeleton ``network`` (eval mode) and its test ``pipeline`` (a
    :class:`~posegraph.models.TensorTestPipeline`, or a config's ``test_pipeline``) to
    ONNX at ``path`` as one graph, :class:`KeypointScores`: a video's raw ``keypoint``
    :math:`(M_{raw}, T_{raw}, V, 2)` and ``keypoint_score`` in, ``scores`` out, with the
    persons and frames dynamic. Returns the example inputs used for tracing.
    """
    if not isinstance(pipeline, TensorTestPipeline):
        pipeline = TensorTestPipeline.from_transforms(pipeline)
    joints = get_layout(pipeline.layout).num_joints
    channels = stream_channels(pipeline.streams, joints) + 1
    if (joints, channels) != (network.num_joints, network.in_channels):
        raise ValueError(f'the test pipeline makes {joints} joints x {channels} channels '
                         f'({pipeline.layout}, streams {list(pipeline.streams)}), the network '
                         f'takes {network.num_joints} x {network.in_channels}')
    module = KeypointScores(pipeline, network.eval()).eval()
    # Two persons and more frames than a clip: example sizes of 1 would be traced as fixed.
    generator = torch.Generator().manual_seed(0)
    frames = pipeline.clip_len + 5
    keypoint = torch.rand(2, frames, network.num_joints, 2, generator=generator)
    score = 0.5 + torch.rand(2, frames, network.num_joints, generator=generator) / 2
    persons = torch.export.Dim('video_persons', min=1, max=256)
    length = torch.export.Dim('video_frames', min=1, max=1_000_000)
    dynamic_shapes = ({0: persons, 1: length}, {0: persons, 1: length})
    write_onnx(module, (keypoint, score), path, ['keypoint', 'keypoint_score'], ['scores'],
               dynamic_shapes, opset)
    return keypoint, score


def export_video_onnx(network: nn.Module, path: str, clip_len: int, channels: int = 3,
                      size: int = 224, opset: int = 18) -> Tuple[torch.Tensor, ...]:
    """Write an RGB network (:class:`~posegraph.models.ConvGRUXception`,
    :class:`~posegraph.models.SMNet`, :class:`~posegraph.models.TwoStreamFusion`; eval
    mode) to ONNX.

    Input ``inputs`` :math:`(N, T, C, H, W)`, normalised as the model's data preprocessor
    does, with dynamic batch; ``T`` (``clip_len``), ``C`` and ``H = W = size`` are fixed.
    Output ``logits``. Returns the example input used for tracing.
    """
    module = ClipScores(network).eval()
    example = (torch.randn(2, clip_len, channels, size, size),)
    dynamic_shapes = ({0: torch.export.Dim('batch', min=1, max=1024)},)
    write_onnx(module, example, path, ['inputs'], ['logits'], dynamic_shapes, opset)
    return example
