"""Making mmengine's Runner load checkpoints weights-only, from paths, URLs and model-zoo names.

mmengine's own loaders for URLs and model-zoo names (``torchvision://``, ``open-mmlab://``,
``mmcls://``) go through torch.hub's ``load_state_dict_from_url``, which unpickles
everything, and its object-storage and model-cloud ones (``s3://``, ``petrel://``,
``pavi://``) lack mmengine's own log types, which its checkpoints hold;
:func:`register_checkpoint_loader` (called by the Runner builder) replaces them with
:func:`posegraph.io.checkpoint.load_checkpoint`, and the local one with
:func:`posegraph.io.checkpoint.load_checkpoint_file`. Importing this module changes nothing.
"""
from mmengine.runner.checkpoint import CheckpointLoader

from posegraph.io.checkpoint import (
    STORAGE_SCHEMES,
    ZOO_SCHEMES,
    load_checkpoint,
    load_checkpoint_file,
)


def register_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with :func:`load_checkpoint_file` and
    ``http(s)://``, model-zoo, object-storage and model-cloud ones with
    :func:`load_checkpoint`."""
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_checkpoint_file)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://', 'pavi://') + ZOO_SCHEMES + STORAGE_SCHEMES,
        force=True)(load_checkpoint)
