"""VGG-16 (Simonyan and Zisserman, 2015) with torchvision's module names.

``features`` is one ``Sequential`` of 3x3 convolutions (each followed by a ReLU) and
2x2 max pools, indexed as torchvision's (``features.0`` ... ``features.28``, pools at 4,
9, 16, 23, 30); ``classifier`` is fc6 (0), fc7 (3) and fc8 (6) with ReLU and dropout
between.
"""
from torch import Tensor, nn

from .base import Backbone, pretrained_cfg
from .scaling import init_conv_bn, scaled

VGG16_STAGES = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


default_cfgs = {
    'vgg16': pretrained_cfg('https://download.pytorch.org/models/vgg16-397923af.pth',
                            first_conv='features.0', classifier='classifier.6'),
}


class VGG(Backbone):
    """VGG-16; :meth:`forward_features` gives the ReLU'd conv5_3 map (stride 16).

    Args:
        num_classes: size of fc8 (0 for none: the classifier then ends at fc7). (default: ``1000``)
        in_channels: input channels (3 for RGB, 2L for a stack of L optical flows). (default: ``3``)
        width: channel multiplier of the convolutions (1.0 = the published network).
            (default: ``1.0``)
        fc_channels: width of fc6 and fc7 (4096 in the published network). (default: ``4096``)
        dropout: dropout after fc6 and fc7. (default: ``0.5``)
    """

    pretrained_cfg = default_cfgs['vgg16']

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
                 fc_channels: int = 4096, dropout: float = 0.5):
        super().__init__()
        self.width, self.fc_channels = width, fc_channels
        layers, channels = [], in_channels
        for stage in VGG16_STAGES:
            for out in stage:
                out = scaled(out, width)
                layers += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU(inplace=True)]
                channels = out
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.conv5_channels = channels
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        head = [nn.Linear(channels * 49, fc_channels), nn.ReLU(inplace=True), nn.Dropout(dropout),
                nn.Linear(fc_channels, fc_channels), nn.ReLU(inplace=True), nn.Dropout(dropout)]
        if num_classes:
            head.append(nn.Linear(fc_channels, num_classes))
        self.classifier = nn.Sequential(*head)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_conv_bn(self)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward_features(self, x: Tensor) -> Tensor:
        """The conv5_3 feature map after its ReLU, before the last pool."""
        return self.features[:-1](x)

    def forward_head(self, x: Tensor, pre_logits: bool = False) -> Tensor:
        """From a :meth:`forward_features` map: fc7's features (after ReLU and dropout)
        with ``pre_logits``, else fc8's logits."""
        x = self.avgpool(self.features[-1](x)).flatten(1)
        x = self.classifier[:6](x)
        return x if pre_logits else self.classifier[6:](x)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(width={self.width}, fc_channels={self.fc_channels}, '
                f'conv5_channels={self.conv5_channels})')


def vgg16(**kwargs) -> VGG:
    """VGG-16 (torchvision ``vgg16`` names and shapes at the defaults)."""
    return VGG(**kwargs)
