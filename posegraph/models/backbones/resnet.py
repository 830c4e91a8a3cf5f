"""ResNet-50 (He et al., 2016) with torchvision's module names (v1.5: the stride of a
down-sampling bottleneck sits in its 3x3 convolution).

``layerK[i]`` is a :class:`Bottleneck` (``conv1``/``bn1`` 1x1, ``conv2``/``bn2`` 3x3,
``conv3``/``bn3`` 1x1 to 4x the width, ``downsample`` = 1x1 convolution + BN when the
shape changes). ``inner``, a function of a block's width, gives a module applied to the
block's first activation (after ``conv1``/``bn1``); SMNet puts its excitation there.
"""
from typing import Callable, Optional, Sequence

from torch import Tensor, nn

from .base import Backbone, pretrained_cfg
from .scaling import init_conv_bn, scaled

default_cfgs = {
    'resnet50': pretrained_cfg('https://download.pytorch.org/models/resnet50-11ad3fa6.pth',
                               first_conv='conv1', classifier='fc'),
}


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, in_channels: int, planes: int, stride: int = 1,
                 downsample: Optional[nn.Module] = None, inner: Optional[nn.Module] = None):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        # Optional module on the block's first activation (e.g. SMNet's excitation).
        self.inner = inner
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        if self.inner is not None:
            out = self.inner(out)
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(Backbone):
    """A bottleneck ResNet; :meth:`forward_features` gives the last feature map.

    Args:
        layers: blocks per stage ((3, 4, 6, 3) for ResNet-50). (default: ``(3, 4, 6, 3)``)
        num_classes: size of ``fc`` (0 for none). (default: ``1000``)
        in_channels: input channels. (default: ``3``)
        width: channel multiplier (1.0 = the published network). (default: ``1.0``)
        inner: ``callable(planes) -> nn.Module`` building the module placed after each
            block's first convolution, or ``None``. (default: ``None``)
    """

    pretrained_cfg = default_cfgs['resnet50']

    def __init__(self, layers: Sequence[int] = (3, 4, 6, 3), num_classes: int = 1000,
                 in_channels: int = 3, width: float = 1.0,
                 inner: Optional[Callable[[int], nn.Module]] = None):
        super().__init__()
        self.layers, self.width = tuple(layers), width
        channels = scaled(64, width)
        self.conv1 = nn.Conv2d(in_channels, channels, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for stage, blocks in enumerate(layers):
            planes = scaled(64 * 2 ** stage, width)
            stride = 1 if stage == 0 else 2
            modules = []
            for i in range(blocks):
                downsample = None
                if i == 0 and (stride != 1 or channels != planes * Bottleneck.expansion):
                    downsample = nn.Sequential(
                        nn.Conv2d(channels, planes * Bottleneck.expansion, 1, stride, bias=False),
                        nn.BatchNorm2d(planes * Bottleneck.expansion))
                modules.append(Bottleneck(channels, planes, stride if i == 0 else 1, downsample,
                                          inner(planes) if inner else None))
                channels = planes * Bottleneck.expansion
            setattr(self, f'layer{stage + 1}', nn.Sequential(*modules))
        self.num_features = channels
        self.fc = nn.Linear(channels, num_classes) if num_classes else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_conv_bn(self)

    def forward_features(self, x: Tensor) -> Tensor:
        """The last stage's map ``(N, num_features, H/32, W/32)``."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in range(len(self.layers)):
            x = getattr(self, f'layer{stage + 1}')(x)
        return x

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(layers={self.layers}, width={self.width}, '
                f'num_features={self.num_features})')


def resnet50(**kwargs) -> ResNet:
    """ResNet-50 (torchvision ``resnet50`` names and shapes at the defaults; ``IMAGENET1K_V2``
    weights in ``default_cfgs``, ``IMAGENET1K_V1``'s ``resnet50-0676ba61.pth`` loads too)."""
    return ResNet((3, 4, 6, 3), **kwargs)
