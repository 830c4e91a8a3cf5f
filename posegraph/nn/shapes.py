"""The error a layer raises for an input of the wrong shape, in the layer's own terms.

Layers compare the sizes they are built for (joints, channels) before computing: the error
torch would raise names an inner product's operands, not the layer or what it takes.
"""
from torch import Tensor, nn


def wrong_shape(layer: nn.Module, name: str, tensor: Tensor, expected: str,
                hint: str = '') -> ValueError:
    """A ``ValueError`` saying that ``layer`` (by its ``repr``) takes ``name`` of shape
    ``expected`` (e.g. ``'(*, 17, 64) (joints, channels)'``) and got ``tensor``'s, then
    ``hint`` (the likely mistake) if any."""
    return ValueError(f'{layer!r} takes {name} of shape {expected}, got '
                      f'{tuple(tensor.shape)}' + (f': {hint}' if hint else ''))
