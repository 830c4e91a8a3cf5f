"""Loss and accuracy curves from mmengine's training log."""
import glob
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

from matplotlib.figure import Figure
from mmengine.hooks import Hook
from mmengine.runner import Runner

from posegraph.registry import HOOKS
from posegraph.visualization import save_figure

_NOT_METRICS = {'step', 'time', 'data_time', 'epoch', 'iter', 'lr'}
Records = Tuple[List[dict], List[dict]]   # training records, validation records


def read_scalars(path: str) -> Records:
    """Training and validation records of a ``scalars.json`` written by ``LocalVisBackend``."""
    train, val = [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                (train if 'loss' in record else val).append(record)
    return train, val


def read_history(scalars_files: Sequence[str]) -> Records:
    """Training and validation records of a run and the runs it resumed, oldest first.

    A resumed run replays from its checkpoint: its records replace the earlier logs' from
    its first step on, so the history reads as one uninterrupted run.
    """
    train, val = [], []
    for path in scalars_files:
        new_train, new_val = read_scalars(path)
        if new_train:
            train = [r for r in train if r['step'] < new_train[0]['step']]
        replaced = {r['step'] for r in new_val}
        val = [r for r in val if r['step'] not in replaced]
        train += new_train
        val += new_val
    return train, sorted(val, key=lambda r: r['step'])


def history_files(work_dir: str, log_dir: str, resumed: bool) -> List[str]:
    """The ``scalars.json`` files of a run's history, oldest first: the run's own (in
    ``log_dir``) and, if it ``resumed``, the earlier training logs in ``work_dir``."""
    scalars = os.path.join(log_dir, 'vis_data', 'scalars.json')
    if not os.path.isfile(scalars):
        return []
    if not resumed:
        return [scalars]
    # Log folders are named by their start time, so they sort oldest first.
    earlier = sorted(glob.glob(os.path.join(work_dir, '*', 'vis_data', 'scalars.json')))
    return [f for f in earlier if f < scalars and read_scalars(f)[0]] + [scalars]


def plot_training_curves(scalars_json: Union[str, os.PathLike, Sequence[str]],
                         path: str) -> str:
    """Draw the losses per iteration and the validation metrics per epoch as a PNG.

    ``scalars_json`` is one ``scalars.json`` or a list of them: a run and the runs it
    resumed, oldest first (see :func:`read_history`).
    """
    files = [scalars_json] if isinstance(scalars_json, (str, os.PathLike)) else scalars_json
    train, val = read_history(files)
    fig = Figure(figsize=(11, 4))
    ax_loss, ax_acc = fig.subplots(1, 2)
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
    """Redraw ``curves.png`` in the work dir after every validation and at the end.

    A resumed run draws its whole history: the training logs of the earlier runs in the
    work dir, then its own.
    """
    priority = 'LOWEST'

    def _draw(self, runner: Runner) -> None:
        files = history_files(runner.work_dir, runner.log_dir, runner._resume)
        if files:
            plot_training_curves(files, os.path.join(runner.work_dir, 'curves.png'))

    def after_val_epoch(self, runner: Runner,
                        metrics: Optional[Dict[str, float]] = None) -> None:
        self._draw(runner)

    def after_train(self, runner: Runner) -> None:
        self._draw(runner)
