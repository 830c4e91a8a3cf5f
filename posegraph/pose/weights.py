"""Published estimator weights by name: downloaded once into a cache, resumed when a
download breaks, and checked before use.

    path = resolve_checkpoint('lwopenpose')      # or a path, returned as it is

The cache is ``$POSEGRAPH_CACHE`` or ``~/.cache/posegraph/checkpoints``. A download goes to
``<file>.part`` (a broken one is continued with an HTTP range request) and becomes the
cached file only once it is checked: loadable weights-only, holding the expected state-dict
keys and shapes. Offline, the error names the URL and where to put the file by hand.
"""
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable, Dict, Optional

import torch
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from posegraph.io.checkpoint import CheckpointError, load_checkpoint_file
from .lwopenpose import lightweight_openpose


class WeightsError(FileNotFoundError):
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
    """A checkpoint path: ``checkpoint`` itself if it is a file, else the cached (and if
    need be downloaded) file of the published checkpoint of that name (:data:`PUBLISHED`)."""
    if os.path.isfile(checkpoint) or checkpoint not in PUBLISHED:
        return checkpoint
    return fetch_checkpoint(PUBLISHED[checkpoint], cache or cache_dir())


def fetch_checkpoint(published: PublishedCheckpoint, cache: str) -> str:
    """The checked file of ``published`` in ``cache``, downloaded (or continued) if absent."""
    path = os.path.join(cache, published.file_name)
    if os.path.isfile(path):
        return path
    os.makedirs(cache, exist_ok=True)
    partial = path + '.part'
    try:
        _download(published.url, partial)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, 'reason', e)
        raise WeightsError(f'cannot download {published.url} ({reason}); download it where '
                           f'you can and put it at {path}, or pass --checkpoint PATH. What '
                           f'was fetched so far is kept in {partial} and continued next time.'
                           ) from None
    problem = _check(partial, published.expected_state())
    if problem:
        os.remove(partial)
        raise WeightsError(f'{published.url} gave a file that is not the expected checkpoint '
                           f'({problem}); it was removed')
    os.replace(partial, path)
    return path


def _download(url: str, partial: str, chunk: int = 1 << 20) -> None:
    have = os.path.getsize(partial) if os.path.isfile(partial) else 0
    request = urllib.request.Request(url, headers={'Range': f'bytes={have}-'} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:   # nothing left to fetch: the check decides
            return
        raise
    with response:
        resumed = have and response.status == 206
        total = response.headers.get('Content-Length')
        total = int(total) + (have if resumed else 0) if total else None
        columns = (TextColumn(os.path.basename(partial[:-5])), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn())
        with Progress(*columns) as progress, open(partial, 'ab' if resumed else 'wb') as f:
            task = progress.add_task('download', total=total, completed=have if resumed else 0)
            while True:
                data = response.read(chunk)
                if not data:
                    break
                f.write(data)
                progress.update(task, advance=len(data))
    if total is not None and os.path.getsize(partial) != total:
        raise OSError(f'the download stopped at {os.path.getsize(partial)} of {total} bytes')


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
