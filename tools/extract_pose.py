"""Estimate 2D poses in videos and write one skeleton annotation file (PYSKL format).

    python tools/extract_pose.py INPUT --out ANN.pkl --checkpoint checkpoint_iter_370000.pth
        [--backend lwopenpose|mediapipe] [--runtime torch|onnx] [--arch lwopenpose|pose_attention]
        [--height 256] [--num-person 2] [--workers N] [--threads T] [--custom-imports MODULE ...]
        [--lists train.txt val.txt] [--val-ratio 0.2 [--seed 0]] [--shard i/n] [--merge]

On many machines, each takes a shard (--shard i/n, or the RANK / WORLD_SIZE a launcher
sets) and writes ANN.shard<i>-of-<n>.pkl; `--merge` then joins them into ANN.pkl, refusing
a video found twice or in no shard.

INPUT is a video, a folder of videos (--val-ratio cuts train / val splits from class
folders), a root that --lists files (MMAction2's 'path label' lines) name videos under, or a
UCF101 / HMDB51 tree (their split files give
splits train1..3 / test1..3; class folders give labels). Each video's result is saved in
ANN.pkl.parts/ as soon as it is done, so a run that is stopped and started again loses
nothing and recomputes nothing. A video that cannot be read is reported, skipped, and
listed at the end (and in ANN.pkl.parts/failed.json); the run goes on.
"""
import argparse
import importlib
import os
import pickle
import sys
from typing import Optional, Sequence

from posegraph.batch import Interrupted, report_failures, report_interrupted, run_jobs, video_of_job
from posegraph.cli import refuse_below
from posegraph.datasets.shards import merge_shards, parse_shard, shard_path, take_shard
from posegraph.datasets.video_index import add_val_split, index_video_lists, index_videos
from posegraph.io import (
    AnnotationError,
    OutputPathError,
    atomic_open,
    dump_annotations,
    make_folder,
    safe_load_pickle,
)
from posegraph.io.checkpoint import CheckpointError
from posegraph.pose.backends import MissingWeightsError, build_backend
from posegraph.pose.video import VideoReadError, extract_video


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('input', help='a video, a folder of videos, or a UCF101/HMDB51 tree')
    parser.add_argument('--out', required=True, help='annotation file to write')
    parser.add_argument('--backend', default='lwopenpose',
                        help="pose back-end: 'lwopenpose', 'mediapipe' (its own environment) "
                        'or one registered by --custom-imports')
    parser.add_argument('--checkpoint', help="weights of the lwopenpose back-end: a path, an "
                        "http(s):// URL, or 'lwopenpose' for the published checkpoint "
                        '(downloaded once)')
    parser.add_argument('--arch', default='lwopenpose', choices=['lwopenpose', 'pose_attention'],
                        help="the lwopenpose back-end's network: the public configuration, or "
                        "the pose-attention paper's (width 0.75, five depthwise refinements)")
    parser.add_argument('--refinement-stages', type=int, default=1, choices=[1, 2, 3],
                        help='refinement stages of the lwopenpose network: 1 as the public '
                        'demo, 3 to use all the published checkpoint holds')
    parser.add_argument('--runtime', default='torch', choices=['torch', 'onnx'],
                        help='run the lwopenpose network in PyTorch or in onnxruntime')
    parser.add_argument('--height', type=int, default=256, help='network input height')
    parser.add_argument('--num-person', type=int, default=2, help='tracks kept per video')
    parser.add_argument('--workers', type=int, default=1, help='videos processed in parallel')
    parser.add_argument('--threads', type=int, default=None, help='CPU threads per worker')
    parser.add_argument('--custom-imports', nargs='+', default=[],
                        help='modules to import first (e.g. ones registering back-ends)')
    parser.add_argument('--lists', nargs='+', metavar='LIST',
                        help="MMAction2 list files ('path label' lines, paths relative to "
                        'INPUT), one split each, named after the file')
    parser.add_argument('--val-ratio', type=float,
                        help='for a folder of class folders: cut train / val splits, this '
                        'share of each class to val')
    parser.add_argument('--seed', type=int, default=0, help='seed of the --val-ratio cut')
    parser.add_argument('--shard', help='i/n: extract only shard i (0-based) of n, into '
                        'OUT.shard<i>-of-<n>.pkl (default: RANK / WORLD_SIZE when a '
                        'launcher sets them)')
    parser.add_argument('--merge', action='store_true',
                        help='join the finished shards of OUT into OUT (no extraction)')
    args = parser.parse_args(argv)
    # Below these, every video would fail (a height under the network's stride) or give
    # an empty file (no person kept).
    refuse_below(parser, args, dict(height=8, num_person=1, workers=1, threads=1))
    if args.checkpoint and args.backend != 'lwopenpose':
        parser.error(f'--checkpoint is the lwopenpose back-end\'s weights; {args.backend} '
                     'would not use it')
    return args


