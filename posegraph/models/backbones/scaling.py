"""What the backbones share: channel scaling for ``width``, the usual initialisation and
the metadata of their published checkpoints."""
from typing import Dict, Tuple

from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INCEPTION_MEAN = INCEPTION_STD = (0.5, 0.5, 0.5)


def pretrained_cfg(url: str, first_conv: str, classifier: str,
                   mean: Tuple[float, ...] = IMAGENET_MEAN, std: Tuple[float, ...] = IMAGENET_STD,
                   input_size: Tuple[int, int, int] = (3, 224, 224)) -> Dict:
    """One backbone variant's metadata: the checkpoint's ``url`` (its file name is the last
    part), ``mean`` / ``std`` on the 0-1 scale, ``input_size`` ``(C, H, W)`` and the module
    names of the ``first_conv`` and the ``classifier``."""
    return dict(url=url, file=url.rsplit('/', 1)[-1], mean=mean, std=std, input_size=input_size,
                first_conv=first_conv, classifier=classifier)


def scaled(channels: int, width: float, divisor: int = 8) -> int:
    """``channels * width`` rounded to a multiple of ``divisor`` (at least ``divisor``)."""
    if width == 1:
        return channels
    return max(divisor, int(round(channels * width / divisor)) * divisor)


def init_conv_bn(module: nn.Module) -> None:
    """He (fan-out) initialisation of convolutions, unit / zero batch norms."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
