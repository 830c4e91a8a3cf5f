"""Making mmengine's Runner load checkpoints weights-only, from paths and URLs.

mmengine's own loaders unpickle everything (torch.hub's ``load_state_dict_from_url`` too);
:func:`register_checkpoint_loader` (called by the Runner builder) replaces them for local
paths with :func:`posegraph.io.checkpoint.load_checkpoint_file` and for ``http(s)://`` with
:func:`load_url_checkpoint`. Importing this module changes nothing.
"""
from typing import Any, Optional, Union

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from posegraph.io.checkpoint import download_checkpoint, load_checkpoint_file


def load_url_checkpoint(url: str, map_location: Optional[Union[str, torch.device]] = None,
                        model_dir: Optional[str] = None) -> Any:
    """Load the checkpoint at ``url`` weights-only from its cached copy, downloaded first if
    absent (:func:`~posegraph.io.checkpoint.download_checkpoint`); mmengine's
    ``load_from_http``, with its arguments."""
    return load_checkpoint_file(download_checkpoint(url, model_dir), map_location)


def register_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with :func:`load_checkpoint_file` and
    ``http(s)://`` ones with :func:`load_url_checkpoint`."""
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_checkpoint_file)
    CheckpointLoader.register_scheme(prefixes=('http://', 'https://'),
                                     force=True)(load_url_checkpoint)
