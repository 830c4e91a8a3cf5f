"""Recognise every person's action in a video, a camera or a stream while it plays.

    python tools/demo.py INPUT [--config CFG --checkpoint CKPT [--cfg-options ...] | --bundle DIR]
        [--pose-backend lwopenpose] [--pose-checkpoint lwopenpose] [--pose-height 256]
        [--window 32 --stride 8] [--track-timeout 30]
        [--out OUT.mp4] [--json OUT.json] [--timeline OUT.png] [--show] [--max-frames N]

INPUT is a video file, a folder of frames, a camera index (0) or a stream URL (rtsp://...,
http://...). Without --config and --checkpoint the JHMDB model that ships with posegraph
(14 classes, assets/pretrained/) recognises the actions. --bundle runs a bundle written by
tools/export_onnx.py with onnxruntime, without torch (its estimator too, if it has one;
--window runs each window through its whole-video graph).

Every tracked person has a recognizer state of their own, fed a frame at a time through
the network's streaming step (a label per person, updated every frame), or, with
--window, their last WINDOW frames are classified every STRIDE frames (videos with
several actions one after another). --out draws skeletons, track ids, each person's top
classes and the processing rate, at the source's frame rate; --json writes every frame's
per-person probabilities; --timeline plots each person's top class over time. Outputs
are written whole or not at all; Ctrl-C (or q in the --show window) ends a live source
and keeps what was recognised.
"""
import argparse
import importlib
import json
import os
import sys
import time
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Only torch-free modules here: with --bundle the demo runs where torch is not installed.
from posegraph.cli import refuse_below
from posegraph.drawing import draw_actions
from posegraph.errors import MissingWeightsError
from posegraph.io import (
    AtomicVideoWriter,
    VideoReadError,
    VideoSource,
    atomic_open,
    make_folder_for,
)
from posegraph.runtime import VideoActionRecognizer, load_bundle
from posegraph.runtime.streaming import TrackedPersons


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('input', help='video file, frame folder, camera index or stream URL')
    parser.add_argument('--config', help='skeleton model config (default: the shipped model)')
    parser.add_argument('--checkpoint', help='its weights: a file or an http(s):// URL')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='overrides of the skeleton model config')
    parser.add_argument('--bundle', help='a bundle of tools/export_onnx.py, run without torch')
    parser.add_argument('--threads', type=int, help="onnxruntime's threads (with --bundle)")
    parser.add_argument('--pose-backend',
                        help='pose estimator: lwopenpose (default; a bundle\'s own if it has '
                             'one), mediapipe, or one registered by --custom-imports')
    parser.add_argument('--pose-checkpoint', default='lwopenpose',
                        help="the estimator's weights: a file, an http(s):// URL, or "
                             "'lwopenpose' for the published Lightweight OpenPose checkpoint "
                             '(downloaded once)')
    parser.add_argument('--pose-height', type=int, default=256,
                        help='estimator input height in pixels')
    parser.add_argument('--custom-imports', nargs='+', default=[],
                        help='modules to import first (e.g. one registering a pose back-end)')
    parser.add_argument('--window', type=int,
                        help='classify each person\'s last WINDOW frames (default: stream '
                             'every frame through the network\'s step)')
    parser.add_argument('--stride', type=int, help='frames between windows (default: 8)')
    parser.add_argument('--track-timeout', type=int, default=30,
                        help='frames a lost person is kept before their track and state end')
    parser.add_argument('--out', help='the drawn video (.mp4 or .avi)')
    parser.add_argument('--json', help="per-frame, per-person probabilities (default: --out's "
                                       'name with .json)')
    parser.add_argument('--timeline', help="the label timeline figure (default: --out's or "
                                           "--json's name with _timeline.png)")
    parser.add_argument('--show', action='store_true', help='show the frames in a window')
    parser.add_argument('--max-frames', type=int, help='stop after this many frames')
    parser.add_argument('--top-k', type=int, default=3, help='classes written per person')
    args = parser.parse_args(argv)
    refuse_below(parser, args, dict(track_timeout=0, top_k=1, max_frames=1, pose_height=8,
                                    threads=1, window=1, stride=1))
    if args.checkpoint and not args.config:
        parser.error('--checkpoint needs --config (the shipped model is used without both)')
    if args.bundle and (args.config or args.checkpoint or args.cfg_options):
        parser.error('--bundle holds its model: no --config, --checkpoint or --cfg-options '
                     'with it')
    # Options that would be dropped without a word.
    if args.stride is not None and not args.window:
        parser.error('--stride is the step between --window windows: give --window too')
    if args.threads is not None and not args.bundle:
        parser.error("--threads sets onnxruntime's threads for --bundle; PyTorch takes "
                     'OMP_NUM_THREADS')
    if args.window and args.stride is None:
        args.stride = 8
    stem = os.path.splitext(args.out or args.json or '')[0]
    if stem and not args.json:
        args.json = stem + '.json'
    if stem and not args.timeline:
        args.timeline = stem + '_timeline.png'
    return args


