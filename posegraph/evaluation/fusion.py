"""Score-level fusion of models: reading score dumps, checking they agree, weighting them."""
import io
import itertools
import os
import pickle
from typing import List, Sequence, Tuple

import numpy as np
import torch

from posegraph.io.annotations import RestrictedUnpickler, UnsafePickleError
from .metrics import mean_class_accuracy, top_k_accuracy


class ScoreDumpError(ValueError):
    """A score dump that cannot be used, or dumps that do not describe the same clips."""


def _storage_from_bytes(data):
    # torch pickles a tensor's storage as torch.load-able bytes; read them weights-only.
    return torch.load(io.BytesIO(data), weights_only=True)


class _ScoreUnpickler(RestrictedUnpickler):
    """The skeleton format's unpickler, plus the two globals a pickled CPU tensor needs."""
    _TENSOR_GLOBALS = {('torch._utils', '_rebuild_tensor_v2'): torch._utils._rebuild_tensor_v2,
                       ('torch.storage', '_load_from_bytes'): _storage_from_bytes}

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in self._TENSOR_GLOBALS:
            return self._TENSOR_GLOBALS[module, name]
        return super().find_class(module, name)


def load_scores(path: str) -> Tuple[List[str], np.ndarray, np.ndarray]:
    """Read a score dump: a list of dicts with ``pred_score`` and ``gt_label``, as
    ``tools/test.py --dump`` and MMAction2 write them.

    Returns ``(names, scores, labels)``: clip names (``frame_dir``, else the index),
    ``(N, C)`` float64 scores and ``(N,)`` labels.
    """
    try:
        with open(path, 'rb') as f:
            samples = _ScoreUnpickler(f).load()
    except FileNotFoundError:
        raise FileNotFoundError(f'{path}: no such score dump') from None
    except UnsafePickleError as e:
        raise ScoreDumpError(f'{path}: {e}') from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, RuntimeError) as e:
        raise ScoreDumpError(f'{path}: truncated or not a score dump ({e})') from None
    if not isinstance(samples, list) or not samples:
        raise ScoreDumpError(f'{path}: expected a non-empty list of per-clip dicts')
    names, scores, labels = [], [], []
    for index, sample in enumerate(samples):
        if not isinstance(sample, dict) or 'pred_score' not in sample or 'gt_label' not in sample:
            raise ScoreDumpError(f'{path}: clip {index} lacks pred_score or gt_label')
        names.append(str(sample.get('frame_dir', index)))
        scores.append(np.asarray(sample['pred_score'], dtype=np.float64).reshape(-1))
        labels.append(int(np.asarray(sample['gt_label']).reshape(-1)[0]))
    if len({len(s) for s in scores}) != 1:
        raise ScoreDumpError(f'{path}: clips have different numbers of class scores')
    return names, np.stack(scores), np.array(labels)


def check_aligned(dumps: Sequence[Tuple[List[str], np.ndarray, np.ndarray]],
                  paths: Sequence[str]) -> None:
    """Refuse dumps that do not list the same clips, in order, with the same labels."""
    names, scores, labels = dumps[0]
    for (other_names, other_scores, other_labels), path in zip(dumps[1:], paths[1:]):
        if len(other_names) != len(names):
            raise ScoreDumpError(f'{path} has {len(other_names)} clips, {paths[0]} has '
                                 f'{len(names)}')
        if other_scores.shape[1] != scores.shape[1]:
            raise ScoreDumpError(f'{path} scores {other_scores.shape[1]} classes, {paths[0]} '
                                 f'{scores.shape[1]}')
        for i, (a, b, la, lb) in enumerate(zip(names, other_names, labels, other_labels)):
            if a != b:
                raise ScoreDumpError(f'clip {i} is {a!r} in {paths[0]} but {b!r} in {path}')
            if la != lb:
                raise ScoreDumpError(f'clip {i} ({a!r}) has label {la} in {paths[0]} but '
                                     f'{lb} in {path}')


def check_weights(weights: Sequence[float], count: int) -> np.ndarray:
    """``weights`` as an array, if they are ``count`` fusion weights: finite, not negative,
    not all 0 (all 0 fuse to NaN scores, a negative one favours the worse model).

    Raises:
        ValueError: saying which of these they are not.
    """
    array = np.asarray(weights, np.float64)
    if len(array) != count or not np.isfinite(array).all() or (array < 0).any() \
            or not array.sum() > 0:
        raise ValueError(f'fusion weights must be one per model ({count}), finite, 0 or more '
                         f'and not all 0, got {array.tolist()}')
    return array


def fuse(scores: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Weighted sum of score arrays ``[(N, C), ...]`` (weights: :func:`check_weights`)."""
    weights = check_weights(weights, len(scores))
    return sum(w * s for w, s in zip(weights, scores))


def search_weights(scores: Sequence[np.ndarray], labels: np.ndarray,
                   step: float = 0.1) -> np.ndarray:
    """Weights on a grid (non-negative, summing to 1) that maximise top-1, then mean class
    accuracy; ties go to the most even weights. Use validation scores, never test ones."""
    grid = np.round(np.arange(0, 1 + 1e-9, step), 10)
    best, best_key = None, None
    for head in itertools.product(grid, repeat=len(scores) - 1):
        last = 1 - sum(head)
        if last < -1e-9:
            continue
        weights = np.array(head + (max(last, 0.0),))
        fused = fuse(scores, weights)
        key = (top_k_accuracy(fused, labels, (1,))[0], mean_class_accuracy(fused, labels),
               -np.abs(weights - 1 / len(weights)).sum())
        if best_key is None or key > best_key:
            best, best_key = weights, key
    return best


def report(scores: np.ndarray, labels: np.ndarray) -> Tuple[float, float, float]:
    """``(top1, top5, mean class accuracy)`` of one score array."""
    top1, top5 = top_k_accuracy(scores, labels, (1, 5))
    return top1, top5, mean_class_accuracy(scores, labels)


def same_file(a: str, b: str) -> bool:
    """Whether the paths ``a`` and ``b`` both exist and name one file."""
    return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
