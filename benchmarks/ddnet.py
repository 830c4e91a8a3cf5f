"""DD-Net (Yang et al., "Make Skeleton-based Action Recognition Model Smaller, Faster and
Better", 2019) as its authors' code runs it on JHMDB (``fandulu/DD-Net``, ``JHMDB/``): the
baseline the JHMDB figures are compared with, in the same run.

The network is the package's (:class:`posegraph.models.DDNet`, which follows the authors'
code where the paper is silent); here its input per clip is computed in numpy as their
preprocessing makes it: the joints resampled to 32 frames by a cubic spline (their
``zoom``), and the **joint collection distances** (JCD) of those frames scaled by the clip's
mean distance (their ``get_CG``). Two training recipes:

- ``authors`` (the default): their notebook's, with Keras' defaults (Glorot-uniform
  weights, batch norm of epsilon 1e-3 and momentum 0.99, Adam's epsilon 1e-7): the whole
  training set as one batch, Adam at 1e-3 for 600 epochs, then a fresh Adam at 1e-4 for 600
  more, each halving its rate when the training loss stops falling (patience 5, cooldown 5,
  floor 5e-6); no augmentation.
- ``short``: what the benchmarks trained before, PyTorch's initialisation, batches of 64,
  Adam at 1e-3 with cosine decay over 100 epochs.

``python benchmarks/ddnet.py [--recipe authors] [--seeds 0 1 2 3 4] [--out FILE.json]
[--work-root DIR] [--paired-with BASE.json ...]`` trains it on the grouped JHMDB folds
(two runs side by side, one thread each) and prints top-1 per run, the mean of the folds
and the spread, as ``jhmdb_accuracy.py`` does for a config (its ``--out`` files pair with
each other's). With ``--work-root`` each model is kept there (``ddnet-RECIPE_FOLD_seedS.pth``)
and ``early_recognition.py`` / ``jhmdb_per_class.py`` on the same root use it instead of
training it again.
"""
import argparse
import functools
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from scipy.ndimage import zoom
from torch import nn

from posegraph.io import atomic_open
from posegraph.models import DDNet
from posegraph.models.ddnet import joint_collection_distances
from common import ROOT, cpu_model, markdown_table, run_main

RECIPES = ('authors', 'short')


@functools.lru_cache(maxsize=None)
def resampling_matrix(length: int, frames: int = 32, order: int = 3) -> np.ndarray:
    """``(frames, length)`` weights that resample a series of ``length`` frames to
    ``frames`` as ``scipy.ndimage.zoom`` at spline order ``order`` does (the authors'
    ``zoom`` is order 3). Zooming is linear in the series, so one matrix per clip length,
    made once."""
    return zoom(np.eye(length), (frames / length, 1), order=order).astype(np.float32)


def ddnet_features(keypoint: np.ndarray, frames: int = 32, order: int = 3) -> tuple:
    """``(jcd (T, V(V-1)/2), joints (T, V*2))`` of one person's joints ``(T0, V, 2)``,
    resampled to ``frames`` frames by a spline of ``order`` (3: the authors'), as DD-Net's
    preprocessing makes them."""
    length, num_joints, coords = keypoint.shape
    joints = resampling_matrix(length, frames, order) @ keypoint.reshape(length, -1)
    rows, cols = np.triu_indices(num_joints, k=1)
    points = joints.reshape(frames, num_joints, coords)
    distance = np.linalg.norm(points[:, rows] - points[:, cols], axis=-1)
    mean = distance.mean()
    # joint_collection_distances' formula, the authors' norm_scale with its epsilon
    jcd = (distance - mean) / (mean + 1e-6)
    return jcd.astype(np.float32), joints.astype(np.float32)


def ddnet_inputs(records: Sequence[dict]) -> Tuple[torch.Tensor, torch.Tensor]:
    """:func:`ddnet_features` of the records' first persons, stacked as tensors."""
    features = [ddnet_features(r['keypoint'][0]) for r in records]
    return tuple(torch.from_numpy(np.stack([f[k] for f in features])) for k in range(2))


def ddnet_logits(model: nn.Module, records: Sequence[dict]) -> torch.Tensor:
    """Logits ``(clips, classes)`` of a :class:`FeatureDDNet` on the records' first
    persons, their features made as :func:`ddnet_features` makes them."""
    with torch.no_grad():
        return model(*ddnet_inputs(records))


