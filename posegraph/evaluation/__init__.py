"""Metrics and figures shared by every model."""
from .acc_metric import AccMetric
from .metrics import confusion_matrix, mean_class_accuracy, per_class_accuracy, top_k_accuracy
from .plot import plot_confusion_matrix

__all__ = ['AccMetric', 'confusion_matrix', 'mean_class_accuracy', 'per_class_accuracy',
           'top_k_accuracy', 'plot_confusion_matrix']
