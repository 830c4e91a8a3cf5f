"""Lightweight OpenPose: a MobileNet backbone with keypoint-heatmap and part-affinity-field
stages (Osokin, 2018), in the configuration of the public implementation and in the
pose-attention paper's.

With ``width=1.0``, ``'residual'`` refinement stages, 128 channels, 19 heatmaps and 38 PAFs,
the module names and parameter shapes are exactly those of the public network. Its published
``checkpoint_iter_370000.pth`` holds three refinement stages; the demo builds one, and so do
we by default (see :func:`load_openpose_checkpoint`, which reports the stages left unused).
"""
import warnings
from typing import List, Tuple, Type

import torch
from torch import Tensor, nn

from posegraph.io.checkpoint import (
    CheckpointError,
    checkpoint_state_dict,
    load_checkpoint_file,
    state_dict_mismatch,
)
from posegraph.io.onnx import write_onnx
from posegraph.nn.reset import ResetParameters


def conv(in_channels: int, out_channels: int, kernel_size: int = 3, padding: int = 1,
         bn: bool = True, dilation: int = 1, stride: int = 1, relu: bool = True,
         bias: bool = True) -> nn.Sequential:
    """Convolution, then optional batch norm and ReLU, as a ``Sequential`` (0, 1, 2)."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation,
                        bias=bias)]
    if bn:
        layers.append(nn.BatchNorm2d(out_channels))
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def conv_dw(in_channels: int, out_channels: int, stride: int = 1, dilation: int = 1,
            bn: bool = True, activation: Type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Depthwise-separable convolution: 3x3 depthwise and 1x1 pointwise, each followed by
    batch norm (optional) and an activation, without biases."""
    def block(conv_layer: nn.Module, channels: int) -> List[nn.Module]:
        return [conv_layer] + ([nn.BatchNorm2d(channels)] if bn else []) + \
            [activation(inplace=True)]
    return nn.Sequential(
        *block(nn.Conv2d(in_channels, in_channels, 3, stride, dilation, dilation,
                         groups=in_channels, bias=False), in_channels),
        *block(nn.Conv2d(in_channels, out_channels, 1, bias=False), out_channels))


# MobileNet-v1 up to conv5_5 at output stride 8: (out channels, stride, dilation) of each
# depthwise-separable layer after the first 3x3/2 convolution (32 channels at width 1).
MOBILENET_LAYERS = ((64, 1, 1), (128, 2, 1), (128, 1, 1), (256, 2, 1), (256, 1, 1),
                    (512, 1, 1), (512, 1, 2), (512, 1, 1), (512, 1, 1), (512, 1, 1),
                    (512, 1, 1))


def mobilenet_backbone(width: float = 1.0) -> Tuple[nn.Sequential, int]:
    """The 12-layer MobileNet trunk; returns ``(module, out_channels)``."""
    first = int(32 * width)
    layers = [conv(3, first, stride=2, bias=False)]
    channels = first
    for out, stride, dilation in MOBILENET_LAYERS:
        out = int(out * width)
        layers.append(conv_dw(channels, out, stride=stride, dilation=dilation))
        channels = out
    return nn.Sequential(*layers), channels


class Cpm(nn.Module):
    """Feature adaptation after the backbone: 1x1 down to ``out_channels``, a residual trunk
    of three depthwise-separable convolutions with ELU, and a 3x3 convolution."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.align = conv(in_channels, out_channels, kernel_size=1, padding=0, bn=False)
        self.trunk = nn.Sequential(*(conv_dw(out_channels, out_channels, bn=False,
                                             activation=nn.ELU) for _ in range(3)))
        self.conv = conv(out_channels, out_channels, bn=False)

    def forward(self, x: Tensor) -> Tensor:
        x = self.align(x)
        return self.conv(x + self.trunk(x))


class InitialStage(nn.Module):
    """Stage 1: three 3x3 convolutions, then the heatmap and PAF heads."""

    def __init__(self, num_channels: int, num_heatmaps: int, num_pafs: int):
        super().__init__()
        self.trunk = nn.Sequential(*(conv(num_channels, num_channels, bn=False)
                                     for _ in range(3)))
        self.heatmaps = _head(num_channels, 512, num_heatmaps)
        self.pafs = _head(num_channels, 512, num_pafs)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        x = self.trunk(x)
        return self.heatmaps(x), self.pafs(x)


def _head(in_channels: int, hidden: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(conv(in_channels, hidden, kernel_size=1, padding=0, bn=False),
                         conv(hidden, out_channels, kernel_size=1, padding=0, bn=False,
                              relu=False))


class RefinementStageBlock(nn.Module):
    """1x1 projection, then two 3x3 convolutions (the second dilated) with a residual add."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.initial = conv(in_channels, out_channels, kernel_size=1, padding=0, bn=False)
        self.trunk = nn.Sequential(conv(out_channels, out_channels),
                                   conv(out_channels, out_channels, dilation=2, padding=2))

    def forward(self, x: Tensor) -> Tensor:
        x = self.initial(x)
        return x + self.trunk(x)