class FeatureDDNet(DDNet):
    """The package's DD-Net (:class:`posegraph.models.DDNet`) fed the numpy features above,
    as the paper's preprocessing makes them outside the network.

    Shapes:
        - input: ``jcd`` :math:`(N, T, V(V-1)/2)` and ``joints`` :math:`(N, T, 2V)`
        - output: logits :math:`(N, classes)`
    """

    def forward(self, jcd: torch.Tensor, joints: torch.Tensor) -> torch.Tensor:
        return self.classify(jcd, joints)


class DDNetFromJoints(nn.Module):
    """:func:`ddnet_features` as tensor operations in front of a :class:`FeatureDDNet`, so
    that DD-Net too runs from raw joints to logits in one graph (timed beside PAN's
    ``posegraph.export.KeypointScores``; its authors compute the features in numpy). The
    frames are resampled linearly (``ddnet_features(order=1)``), where the authors' numpy
    code uses a cubic spline: in either, one weighted sum of frames per output frame.

    Shapes:
        - input: one person's joints :math:`(T_0, V, 2)`, one frame or more
        - output: logits :math:`(1, classes)`
    """

    def __init__(self, network: FeatureDDNet, frames: int = 32):
        super().__init__()
        self.network = network
        self.frames = frames

    def forward(self, keypoint: torch.Tensor) -> torch.Tensor:
        # scipy's zoom at order 1: output frame i reads input point i (T0 - 1) / (T - 1),
        # linearly between the frames around it.
        last = keypoint.shape[0] - 1
        points = torch.arange(self.frames, dtype=torch.float64) * (last / (self.frames - 1))
        before = points.floor().clamp(max=last)
        weight = (points - before).to(keypoint.dtype)[:, None, None]
        before = before.long()
        after = (before + 1).clamp(max=last)
        joints = (1 - weight) * keypoint.index_select(0, before) \
            + weight * keypoint.index_select(0, after)
        return self.network(joint_collection_distances(joints[None]),
                            joints.reshape(1, self.frames, -1))


def keras_initialisation(model: nn.Module) -> None:
    """The authors' Keras defaults, in place: Glorot-uniform weights and zero biases in the
    convolutions and dense layers; batch norm with epsilon 1e-3 and a running average of
    momentum 0.99 (PyTorch's 0.01)."""
    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm1d):
            module.eps, module.momentum = 1e-3, 0.01