def backend_options(args: argparse.Namespace) -> dict:
    if args.backend == 'lwopenpose':
        return dict(checkpoint=args.checkpoint, arch=args.arch, height=args.height,
                    runtime=args.runtime, num_threads=args.threads,
                    refinement_stages=args.refinement_stages)
    return {}


_BACKEND = None


def _start_worker(name, options, imports):
    global _BACKEND
    for module in imports:
        importlib.import_module(module)
    _BACKEND = build_backend(name, **options)


def _process(job):
    """Extract one video into its part file; returns ``(frame_dir, error or None)``."""
    item, parts_dir, num_person = job
    try:
        record = extract_video(item.path, _BACKEND, num_person=num_person, label=item.label,
                               frame_dir=item.frame_dir)
    except VideoReadError as e:
        return item.frame_dir, str(e)
    except Exception as e:  # a broken video must not stop the others
        return item.frame_dir, f'{item.path}: {type(e).__name__}: {e}'
    with atomic_open(os.path.join(parts_dir, f'{item.frame_dir}.pkl'), 'wb') as f:
        pickle.dump(record, f, protocol=4)
    return item.frame_dir, None


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    for module in args.custom_imports:
        importlib.import_module(module)
    try:
        index = index_video_lists(args.input, args.lists) if args.lists else \
            index_videos(args.input)
        if args.val_ratio is not None:
            index = add_val_split(index, args.val_ratio, args.seed)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f'error: {e}')
    if args.merge:
        try:
            count = merge_shards(args.out, [item.frame_dir for item in index.items],
                                 index.splits, index.classes or None)
        except AnnotationError as e:
            sys.exit(f'error: {e}')
        write_label_map(args.out, index.classes)
        print(f'merged {count} videos into {args.out}')
        return 0
    try:
        shard, shards = parse_shard(args.shard)
    except ValueError as e:
        sys.exit(f'error: {e}')
    out = shard_path(args.out, shard, shards) if shards > 1 else args.out
    items = take_shard(index.items, shard, shards)
    parts_dir = out + '.parts'
    options = backend_options(args)
    try:  # fail at once, before any work or folder, if the back-end cannot run
        _start_worker(args.backend, options, [])
    except MissingWeightsError as e:
        sys.exit(f'error: --checkpoint: {e}')
    except (CheckpointError, ImportError, KeyError) as e:
        sys.exit(f'error: {e}')
    try:
        make_folder(parts_dir, "the finished videos' poses")
    except OutputPathError as e:
        sys.exit(f'error: {e}')
    done = {name[:-4] for name in os.listdir(parts_dir) if name.endswith('.pkl')}
    todo = [item for item in items if item.frame_dir not in done]
    share = f' (shard {shard} of {shards}: {len(items)})' if shards > 1 else ''
    print(f'{index.kind}: {len(index.items)} videos{share}, {len(index.classes)} classes, '
          f'{len(done & {i.frame_dir for i in items})} already done, {len(todo)} to do')

    jobs = [(item, parts_dir, args.num_person) for item in todo]
    try:
        failures = run_jobs(jobs, _process, args.workers, _start_worker,
                            (args.backend, options, args.custom_imports), 'extracting',
                            os.path.join(parts_dir, 'failed.json'), name_of=video_of_job)
    except Interrupted as stop:
        return report_interrupted(stop, parts_dir)
    records = []
    for item in items:
        part = os.path.join(parts_dir, f'{item.frame_dir}.pkl')
        if os.path.isfile(part):
            records.append(safe_load_pickle(part))
    names = {record['frame_dir'] for record in records}
    splits = {name: [n for n in members if n in names] for name, members in index.splits.items()}
    dump_annotations(out, records, splits)
    write_label_map(out, index.classes)
    print(f'wrote {out}: {len(records)} videos, splits '
          + ', '.join(f'{k} ({len(v)})' for k, v in splits.items()))
    if shards > 1:
        print(f'when all {shards} shards are done: {os.path.basename(sys.argv[0])} '
              f'{args.input} --out {args.out} --merge')
    return report_failures(failures)


def write_label_map(out: str, classes: Optional[Sequence[str]]) -> None:
    """``label_map.txt`` beside the annotation file, written whole or not at all."""
    if not classes:
        return
    path = os.path.join(os.path.dirname(os.path.abspath(out)), 'label_map.txt')
    with atomic_open(path, 'w') as f:
        f.write('\n'.join(classes) + '\n')


if __name__ == '__main__':
    sys.exit(main())
