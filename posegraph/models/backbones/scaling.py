"""Channel scaling shared by the backbones' ``width`` argument."""


def scaled(channels, width, divisor=8):
    """``channels * width`` rounded to a multiple of ``divisor`` (at least ``divisor``)."""
    if width == 1:
        return channels
    return max(divisor, int(round(channels * width / divisor)) * divisor)
