"""Per-class top-1 of the pose-attention runs and of DD-Net on the leakage-free JHMDB folds,
and of the two fused at the score level: where each model is right, and how much they agree.

The PAN checkpoints come from ``benchmarks/jhmdb_accuracy.py --work-root DIR`` (the last
checkpoint of each fold and seed, scored with the config's test pipeline); DD-Net
(benchmarks/ddnet.py) is trained here on the same fold with the same seed. Fusion averages
the two models' softmax scores, as ``tools/fuse_scores.py`` does.

    python benchmarks/jhmdb_accuracy.py --work-root work_dirs/grouped
    python benchmarks/jhmdb_per_class.py --runs work_dirs/grouped [--ddnet-recipe short] \
        [--out assets/jhmdb_per_class.png]
"""
from typing import List, Sequence

import numpy as np
import torch
from jhmdb_accuracy import finished_runs, finished_runs_setup, test_transforms
from matplotlib.figure import Figure
from mmengine.config import Config

from posegraph.visualization import save_figure
from common import markdown_table, run_main
from ddnet import ddnet_logits, trained_ddnet

COLUMNS = ('PAN', 'DD-Net', 'fused')


def pan_scores(cfg: Config, checkpoint: str, records: Sequence[dict]) -> torch.Tensor:
    """Softmax scores ``(clips, classes)`` of the checkpoint, the config's test pipeline."""
    from posegraph.apis import init_recognizer
    model = init_recognizer(cfg, checkpoint)
    transforms = test_transforms(cfg)
    clips = torch.stack([transforms(dict(r))['inputs'] for r in records])
    with torch.no_grad():
        return model(clips, mode='tensor').numpy()


def class_names(cfg: Config) -> List[str]:
    """The config's class names: its label map's, else ``'class <label>'`` (a file re-pointed
    with ``label_map=None``)."""
    from posegraph.io.annotations import resolve_classes
    classes, num_classes = resolve_classes(cfg.get('label_map'), cfg.num_classes)
    return classes or [f'class {c}' for c in range(num_classes)]


def per_class(predictions: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Top-1 per class (NaN for a class with no clip) of one run."""
    return np.array([(predictions[labels == c] == c).mean() if (labels == c).any() else np.nan
                     for c in range(num_classes)])


def main() -> None:
    args, cfg = finished_runs_setup(__doc__.splitlines()[0], ddnet=True,
                                    figure='jhmdb_per_class.png')
    names = class_names(cfg)
    top1 = {model: {} for model in COLUMNS}       # model -> fold -> [top-1 per seed]
    classes = {model: {} for model in COLUMNS}    # model -> fold -> [per-class per seed]
    counts = {}                                  # fold -> clips per class
    for fold, seed, checkpoint, train, test in finished_runs(args.runs, cfg):
        labels = np.array([r['label'] for r in test])
        counts[fold] = np.bincount(labels, minlength=len(names))
        pan = pan_scores(cfg, checkpoint, test)
        ddnet = ddnet_logits(trained_ddnet(train, len(names), fold, seed, args.ddnet_recipe,
                                           args.runs), test).softmax(-1).numpy()
        for model, scores in zip(COLUMNS, (pan, ddnet, (pan + ddnet) / 2)):
            predictions = scores.argmax(-1)
            top1[model].setdefault(fold, []).append((predictions == labels).mean())
            classes[model].setdefault(fold, []).append(per_class(predictions, labels,
                                                                 len(names)))
        print(f'{fold} seed {seed}: ' + ', '.join(
            f'{model} {100 * top1[model][fold][-1]:.1f} %' for model in COLUMNS), flush=True)
    folds = list(top1['PAN'])
    print(markdown_table(['model', *folds, 'mean of folds'], (
        [model, *(f'{100 * np.mean(top1[model][f]):.1f} %' for f in folds),
         f'{100 * np.mean([np.mean(top1[model][f]) for f in folds]):.1f} %']
        for model in COLUMNS)))
    # Per class: each fold's mean over seeds, then over the folds that hold the class.
    table = {model: 100 * np.nanmean([np.mean(classes[model][f], axis=0) for f in folds], 0)
             for model in COLUMNS}
    print(markdown_table(['class', *(f'clips in {f}' for f in folds), *COLUMNS], (
        [name, *(int(counts[f][c]) for f in folds), *(f'{table[m][c]:.1f}' for m in COLUMNS)]
        for c, name in enumerate(names))))
    figure = Figure(figsize=(9, 4))
    axes = figure.subplots()
    width = 0.27
    for k, model in enumerate(COLUMNS):
        axes.bar(np.arange(len(names)) + (k - 1) * width, table[model], width, label=model)
    axes.set_xticks(np.arange(len(names)), names, rotation=45, ha='right')
    axes.set_ylabel('top-1 (%)')
    runs = sum(len(v) for v in top1['PAN'].values())
    axes.set_title(f'Per class, JHMDB {", ".join(folds)} ({runs} runs each)')
    axes.set_ylim(0, 115)  # room for the legend above the bars
    axes.legend(ncols=3, loc='upper center')
    axes.grid(axis='y', alpha=0.3)
    save_figure(figure, args.out, dpi=100)
    print(f'figure: {args.out}')


if __name__ == '__main__':
    run_main(main)
