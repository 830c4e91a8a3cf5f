"""Reading and writing skeleton annotation files in the PYSKL / MMAction2 format.

A file is a pickle of::

    {'split': {split_name: [frame_dir, ...], ...},
     'annotations': [{'frame_dir': str, 'label': int, 'total_frames': int,
                      'img_shape': (h, w), 'original_shape': (h, w),
                      'keypoint': float (M, T, V, 2), 'keypoint_score': float (M, T, V)},
                     ...]}

Also read: a bare list of such records (no splits); 2D keypoints stored as
``(M, T, V, 3)`` with the score last and no ``keypoint_score`` (split into the two); 3D
joints ``(M, T, V, 3)`` (NTU RGB+D's), when asked for with ``coords=3``. MMAction2's
Kinetics-400 files, whose keypoints live in external files, are named as such and refused.

Pickles can run code when loaded, so :func:`load_annotations` reads them with an
unpickler that only admits the builtin and numpy types this format is made of.
"""
import importlib.util
import io
import os
import pickle
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .atomic import atomic_open

# (module, name) pairs a skeleton annotation pickle may reference: numpy arrays, dtypes
# and scalars at pickle protocols 2 to 5, under numpy 1 and numpy 2 module names.
_SAFE_GLOBALS = {
    ('_codecs', 'encode'),  # bytes at protocol 2 (mmcv's default)
    ('numpy', 'dtype'),
    ('numpy', 'ndarray'),
    ('collections', 'OrderedDict'),
    ('builtins', 'set'),
    ('builtins', 'frozenset'),
    ('builtins', 'complex'),
}
for _core in ('numpy.core', 'numpy._core'):
    _SAFE_GLOBALS |= {(f'{_core}.multiarray', '_reconstruct'),
                      (f'{_core}.multiarray', 'scalar'),
                      (f'{_core}.numeric', '_frombuffer')}

# Where this numpy keeps its core modules: numpy 2 in numpy._core, numpy 1 in numpy.core.
_NUMPY_CORE = 'numpy._core' if importlib.util.find_spec('numpy._core') else 'numpy.core'
REQUIRED_KEYS = ('frame_dir', 'label', 'keypoint')
PathLike = Union[str, os.PathLike]
UNLABELLED = -1  # the label of a clip with no known class (inference-only files)


class AnnotationError(ValueError):
    """An annotation file that cannot be used, with the file and record at fault."""


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle that asks for a global outside the skeleton format's types."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global outside the skeleton format's types."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _SAFE_GLOBALS:
            raise UnsafePickleError(
                f'refused to load global {module}.{name}: skeleton annotation files may '
                f'only hold builtin containers and numpy arrays')
        if module.startswith(('numpy.core.', 'numpy._core.')):  # either numpy's name here
            module = _NUMPY_CORE + '.' + module.split('.', 2)[2]
        return super().find_class(module, name)


def safe_load_pickle(path: PathLike) -> Any:
    """Unpickle ``path`` without executing code from it."""
    path = os.fspath(path)
    try:
        with open(path, 'rb') as f:
            return RestrictedUnpickler(f).load()
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: no such annotation file') from None
    except IsADirectoryError:
        raise AnnotationError(f'{path}: is a folder, not an annotation file') from None
    except UnsafePickleError as e:
        raise AnnotationError(f'{path}: {e}') from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError) as e:
        raise AnnotationError(f'{path}: truncated or not a skeleton pickle '
                              f'({type(e).__name__}: {e})') from None


def _where(path, index, record):
    where = f'{path}: annotation {index}'
    if isinstance(record, dict) and 'frame_dir' in record:
        where += f" ('{record['frame_dir']}')"
    return where


