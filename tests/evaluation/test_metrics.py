import cv2
import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

from posegraph.evaluation import (
    AccMetric,
    confusion_matrix,
    mean_class_accuracy,
    per_class_accuracy,
    plot_confusion_matrix,
    top_k_accuracy,
)

SCORES = np.array([[0.1, 0.7, 0.2],    # label 1: top-1 right
                   [0.5, 0.3, 0.2],    # label 1: top-2
                   [0.2, 0.3, 0.5],    # label 0: last
                   [0.6, 0.3, 0.1]])   # label 0: right
LABELS = np.array([1, 1, 0, 0])


def test_top_k_on_hand_worked_scores():
    assert top_k_accuracy(SCORES, LABELS, (1, 2, 3, 5)) == [0.5, 0.75, 1.0, 1.0]


def test_confusion_and_class_accuracy():
    matrix = confusion_matrix(SCORES.argmax(1), LABELS, 3)
    assert matrix.tolist() == [[1, 0, 1], [1, 1, 0], [0, 0, 0]]
    recall = per_class_accuracy(matrix)
    assert recall[:2].tolist() == [0.5, 0.5] and np.isnan(recall[2])
    # Class 2 has no clip, so it does not drag the mean down.
    assert mean_class_accuracy(SCORES, LABELS) == 0.5
    unbalanced = np.array([[1, 0]] * 9 + [[1, 0]])
    assert mean_class_accuracy(unbalanced, np.array([0] * 9 + [1])) == 0.5


def test_metrics_refuse_mismatched_inputs():
    with pytest.raises(ValueError, match='expected scores'):
        top_k_accuracy(SCORES, LABELS[:3])
    with pytest.raises(ValueError, match='empty'):
        mean_class_accuracy(np.zeros((0, 3)), np.zeros(0))


def test_acc_metric_for_mmengine():
    metric = AccMetric(topk=(1, 2))
    metric.process({}, [{'pred_score': torch.tensor(s), 'gt_label': torch.tensor([label])}
                        for s, label in zip(SCORES, LABELS)])
    results = metric.compute_metrics(metric.results)
    assert results == {'top1': 0.5, 'top2': 0.75, 'mean_class_accuracy': 0.5}


def test_acc_metric_names_what_the_evaluator_reports_before_it_runs():
    metric = AccMetric(topk=(1, 2), prefix='val')
    evaluator = Evaluator(metric)
    evaluator.process([{'pred_score': torch.tensor(s), 'gt_label': torch.tensor([label])}
                       for s, label in zip(SCORES, LABELS)])
    assert metric.metric_names == list(evaluator.evaluate(len(SCORES))) == \
        ['val/top1', 'val/top2', 'val/mean_class_accuracy']


def test_acc_metric_takes_one_k_and_refuses_ks_below_one():
    # As mmpretrain's Accuracy takes it: a single k was a TypeError at the first validation.
    metric = AccMetric(topk=2)
    metric.process({}, [{'pred_score': torch.tensor(s), 'gt_label': torch.tensor([label])}
                        for s, label in zip(SCORES, LABELS)])
    assert metric.compute_metrics(metric.results) == {'top2': 0.75, 'mean_class_accuracy': 0.5}
    for topk in (0, (1, 0), (), (1.5,)):
        with pytest.raises(ValueError, match='topk must be a positive integer'):
            AccMetric(topk=topk)


def test_confusion_plot_is_a_real_picture(tmp_path):
    matrix = np.array([[8, 2, 0], [1, 5, 4], [0, 0, 10]])
    path = plot_confusion_matrix(matrix, ['walk', 'run', 'jump'], str(tmp_path / 'cm.png'))
    image = cv2.imread(path)
    assert image is not None and image.shape[0] > 300 and image.shape[1] > 400
    assert image.std() > 10          # not a blank canvas
    with pytest.raises(ValueError, match='does not fit 2 class names'):
        plot_confusion_matrix(matrix, ['a', 'b'], str(tmp_path / 'x.png'))
