"""Top-1 of a skeleton config on the leakage-free JHMDB folds, over folds and seeds.

Every run trains with `tools/train.py CONFIG` re-pointed at one grouped fold
(`grouped1_*` or `grouped2_*` of ../shared/data/jhmdb_gt, cut so that no source video is on
both sides) and one seed, exactly as a user would; then the **last** checkpoint is scored on
the fold's held-out clips with the config's test pipeline and, for contrast, with
test-time augmentation (5 clips x flip), and with ``--noise SIGMA DROP`` once more on joints
given an estimator's kind of error (moved by SIGMA body sizes, a fraction DROP missing, drawn
with a fixed seed). The random `val` split is never used: clips of one source video fall on
both sides of it, so it flatters.

    python benchmarks/jhmdb_accuracy.py [--config configs/pan_jhmdb.py] [--folds grouped1
        grouped2] [--seeds 0 1 2] [--jobs 2] [--ablation] [--cfg-options K=V ...]
        [--rows ROW ...] [--noise 0.03 0.1] [--no-latency] [--out FILE.json]
        [--paired-with BASE.json ...]

A fold ``NAME`` trains on the file's ``NAME_train`` split and tests on ``NAME_val``;
``TRAIN:TEST`` names the two splits. Another file is given as ``tools/train.py`` takes it, so
issue 11's measurement on JHMDB's official splits, from a file that holds them, is

    python benchmarks/jhmdb_accuracy.py --cfg-options ann_file=JHMDB.pkl
        --folds train1:test1 train2:test2 train3:test3 --seeds 0 1 2

(with ``num_classes=21 label_map=F`` or ``label_map=None`` among the options where the file
holds all 21 classes, not the 14 of ``../shared``'s).

Each finished run is written to ``--out`` as it comes. With ``--work-root DIR`` the runs are
kept, each in a folder named after its fold, seed and a checksum of its whole config, and the
same command later scores a finished run again instead of training it (after a Ctrl-C, which
says how many runs finished); a changed config or option trains anew.

With ``--jobs 2`` two runs go side by side, one thread each; the training time reported is
also measured alone on 2 threads (``--time-alone``), the figure a user sees. After the runs,
the per-video time of the config's model and of DD-Net in the same run (PyTorch, and
onnxruntime with the test pipeline around and inside the graph; ``jhmdb_latency.py``) is
reported too, unless ``--no-latency``.

Seeds move a run by more than most changes do: ``--paired-with`` the ``--out`` files of a
baseline (the same folds and seeds) prints the change run for run, mean and standard error.
Three seeds have shown gains that five did not (docs/jhmdb.md): decide on five.

A seed gives the same run again only on a machine whose PyTorch kernels use the same vector
instructions: each run records the ``cpu_capability`` it trained with (AVX2, AVX512, ...).
``ATEN_CPU_CAPABILITY=avx2`` makes an AVX-512 machine repeat an AVX2 machine's runs. The
processor matters too (an AMD EPYC with AVX-512 kernels did not repeat the runs of the
processor before it), so each run trained records its ``cpu_model`` as well.
"""
import argparse
import glob
import json
import os
import re
import sys
import tempfile
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config

from common import (
    ROOT,
    cpu_model,
    machine_line,
    markdown_table,
    run_main,
    train,
    train_log,
    with_estimator_noise,
)

ABLATION = {  # the rows of the pose-attention paper's ablation, for this model
    'GCN + GRU': dict(diffpool=False, joint_attention=False, pose_attention=False),
    '+ DiffPool': dict(diffpool=True, joint_attention=False, pose_attention=False),
    '+ joints attention': dict(diffpool=False, joint_attention=True, pose_attention=False),
    '+ pose attention': dict(diffpool=False, joint_attention=False, pose_attention=True),
    'full (HGN + PAN)': dict(diffpool=True, joint_attention=True, pose_attention=True),
}
TTA = dict(num_clips=5, flip=True)


def fold_splits(fold: str) -> Tuple[str, str]:
    """The training and held-out splits of ``fold``: ``TRAIN:TEST`` names them (e.g.
    ``train1:test1``), ``NAME`` stands for ``NAME_train`` and ``NAME_val`` (the grouped
    folds)."""
    if ':' not in fold:
        return f'{fold}_train', f'{fold}_val'
    train, test = fold.split(':', 1)
    if not train or not test or ':' in test:
        raise ValueError(f"fold {fold!r}: give NAME or TRAIN:TEST, two split names")
    return train, test