def _as_coordinates(path, index, record, coords):
    """``record`` with ``coords`` coordinates per joint: 2D keypoints stored with their
    score as a third channel (and no ``keypoint_score``) are split into the two."""
    keypoint = record.get('keypoint') if isinstance(record, dict) else None
    if coords != 2 or not isinstance(keypoint, np.ndarray) or keypoint.ndim != 4 \
            or keypoint.shape[-1] != 3:
        return record
    if record.get('keypoint_score') is not None:
        raise AnnotationError(f'{_where(path, index, record)}: keypoint has 3 channels and '
                              'the record has a keypoint_score too: 3D joints? Read the file '
                              'with coords=3 (PoseDataset(coords=3))')
    score = keypoint[..., 2]
    finite = score[np.isfinite(score)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise AnnotationError(f'{_where(path, index, record)}: keypoint has 3 channels and no '
                              'keypoint_score, but the third channel is not a score in [0, 1] '
                              f'(it spans {finite.min():.3g} to {finite.max():.3g}): 3D joints? '
                              'Read the file with coords=3 (PoseDataset(coords=3))')
    return dict(record, keypoint=keypoint[..., :2], keypoint_score=score)


def _check_record(path, index, record, num_classes=None, num_joints=None, coords=(2, 3),
                  required=REQUIRED_KEYS):
    """Raise :class:`AnnotationError` naming the file and record if ``record`` is bad."""
    where = _where(path, index, record)
    if not isinstance(record, dict):
        raise AnnotationError(f'{where} is a {type(record).__name__}, not a dict')
    if 'keypoint' not in record and 'raw_file' in record:
        raise AnnotationError(
            f"{where} has no keypoint but a raw_file ({record['raw_file']!r}): this is "
            "MMAction2's / PYSKL's Kinetics-400 skeleton format, whose keypoints are kept in "
            'external files. Decompress it into one file first (PYSKL: the DecompressPose '
            'pipeline step over every record, then dump the records with their keypoint '
            'and keypoint_score), then point ann_file at that file')
    missing = [key for key in required if key not in record]
    if missing:
        raise AnnotationError(f'{where} lacks the key(s) {", ".join(missing)}')
    label = record.get('label', UNLABELLED)
    if not isinstance(label, (int, np.integer)) or isinstance(label, bool):
        raise AnnotationError(f'{where}: label {label!r} is not an integer')
    if label < UNLABELLED or (num_classes is not None and label >= num_classes):
        bound = f' [0, {num_classes})' if num_classes is not None else ' >= 0'
        # The usual cause: a config's num_classes (or label map) kept for a file of more.
        remedy = (f': a file of more classes needs num_classes={label + 1} or more, and a '
                  'label map of as many names or label_map=None'
                  if num_classes is not None and label >= num_classes else '')
        raise AnnotationError(f'{where}: label {label} is out of range{bound} (or '
                              f'{UNLABELLED} for an unlabelled clip){remedy}')
    keypoint = record['keypoint']
    coords = (coords,) if isinstance(coords, int) else coords
    if not isinstance(keypoint, np.ndarray) or keypoint.ndim != 4 \
            or keypoint.shape[-1] not in coords:
        shape = getattr(keypoint, 'shape', type(keypoint).__name__)
        expected = ' or '.join(f'(M, T, V, {c})' for c in coords)
        raise AnnotationError(f'{where}: keypoint must be an array of shape {expected}, '
                              f'got {shape}')
    if keypoint.shape[1] == 0:
        raise AnnotationError(f'{where}: the clip has no frames')
    if num_joints is not None and keypoint.shape[2] != num_joints:
        raise AnnotationError(f'{where}: keypoint has {keypoint.shape[2]} joints, the '
                              f'layout has {num_joints}')
    score = record.get('keypoint_score')
    if score is not None and (not isinstance(score, np.ndarray)
                              or score.shape != keypoint.shape[:3]):
        shape = getattr(score, 'shape', type(score).__name__)
        raise AnnotationError(f'{where}: keypoint_score must have shape '
                              f'{keypoint.shape[:3]} (M, T, V), got {shape}')
    total = record.get('total_frames', keypoint.shape[1])
    if total != keypoint.shape[1]:
        raise AnnotationError(f'{where}: total_frames is {total} but keypoint holds '
                              f'{keypoint.shape[1]} frames')
    for key in ('img_shape', 'original_shape'):
        shape = record.get(key)
        if shape is not None and (len(shape) != 2 or min(shape) <= 0):
            raise AnnotationError(f'{where}: {key} must be (height, width), got {shape}')


def check_record(record: dict, num_joints: Optional[int] = None, coords: int = 2,
                 source: str = 'record', index: int = 0) -> dict:
    """Check one annotation record made in memory as :func:`load_annotations` checks a
    file's: the same shapes and joint count; of the keys, only ``keypoint`` is required
    (an unnamed, unlabelled clip is fine to recognise).

    Returns ``record``, its 2D keypoints split from their score where they were stored
    together (``(M, T, V, 3)`` and no ``keypoint_score``). Raises :class:`AnnotationError`
    naming ``source``, ``index`` and the problem.
    """
    record = _as_coordinates(source, index, record, coords)
    _check_record(source, index, record, num_joints=num_joints, coords=coords,
                  required=('keypoint',))
    return record


def load_annotations(path: PathLike, split: Optional[str] = None, num_classes: Optional[int] = None,
                     num_joints: Optional[int] = None, return_classes: bool = False,
                     coords: int = 2) -> Union[List[dict], Tuple[List[dict], Optional[List[str]]]]:
    """Load and check a skeleton annotation file.

    Args:
        path: the pickle file.
        split: if given, keep only the records this split lists, in the split's order
            (default ``None``: every record).
        num_classes: if given, labels must lie in ``[0, num_classes)``; ``-1`` (unlabelled)
            is always accepted here, and refused by whatever needs labels. (default: ``None``)
        num_joints: if given, every record must have this many joints. (default: ``None``)
        return_classes: also return the file's class names (its optional top-level
            ``classes`` list), or ``None``. (default: ``False``)
        coords: coordinates per joint: 2 (default; ``(M, T, V, 3)`` arrays without a
            ``keypoint_score`` are read as x, y, score, and refused if that third channel
            leaves ``[0, 1]``) or 3 (3D joints).

    Returns:
        The list of annotation records (dicts), and the class names if asked.

    Raises:
        AnnotationError: naming the file, the record and the problem.
    """
    path = os.fspath(path)
    if coords not in (2, 3):
        raise ValueError(f'coords must be 2 or 3, got {coords}')
    data = safe_load_pickle(path)
    if isinstance(data, list):   # a bare list of records, as some tools write: no splits
        data = {'annotations': data}
    if not isinstance(data, dict) or not isinstance(data.get('annotations'), list):
        raise AnnotationError(f"{path}: expected a dict with an 'annotations' list (or a "
                              f'list of records), got {type(data).__name__} with keys '
                              f'{_keys(data)}')
    classes = data.get('classes')
    if classes is not None and (not isinstance(classes, (list, tuple))
                                or not all(isinstance(c, str) for c in classes)):
        raise AnnotationError(f"{path}: 'classes' must be a list of class names")
    annotations = [_as_coordinates(path, index, record, coords)
                   for index, record in enumerate(data['annotations'])]
    for index, record in enumerate(annotations):
        _check_record(path, index, record, num_classes, num_joints, coords)
    data = dict(data, annotations=annotations)
    records = annotations if split is None else _select_split(path, data, split)
    return (records, classes) if return_classes else records


def _select_split(path, data, split):
    annotations = data['annotations']
    splits = data.get('split')
    if not isinstance(splits, dict):
        raise AnnotationError(f"{path}: has no 'split' dict, cannot select split '{split}' "
                              '(split=None uses every record)')
    if split not in splits:
        raise AnnotationError(f"{path}: unknown split '{split}'; the file has "
                              f'{", ".join(map(repr, splits)) or "no splits"}')
    by_name = {record['frame_dir']: record for record in annotations}
    missing = [name for name in splits[split] if name not in by_name]
    if missing:
        raise AnnotationError(f"{path}: split '{split}' lists {len(missing)} clip(s) with "
                              f"no annotation, first '{missing[0]}'")
    return [by_name[name] for name in splits[split]]


def load_splits(path: PathLike) -> Dict[str, List[str]]:
    """Return the ``{split: [frame_dir, ...]}`` dict of an annotation file."""
    data = safe_load_pickle(path)
    return dict(data.get('split', {})) if isinstance(data, dict) else {}


def dump_annotations(path: PathLike, annotations: Sequence[dict],
                     split: Optional[Dict[str, Sequence[str]]] = None,
                     classes: Optional[Sequence[str]] = None) -> None:
    """Write ``annotations`` (and ``split``, and the class names ``classes``) as a checked
    PYSKL-format pickle.

    The file is written to a temporary name and renamed, so an interrupted write never
    leaves a truncated file in place of a good one.
    """
    path = os.fspath(path)
    for index, record in enumerate(annotations):
        _check_record(path, index, record)
    names = {record['frame_dir'] for record in annotations}
    for name, members in (split or {}).items():
        unknown = [m for m in members if m not in names]
        if unknown:
            raise AnnotationError(f"{path}: split '{name}' names clip '{unknown[0]}' "
                                  'that has no annotation')
    buffer = io.BytesIO()
    data = {'split': dict(split or {}), 'annotations': list(annotations)}
    if classes is not None:
        data['classes'] = list(classes)
    pickle.dump(data, buffer, protocol=4)
    with atomic_open(path, 'wb') as f:
        f.write(buffer.getvalue())


def read_label_map(path: PathLike) -> List[str]:
    """Class names, one a line, as ``label_map.txt`` files hold them."""
    try:
        with open(path) as f:
            return [line.strip() for line in f if line.strip()]
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: no such label map (label_map=None, or another '
                                'file of class names, one a line)') from None
    except IsADirectoryError:
        raise AnnotationError(f'{path}: is a folder, not a label map (a text file of class '
                              'names, one a line)') from None
    except UnicodeDecodeError:
        raise AnnotationError(f'{path}: not text: a label map is a text file of class names, '
                              'one a line') from None


def resolve_classes(label_map: Optional[PathLike] = None, num_classes: Optional[int] = None
                    ) -> Tuple[Optional[List[str]], Optional[int]]:
    """``(class names or None, number of classes or None)`` from a dataset's optional
    label map and ``num_classes``; :class:`AnnotationError` where they disagree."""
    if not label_map:
        return None, num_classes
    classes = read_label_map(label_map)
    if num_classes is not None and num_classes != len(classes):
        raise AnnotationError(f'{label_map} names {len(classes)} classes but num_classes is '
                              f'{num_classes}: give a label map of {num_classes} names, or '
                              'label_map=None')
    return classes, len(classes)


def _keys(data):
    return sorted(map(str, data)) if isinstance(data, dict) else '(none)'