def frame_entry(t: int, fps: float, persons: Sequence[dict]) -> dict:
    """A frame's persons as the JSON has them: track id, box, top class and every
    class's probability."""
    entry = {'frame': t, 'time': round(t / fps, 4), 'persons': []}
    for person in persons:
        seen = person['keypoint_scores'] > 0
        box = ([*person['keypoints'][seen].min(0), *person['keypoints'][seen].max(0)]
               if seen.any() else [])
        probabilities = person['probabilities']
        top = None if probabilities is None else int(probabilities.argmax())
        entry['persons'].append({
            'id': person['id'], 'box': [round(float(v), 1) for v in box], 'label': top,
            'score': None if top is None else round(float(probabilities[top]), 4),
            'scores': None if top is None else [round(float(p), 4) for p in probabilities]})
    return entry


def recognise(args: argparse.Namespace, source: VideoSource, actions: VideoActionRecognizer,
              classes: Sequence[str], layout: str) -> dict:
    """Run the source through ``actions`` and write the outputs; returns the JSON's
    content."""
    writer = AtomicVideoWriter(args.out, source.fps, 'the drawn video') if args.out else None
    timeline, rate, stopped = [], None, None
    columns = (TextColumn('[progress.description]{task.description}'), BarColumn(),
               MofNCompleteColumn(), TextColumn('{task.fields[rate]}'), TimeElapsedColumn())
    try:
        with Progress(*columns) as progress:
            total = source.num_frames
            if args.max_frames:
                total = min(total or args.max_frames, args.max_frames)
            task = progress.add_task(os.path.basename(source.name) or source.name, total=total,
                                     rate='')
            for t, frame in enumerate(source):
                if args.max_frames and t >= args.max_frames:
                    break
                started = time.perf_counter()
                persons = actions(frame)
                elapsed = time.perf_counter() - started
                # The processing rate, smoothed over about ten frames.
                rate = 1 / elapsed if rate is None else 0.9 * rate + 0.1 / max(elapsed, 1e-6)
                timeline.append(frame_entry(t, source.fps, persons))
                if writer or args.show:
                    drawn = draw_actions(frame, persons, layout, classes, rate, args.top_k)
                if writer:
                    writer.write(drawn)
                if args.show:
                    cv2.imshow('posegraph demo', drawn)
                    if cv2.waitKey(1) & 0xFF in (ord('q'), 27):
                        stopped = f'stopped by the viewer at frame {t + 1}'
                        break
                progress.update(task, advance=1, rate=f'{rate:.1f} frames/s')
    except KeyboardInterrupt:
        if not source.live:
            if writer:
                writer.discard()
            raise
        stopped = f'stopped at frame {len(timeline)}'
    except BaseException:
        if writer:
            writer.discard()
        raise
    finally:
        if args.show:
            cv2.destroyAllWindows()
    final = actions.recognizer.flush()
    if writer:
        writer.close()
    if stopped:
        print(stopped)
    return {'source': source.name, 'fps': source.fps, 'frames': len(timeline),
            'mode': (f'window {args.window}, stride {args.stride}' if args.window
                     else 'online'),
            'classes': list(classes),
            'final': {str(k): {'label': int(p.argmax()), 'name': classes[int(p.argmax())],
                               'score': round(float(p.max()), 4)} for k, p in final.items()},
            'timeline': timeline}


