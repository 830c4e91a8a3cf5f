"""Figures of classification results."""
from typing import Optional, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from posegraph.visualization import save_figure
from .metrics import per_class_accuracy


def plot_confusion_matrix(matrix: ArrayLike, class_names: Sequence[str], path: str,
                          title: Optional[str] = None) -> str:
    """Draw a row-normalised confusion matrix beside per-class accuracy, as a PNG.

    Args:
        matrix: ``(C, C)`` counts, rows true classes, columns predictions.
        class_names: ``C`` names for the axes.
        path: the PNG to write.
        title: a heading; by default the overall and mean class accuracy.

    Returns:
        ``path``.
    """
    matrix = np.asarray(matrix)
    num_classes = len(class_names)
    if matrix.shape != (num_classes, num_classes):
        raise ValueError(f'a {matrix.shape} matrix does not fit {num_classes} class names')
    totals = matrix.sum(axis=1, keepdims=True)
    normalized = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    recall = per_class_accuracy(matrix)
    if title is None:
        overall = np.trace(matrix) / max(matrix.sum(), 1)
        title = f'top-1 {100 * overall:.1f} %, mean class {100 * np.nanmean(recall):.1f} %'

    size = max(6.0, 0.45 * num_classes + 3)
    fig = Figure(figsize=(size * 1.45, size))
    ax_cm, ax_acc = fig.subplots(1, 2, gridspec_kw={'width_ratios': [3, 1]})
    image = ax_cm.imshow(normalized, cmap='Blues', vmin=0, vmax=1)
    ticks = np.arange(num_classes)
    ax_cm.set_xticks(ticks, class_names, rotation=60, ha='right')
    ax_cm.set_yticks(ticks, class_names)
    ax_cm.set_xlabel('predicted')
    ax_cm.set_ylabel('true')
    if num_classes <= 30:
        for i, j in zip(*np.nonzero(matrix)):
            ax_cm.text(j, i, matrix[i, j], ha='center', va='center', fontsize=8,
                       color='white' if normalized[i, j] > 0.5 else 'black')
    fig.colorbar(image, ax=ax_cm, fraction=0.046, pad=0.04, label='fraction of true class')

    ax_acc.barh(ticks, np.nan_to_num(recall) * 100, color='tab:blue')
    ax_acc.set_yticks(ticks, class_names)
    ax_acc.invert_yaxis()
    ax_acc.set_xlim(0, 100)
    ax_acc.set_xlabel('accuracy (%)')
    ax_acc.set_title('per class')
    fig.suptitle(title)
    return save_figure(fig, path, dpi=100)
