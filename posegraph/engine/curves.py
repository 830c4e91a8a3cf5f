"""Loss and accuracy curves from mmengine's training log."""
import json
import os

from mmengine.hooks import Hook

from posegraph.registry import HOOKS
from posegraph.visualization import save_figure  # sets the Agg backend before pyplot loads
import matplotlib.pyplot as plt  # noqa: E402,I001

_NOT_METRICS = {'step', 'time', 'data_time', 'epoch', 'iter', 'lr'}


def read_scalars(path):
    """Training and validation records of a ``scalars.json`` written by ``LocalVisBackend``."""
    train, val = [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                (train if 'loss' in record else val).append(record)
    return train, val


def plot_training_curves(scalars_json, path):
    """Draw the losses per iteration and the validation metrics per epoch as a PNG."""
    train, val = read_scalars(scalars_json)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    keys = sorted({k for r in train for k in r if k.startswith('loss')})
    for key in keys:
        points = [(r['step'], r[key]) for r in train if key in r]
        ax_loss.plot(*zip(*points), label=key, lw=1)
    ax_loss.set_xlabel('iteration')
    ax_loss.set_ylabel('loss')
    ax_loss.set_yscale('log')
    if keys:
        ax_loss.legend()
    metrics = sorted({k for r in val for k in r if k not in _NOT_METRICS})
    for key in metrics:
        points = [(r['step'], 100 * r[key]) for r in val if key in r]
        ax_acc.plot(*zip(*points), marker='o', label=key)
    ax_acc.set_xlabel('epoch')
    ax_acc.set_ylabel('validation (%)')
    if metrics:
        ax_acc.legend()
    ax_acc.grid(alpha=0.3)
    return save_figure(fig, path)


@HOOKS.register_module()
class TrainingCurvesHook(Hook):
    """Redraw ``curves.png`` in the work dir after every validation and at the end."""
    priority = 'LOWEST'

    def _draw(self, runner):
        scalars = os.path.join(runner.log_dir, 'vis_data', 'scalars.json')
        if os.path.isfile(scalars):
            plot_training_curves(scalars, os.path.join(runner.work_dir, 'curves.png'))

    def after_val_epoch(self, runner, metrics=None):
        self._draw(runner)

    def after_train(self, runner):
        self._draw(runner)