def build_torch(args: argparse.Namespace) -> Tuple[Callable, TrackedPersons, List[str]]:
    """The recognizer and estimator of a config and checkpoint, in PyTorch."""
    from posegraph.apis import (
        OnlineRecognizer,
        SlidingWindowRecognizer,
        class_name,
        init_pose_estimator,
        init_recognizer,
        parse_cfg_options,
    )
    # mmengine's parsing of KEY=VALUE, which the edge install (no mmengine) never reaches.
    options = argparse.ArgumentParser()
    options.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={})
    cfg_options = options.parse_args(['--cfg-options', *args.cfg_options]).cfg_options \
        if args.cfg_options else None
    model = init_recognizer(args.config, args.checkpoint, cfg_options=cfg_options)
    estimator = init_pose_estimator(args.pose_backend or 'lwopenpose',
                                    checkpoint=args.pose_checkpoint, height=args.pose_height)
    if args.window:
        recognizer = SlidingWindowRecognizer(model, args.window, args.stride,
                                             max_age=args.track_timeout)
    else:
        recognizer = OnlineRecognizer(model, max_age=args.track_timeout)
    return estimator, recognizer, [class_name(model, k) for k in range(model.network.num_classes)]


def build_bundle(args: argparse.Namespace) -> Tuple[Callable, TrackedPersons, List[str]]:
    """The recognizer (and estimator, unless --pose-backend names another) of a bundle, in
    onnxruntime."""
    bundle = load_bundle(args.bundle, args.threads)
    if args.pose_backend is None and bundle.has_estimator:
        estimator = bundle.estimator()
    else:
        from posegraph.apis import init_pose_estimator
        estimator = init_pose_estimator(args.pose_backend or 'lwopenpose',
                                        checkpoint=args.pose_checkpoint,
                                        height=args.pose_height)
    recognizer = (bundle.windows(args.window, args.stride, max_age=args.track_timeout)
                  if args.window else bundle.recognizer(max_age=args.track_timeout))
    return estimator, recognizer, bundle.classes


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    for module in args.custom_imports:
        importlib.import_module(module)
    try:
        source = VideoSource(args.input)
        # Before the models load and the video is read: a folder that cannot be made, or a
        # format OpenCV cannot write, would otherwise be found at the first frame (--out) or
        # after the whole video (--json, --timeline).
        if args.out:
            AtomicVideoWriter(args.out, 25.0, 'the drawn video').check()
        for path, what in ((args.json, 'the probabilities'), (args.timeline, 'the timeline')):
            if path:
                make_folder_for(path, what)
    except (VideoReadError, OSError) as e:
        sys.exit(f'error: {e}')
    try:
        estimator, recognizer, classes = (build_bundle if args.bundle else build_torch)(args)
    except MissingWeightsError as e:
        sys.exit(f'error: --pose-checkpoint: {e}')
    except (FileNotFoundError, ImportError, KeyError, ValueError, TypeError, RuntimeError) as e:
        sys.exit(f'error: {e}')
    try:
        result = recognise(args, source, VideoActionRecognizer(estimator, recognizer),
                           classes, 'coco17')
    except (VideoReadError, OSError) as e:
        sys.exit(f'error: {e}')
    if args.json:
        with atomic_open(args.json, 'w') as f:
            json.dump(result, f)
    if args.timeline:
        try:
            from posegraph.visualization import plot_action_timeline
        except ImportError:   # an edge install without matplotlib
            print(f'no timeline: {args.timeline} needs matplotlib')
            args.timeline = None
        else:
            plot_action_timeline(result['timeline'], classes, source.fps, args.timeline)
    for track, final in result['final'].items():
        print(f'person #{track}: {final["name"]} ({100 * final["score"]:.0f} %)')
    drawn = args.out if result['frames'] else None   # no frame, no video
    written = [p for p in (drawn, args.json, args.timeline) if p]
    print(f'{result["frames"]} frames' + (f'; wrote {", ".join(written)}' if written else ''))


if __name__ == '__main__':
    main()
