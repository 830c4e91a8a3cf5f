"""Published estimator weights by name: downloaded once into a cache, resumed when a
download breaks, and checked before use.

    path = resolve_checkpoint('lwopenpose')      # or a path, returned as it is

The cache is ``$POSEGRAPH_CACHE`` or ``~/.cache/posegraph/checkpoints``. A download
(:func:`posegraph.io.download.download`, continued when it breaks) becomes the cached file
only once it is checked: loadable weights-only, holding the expected state-dict keys and
shapes. Offline, the error names the URL and where to put the file by hand.
"""
import os
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import torch

from posegraph.io.checkpoint import CheckpointError, load_checkpoint_file, local_checkpoint
from posegraph.io.download import DownloadError, download
from .lwopenpose import lightweight_openpose


class WeightsError(DownloadError):
    """Published weights that cannot be had, or a file that is not them."""


@dataclass(frozen=True)
class PublishedCheckpoint:
    """Where a checkpoint is published and what it must hold.

    Args:
        url: where to download it.
        file_name: its name in the cache.
        expected_state: builds the state dict (keys and shapes) the file must hold.
    """
    url: str
    file_name: str
    expected_state: Callable[[], Dict[str, torch.Tensor]]


PUBLISHED = {
    # Osokin's Lightweight OpenPose, three refinement stages (see posegraph.pose.lwopenpose).
    'lwopenpose': PublishedCheckpoint(
        url='https://download.01.org/opencv/openvino_training_extensions/models/'
            'human_pose_estimation/checkpoint_iter_370000.pth',
        file_name='checkpoint_iter_370000.pth',
        expected_state=lambda: lightweight_openpose(num_refinement_stages=3).state_dict()),
}


def cache_dir() -> str:
    return os.environ.get('POSEGRAPH_CACHE') or os.path.join(
        os.path.expanduser('~'), '.cache', 'posegraph', 'checkpoints')


def resolve_checkpoint(checkpoint: str, cache: Optional[str] = None) -> str:
    """A checkpoint path: ``checkpoint`` itself if it is a file; the cached (and if need be
    downloaded) file of the published checkpoint of that name (:data:`PUBLISHED`); or, for
    an ``http(s)://`` URL or a model-zoo name, its copy in torch.hub's cache
    (:func:`~posegraph.io.checkpoint.local_checkpoint`).

    Raises:
        DownloadError: a checkpoint that cannot be downloaded, or a download that is not
            one (:class:`WeightsError` for a published one).
        CheckpointError: a model-zoo name that its table lacks.
    """
    if checkpoint in PUBLISHED and not os.path.isfile(checkpoint):
        return fetch_checkpoint(PUBLISHED[checkpoint], cache or cache_dir())
    return local_checkpoint(checkpoint)


def fetch_checkpoint(published: PublishedCheckpoint, cache: str) -> str:
    """The checked file of ``published`` in ``cache``, downloaded (or continued) if absent."""
    try:
        return download(published.url, os.path.join(cache, published.file_name),
                        check=lambda path: _check(path, published.expected_state()),
                        expected='the expected checkpoint',
                        instead=', or give its path as the checkpoint')
    except DownloadError as e:
        raise WeightsError(str(e)) from None


def _check(path: str, expected: Dict[str, torch.Tensor]) -> Optional[str]:
    """What is wrong with the checkpoint at ``path``, or ``None``."""
    try:
        checkpoint = load_checkpoint_file(path, map_location='cpu')
    except CheckpointError as e:
        return str(e)
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        return 'no state dict in it'
    missing = [k for k in expected if k not in state]
    shapes = [k for k in expected
              if k in state and tuple(state[k].shape) != tuple(expected[k].shape)]
    if missing or shapes:
        return (f'{len(missing)} expected entries missing, {len(shapes)} of another shape, '
                f'first {(missing + shapes)[0]!r}')
    return None
