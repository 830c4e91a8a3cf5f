"""Accuracy metric for mmengine's evaluator."""
import os
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from posegraph.registry import METRICS
from .metrics import confusion_matrix, mean_class_accuracy, top_k_accuracy
from .plot import plot_confusion_matrix


@METRICS.register_module()
class AccMetric(BaseMetric):
    """Top-k and mean class accuracy of clip scores.

    Each data sample must carry ``pred_score`` ``(num_classes,)`` and ``gt_label``.
    Reports ``top1``, ``top5`` (for each ``k`` in ``topk``, one ``k`` or several) and
    ``mean_class_accuracy``, as fractions. With ``out_dir``, also draws
    ``confusion_matrix.png`` there, with the dataset's class names.
    """
    default_prefix = 'acc'

    def __init__(self, topk: Union[int, Sequence[int]] = (1, 5), out_dir: Optional[str] = None,
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = (topk,) if isinstance(topk, int) else tuple(topk)
        if not self.topk or not all(isinstance(k, int) and k >= 1 for k in self.topk):
            raise ValueError(f'AccMetric: topk must be a positive integer or a sequence of '
                             f'them, got {topk!r}')
        self.out_dir = out_dir

    @property
    def metric_names(self) -> List[str]:
        """The keys the metric reports, as the evaluator reports them (with the prefix):
        known before it runs, so that a checkpoint hook's ``save_best`` can be checked."""
        names = [f'top{k}' for k in self.topk] + ['mean_class_accuracy']
        return [f'{self.prefix}/{name}' if self.prefix else name for name in names]

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            score, label = sample['pred_score'], sample['gt_label']
            self.results.append({
                'pred_score': torch.as_tensor(score).float().cpu().numpy(),
                'gt_label': int(torch.as_tensor(label).reshape(-1)[0]),
            })

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = np.stack([r['pred_score'] for r in results])
        labels = np.array([r['gt_label'] for r in results])
        if (labels < 0).any():
            raise ValueError(f'{(labels < 0).sum()} of {len(labels)} clips are unlabelled '
                             '(label -1): accuracy needs labels. Score unlabelled clips with '
                             'the inference API, or give the file its labels.')
        metrics = {f'top{k}': acc for k, acc in
                   zip(self.topk, top_k_accuracy(scores, labels, self.topk))}
        metrics['mean_class_accuracy'] = mean_class_accuracy(scores, labels)
        if self.out_dir is not None:
            num_classes = scores.shape[1]
            names = (self.dataset_meta or {}).get('classes') or [str(k) for k in
                                                                 range(num_classes)]
            matrix = confusion_matrix(scores.argmax(1), labels, num_classes)
            plot_confusion_matrix(matrix, list(names),
                                  os.path.join(self.out_dir, 'confusion_matrix.png'))
        return metrics