def fold_options(fold: str) -> List[str]:
    """``--cfg-options`` that train on the fold's training split and validate and test on
    its held-out one (:func:`fold_splits`)."""
    train, test = fold_splits(fold)
    return [f'train_split={train}', f'val_split={test}', f'test_split={test}']


def check_folds(ann_file: str, folds: Sequence[str]) -> None:
    """Exit naming the file and its splits if ``ann_file`` lacks a split of ``folds`` (or
    a fold is neither ``NAME`` nor ``TRAIN:TEST``): said before any training, not when a
    run reaches it."""
    from posegraph.io import load_splits
    try:
        splits = load_splits(ann_file)
        for fold in folds:
            missing = [s for s in fold_splits(fold) if s not in splits]
            if missing:
                sys.exit(f'{ann_file}: no split {", ".join(missing)} for fold {fold}; the '
                         f'file has {", ".join(splits) or "none"}')
    except (OSError, ValueError) as error:
        sys.exit(str(error))


def test_pipeline(cfg: Config, num_clips: Optional[int] = None, flip: bool = False,
                  noise: Optional[Tuple[float, float]] = None) -> List[dict]:
    """The config's test pipeline, optionally with ``num_clips`` clips and mirrored copies,
    or with ``noise = (sigma, drop)`` (:func:`common.with_estimator_noise`)."""
    pipeline = [dict(t) for t in cfg.test_dataloader.dataset.pipeline]
    out = []
    for transform in pipeline:
        if transform['type'] == 'AddFlippedClips':
            continue
        if transform['type'] == 'UniformSampleFrames' and num_clips:
            transform['num_clips'] = num_clips
        out.append(transform)
        if transform['type'] == 'UniformSampleFrames' and flip:
            out.append(dict(type='AddFlippedClips', layout=cfg.layout))
    return with_estimator_noise(out, *noise) if noise else out


def test_transforms(cfg: Config, **options) -> Callable[[dict], dict]:
    """:func:`test_pipeline` built, to prepare records one by one outside a dataset."""
    from mmengine.dataset import Compose

    from posegraph.registry import TRANSFORMS
    return Compose([TRANSFORMS.build(t) for t in test_pipeline(cfg, **options)])


def merged_config(config: str, options: Sequence[str]) -> Config:
    """``config`` with ``--cfg-options``-style ``K=V`` strings merged as tools/train.py
    merges them: values parsed (``False`` a bool, ``(0.8,1.0)`` a tuple), and ``ann_file``,
    ``num_classes``, ``train_split``... reaching every dataset
    (:func:`posegraph.apis.load_config`), so that the runs are scored on the data they
    trained on."""
    from posegraph.apis import load_config, parse_options
    return load_config(config, parse_options(options))


# The transforms draw from NumPy's global generator, which the runs scored side by side
# (threads of this process) share: one run at a time seeds and draws from it.
_GLOBAL_RNG = threading.Lock()


def predictions(config: str, options: Sequence[str], checkpoint: str, tta: Optional[dict] = None,
                noise: Optional[Tuple[float, float]] = None) -> Tuple[np.ndarray, np.ndarray]:
    """``(predicted, true)`` labels of ``checkpoint`` on the test split, batch 1 per video;
    ``noise`` is drawn with a fixed seed, the same for every run, also for runs scored side
    by side."""
    from posegraph.apis import init_recognizer
    from posegraph.engine.seeding import preserved_random_state
    from posegraph.registry import DATASETS
    cfg = merged_config(config, options)
    model = init_recognizer(cfg, checkpoint)
    dataset_cfg = dict(cfg.test_dataloader.dataset)
    dataset_cfg['pipeline'] = test_pipeline(cfg, **(tta or {}), noise=noise)
    dataset = DATASETS.build(dataset_cfg)
    predicted, true = [], []
    with _GLOBAL_RNG, torch.no_grad(), preserved_random_state():
        np.random.seed(0)
        for sample in dataset:
            predicted.append(model(sample['inputs'][None], mode='tensor').argmax(-1).item())
            true.append(sample['data_samples'].gt_label.item())
    return np.array(predicted), np.array(true)


def score(config: str, options: Sequence[str], checkpoint: str, tta: Optional[dict] = None,
          noise: Optional[Tuple[float, float]] = None) -> float:
    """Top-1 of ``checkpoint`` on the test split (:func:`predictions`)."""
    predicted, true = predictions(config, options, checkpoint, tta, noise)
    return float(np.mean(predicted == true))


