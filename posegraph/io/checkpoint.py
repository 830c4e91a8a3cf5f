"""Loading checkpoints with ``torch.load(weights_only=True)``, admitting mmengine's log types.

mmengine's checkpoints carry the message hub's log history (``HistoryBuffer`` objects,
whose pickled state names ``getattr(HistoryBuffer, 'min')`` and the like) and numpy
scalars, so the weights-only unpickler of torch >= 2.6 refuses them. The loader here stays
weights-only and admits exactly those types, with a ``getattr`` that resolves nothing but
the history buffer's statistics methods. Checkpoints named by URL, or by a model-zoo name
that mmengine resolves to one (``torchvision://resnet50``), are downloaded once into
torch.hub's cache (:func:`local_checkpoint`) and loaded from there the same way; those in
object storage (``s3://``) are read through mmengine's file backend and loaded from memory.
"""
import difflib
import importlib
import importlib.util
import io
import json
import os
import pickle
import re
import tempfile
import threading
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.logging import HistoryBuffer, print_log

from .download import DownloadError, download, url_file_name


def _history_buffer_getattr(obj, name):
    if obj is HistoryBuffer and name in ('min', 'max', 'current', 'mean'):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(f'refused getattr({obj!r}, {name!r}) in a checkpoint')


# numpy 2 keeps these in numpy._core, numpy 1 in numpy.core.
_NUMPY_CORE = 'numpy._core' if importlib.util.find_spec('numpy._core') else 'numpy.core'
_MULTIARRAY = importlib.import_module(f'{_NUMPY_CORE}.multiarray')
SAFE_GLOBALS = [HistoryBuffer, np.dtype, np.ndarray, _MULTIARRAY.scalar,
                _MULTIARRAY._reconstruct, (_history_buffer_getattr, 'builtins.getattr')]
SAFE_GLOBALS += [type(np.dtype(name)) for name in ('f4', 'f8', 'i4', 'i8', 'b1')]
# torch.serialization.safe_globals adds to one process-wide set on entry and removes from it
# on exit, so a load that leaves the context would withdraw the types from a load still
# running in another thread: one load at a time.
_LOAD_LOCK = threading.Lock()


class CheckpointError(ValueError):
    """A file that is not a checkpoint the weights-only loader reads: truncated, of another
    format, or holding code (a pickled object other than tensors, numbers and mmengine's
    log types); or a checkpoint whose weights do not fit the network they are loaded into."""


