"""Estimate 2D poses in videos and write one skeleton annotation file (PYSKL format).

    python tools/extract_pose.py INPUT --out ANN.pkl --checkpoint checkpoint_iter_370000.pth
        [--backend lwopenpose|mediapipe] [--runtime torch|onnx] [--arch lwopenpose|pose_attention]
        [--height 256] [--num-person 2] [--workers N] [--threads T] [--custom-imports MODULE ...]

INPUT is a video, a folder of videos, or a UCF101 / HMDB51 tree (their split files give
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
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from posegraph.batch import report_failures, run_jobs  # noqa: E402
from posegraph.datasets import dump_annotations, safe_load_pickle  # noqa: E402
from posegraph.datasets.video_index import index_videos  # noqa: E402
from posegraph.pose.backends import MissingWeightsError, build_backend  # noqa: E402
from posegraph.pose.video import VideoReadError, extract_video  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('input', help='a video, a folder of videos, or a UCF101/HMDB51 tree')
    parser.add_argument('--out', required=True, help='annotation file to write')
    parser.add_argument('--backend', default='lwopenpose')
    parser.add_argument('--checkpoint', help='weights of the lwopenpose back-end')
    parser.add_argument('--arch', default='lwopenpose', choices=['lwopenpose', 'pose_attention'])
    parser.add_argument('--refinement-stages', type=int, default=1, choices=[1, 2, 3],
                        help='refinement stages of the lwopenpose network: 1 as the public '
                        'demo, 3 to use all the published checkpoint holds')
    parser.add_argument('--runtime', default='torch', choices=['torch', 'onnx'])
    parser.add_argument('--height', type=int, default=256, help='network input height')
    parser.add_argument('--num-person', type=int, default=2, help='tracks kept per video')
    parser.add_argument('--workers', type=int, default=1, help='videos processed in parallel')
    parser.add_argument('--threads', type=int, default=None, help='CPU threads per worker')
    parser.add_argument('--custom-imports', nargs='+', default=[],
                        help='modules to import first (e.g. ones registering back-ends)')
    return parser.parse_args(argv)


def backend_options(args):
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
    fd, tmp = tempfile.mkstemp(dir=parts_dir, prefix='.tmp-')
    with os.fdopen(fd, 'wb') as f:
        pickle.dump(record, f, protocol=4)
    os.replace(tmp, os.path.join(parts_dir, f'{item.frame_dir}.pkl'))
    return item.frame_dir, None


def main(argv=None):
    args = parse_args(argv)
    for module in args.custom_imports:
        importlib.import_module(module)
    index = index_videos(args.input)
    parts_dir = args.out + '.parts'
    options = backend_options(args)
    try:  # fail at once, before any work or folder, if the back-end cannot run
        _start_worker(args.backend, options, [])
    except (MissingWeightsError, ImportError, KeyError) as e:
        sys.exit(f'error: {e}')
    os.makedirs(parts_dir, exist_ok=True)
    done = {name[:-4] for name in os.listdir(parts_dir) if name.endswith('.pkl')}
    todo = [item for item in index.items if item.frame_dir not in done]
    print(f'{index.kind}: {len(index.items)} videos, {len(index.classes)} classes, '
          f'{len(done & {i.frame_dir for i in index.items})} already done, {len(todo)} to do')

    jobs = [(item, parts_dir, args.num_person) for item in todo]
    failures = run_jobs(jobs, _process, args.workers, _start_worker,
                        (args.backend, options, args.custom_imports), 'extracting',
                        os.path.join(parts_dir, 'failed.json'))
    records = []
    for item in index.items:
        part = os.path.join(parts_dir, f'{item.frame_dir}.pkl')
        if os.path.isfile(part):
            records.append(safe_load_pickle(part))
    names = {record['frame_dir'] for record in records}
    splits = {name: [n for n in members if n in names] for name, members in index.splits.items()}
    dump_annotations(args.out, records, splits)
    if index.classes:
        with open(os.path.join(os.path.dirname(os.path.abspath(args.out)), 'label_map.txt'),
                  'w') as f:
            f.write('\n'.join(index.classes) + '\n')
    print(f'wrote {args.out}: {len(records)} videos, splits '
          + ', '.join(f'{k} ({len(v)})' for k, v in splits.items()))
    return report_failures(failures)


if __name__ == '__main__':
    sys.exit(main())
