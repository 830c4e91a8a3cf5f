"""Channel scaling for ``width`` and the usual initialisation of the backbones."""
from torch import nn


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
