"""Accuracy metric for mmengine's evaluator."""
import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from posegraph.registry import METRICS
from .metrics import mean_class_accuracy, top_k_accuracy


@METRICS.register_module()
class AccMetric(BaseMetric):
    """Top-k and mean class accuracy of clip scores.

    Each data sample must carry ``pred_score`` ``(num_classes,)`` and ``gt_label``.
    Reports ``top1``, ``top5`` (for each ``k`` in ``topk``) and ``mean_class_accuracy``,
    as fractions.
    """
    default_prefix = 'acc'

    def __init__(self, topk=(1, 5), collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            score, label = sample['pred_score'], sample['gt_label']
            self.results.append({
                'pred_score': torch.as_tensor(score).float().cpu().numpy(),
                'gt_label': int(torch.as_tensor(label).reshape(-1)[0]),
            })

    def compute_metrics(self, results):
        scores = np.stack([r['pred_score'] for r in results])
        labels = np.array([r['gt_label'] for r in results])
        metrics = {f'top{k}': acc for k, acc in
                   zip(self.topk, top_k_accuracy(scores, labels, self.topk))}
        metrics['mean_class_accuracy'] = mean_class_accuracy(scores, labels)
        return metrics