def load_checkpoint_file(filename: str,
                         map_location: Optional[Union[str, torch.device]] = None,
                         content: Optional[bytes] = None) -> Any:
    """``torch.load`` a local checkpoint, weights-only, admitting mmengine's log types;
    safe to call from several threads at once. ``content``, when given, is the file's bytes,
    read from elsewhere (``filename`` then only names it).

    Raises ``FileNotFoundError`` for a missing file and :class:`CheckpointError`, naming
    ``filename``, for one that does not load.
    """
    try:
        with _LOAD_LOCK, torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(filename if content is None else io.BytesIO(content),
                              map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as e:  # the unpickler fails on foreign bytes in many ways
        raise CheckpointError(f'{filename}: does not load as a checkpoint: '
                              f'{_load_failure(e)}') from e


def _load_failure(error: Exception) -> str:
    """Why ``torch.load`` failed, in a line: its weights-only refusals come as a page of
    advice around the one line that says why, and bytes that are no pickle at all fail
    anywhere in the unpickler."""
    message = str(error).strip()
    first_line = message.splitlines()[0].split('. ')[0] if message else ''
    if 'WeightsUnpickler error:' in message:
        why = next(line.strip() for line in
                   message.split('WeightsUnpickler error:', 1)[1].splitlines() + ['?']
                   if line.strip())
        if why.startswith('Unsupported global'):
            return (f'it holds code or objects, not only weights ({why.split(" was ")[0]}); '
                    f'refused without running it')
        return f'not a file torch.save wrote ({why})'
    if isinstance(error, EOFError):
        return 'the file ends early (empty or cut short)'
    if 'PytorchStreamReader' in message:
        return f'a damaged torch.save archive ({first_line})'
    return f'not a file torch.save wrote ({type(error).__name__}: {first_line})'


def checkpoint_cache_dir() -> str:
    """Where checkpoints named by URL are kept: torch.hub's ``<hub dir>/checkpoints``
    (``$TORCH_HOME/hub/checkpoints``), where mmengine, MMAction2 and torchvision keep them
    too, so a file one of them downloaded is not downloaded again."""
    return os.path.join(torch.hub.get_dir(), 'checkpoints')


def download_checkpoint(url: str, folder: Optional[str] = None) -> str:
    """The local copy of the checkpoint at ``url`` in ``folder`` (default
    :func:`checkpoint_cache_dir`), downloaded first if absent (continued if a download
    broke) and kept only if :func:`load_checkpoint_file` reads it, so a web page served in
    its place, or a file holding code, is never cached.

    In a distributed run, the first process of each machine downloads while the others
    wait, so that no two write the same file.

    Raises:
        DownloadError: offline (naming the URL and where to put the file by hand) or a
            download that is not a weights-only checkpoint.
    """
    path = os.path.join(folder or checkpoint_cache_dir(), url_file_name(url))
    rank, world_size = get_dist_info()
    # torchrun's LOCAL_RANK (mmengine sets it for slurm too; MPI has its own): mmengine's
    # get_local_rank needs a local group that a run started without its init_dist lacks.
    # Without either, the first process of all downloads.
    local_rank = int(os.environ.get('LOCAL_RANK')
                     or os.environ.get('OMPI_COMM_WORLD_LOCAL_RANK') or rank)
    failure = None
    if local_rank == 0:
        try:
            download(url, path, check=_unloadable, expected='a checkpoint')
        except DownloadError as e:
            failure = e
    if world_size > 1:   # reached by every process, whether the download worked or not
        torch.distributed.barrier()
    if failure is not None:
        raise failure
    if not os.path.isfile(path):
        raise DownloadError(f'{url}: the first process on this machine could not download '
                            f'it; see its error')
    return path


#: Model-zoo names that mmengine resolves to URLs through the tables it ships
#: (``mmengine/hub/*.json``); ``modelzoo://`` is the old name of ``torchvision://``.
#: Grouped by the name mmengine gives the loader of each.
ZOO_SCHEME_KINDS = {'torchvision': ('torchvision://', 'modelzoo://'),
                    'openmmlab': ('open-mmlab://', 'openmmlab://'),
                    'mmcls': ('mmcls://',)}
ZOO_SCHEMES = sum(ZOO_SCHEME_KINDS.values(), ())


#: Object-storage names (Ceph / S3, ``cluster:s3://bucket/file``) that mmengine reads through
#: its ``petrel`` file backend, as the patterns its checkpoint loader matches them with.
STORAGE_SCHEMES = (r'(\S+\:)?s3://', r'(\S+\:)?petrel://')


def zoo_checkpoint_url(name: str) -> str:
    """Where a model-zoo checkpoint name (one of :data:`ZOO_SCHEMES`, e.g.
    ``torchvision://resnet50``) points: a URL, or for an ``open-mmlab://`` entry that names a
    file, that file under mmengine's home. The tables are mmengine's, read as its loaders
    read them (``open-mmlab://`` adds ``$MMENGINE_HOME/open_mmlab.json`` and follows renamed
    entries). ``torchvision://`` takes torchvision's own list where torchvision imports, and
    otherwise mmengine's table of torchvision 0.12's checkpoints, which has the plain names
    (``resnet50``, ``vgg16``) but not the weight versions (``resnet50.imagenet1k_v2``).

    Raises:
        CheckpointError: a name the scheme's table lacks, with the closest it has.
    """
    import mmengine
    from mmengine.runner import checkpoint as mm

    scheme, _, model = name.partition('://')
    scheme += '://'
    if scheme in ('torchvision://', 'modelzoo://'):
        try:
            table, source = mm.get_torchvision_models(), "torchvision's list"
        except Exception:   # absent, or a build that does not fit this torch
            with open(os.path.join(mmengine.__path__[0], 'hub', 'torchvision_0.12.json')) as f:
                table = json.load(f)
            source = ("mmengine's table of torchvision 0.12's checkpoints (torchvision does "
                      "not import here; it would name the weight versions too)")
    elif scheme == 'mmcls://':
        table, source = mm.get_mmcls_models(), "mmengine's table of mmcls checkpoints"
    elif scheme in ('open-mmlab://', 'openmmlab://'):
        table, source = mm.get_external_models(), "mmengine's table of OpenMMLab checkpoints"
        renamed = mm.get_deprecated_model_names()
        if model in renamed:
            print_log(f'{name} is deprecated in favour of {scheme}{renamed[model]}',
                      logger='current', level=30)
            model = renamed[model]
    else:
        raise ValueError(f'{name}: not a model-zoo name ({", ".join(ZOO_SCHEMES)})')
    if model not in table:
        close = difflib.get_close_matches(model, table, n=5, cutoff=0.5)
        raise CheckpointError(f'{name}: {source} has no {model!r}'
                              + (f'; closest: {", ".join(close)}' if close else '')
                              + '; give the checkpoint\'s URL or path instead')
    where = table[model]
    if scheme in ('open-mmlab://', 'openmmlab://') and '://' not in where:
        return os.path.join(mm._get_mmengine_home(), where)
    return where


def local_checkpoint(name: str, folder: Optional[str] = None) -> str:
    """The local file of the checkpoint ``name``: an ``http(s)://`` URL's copy in
    ``folder`` (default :func:`checkpoint_cache_dir`), downloaded first if absent
    (:func:`download_checkpoint`); the same for a model-zoo name's URL
    (:func:`zoo_checkpoint_url`); any other name as it is (a path).

    Raises:
        DownloadError: a checkpoint that cannot be downloaded, or a download that is not
            a weights-only checkpoint.
        CheckpointError: a model-zoo name its table lacks.
    """
    if name.startswith(ZOO_SCHEMES):
        name = zoo_checkpoint_url(name)
    if name.startswith(('http://', 'https://')):
        return download_checkpoint(name, folder)
    return name


def load_checkpoint(name: str, map_location: Optional[Union[str, torch.device]] = None) -> Any:
    """Load the checkpoint at a path, an ``http(s)://`` URL, a model-zoo name
    (:data:`ZOO_SCHEMES`), an object-storage name (:data:`STORAGE_SCHEMES`) or a PAVI
    model-cloud name (``pavi://``) weights-only (:func:`load_checkpoint_file`): a URL's file
    from its cached copy, downloaded first if absent (:func:`local_checkpoint`), the others'
    bytes as mmengine's loaders read them (its ``petrel`` file backend; PAVI's client). Of
    an ``mmcls://`` classifier, only the backbone's weights, as mmengine's loader gives
    them."""
    if any(re.match(pattern, name) for pattern in STORAGE_SCHEMES):
        from mmengine.fileio import get_file_backend
        content = get_file_backend(name, backend_args={'backend': 'petrel'}).get(name)
        return load_checkpoint_file(name, map_location, content=content)
    if name.startswith('pavi://'):
        return load_checkpoint_file(name, map_location, content=_pavi_content(name))
    checkpoint = load_checkpoint_file(local_checkpoint(name), map_location)
    if name.startswith('mmcls://'):
        from mmengine.runner.checkpoint import _process_mmcls_checkpoint
        checkpoint = _process_mmcls_checkpoint(checkpoint)
    return checkpoint


def _pavi_content(name: str) -> bytes:
    """The bytes of the checkpoint ``pavi://PATH`` in PAVI's model cloud, fetched into a
    temporary folder as mmengine's loader fetches it."""
    try:
        from pavi import modelcloud
    except ImportError:
        raise CheckpointError(f'{name}: pavi:// names need the pavi package') from None
    model = modelcloud.get(name[len('pavi://'):])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, model.name)
        model.download(path)
        with open(path, 'rb') as f:
            return f.read()