def fold_records(ann_file: str, fold: str) -> tuple:
    """``(train, test)`` records of a fold (:func:`fold_splits`) of a JHMDB file, ground
    truth given its confidences (all visible) where the file has none."""
    from posegraph.io import load_annotations
    train_split, test_split = fold_splits(fold)
    train = load_annotations(ann_file, split=train_split)
    test = load_annotations(ann_file, split=test_split)
    for r in train + test:
        r.setdefault('keypoint_score', np.ones(r['keypoint'].shape[:3], np.float32))
    return train, test


def work_dir_name(fold: str, seed: int, cfg: Config) -> str:
    """The folder a run of config ``cfg`` (its options merged) writes in, under the
    benchmark's work root (``TRAIN:TEST`` folds as ``TRAIN+TEST``: no colon in a path). It
    ends in a checksum of the whole config, so that a work root used again after the config
    or an option changed trains the changed run instead of scoring the old one as it."""
    return f'{fold.replace(":", "+")}_seed{seed}_{zlib.crc32(cfg.pretty_text.encode()):08x}'


# work_dir_name's folders: the fold, the seed, the config's checksum (none in older roots).
RUN_DIR = re.compile(r'(?P<fold>.+)_seed(?P<seed>\d+)(?:_[0-9a-f]{8})?')


def finished_runs(root: str, cfg: Config
                  ) -> Iterator[Tuple[str, int, str, List[dict], List[dict]]]:
    """``(fold, seed, checkpoint, train records, test records)`` of every finished run under
    ``root`` (a ``--work-root``), the last checkpoint of each: that of ``cfg``'s last epoch.
    A run stopped before it (Ctrl-C) is named and left out; exits naming ``root`` when it
    holds no finished run."""
    from posegraph.apis import last_checkpoint
    ann_file = cfg.test_dataloader.dataset.ann_file
    last_epoch = f'epoch_{cfg.train_cfg.max_epochs}.pth'
    found = False
    for run_dir in sorted(glob.glob(os.path.join(root, '*_seed*'))):
        name = RUN_DIR.fullmatch(os.path.basename(run_dir))
        checkpoint = last_checkpoint(run_dir) if name else None
        if checkpoint is None:
            continue
        if os.path.basename(checkpoint) != last_epoch:
            print(f'{run_dir}: left out, stopped at {os.path.basename(checkpoint)} '
                  f'(not {last_epoch})', file=sys.stderr)
            continue
        found = True
        fold = name['fold'].replace('+', ':')
        train, test = fold_records(ann_file, fold)
        yield fold, int(name['seed']), checkpoint, train, test
    if not found:
        sys.exit(f'{root}: no finished runs (FOLD_seedN/last_checkpoint) there')


def finished_runs_setup(description: str, ddnet: bool = False, figure: Optional[str] = None
                        ) -> Tuple[argparse.Namespace, Config]:
    """The flags of a benchmark over :func:`finished_runs` (``--config``, ``--runs``,
    ``--cfg-options``, and for a benchmark that compares with DD-Net or draws a figure
    ``--ddnet-recipe`` and ``--out``, defaulting to ``assets/FIGURE``), parsed, with the
    modules registered, 2 threads and the config loaded with the options: ``(args, cfg)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    parser.add_argument('--runs', required=True,
                        help='the --work-root of a benchmarks/jhmdb_accuracy.py run')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help="the runs' --cfg-options where they change the data or the "
                        'model (e.g. ann_file=JHMDB.pkl for runs on another file)')
    if ddnet:
        from ddnet import RECIPES
        parser.add_argument('--ddnet-recipe', choices=RECIPES, default=RECIPES[0])
    if figure is not None:
        parser.add_argument('--out', default=os.path.join(ROOT, 'assets', figure))
    args = parser.parse_args()
    from posegraph.registry import register_all_modules
    register_all_modules()
    torch.set_num_threads(2)
    return args, merged_config(args.config, args.cfg_options)


def run(config: str, fold: str, seed: int, extra: Sequence[str], folder: str, threads: int,
        noise: Optional[Tuple[float, float]] = None) -> dict:
    options = fold_options(fold) + [f'randomness.seed={seed}'] + list(extra)
    cfg = merged_config(config, options)
    work_dir = os.path.join(folder, work_dir_name(fold, seed, cfg))
    epochs = cfg.train_cfg.max_epochs
    last = os.path.join(work_dir, f'epoch_{epochs}.pth')
    # A finished run in the work root is scored again, not retrained (seconds: None).
    seconds = (None if os.path.isfile(last) else
               train(config, work_dir, options, threads=threads))
    torch.set_num_threads(threads)
    result = {'fold': fold, 'seed': seed, 'seconds': seconds,
              'cpu_capability': cpu_capability(train_log(work_dir)),
              # The processor matters beside the kernels (oneMKL picks its code by processor);
              # a run trained before is not known to come from this one.
              'cpu_model': cpu_model() if seconds is not None else None,
              'top1': score(config, options, last),
              'top1_tta': score(config, options, last, TTA)}
    if noise:
        result['top1_noisy'] = score(config, options, last, noise=noise)
    return result


def cpu_capability(log_path: str) -> Optional[str]:
    """The vector instructions PyTorch's kernels used in a run (``'AVX2'``, ``'AVX512'``...),
    as ``tools/train.py`` logged them in ``log_path``; ``None`` where the log does not say."""
    try:
        with open(log_path, errors='replace') as f:
            found = re.search(r'CPU capability usage: (\w+)', f.read())
    except FileNotFoundError:
        return None
    return found.group(1) if found else None


def summary(runs: List[dict]) -> Dict[str, Tuple[float, float, Dict[str, float]]]:
    """Mean over folds of each fold's mean over seeds, and the spread of all runs."""
    stats = {}
    for key in [k for k in ('top1', 'top1_tta', 'top1_noisy') if k in runs[0]]:
        values = 100 * np.array([r[key] for r in runs])
        per_fold = {f: 100 * np.mean([r[key] for r in runs if r['fold'] == f])
                    for f in dict.fromkeys(r['fold'] for r in runs)}
        stats[key] = (float(np.mean(list(per_fold.values()))), float(values.std()), per_fold)
    return stats


