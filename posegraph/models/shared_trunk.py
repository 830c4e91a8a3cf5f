r"""An ensemble over input streams whose branches share one pose-attention trunk."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.nn import SkeletonGraphConv
from posegraph.registry import MODELS
from posegraph.skeleton import LayoutLike, get_layout
from .ensemble import branch_channel_index
from .pan import PoseAttentionNetwork, normalize_input


class StreamStem(nn.Module):
    r"""The first graph convolution of one input stream, with its own input normalisation:
    :math:`\mathbf{H} = \mathrm{ReLU}(\mathrm{BN}(\hat{\mathbf{A}}\,\mathrm{BN}_{data}
    (\mathbf{X})\,\mathbf{W}))`, zero at missing joints.

    Shapes:
        - input: :math:`(N, M, T, V, C)`, the last channel the joint confidence
        - output: :math:`(N, M, T, V, F + 1)`, the features then the confidence
    """

    def __init__(self, layout: LayoutLike, in_channels: int, out_channels: int):
        super().__init__()
        self.num_joints = get_layout(layout).num_joints
        self.data_bn = nn.BatchNorm1d(self.num_joints * in_channels)
        self.conv = SkeletonGraphConv(in_channels, out_channels, layout)
        self.norm = nn.BatchNorm1d(out_channels)

    def reset_parameters(self) -> None:
        self.data_bn.reset_parameters()
        self.conv.reset_parameters()
        self.norm.reset_parameters()

    def forward(self, x: Tensor) -> Tensor:
        mask = x[..., -1] > 0
        h = self.conv(normalize_input(self.data_bn, x, mask), mask)
        h = F.relu(self.norm(h.reshape(-1, h.shape[-1])).reshape(h.shape))
        return torch.cat([h * mask.unsqueeze(-1), x[..., -1:]], dim=-1)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.conv.in_channels}, {self.conv.out_channels}, '
                f'num_joints={self.num_joints})')


@MODELS.register_module()
class SharedTrunkEnsemble(nn.Module):
    r"""An ensemble over input streams whose branches share everything but their first
    graph convolution.

    Branch :math:`k` turns its streams :math:`\mathbf{X}_k` (its input channels and the
    confidence) into joint features with its own :class:`StreamStem`; one
    :class:`~posegraph.models.PoseAttentionNetwork` (the remaining graph convolutions,
    DiffPool, joint attention, the pose-attention GRU and the classifiers) then runs on
    every branch's features, the branches stacked along the batch so the trunk runs once.
    Each branch is trained by the trunk's losses as if alone; the ensemble's logits are the
    mean of the branches' logits. Sharing the trunk keeps the parameters and, at batch 1,
    the time of one network, while the branches still see complementary inputs.

    Args:
        branches: per branch, its input channel indices (confidence excluded) or the names
            of its streams (then ``streams`` is needed).
        layout: the skeleton layout.
        num_classes: classes to predict.
        in_channels: channels of the input, the last being the confidence. (default: ``None``)
        streams: the input's streams in channel order, to name branches by stream.
            (default: ``None``)
        graph_channels: output channels of the graph convolutions; the first is the
            stems', the rest the trunk's. (default: ``(64, 64)``)
        **trunk_args: the other arguments of
            :class:`~posegraph.models.PoseAttentionNetwork`.

    Shapes:
        - input: :math:`(N, M, T, V, C)` (see :mod:`posegraph.datasets`)
        - output: as :class:`~posegraph.models.PoseAttentionNetwork`'s, each averaged over
          the branches, and ``branch_logits`` :math:`(K, N, classes)`
    """

    def __init__(self, branches: Sequence[Sequence[Union[int, str]]], layout: LayoutLike,
                 num_classes: int,
                 in_channels: Optional[int] = None, streams: Optional[Sequence[str]] = None,
                 graph_channels: Sequence[int] = (64, 64), **trunk_args):
        super().__init__()
        if len(graph_channels) < 2:
            raise ValueError('graph_channels needs the stems\' channels and at least one '
                             f'trunk layer, got {graph_channels}')
        self.branch_channels = [branch_channel_index(channels, streams, layout)
                                for channels in branches]
        needed = max(max(c) for c in self.branch_channels) + 2
        if in_channels is not None and in_channels < needed:
            raise ValueError(f'branches use channel {needed - 2}, so the input needs at least '
                             f'{needed} channels (with the confidence), not {in_channels}')
        self.stems = nn.ModuleList(StreamStem(layout, len(channels) + 1, graph_channels[0])
                                   for channels in self.branch_channels)
        self.trunk = PoseAttentionNetwork(layout, graph_channels[0] + 1, num_classes,
                                          graph_channels=graph_channels[1:], **trunk_args)
        self.layout, self.num_joints = self.trunk.layout, self.trunk.num_joints
        self.num_classes = num_classes
        self.in_channels = in_channels or needed

    def reset_parameters(self) -> None:
        for stem in self.stems:
            stem.reset_parameters()
        for module in self.trunk.modules():
            if module is not self.trunk and hasattr(module, 'reset_parameters'):
                module.reset_parameters()

    def _stacked_stems(self, x: Tensor) -> Tensor:
        """Every branch's stem output, stacked along the batch: :math:`(K N, \\dots)`."""
        if x.shape[-1] != self.in_channels:
            raise ValueError(f'the ensemble expects {self.in_channels} input channels, '
                             f'got {x.shape[-1]}')
        confidence = [x.shape[-1] - 1]
        return torch.cat([stem(x[..., channels + confidence])
                          for stem, channels in zip(self.stems, self.branch_channels)])

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        outputs = self.trunk(self._stacked_stems(x))
        k = len(self.stems)
        merged = {key: value.reshape(k, -1, *value.shape[1:]).mean(0) if value.dim() else value
                  for key, value in outputs.items()}
        merged['branch_logits'] = outputs['logits'].reshape(k, -1, self.num_classes)
        merged['branch_joint_logits'] = outputs['joint_logits'].reshape(k, -1,
                                                                        self.num_classes)
        return merged

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        """The trunk's losses over every branch's outputs, each branch as if alone."""
        k = len(self.stems)
        branch_outputs = dict(outputs, logits=outputs['branch_logits'].flatten(0, 1),
                              joint_logits=outputs['branch_joint_logits'].flatten(0, 1))
        # labels: class indices (N,) or soft targets (N, classes), repeated per branch
        return self.trunk.loss(branch_outputs, torch.cat([labels] * k))

    def initial_state(self, batch_size: int, num_person: int,
                      device: Optional[torch.device] = None) -> Tuple[Tensor, ...]:
        return self.trunk.initial_state(len(self.stems) * batch_size, num_person, device)

    def step(self, frame: Tensor, state: Tuple[Tensor, ...]) -> Tuple[Tensor, Tuple[Tensor, ...]]:
        """Online mode: one frame :math:`(N, M, V, C)` through every stem, then one
        trunk step for all branches; see :meth:`PoseAttentionNetwork.step`."""
        stacked = self._stacked_stems(frame.unsqueeze(2)).squeeze(2)
        logits, state = self.trunk.step(stacked, state)
        return logits.reshape(len(self.stems), -1, self.num_classes).mean(0), state

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(branches={self.branch_channels}, '
                f'in_channels={self.in_channels}, trunk={self.trunk!r})')
