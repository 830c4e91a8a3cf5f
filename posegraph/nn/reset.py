"""Resetting a whole network: every part to the initialisation it was built with."""
from torch import nn


def reset_parameters_of(module: nn.Module) -> None:
    """Reset every parameterised part of ``module``: each child with a
    ``reset_parameters`` of its own (layers, backbones) resets itself, the others (a
    ``Sequential``, a ``ModuleList``) are walked into."""
    for child in module.children():
        if hasattr(child, 'reset_parameters'):
            child.reset_parameters()
        else:
            reset_parameters_of(child)


class ResetParameters:
    """Mixin for networks made of parts: :meth:`reset_parameters` resets them all
    (:func:`reset_parameters_of`), as PyG's and PyTorch's layers reset themselves."""

    def reset_parameters(self) -> None:
        reset_parameters_of(self)