class DepthwiseRefinementBlock(RefinementStageBlock):
    """The block with depthwise-separable 3x3 convolutions (the pose-attention paper)."""

    def __init__(self, in_channels: int, out_channels: int):
        nn.Module.__init__(self)
        self.initial = conv(in_channels, out_channels, kernel_size=1, padding=0, bn=False)
        self.trunk = nn.Sequential(conv_dw(out_channels, out_channels),
                                   conv_dw(out_channels, out_channels, dilation=2))


class RefinementStage(nn.Module):
    """Stages 2 and later: five blocks on [features, heatmaps, PAFs], then the heads."""

    def __init__(self, in_channels: int, num_channels: int, num_heatmaps: int, num_pafs: int,
                 block: Type[RefinementStageBlock]):
        super().__init__()
        self.trunk = nn.Sequential(block(in_channels, num_channels),
                                   *(block(num_channels, num_channels) for _ in range(4)))
        self.heatmaps = _head(num_channels, num_channels, num_heatmaps)
        self.pafs = _head(num_channels, num_channels, num_pafs)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        x = self.trunk(x)
        return self.heatmaps(x), self.pafs(x)


class LightweightOpenPose(ResetParameters, nn.Module):
    """Multi-person 2D pose network: keypoint heatmaps and part affinity fields at stride 8.

    Args:
        width: MobileNet width multiplier (1.0 public Lightweight OpenPose, 0.75 the paper's).
            (default: ``1.0``)
        num_refinement_stages: stages after the first (1 public, 5 the paper's). (default: ``1``)
        num_channels: channels of the stage features. (default: ``128``)
        num_heatmaps: keypoint maps plus one background map (19 for ``openpose18``).
            (default: ``19``)
        num_pafs: two channels per limb (38 for the 19 limbs of OpenPose). (default: ``38``)
        refinement: ``'residual'`` blocks (public) or ``'depthwise'``-separable ones (paper).
            (default: ``'residual'``)

    Shapes:
        - input: BGR images normalised as ``(img - 128) / 256``, :math:`(N, 3, H, W)` with
          ``H`` and ``W`` multiples of 8
        - output: a list with ``(heatmaps, pafs)`` of every stage, each
          :math:`(N, 19, H/8, W/8)` and :math:`(N, 38, H/8, W/8)`; inference uses the last
    """

    def __init__(self, width: float = 1.0, num_refinement_stages: int = 1,
                 num_channels: int = 128, num_heatmaps: int = 19, num_pafs: int = 38,
                 refinement: str = 'residual'):
        super().__init__()
        blocks = {'residual': RefinementStageBlock, 'depthwise': DepthwiseRefinementBlock}
        if refinement not in blocks:
            raise ValueError(f"refinement must be 'residual' or 'depthwise', got {refinement!r}")
        self.config = dict(width=width, num_refinement_stages=num_refinement_stages,
                           num_channels=num_channels, num_heatmaps=num_heatmaps,
                           num_pafs=num_pafs, refinement=refinement)
        self.model, backbone_channels = mobilenet_backbone(width)
        self.cpm = Cpm(backbone_channels, num_channels)
        self.initial_stage = InitialStage(num_channels, num_heatmaps, num_pafs)
        self.refinement_stages = nn.ModuleList(
            RefinementStage(num_channels + num_heatmaps + num_pafs, num_channels,
                            num_heatmaps, num_pafs, blocks[refinement])
            for _ in range(num_refinement_stages))

    def forward(self, x: Tensor) -> List[Tuple[Tensor, Tensor]]:
        features = self.cpm(self.model(x))
        outputs = [self.initial_stage(features)]
        for stage in self.refinement_stages:
            outputs.append(stage(torch.cat([features, *outputs[-1]], dim=1)))
        return outputs

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v!r}' for k, v in self.config.items())
        return f'{type(self).__name__}({args})'