def _unloadable(path: str) -> Optional[str]:
    try:
        load_checkpoint_file(path, map_location='cpu')
    except CheckpointError as e:
        return str(e)
    return None


def checkpoint_state_dict(checkpoint: Any, path: str,
                          strip_prefixes: Sequence[str] = ('module.',)) -> Dict[str, torch.Tensor]:
    """The state dict a loaded checkpoint holds: the object itself, or its ``state_dict``
    (mmengine) or ``model`` (timm) entry, with a prefix that every key carries (``module.``
    of ``DataParallel``, and any of ``strip_prefixes``) removed.

    Raises ``ValueError`` naming ``path`` when it holds no state dict.
    """
    state = checkpoint
    for key in ('state_dict', 'model'):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise ValueError(f'{path}: not a state dict or a checkpoint holding one')
    for prefix in strip_prefixes:
        if state and all(key.startswith(prefix) for key in state):
            state = {key[len(prefix):]: value for key, value in state.items()}
    return state


def state_dict_mismatch(model_state: Mapping[str, Any], state: Mapping[str, Any],
                        skip: Iterable[str] = ()) -> List[str]:
    """What keeps ``state`` from loading into a module whose state dict is ``model_state``,
    in short phrases (empty where it fits): the parameters of another shape, the missing
    and the unexpected keys, each counted with the first three named. Keys matching a
    regular expression of ``skip`` are left out of the comparison."""
    skip = [re.compile(pattern) for pattern in skip]

    def kept(key):
        return not any(pattern.search(key) for pattern in skip)

    shapes = [f'{k}: checkpoint {tuple(v.shape)}, model {tuple(model_state[k].shape)}'
              for k, v in state.items() if kept(k) and k in model_state
              and hasattr(v, 'shape') and v.shape != model_state[k].shape]
    missing = [k for k in model_state if kept(k) and k not in state]
    unexpected = [k for k in state if kept(k) and k not in model_state]
    return [f'{len(items)} {what} ({", ".join(items[:3])}{", ..." * (len(items) > 3)})'
            for what, items in (('parameter(s) of another shape', shapes),
                                ('missing key(s)', missing),
                                ('unexpected key(s)', unexpected)) if items]