def load_runs(paths: Sequence[str]) -> List[dict]:
    """The runs of the config row (``config``) in ``--out`` files of this script; several
    files (seeds 0-2 in one, 3-4 in another) join."""
    runs = []
    for path in paths:
        try:
            with open(path) as f:
                results = json.load(f)
        except (OSError, ValueError) as error:
            sys.exit(f'{path}: cannot read it as an --out file of this script ({error})')
        if not isinstance(results, dict) or 'config' not in results:
            held = (", ".join(results) or "nothing") if isinstance(results, dict) else \
                f'a JSON {type(results).__name__}'
            sys.exit(f'{path}: no "config" row of benchmarks/jhmdb_accuracy.py --out '
                     f'(it has {held})')
        runs += results['config']['runs']
    return runs


def write_results(path: Optional[str], results: dict) -> None:
    """``results`` as JSON in ``path`` (an ``--out`` file; nothing without one), whole or not
    at all. Written after every run, so that the runs finished before a failure or an
    interruption are kept: a ``config`` row of finished runs already serves
    ``--paired-with``."""
    if path:
        from posegraph.io import atomic_open
        with atomic_open(path, 'w') as f:
            json.dump(results, f, indent=2)


def run_key(run: dict) -> tuple:
    """What makes a run the same run in another experiment: its fold and seed."""
    return run['fold'], run['seed']


def paired(runs: Sequence[dict], baseline: Sequence[dict]) -> dict:
    """Each run against the baseline's run of the same fold and seed, in points of top-1.

    Seeds vary the model more than most changes do, so a change is judged run for run: the
    mean difference with its standard error, and how many runs are ahead, level and behind.
    A pair whose runs both say which kernels they trained with (``cpu_capability``), and
    differ, is listed in ``other_kernels``, and one whose runs both say which processor
    trained them (``cpu_model``), and differ, in ``other_processors``: such runs differ by a
    clip or two with no change at all.
    """
    by_run = {run_key(r): r for r in baseline}
    pairs = [(r, by_run[run_key(r)]) for r in runs if run_key(r) in by_run]
    if not pairs:
        raise ValueError('no run of the baseline has the folds and seeds of these runs')
    # Rounded: DD-Net's top-1 comes through float32, so a tie can differ in the 7th digit.
    differences = np.array([round(100 * (r['top1'] - b['top1']), 4) for r, b in pairs])
    error = differences.std(ddof=1) / np.sqrt(len(pairs)) if len(pairs) > 1 else float('nan')
    return {'difference': float(differences.mean()), 'standard_error': float(error),
            'runs': [(*run_key(r), round(float(d), 2)) for (r, _), d in zip(pairs, differences)],
            'ahead': int((differences > 0).sum()), 'level': int((differences == 0).sum()),
            'behind': int((differences < 0).sum()),
            'unpaired': [run_key(r) for r in runs if run_key(r) not in by_run],
            'other_kernels': trained_apart(pairs, 'cpu_capability'),
            'other_processors': trained_apart(pairs, 'cpu_model')}


