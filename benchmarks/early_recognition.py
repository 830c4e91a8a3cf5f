"""Top-1 against the fraction of each clip observed, on the leakage-free JHMDB folds.

The pose-attention model reads a clip online: its streaming ``step`` has seen the first
``f`` of the clip's 32 test frames and scores the action so far, with no look at the rest.
For contrast, two offline models that need a whole clip are given the observed part
resampled to 32 frames: the same pose-attention model through its offline forward, and
DD-Net (benchmarks/ddnet.py, its authors' recipe unless ``--ddnet-recipe short``, trained on
the same fold with the same seed, or taken from the same root where ``benchmarks/ddnet.py
--work-root DIR`` kept it). PAN checkpoints come from ``benchmarks/jhmdb_accuracy.py
--work-root DIR`` (the last checkpoint of each fold and seed).

    python benchmarks/jhmdb_accuracy.py --work-root work_dirs/grouped
    python benchmarks/early_recognition.py --runs work_dirs/grouped \
        [--out assets/early_recognition.png]
"""
import math
from typing import List, Sequence, Tuple

import numpy as np
import torch
from jhmdb_accuracy import finished_runs, finished_runs_setup, test_transforms
from matplotlib.figure import Figure
from mmengine.config import Config
from torch import nn

from posegraph.visualization import save_figure
from common import markdown_table, run_main
from ddnet import ddnet_logits, trained_ddnet

FRACTIONS = np.linspace(0.1, 1.0, 10)


def observed(record: dict, fraction: float) -> dict:
    """The record cut to its first ``fraction`` of frames (at least two)."""
    frames = max(2, math.ceil(fraction * record['keypoint'].shape[1]))
    return dict(record, keypoint=record['keypoint'][:, :frames],
                keypoint_score=record['keypoint_score'][:, :frames], total_frames=frames)


def pan_curves(cfg: Config, checkpoint: str, records: Sequence[dict]
               ) -> Tuple[List[float], List[float]]:
    """Top-1 per fraction: online (``step`` over the first frames) and offline (the
    observed part resampled)."""
    from posegraph.apis import init_recognizer
    network = init_recognizer(cfg, checkpoint).network
    transforms = test_transforms(cfg)
    labels = torch.tensor([r['label'] for r in records])
    clips = torch.cat([transforms(dict(r))['inputs'] for r in records])  # (N, M, T, V, C)
    online, state, per_step = [], network.initial_state(len(records), clips.shape[1]), []
    with torch.no_grad():
        for t in range(clips.shape[2]):
            logits, state = network.step(clips[:, :, t], state)
            per_step.append((logits.argmax(-1) == labels).float().mean().item())
        for fraction in FRACTIONS:
            online.append(per_step[max(1, math.ceil(fraction * clips.shape[2])) - 1])
        offline = []
        for fraction in FRACTIONS:
            cut = torch.cat([transforms(observed(r, fraction))['inputs'] for r in records])
            offline.append((network(cut)['logits'].argmax(-1) == labels).float().mean().item())
    return online, offline


def ddnet_curve(model: nn.Module, records: Sequence[dict]) -> List[float]:
    labels = torch.tensor([r['label'] for r in records])
    return [(ddnet_logits(model, [observed(r, fraction) for r in records]).argmax(-1)
             == labels).float().mean().item() for fraction in FRACTIONS]


def main() -> None:
    args, cfg = finished_runs_setup(__doc__.splitlines()[0], ddnet=True,
                                    figure='early_recognition.png')
    num_classes = cfg.num_classes
    curves = {'PAN online (step)': [], 'PAN offline, observed part': [],
              'DD-Net, observed part': []}
    folds = []
    for fold, seed, checkpoint, train, test in finished_runs(args.runs, cfg):
        if fold not in folds:
            folds.append(fold)
        online, offline = pan_curves(cfg, checkpoint, test)
        ddnet = ddnet_curve(trained_ddnet(train, num_classes, fold, seed, args.ddnet_recipe,
                                          args.runs), test)
        for name, curve in zip(curves, (online, offline, ddnet)):
            curves[name].append(curve)
        finals = zip(curves, (online, offline, ddnet))
        print(f'{fold} seed {seed}: ' + ', '.join(f'{name} {100 * curve[-1]:.1f} % at 100 %'
                                                  for name, curve in finals), flush=True)
    means = {name: 100 * np.mean(values, axis=0) for name, values in curves.items()}
    print(markdown_table(['observed', *curves], (
        [f'{100 * fraction:.0f} %', *(f'{means[n][k]:.1f} %' for n in curves)]
        for k, fraction in enumerate(FRACTIONS))))
    figure = Figure(figsize=(6.5, 4))
    axes = figure.subplots()
    for (name, values), style in zip(curves.items(), ('o-', 's--', '^:')):
        values = 100 * np.array(values)
        axes.errorbar(100 * FRACTIONS, values.mean(0), yerr=values.std(0), fmt=style,
                      capsize=3, label=name)
    axes.set_xlabel('clip observed (%)')
    axes.set_ylabel('top-1 (%)')
    runs = len(curves['PAN online (step)'])
    axes.set_title(f'Early recognition, JHMDB {", ".join(folds)} ({runs} runs)')
    axes.grid(alpha=0.3)
    axes.legend()
    save_figure(figure, args.out, dpi=100)
    print(f'figure: {args.out}')


if __name__ == '__main__':
    run_main(main)