def lightweight_openpose(num_refinement_stages: int = 1) -> LightweightOpenPose:
    """The public Lightweight OpenPose configuration. Its demo builds one refinement stage;
    the published checkpoint holds three, so ``num_refinement_stages`` may be 1 to 3."""
    return LightweightOpenPose(num_refinement_stages=num_refinement_stages)


def pose_attention_openpose() -> LightweightOpenPose:
    """The pose-attention paper's estimator: width 0.75, five depthwise refinement stages."""
    return LightweightOpenPose(width=0.75, num_refinement_stages=5, refinement='depthwise')


def load_openpose_checkpoint(model: LightweightOpenPose, path: str, strict: bool = True
                             ) -> Tuple[List[str], List[str]]:
    """Load a whole Lightweight OpenPose checkpoint (``checkpoint['state_dict']`` or a bare
    state dict), weights-only (:func:`posegraph.io.checkpoint.load_checkpoint_file`): the
    public one, one saved through ``DataParallel`` (``module.`` keys) or one written by
    ``tools/train.py configs/lwopenpose_coco.py`` (``network.`` keys).

    A file with more refinement stages than the model (the published
    ``checkpoint_iter_370000.pth`` holds three) loads the stages the model has; the entries
    of the others are left out and reported in one warning, never silently. Fewer stages
    in the file than in the model are missing keys.

    Returns mmengine-style ``(missing_keys, unexpected_keys)``.
    """
    state = checkpoint_state_dict(load_checkpoint_file(path, map_location='cpu'), path,
                                  strip_prefixes=('module.', 'network.'))
    built = len(model.refinement_stages)
    unused = [key for key in state if _refinement_stage(key) is not None
              and _refinement_stage(key) >= built]
    if unused:
        stages = sorted({_refinement_stage(key) for key in unused})
        in_file = built + len(stages)
        warnings.warn(f'{path}: {len(unused)} entries of refinement stage(s) '
                      f'{", ".join(str(k + 1) for k in stages)} not used: the network builds '
                      f'{built} of the file\'s {in_file} refinement stages (use '
                      f'num_refinement_stages={in_file}, --refinement-stages {in_file}, for all)',
                      stacklevel=2)
        state = {key: value for key, value in state.items() if key not in set(unused)}
    if strict:
        problems = state_dict_mismatch(model.state_dict(), state)
        if problems:
            raise CheckpointError(f'{path} does not fit the network: {"; ".join(problems)}. '
                                  'Is it a Lightweight OpenPose checkpoint of this '
                                  'architecture and number of refinement stages?')
    result = model.load_state_dict(state, strict=strict)
    return result.missing_keys, result.unexpected_keys


def _refinement_stage(key: str):
    """The refinement stage (0-based) a state-dict key belongs to, or ``None``."""
    parts = key.split('.')
    if parts[0] == 'refinement_stages' and len(parts) > 1 and parts[1].isdigit():
        return int(parts[1])
    return None


class LastStage(nn.Module):
    """A pose network's last-stage heatmaps and PAFs, the maps inference decodes."""

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network

    def forward(self, images: Tensor) -> Tuple[Tensor, Tensor]:
        return tuple(self.network(images)[-1])


def export_pose_onnx(network: nn.Module, path: str, height: int = 256, width: int = 456,
                     opset: int = 18) -> Tuple[torch.Tensor, ...]:
    """Write a :class:`~posegraph.pose.LightweightOpenPose` (eval mode) to ONNX.

    Input ``images`` :math:`(N, 3, H, W)` with dynamic batch, height and width (multiples
    of 8); outputs ``heatmaps`` and ``pafs`` of the last stage. One file.
    """
    module = LastStage(network).eval()
    example = (torch.randn(1, 3, height, width),)
    dynamic_shapes = ({0: torch.export.Dim('batch', max=256),
                       2: 8 * torch.export.Dim('rows', min=2, max=512),
                       3: 8 * torch.export.Dim('cols', min=2, max=512)},)
    write_onnx(module, example, path, ['images'], ['heatmaps', 'pafs'], dynamic_shapes, opset)
    return example
