"""Making mmengine's Runner load local checkpoints weights-only.

mmengine's own loader unpickles everything; :func:`register_checkpoint_loader` (called by
the Runner builder) replaces it for local paths with
:func:`posegraph.io.checkpoint.load_checkpoint_file`. Importing this module changes nothing.
"""
from mmengine.runner.checkpoint import CheckpointLoader

from posegraph.io.checkpoint import load_checkpoint_file


def register_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with :func:`load_checkpoint_file`."""
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_checkpoint_file)