def train_ddnet(records: Sequence[dict], num_classes: int, seed: int = 0, recipe: str = 'authors',
                layout: str = 'jhmdb15', epochs: Optional[int] = None) -> FeatureDDNet:
    """Train DD-Net on ``records`` (PYSKL-format, one person) with ``recipe`` (one of
    :data:`RECIPES`, the module's docstring); returns the model in eval mode. ``epochs``
    shortens the recipe (per phase for ``authors``; for tests). Features are computed
    once: the authors train on fixed 32-frame resamplings."""
    if recipe not in RECIPES:
        raise ValueError(f'DD-Net recipe {recipe!r}: not one of {", ".join(RECIPES)}')
    torch.manual_seed(seed)
    jcd, joints = ddnet_inputs(records)
    labels = torch.tensor([r['label'] for r in records])
    model = FeatureDDNet(layout, 3, num_classes).train()
    if recipe == 'authors':
        keras_initialisation(model)
        # The notebook fits twice, compiling a new Adam for the second fit.
        for lr in (1e-3, 1e-4):
            optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
            plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
                optimizer, factor=0.5, patience=5, cooldown=5, min_lr=5e-6, threshold=1e-4,
                threshold_mode='abs')
            for _ in range(epochs or 600):
                loss = nn.functional.cross_entropy(model(jcd, joints), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                plateau.step(loss.item())
        return model.eval()
    epochs, batch_size, lr = epochs or 100, 64, 1e-3
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(records) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps, eta_min=lr / 100)
    for _ in range(epochs):
        for batch in torch.randperm(len(records)).split(batch_size):
            if len(batch) < 2:  # batch norm needs two samples
                continue
            loss = nn.functional.cross_entropy(model(jcd[batch], joints[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def model_path(root: str, recipe: str, fold: str, seed: int) -> str:
    """Where a run of this script keeps the DD-Net of ``fold`` and ``seed``."""
    return os.path.join(root, f'ddnet-{recipe}_{fold.replace(":", "+")}_seed{seed}.pth')


def trained_ddnet(records: Sequence[dict], num_classes: int, fold: str, seed: int,
                  recipe: str = 'authors', root: Optional[str] = None) -> FeatureDDNet:
    """:func:`train_ddnet`'s model for ``fold`` and ``seed``: loaded from ``root`` where a
    run kept it there (:func:`model_path`), else trained, and kept there when ``root`` is
    given."""
    path = model_path(root, recipe, fold, seed) if root else None
    if path is None or not os.path.isfile(path):
        model = train_ddnet(records, num_classes, seed, recipe)
        if path:
            with atomic_open(path) as f:   # whole or not at all: a later run loads it
                torch.save(model.state_dict(), f)
        return model
    model = FeatureDDNet('jhmdb15', 3, num_classes)
    if recipe == 'authors':
        keras_initialisation(model)  # batch norm's epsilon is not in the state dict
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


def run(ann_file: str, fold: str, seed: int, recipe: str, root: Optional[str]) -> dict:
    """One run on one thread: DD-Net trained (or loaded) on ``fold``'s training clips,
    scored on its held-out clips."""
    from jhmdb_accuracy import fold_records
    torch.set_num_threads(1)
    train, test = fold_records(ann_file, fold)
    num_classes = 1 + max(r['label'] for r in train + test)
    trained_before = root is not None and os.path.isfile(model_path(root, recipe, fold, seed))
    start = time.perf_counter()
    model = trained_ddnet(train, num_classes, fold, seed, recipe, root)
    seconds = None if trained_before else time.perf_counter() - start
    labels = torch.tensor([r['label'] for r in test])
    top1 = (ddnet_logits(model, test).argmax(-1) == labels).float().mean().item()
    return {'fold': fold, 'seed': seed, 'top1': top1, 'seconds': seconds,
            'cpu_capability': torch.backends.cpu.get_cpu_capability(),
            'cpu_model': None if trained_before else cpu_model()}


def main() -> None:
    from jhmdb_accuracy import check_folds, load_runs, paired, paired_line, summary, write_results
    parser = argparse.ArgumentParser(description='DD-Net on the grouped JHMDB folds (or any)')
    parser.add_argument('--recipe', choices=RECIPES, default='authors')
    parser.add_argument('--folds', nargs='+', default=['grouped1', 'grouped2'],
                        help='NAME (the splits NAME_train and NAME_val) or TRAIN:TEST (e.g. '
                        'train1:test1), as benchmarks/jhmdb_accuracy.py takes them')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--jobs', type=int, default=2, help='runs side by side, 1 thread each')
    parser.add_argument('--ann-file', default=os.path.join(
        ROOT, '..', 'shared', 'data', 'jhmdb_gt', 'jhmdb_gt_dev.pkl'))
    parser.add_argument('--work-root', help='keep the models here (and use those kept)')
    parser.add_argument('--out', help='write the results as JSON, as jhmdb_accuracy.py does')
    parser.add_argument('--paired-with', nargs='+', metavar='BASE.json',
                        help='--out files of this script or of jhmdb_accuracy.py on the same '
                        'folds and seeds: also print the difference run for run')
    args = parser.parse_args()
    if not os.path.isfile(args.ann_file):
        sys.exit(f'{args.ann_file}: no such file (the JHMDB joints of ../shared/data/jhmdb_gt)')
    check_folds(args.ann_file, args.folds)
    baseline = load_runs(args.paired_with) if args.paired_with else None
    if args.work_root:
        os.makedirs(args.work_root, exist_ok=True)
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
        jobs = [pool.submit(run, args.ann_file, fold, seed, args.recipe, args.work_root)
                for seed in args.seeds for fold in args.folds]
        runs = []
        for job in jobs:
            try:
                r = job.result()
            except BaseException:
                pool.shutdown(cancel_futures=True)  # the queued runs would be lost too
                raise
            runs.append(r)
            write_results(args.out, {'config': {'runs': runs, 'recipe': args.recipe}})
            print(f'DD-Net ({args.recipe}) {r["fold"]} seed {r["seed"]}: top-1 '
                  f'{100 * r["top1"]:.1f} %, '
                  + (f'{r["seconds"]:.0f} s' if r['seconds'] else 'trained before')
                  + f', {r["cpu_capability"]} kernels', flush=True)
    runs.sort(key=lambda r: (r['fold'], r['seed']))
    result = {'runs': runs, 'summary': summary(runs), 'recipe': args.recipe}
    mean, spread, per_fold = result['summary']['top1']
    print(markdown_table(['model', 'top-1, mean of folds (spread)', 'per fold', 'runs'], [[
        f'DD-Net ({args.recipe})', f'{mean:.1f} ± {spread:.1f} %',
        ', '.join(f'{f} {v:.1f}' for f, v in per_fold.items()),
        ', '.join(f'{100 * r["top1"]:.1f}' for r in runs)]]))
    if baseline:
        result['paired'] = paired(runs, baseline)
        print(paired_line(f'DD-Net ({args.recipe})', result['paired']))
    write_results(args.out, {'config': result})


if __name__ == '__main__':
    run_main(main)