def trained_apart(pairs: Sequence[Tuple[dict, dict]], key: str) -> List[tuple]:
    """The runs of ``pairs`` whose two sides both record ``key`` (``cpu_capability``,
    ``cpu_model``) and differ in it."""
    return [run_key(r) for r, b in pairs
            if None not in (r.get(key), b.get(key)) and r[key] != b[key]]


def paired_line(name: str, result: dict) -> str:
    """One line of :func:`paired`'s result, with what it could not pair or pair fairly."""
    line = (f'{name} against the baseline, run for run: {result["difference"]:+.1f} ± '
            f'{result["standard_error"]:.1f} points over {len(result["runs"])} runs '
            f'({result["ahead"]} ahead, {result["level"]} level, {result["behind"]} behind: '
            + ', '.join(f'{d:+.1f}' for _, _, d in result['runs']) + ')')
    if result['unpaired']:
        line += '; no baseline run for ' + ', '.join(f'{f} seed {s}'
                                                     for f, s in result['unpaired'])
    for key, what in (('other_kernels', 'other kernels'),
                      ('other_processors', 'another processor')):
        if result[key]:
            line += (f'; trained on {what} than the baseline (differs without a change): '
                     + ', '.join(f'{f} seed {s}' for f, s in result[key]))
    return line


