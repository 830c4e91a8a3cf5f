"""Making mmengine's Runner load checkpoints weights-only, from paths, URLs and model-zoo names.

mmengine's own loaders for URLs and model-zoo names (``torchvision://``, ``open-mmlab://``,
``mmcls://``) go through torch.hub's ``load_state_dict_from_url``, which unpickles
everything, and its object-storage and model-cloud ones (``s3://``, ``petrel://``,
``pavi://``) lack mmengine's own log types, which its checkpoints hold;
:func:`register_checkpoint_loader` (called by the Runner builder) replaces them with
:func:`posegraph.io.checkpoint.load_checkpoint`, and the local one with
:func:`posegraph.io.checkpoint.load_checkpoint_file`. Importing this module changes nothing.
"""
from typing import Any, Callable, Optional

from mmengine.runner.checkpoint import CheckpointLoader

from posegraph.io.checkpoint import (
    STORAGE_SCHEMES,
    ZOO_SCHEME_KINDS,
    load_checkpoint,
    load_checkpoint_file,
)

#: The prefixes of each kind of checkpoint name, under the name mmengine gives its loader of
#: that kind, which its log line shows ("Loads checkpoint by http backend from path: ...").
LOADER_PREFIXES = {
    'local': ('',),
    'http': ('http://', 'https://'),
    **ZOO_SCHEME_KINDS,
    'ceph': STORAGE_SCHEMES,
    'pavi': ('pavi://',),
}


def _loader(kind: str) -> Callable[..., Any]:
    load = load_checkpoint_file if kind == 'local' else load_checkpoint

    def loader(filename: str, map_location: Optional[str] = None) -> Any:
        return load(filename, map_location)

    # mmengine's log names the loader by what follows 'load_from_' in its name.
    loader.__name__ = loader.__qualname__ = f'load_from_{kind}'
    return loader


def register_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints with :func:`load_checkpoint_file` and
    ``http(s)://``, model-zoo, object-storage and model-cloud ones with
    :func:`load_checkpoint`, each kind under the name of mmengine's own loader
    (:data:`LOADER_PREFIXES`)."""
    for kind, prefixes in LOADER_PREFIXES.items():
        CheckpointLoader.register_scheme(prefixes=prefixes, force=True)(_loader(kind))
