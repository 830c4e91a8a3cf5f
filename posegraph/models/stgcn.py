r"""ST-GCN (Yan et al., "Spatial Temporal Graph Convolutional Networks for Skeleton-Based
Action Recognition", AAAI 2018): the baseline MMAction2 and PYSKL users compare with."""
from typing import Dict, Sequence, Tuple

from torch import Tensor, nn
from torch.nn import functional as F

from posegraph.nn import SpatialTemporalGraphConv
from posegraph.nn.reset import ResetParameters
from posegraph.registry import MODELS
from posegraph.skeleton import LayoutLike, get_layout
from .pan import masked_mean, normalize_input

# (out_channels, temporal stride) of each block, as in the paper: ten blocks, the
# temporal resolution halved at blocks 5 and 8.
STGCN_BLOCKS = ((64, 1), (64, 1), (64, 1), (64, 1), (128, 2), (128, 1), (128, 1), (256, 2),
                (256, 1), (256, 1))


@MODELS.register_module()
class STGCN(ResetParameters, nn.Module):
    r"""ST-GCN: input batch normalisation, a stack of
    :class:`~posegraph.nn.SpatialTemporalGraphConv` blocks (the first without residual),
    global average pooling over frames, joints and persons, and a linear classifier.

    Args:
        layout: the skeleton layout of the input.
        in_channels: channels ``C`` of the input, the last being the joint confidence.
        num_classes: classes to predict.
        blocks: ``(out_channels, temporal stride)`` per block (default: the paper's ten,
            :data:`STGCN_BLOCKS`); :func:`stgcn_small` halves the widths.
        kernel_size: temporal kernel size. (default: ``9``)
        dropout: inside every block, after the temporal convolution. (default: ``0.0``)
        label_smoothing: of the cross-entropy loss. (default: ``0.0``)

    Shapes:
        - input: :math:`(N, M, T, V, C)` (see :mod:`posegraph.datasets`)
        - output: a dict with ``logits`` :math:`(N, classes)`
    """

    def __init__(self, layout: LayoutLike, in_channels: int, num_classes: int,
                 blocks: Sequence[Tuple[int, int]] = STGCN_BLOCKS, kernel_size: int = 9,
                 dropout: float = 0.0, label_smoothing: float = 0.0):
        super().__init__()
        layout = get_layout(layout)
        self.layout, self.num_joints = layout.name, layout.num_joints
        self.in_channels, self.num_classes = in_channels, num_classes
        self.label_smoothing = label_smoothing
        self.data_bn = nn.BatchNorm1d(self.num_joints * in_channels)
        channels = [in_channels] + [c for c, _ in blocks]
        self.blocks = nn.ModuleList(
            SpatialTemporalGraphConv(c_in, c_out, layout, stride, kernel_size, dropout,
                                     residual=k > 0)
            for k, (c_in, (c_out, stride)) in enumerate(zip(channels, blocks)))
        self.classifier = nn.Linear(channels[-1], num_classes)

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        n, m, t, v, c = x.shape
        if v != self.num_joints or c != self.in_channels:
            raise ValueError(f'{self.layout} ST-GCN expects (N, M, T, {self.num_joints}, '
                             f'{self.in_channels}) inputs, got {tuple(x.shape)}')
        mask = x[..., -1] > 0
        h = normalize_input(self.data_bn, x, mask).reshape(n * m, t, v, c).permute(0, 3, 1, 2)
        for block in self.blocks:
            h = block(h)
        # Persons with no visible joint take no part in the clip's average.
        clip = masked_mean(h.mean((2, 3)).reshape(n, m, -1), mask.flatten(2).any(-1), dim=1)
        return {'logits': self.classifier(clip)}

    def loss(self, outputs: Dict[str, Tensor], labels: Tensor) -> Dict[str, Tensor]:
        return {'loss_cls': F.cross_entropy(outputs['logits'], labels,
                                            label_smoothing=self.label_smoothing)}

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(layout={self.layout!r}, in_channels={self.in_channels}, '
                f'num_classes={self.num_classes}, blocks={len(self.blocks)})')


def stgcn_small(layout: LayoutLike, in_channels: int, num_classes: int, **kwargs) -> STGCN:
    """ST-GCN at half the paper's widths (32-64-128), for small data sets and CPUs."""
    blocks = tuple((c // 2, s) for c, s in STGCN_BLOCKS)
    return STGCN(layout, in_channels, num_classes, blocks=blocks, **kwargs)


MODELS.register_module('STGCNSmall', module=stgcn_small)
