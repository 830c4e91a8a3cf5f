"""Export to ONNX: skeleton networks (the whole clip, or one online step), the RGB
companion networks and the pose estimator."""
import torch
from torch import nn


class StreamingStep(nn.Module):
    """One online step of a skeleton network (``network.step``) as a module of tensors.

    Inputs: ``frame`` :math:`(N, M, V, C)` and the state tensors; outputs: ``logits``
    :math:`(N, classes)` and the new state, in the same order.
    """

    def __init__(self, network):
        super().__init__()
        self.network = network
        self.state_names = [f'state_{k}' for k in range(len(network.initial_state(1, 1)))]

    def initial_state(self, batch_size, num_person):
        return self.network.initial_state(batch_size, num_person)

    def forward(self, frame, *state):
        logits, state = self.network.step(frame, state)
        return (logits,) + tuple(state)


class ClipScores(nn.Module):
    """A network's class logits for a whole clip (skeleton :math:`(N, M, T, V, C)` or
    video :math:`(N, T, C, H, W)`)."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, x):
        return self.network(x)['logits']


def _person_axis(state, state_more, num_person, persons):
    """``{axis: k * persons}`` for the axis of ``state`` that is ``k * num_person`` long
    (``state_more`` being the same state for one person more)."""
    axis = next(i for i, (a, b) in enumerate(zip(state.shape, state_more.shape)) if a != b)
    per_person = state.shape[axis] // num_person
    return {axis: persons if per_person == 1 else per_person * persons}


def export_onnx(network, path, num_person=2, clip_len=32, streaming=False, opset=18):
    """Write ``network`` (in eval mode) to ONNX at ``path``.

    The offline graph takes ``inputs`` :math:`(N, M, T, V, C)` with ``N``, ``M`` and
    ``T`` dynamic and returns ``logits``; the streaming graph (``streaming=True``) is one
    :class:`StreamingStep` for one video (``N = 1``) with the number of persons ``M``
    dynamic (every state tensor's person axis with it). ``num_person`` is only the
    tracing example's. Returns the example inputs used for tracing.
    """
    network = network.eval()
    channels, joints = network.in_channels, network.num_joints
    num_person = max(num_person, 2)  # an example axis of size 1 would be traced as fixed
    if streaming:
        module = StreamingStep(network).eval()
        frame = torch.randn(1, num_person, joints, channels)
        frame[..., -1] = 1
        example = (frame,) + module.initial_state(1, num_person)
        input_names = ['frame'] + module.state_names
        output_names = ['logits'] + [f'{name}_out' for name in module.state_names]
        persons = torch.export.Dim('step_persons', min=1, max=256)
        # Each state tensor has one axis that grows with M (by M, or by a multiple of M
        # when branches stack along the batch): find it by comparing with M + 1 persons.
        # (The second entry is the ``*state`` varargs of StreamingStep.forward.)
        dynamic_shapes = ({1: persons}, tuple(
            _person_axis(a, b, num_person, persons)
            for a, b in zip(example[1:], module.initial_state(1, num_person + 1))))
    else:
        module = ClipScores(network).eval()
        clip = torch.randn(1, num_person, clip_len, joints, channels)
        clip[..., -1] = 1
        example = (clip,)
        input_names, output_names = ['inputs'], ['logits']
        dynamic_shapes = ({0: torch.export.Dim('batch', max=4096),
                           1: torch.export.Dim('persons', min=1, max=256),
                           2: torch.export.Dim('frames', min=2, max=4096)},)
    with torch.no_grad():
        torch.onnx.export(module, example, path, input_names=input_names,
                          output_names=output_names, dynamic_shapes=dynamic_shapes,
                          opset_version=opset, dynamo=True, verbose=False)
    return example


def export_video_onnx(network, path, clip_len, channels=3, size=224, opset=18):
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
    with torch.no_grad():
        torch.onnx.export(module, example, path, input_names=['inputs'],
                          output_names=['logits'], dynamic_shapes=dynamic_shapes,
                          opset_version=opset, dynamo=True, verbose=False)
    return example


class LastStage(nn.Module):
    """A pose network's last-stage heatmaps and PAFs, the maps inference decodes."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, images):
        return tuple(self.network(images)[-1])


def export_pose_onnx(network, path, height=256, width=456, opset=18):
    """Write a :class:`~posegraph.pose.LightweightOpenPose` (eval mode) to ONNX.

    Input ``images`` :math:`(N, 3, H, W)` with dynamic batch, height and width (multiples
    of 8); outputs ``heatmaps`` and ``pafs`` of the last stage.
    """
    module = LastStage(network).eval()
    example = (torch.randn(1, 3, height, width),)
    dynamic_shapes = ({0: torch.export.Dim('batch', max=256),
                       2: 8 * torch.export.Dim('rows', min=2, max=512),
                       3: 8 * torch.export.Dim('cols', min=2, max=512)},)
    with torch.no_grad():
        torch.onnx.export(module, example, path, input_names=['images'],
                          output_names=['heatmaps', 'pafs'], dynamic_shapes=dynamic_shapes,
                          opset_version=opset, dynamo=True, verbose=False)
    return example