def train_and_score(args: argparse.Namespace, rows: Dict[str, dict], folder: str, threads: int,
                    baseline: Optional[dict], results: dict, cfg: Config) -> None:
    """Train and score every run of ``rows`` x folds x seeds in ``folder``, adding each
    finished run to ``results`` and to the ``--out`` file as it comes."""
    os.makedirs(folder, exist_ok=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        for name, switches in rows.items():
            extra = [f'model.network.{k}={v}' for k, v in switches.items()] + args.cfg_options
            jobs = [pool.submit(run, args.config, fold, seed, extra, folder, threads,
                                args.noise)
                    for fold in args.folds for seed in args.seeds]
            runs = []
            for job in jobs:
                try:
                    runs.append(job.result())
                except BaseException:
                    pool.shutdown(cancel_futures=True)  # the queued runs would be lost too
                    raise
                results[name] = {'runs': runs}
                write_results(args.out, results)
                r = runs[-1]
                print(f'{name} {r["fold"]} seed {r["seed"]}: top-1 {100 * r["top1"]:.1f} % '
                      f'(with TTA {100 * r["top1_tta"]:.1f} %), '
                      + (f'noisy joints {100 * r["top1_noisy"]:.1f} %, ' if args.noise else '')
                      + (f'{r["seconds"]:.0f} s' if r['seconds'] else 'trained before')
                      + f', {r["cpu_capability"] or "unknown"} kernels',
                      flush=True)
            results[name] = {'runs': runs, 'summary': summary(runs)}
            if baseline:
                results[name]['paired'] = paired(runs, baseline)
        if args.time_alone:
            work_dir = os.path.join(folder, 'alone')
            seconds = train(args.config, work_dir, ['train_split=None'] + args.cfg_options,
                            threads=2)
            # The key is named after the dev file's clips, as earlier --out files have it.
            results['train_seconds_alone_433_clips'] = seconds
            from posegraph.io import load_annotations
            clips = len(load_annotations(cfg.train_dataloader.dataset.ann_file))
            print(f'training alone on all {clips} clips, 2 threads: {seconds / 60:.1f} min')


def interrupted(args: argparse.Namespace, results: dict, total: int) -> str:
    """What a Ctrl-C leaves, in a line: the runs finished, where their results are, and how
    the same command goes on from them."""
    finished = sum(len(result['runs']) for result in results.values()
                   if isinstance(result, dict))
    line = f'interrupted after {finished} of {total} runs'
    if finished and args.out:
        line += f' (their results are in {args.out})'
    if args.work_root:
        return (line + f'; the runs are kept in {args.work_root}: the same command scores the '
                'finished ones again instead of training them')
    return (line + '; they were in a temporary folder: give --work-root DIR to keep the runs, '
            'so that the same command goes on from them')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    parser.add_argument('--folds', nargs='+', default=['grouped1', 'grouped2'],
                        help='NAME (the splits NAME_train and NAME_val) or TRAIN:TEST (e.g. '
                        'train1:test1)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--jobs', type=int, default=2, help='runs side by side, 1 thread each')
    parser.add_argument('--ablation', action='store_true', help='every row of the table')
    parser.add_argument('--rows', nargs='+', choices=list(ABLATION),
                        help='with --ablation, only these rows (e.g. the full model measured '
                        'already)')
    parser.add_argument('--time-alone', action='store_true',
                        help='also time one run alone on 2 threads, on the whole dev file')
    parser.add_argument('--noise', type=float, nargs=2, metavar=('SIGMA', 'DROP'),
                        help="also score on joints with an estimator's kind of error: moved "
                        'by SIGMA body sizes, a fraction DROP missing (e.g. 0.03 0.1)')
    parser.add_argument('--no-latency', action='store_true',
                        help="skip the per-video latency (the config's model and DD-Net, "
                        'PyTorch and onnxruntime, timed after the runs)')
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument('--work-root', help='keep the runs (checkpoints, logs) here, e.g. for '
                        'benchmarks/early_recognition.py; default: a temporary folder')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='config overrides for every run, as tools/train.py takes them')
    parser.add_argument('--paired-with', nargs='+', metavar='BASELINE.json',
                        help='--out files of a baseline on the same folds and seeds: also '
                        'print the difference run for run')
    args = parser.parse_args()
    baseline = load_runs(args.paired_with) if args.paired_with else None
    if baseline and not {run_key(r) for r in baseline} & {
            (fold, seed) for fold in args.folds for seed in args.seeds}:
        # said before training, not after it
        sys.exit(f'--paired-with {" ".join(args.paired_with)}: no run of these folds and '
                 'seeds to pair with')
    # The config with every run's own options, loaded once: the file the runs train on,
    # and the model the latency is measured on.
    cfg = merged_config(args.config, args.cfg_options)
    check_folds(cfg.train_dataloader.dataset.ann_file, args.folds)
    rows = ({name: ABLATION[name] for name in args.rows or ABLATION} if args.ablation
            else {'config': {}})
    threads = 1 if args.jobs > 1 else 2
    results = {}
    try:
        with tempfile.TemporaryDirectory() as temporary:
            train_and_score(args, rows, args.work_root or temporary, threads, baseline, results,
                            cfg)
    except KeyboardInterrupt:
        print(interrupted(args, results, len(rows) * len(args.folds) * len(args.seeds)),
              file=sys.stderr)
        sys.exit(130)   # the shell's status for a run stopped by Ctrl-C
    if not args.no_latency:
        # Weights do not change the time: the config's model, untrained, after the runs.
        from jhmdb_latency import latency_records, measure_latency
        results['latency_ms'] = measure_latency(cfg, latency_records(cfg), tta=False)
        results['latency_machine'] = machine_line()
    print(f'\n{args.config} {" ".join(args.cfg_options)}')
    rows = []
    for name, result in results.items():
        if not isinstance(result, dict):
            continue
        (mean, std, per_fold), (tta_mean, tta_std, _) = (result['summary'][k]
                                                         for k in ('top1', 'top1_tta'))
        noisy = ([f'{result["summary"]["top1_noisy"][0]:.1f} ± '
                  f'{result["summary"]["top1_noisy"][1]:.1f} %'] if args.noise else [])
        rows.append([name, f'{mean:.1f} ± {std:.1f} %', f'{tta_mean:.1f} ± {tta_std:.1f} %',
                     *noisy, ', '.join(f'{f} {v:.1f}' for f, v in per_fold.items()),
                     ', '.join(f'{100 * r["top1"]:.1f}' for r in result['runs'])])
    noise = ([f'noisy joints ({args.noise[0]:g} body, {args.noise[1]:.0%} missing)']
             if args.noise else [])
    print(markdown_table(['model', 'top-1, mean of folds (spread)', 'with TTA', *noise,
                          'per fold', 'runs'], rows))
    for name, result in results.items():
        if isinstance(result, dict) and 'paired' in result:
            print(paired_line(name, result['paired']))
    if 'latency_ms' in results:
        from jhmdb_latency import print_latency
        print('\nPer video (batch 1, 1 thread, median over 100 clips; benchmarks/jhmdb_latency.py '
              f'for test-time augmentation too), {results["latency_machine"]}:')
        print_latency(results['latency_ms'])
    write_results(args.out, results)


if __name__ == '__main__':
    run_main(main)
