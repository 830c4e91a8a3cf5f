"""Errors shared by every layer, with no imports (the torch-free runtime raises them too)."""


class UnknownNameError(KeyError):
    """A name that names nothing known: a skeleton layout, a pose back-end, a dataset split.
    A ``KeyError``, said as its message (a ``KeyError`` quotes it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


class MissingWeightsError(FileNotFoundError):
    """A pose back-end was asked to run without usable weights: none given, a name that
    cannot be downloaded, or a path to no file. Tools say which of their flags takes them."""
