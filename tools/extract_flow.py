"""Compute dense optical flow of videos for the two-stream model.

    python tools/extract_flow.py INPUT --out FLOW_DIR [--method auto|tvl1|dis|farneback]
        [--bound 20] [--short-side 256] [--workers N]

INPUT is a video, a folder of videos, or a UCF101 / HMDB51 / UCF11 / UCF Sports tree (as
for tools/extract_pose.py). Each video's flow goes to FLOW_DIR/<name>.npz as soon as it
is done (quantised to uint8, compressed; see posegraph.datasets.flow), so a stopped run
started again skips what is there. `auto` takes OpenCV's TV-L1 when the build has it
(opencv-contrib), else DIS; the method used is stored in every file and in
FLOW_DIR/meta.json. A video that cannot be read is reported, skipped and listed in
FLOW_DIR/failed.json; the run goes on.
"""
import argparse
import json
import os
import sys
from typing import Optional, Sequence

import cv2

from posegraph.batch import Interrupted, report_failures, report_interrupted, run_jobs, video_of_job
from posegraph.cli import refuse_below
from posegraph.datasets.flow import METHODS, compute_flow, flow_path, resolve_method, save_flow
from posegraph.datasets.video_index import index_videos
from posegraph.io import OutputPathError, atomic_open, make_folder
from posegraph.io.video import read_video


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('input', help='a video, a folder of videos, or a dataset tree')
    parser.add_argument('--out', required=True, help='folder for the flow files')
    parser.add_argument('--method', default='auto', choices=('auto',) + METHODS,
                        help="flow algorithm; 'auto': TV-L1 where OpenCV has it, else DIS")
    parser.add_argument('--bound', type=float, default=20.0,
                        help='displacements are clipped to +-bound pixels before quantising')
    parser.add_argument('--short-side', type=int, default=None,
                        help='resize frames to this shorter side first (default: as they are)')
    parser.add_argument('--workers', type=int, default=1, help='videos processed in parallel')
    args = parser.parse_args(argv)
    # The flow is divided by the bound when stored; under 8 pixels a frame has no motion to
    # measure.
    refuse_below(parser, args, dict(short_side=8, workers=1))
    if not args.bound > 0:
        parser.error(f'--bound must be more than 0, got {args.bound}')
    return args


def _start_worker():
    cv2.setNumThreads(1)  # the workers are the parallelism


def _process(job):
    item, out, method, bound, short_side = job
    try:
        flow, used = compute_flow(read_video(item.path), method, bound, short_side)
        save_flow(flow_path(out, item.frame_dir), flow, used, bound)
    except Exception as e:  # a broken video must not stop the others
        return item.frame_dir, f'{item.path}: {type(e).__name__}: {e}'
    return item.frame_dir, None


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        method = resolve_method(args.method)
        index = index_videos(args.input)
        make_folder(args.out, 'the flow')
    except (ValueError, FileNotFoundError, OutputPathError) as e:
        sys.exit(f'error: {e}')
    todo = [item for item in index.items if not os.path.isfile(flow_path(args.out, item.frame_dir))]
    print(f'{index.kind}: {len(index.items)} videos, {len(index.items) - len(todo)} already '
          f'done, {len(todo)} to do; flow method: {method}')
    with atomic_open(os.path.join(args.out, 'meta.json'), 'w') as f:
        json.dump({'method': method, 'bound': args.bound, 'short_side': args.short_side}, f)
    jobs = [(item, args.out, method, args.bound, args.short_side) for item in todo]
    try:
        failures = run_jobs(jobs, _process, args.workers, _start_worker, (), 'flow',
                            os.path.join(args.out, 'failed.json'), name_of=video_of_job)
    except Interrupted as stop:
        return report_interrupted(stop, args.out)
    done = sum(os.path.isfile(flow_path(args.out, i.frame_dir)) for i in index.items)
    print(f'{args.out}: flow of {done} of {len(index.items)} videos ({method})')
    return report_failures(failures)


if __name__ == '__main__':
    sys.exit(main())
