"""Classification metrics shared by every model, on numpy arrays of scores and labels."""
from typing import List, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike


def _check(scores: ArrayLike, labels: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
    scores, labels = np.asarray(scores), np.asarray(labels)
    if scores.ndim != 2 or labels.shape != (len(scores),):
        raise ValueError(f'expected scores (N, num_classes) and labels (N,), got '
                         f'{scores.shape} and {labels.shape}')
    if len(labels) == 0:
        raise ValueError('cannot score an empty set of clips')
    return scores, labels.astype(np.int64)


def top_k_accuracy(scores: ArrayLike, labels: ArrayLike,
                   topk: Sequence[int] = (1, 5)) -> List[float]:
    """Fraction of clips whose label is among the ``k`` highest scores, for each ``k``.

    Returns a list of floats, one per ``k``; ``k`` larger than the number of classes
    counts every clip as correct.
    """
    scores, labels = _check(scores, labels)
    ranked = np.argsort(-scores, axis=1, kind='stable')
    return [float((ranked[:, :k] == labels[:, None]).any(axis=1).mean()) for k in topk]


def confusion_matrix(predictions: ArrayLike, labels: ArrayLike, num_classes: int) -> np.ndarray:
    """``(num_classes, num_classes)`` counts; row = true class, column = predicted."""
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def per_class_accuracy(matrix: ArrayLike) -> np.ndarray:
    """Recall of each class from a confusion matrix; NaN for a class with no clip."""
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def mean_class_accuracy(scores: ArrayLike, labels: ArrayLike) -> float:
    """Mean over the classes present in ``labels`` of each class's top-1 accuracy."""
    scores, labels = _check(scores, labels)
    matrix = confusion_matrix(scores.argmax(axis=1), labels, scores.shape[1])
    return float(np.nanmean(per_class_accuracy(matrix)))
