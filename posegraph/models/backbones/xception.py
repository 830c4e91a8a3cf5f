"""Xception (Chollet, 2017) with the module names of timm's ``legacy_xception``.

Entry flow: two 3x3 convolutions (32, 64; the first stride 2, both unpadded), then blocks
1-3 (128, 256, 728 channels, stride 2 each); middle flow: blocks 4-11 (728 channels);
exit flow: block 12 (728 -> 1024, stride 2), separable convolutions ``conv3`` (1536) and
``conv4`` (2048). A block is ``[ReLU, SeparableConv2d, BatchNorm2d] x reps`` in a
``Sequential`` named ``rep`` (the first ReLU dropped in block 1, a 3x3/2 max pool appended
when striding) plus a 1x1 ``skip`` convolution with ``skipbn`` when the shape changes.
Output stride 32: 224x224 gives 7x7 maps, 299x299 gives 10x10.
"""
from typing import List

from torch import Tensor, nn

from .base import INCEPTION_MEAN, INCEPTION_STD, Backbone, pretrained_cfg
from .scaling import init_conv_bn, scaled

default_cfgs = {
    'xception': pretrained_cfg('https://github.com/rwightman/pytorch-image-models/releases/'
                               'download/v0.1-cadene/xception-43020ad28.pth',
                               first_conv='conv1', classifier='fc', mean=INCEPTION_MEAN,
                               std=INCEPTION_STD, input_size=(3, 299, 299)),
}


class SeparableConv2d(nn.Module):
    """Depthwise ``kernel_size`` convolution (``conv1``) then 1x1 ``pointwise``, no bias."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding,
                               groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise(self.conv1(x))


class XceptionBlock(nn.Module):
    """A residual block of ``reps`` separable convolutions.

    ``grow_first`` widens to ``out_channels`` at the first convolution (entry and middle
    flow), otherwise at the last (block 12).
    """

    def __init__(self, in_channels: int, out_channels: int, reps: int, stride: int = 1,
                 start_with_relu: bool = True, grow_first: bool = True):
        super().__init__()
        if out_channels != in_channels or stride != 1:
            self.skip = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            self.skipbn = nn.BatchNorm2d(out_channels)
        else:
            self.skip = None
        layers = []
        for i in range(reps):
            if grow_first:
                cin, cout = (in_channels if i == 0 else out_channels), out_channels
            else:
                cin, cout = in_channels, (out_channels if i == reps - 1 else in_channels)
            # Not in place: the block's input is also its skip path.
            layers += [nn.ReLU(inplace=i > 0), SeparableConv2d(cin, cout), nn.BatchNorm2d(cout)]
        if not start_with_relu:
            layers = layers[1:]
        if stride != 1:
            layers.append(nn.MaxPool2d(3, stride, 1))
        self.rep = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        skip = x if self.skip is None else self.skipbn(self.skip(x))
        return self.rep(x) + skip


class Xception(Backbone):
    """The Xception image classifier; :meth:`forward_features` gives the last feature map.

    Args:
        num_classes: size of ``fc`` (1000 for the ImageNet checkpoint; 0 for none).
            (default: ``1000``)
        in_channels: input channels. (default: ``3``)
        width: channel multiplier (1.0 = the published network). (default: ``1.0``)
        middle_blocks: blocks in the middle flow (8 in the published network). (default: ``8``)

    The exit flow's first block is ``blocks[-1]`` (``block12`` at full depth): the
    ConvGRU model inserts its excitation modules in front of it.
    """

    pretrained_cfg = default_cfgs['xception']

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
                 middle_blocks: int = 8):
        super().__init__()
        c = {k: scaled(k, width) for k in (32, 64, 128, 256, 728, 1024, 1536, 2048)}
        self.width, self.middle_blocks = width, middle_blocks
        self.conv1 = nn.Conv2d(in_channels, c[32], 3, 2, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(c[32])
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c[32], c[64], 3, bias=False)
        self.bn2 = nn.BatchNorm2d(c[64])
        self.act2 = nn.ReLU(inplace=True)
        specs = [(c[64], c[128], 2, 2, False, True), (c[128], c[256], 2, 2, True, True),
                 (c[256], c[728], 2, 2, True, True)]
        specs += [(c[728], c[728], 3, 1, True, True)] * middle_blocks
        specs += [(c[728], c[1024], 2, 2, True, False)]
        self.block_names = []
        for index, (cin, cout, reps, stride, relu_first, grow_first) in enumerate(specs, 1):
            setattr(self, f'block{index}', XceptionBlock(cin, cout, reps, stride, relu_first,
                                                          grow_first))
            self.block_names.append(f'block{index}')
        self.conv3 = SeparableConv2d(c[1024], c[1536])
        self.bn3 = nn.BatchNorm2d(c[1536])
        self.act3 = nn.ReLU(inplace=True)
        self.conv4 = SeparableConv2d(c[1536], c[2048])
        self.bn4 = nn.BatchNorm2d(c[2048])
        self.act4 = nn.ReLU(inplace=True)
        self.num_features = c[2048]
        self.exit_in_channels = c[728]
        self.fc = nn.Linear(c[2048], num_classes) if num_classes else None
        self.reset_parameters()

    @property
    def blocks(self) -> List[nn.Module]:
        return [getattr(self, name) for name in self.block_names]

    def reset_parameters(self) -> None:
        init_conv_bn(self)

    def forward_entry(self, x: Tensor) -> Tensor:
        """Everything before the exit flow's first block: ``(N, 728w, H/16, W/16)``."""
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.act2(self.bn2(self.conv2(x)))
        for block in self.blocks[:-1]:
            x = block(x)
        return x

    def forward_exit(self, x: Tensor) -> Tensor:
        """The exit flow: ``(N, 2048w, H/32, W/32)``."""
        x = self.blocks[-1](x)
        x = self.act3(self.bn3(self.conv3(x)))
        return self.act4(self.bn4(self.conv4(x)))

    def forward_features(self, x: Tensor) -> Tensor:
        """The exit flow's map ``(N, num_features, H/32, W/32)``."""
        return self.forward_exit(self.forward_entry(x))

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(width={self.width}, middle_blocks={self.middle_blocks}, '
                f'num_features={self.num_features})')


def xception(**kwargs) -> Xception:
    """The published Xception (timm ``legacy_xception`` names and shapes)."""
    return Xception(**kwargs)
