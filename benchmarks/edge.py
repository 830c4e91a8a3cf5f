"""The edge runtime stage by stage: read, resize, estimator, decode, track, recognizer step,
and end-to-end frames per second, as a device runs a bundle (onnxruntime, no torch).

    python benchmarks/edge.py [--arch pose_attention] [--height 256] [--threads 1 2]
        [--frames 100] [--edge-python .venv-edge/bin/python] [--work-dir work_dirs/edge]
        [--config CONFIG --checkpoint CHECKPOINT]

Bundles: the shipped JHMDB recognizer (or CONFIG with CHECKPOINT) with the estimator in the
pose-attention paper's configuration (random weights: none are published; speed does not
depend on them), in float32 and with --int8 (kept per graph only where faster). Each run is
a fresh process with torch blocked (the edge venv's interpreter with --edge-python), so its
peak memory is the runtime's own. Random weights find no persons, so the tracking and
recognition stages are fed real joints instead: the BlazePose track of video.avi
(../shared/data/reference), as five persons side by side on the street video and one on
the NTU clip; decoding is timed on the maps the network gives (their 4x upsampling, which
dominates at few persons).
"""
import argparse
import json
import os
import subprocess
import sys
import zlib
from typing import List, Optional

from common import ROOT, markdown_table, multiply_adds, run_main

MEDIA = os.path.join(ROOT, '..', 'shared', 'media')
LANDMARKS = os.path.join(ROOT, '..', 'shared', 'data', 'reference',
                         'video_mediapipe_landmarks.npz')
VIDEOS = {'video.avi (1280x720, street)': ('video.avi', 5),
          'NTU clip (1920x1080, one person)': ('ntu_S001C001P001R001A001_rgb.avi', 1)}

# The per-process measurement: run with torch blocked, prints one JSON line.
WORKER = r'''
import sys
sys.modules['torch'] = None
import json, resource, time
import numpy as np
from posegraph.io import VideoSource
from posegraph.pose.frames import decode_frames, network_input
from posegraph.pose.tracking import PoseTracker
from posegraph.runtime import load_bundle
from posegraph.skeleton import convert_keypoints
bundle_dir, video, persons, threads, frames = sys.argv[1:6]
persons, threads, frames = int(persons), int(threads), int(frames)
bundle = load_bundle(bundle_dir, num_threads=threads)
estimator, recognizer = bundle.estimator(), bundle.recognizer()
tracker = PoseTracker(max_age=recognizer.max_age)
marks = np.load(sys.argv[6])['landmarks']
joints, scores = convert_keypoints(marks[..., :2], marks[..., 3], 'mediapipe33', 'coco17')
offsets = np.array([[200.0 * (k - persons // 2), 0] for k in range(persons)], np.float32)
stages = {k: [] for k in ('read', 'resize', 'estimator', 'decode', 'track', 'recognizer step')}
source = iter(VideoSource(video))
started = time.perf_counter()
for t in range(frames):
    clock = time.perf_counter()
    frame = next(source)
    marks_at = [clock, time.perf_counter()]
    image, scale, pad = network_input(frame, estimator.height)
    marks_at.append(time.perf_counter())
    heatmaps, pafs = estimator.maps(image[None])
    marks_at.append(time.perf_counter())
    decode_frames(heatmaps, pafs, [scale], [pad])
    marks_at.append(time.perf_counter())
    k = joints[t % len(joints)][None] + offsets[:, None]
    s = np.repeat(scores[t % len(joints)][None], persons, 0)
    ids = tracker.update(k, s)
    marks_at.append(time.perf_counter())
    recognizer.update(ids, k, s, frame.shape[:2])
    marks_at.append(time.perf_counter())
    for name, a, b in zip(stages, marks_at, marks_at[1:]):
        stages[name].append(1000 * (b - a))
total = time.perf_counter() - started
print(json.dumps({'ms': {k: float(np.median(v[5:])) for k, v in stages.items()},
                  'fps': frames / total,
                  'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def export(out: str, recognizer: List[str], pose_checkpoint: str, arch: str, height: int,
           int8: bool, calibration: Optional[str]) -> None:
    if os.path.isfile(os.path.join(out, 'manifest.json')):
        return
    command = [sys.executable, os.path.join(ROOT, 'tools', 'export_onnx.py'), *recognizer,
               '--out', out,
               '--pose-checkpoint', pose_checkpoint, '--pose-arch', arch,
               '--pose-height', str(height)]
    if int8:
        command += ['--int8', '--calibration-video', calibration]
    subprocess.run(command, check=True, cwd=ROOT)


def pose_macs(arch: str, height: int, width: int) -> float:
    import torch

    from posegraph.pose import lightweight_openpose, pose_attention_openpose
    network = (pose_attention_openpose if arch == 'pose_attention' else lightweight_openpose)()
    image = torch.zeros(1, 3, height, width)
    return multiply_adds(lambda: network.eval()(image)) / 1e9


def step_macs(config: str, checkpoint: str) -> float:
    import torch

    from posegraph.apis import init_recognizer
    network = init_recognizer(config, checkpoint).network
    frame = torch.zeros(1, 1, network.num_joints, network.in_channels)
    return multiply_adds(lambda: network.step(frame, network.initial_state(1, 1))) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='pose_attention', choices=('pose_attention',
                                                                     'lwopenpose'))
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--frames', type=int, default=100)
    parser.add_argument('--edge-python', default=sys.executable,
                        help='the interpreter of an environment without torch')
    parser.add_argument('--work-dir', default=os.path.join(ROOT, 'work_dirs', 'edge'))
    parser.add_argument('--config', help='the recognizer config (default: the shipped model)')
    parser.add_argument('--checkpoint', help='its weights, with --config')
    args = parser.parse_args()
    if bool(args.config) != bool(args.checkpoint):
        parser.error('--config and --checkpoint go together')
    recognizer = [args.config, args.checkpoint] if args.config else []
    # Bundles of another recognizer go to their own folders.
    tag = (f'_{os.path.splitext(os.path.basename(args.checkpoint))[0]}_'
           f'{zlib.crc32(os.path.abspath(args.checkpoint).encode()):08x}' if args.config else '')
    import torch

    from posegraph.pose import lightweight_openpose, pose_attention_openpose
    os.makedirs(args.work_dir, exist_ok=True)
    pose_checkpoint = os.path.join(args.work_dir, f'{args.arch}_random.pth')
    if not os.path.isfile(pose_checkpoint):
        torch.manual_seed(0)
        build = pose_attention_openpose if args.arch == 'pose_attention' else lightweight_openpose
        torch.save(build().state_dict(), pose_checkpoint)
    bundles = {}
    for precision in ('fp32', 'int8'):
        bundles[precision] = os.path.join(args.work_dir, f'bundle_{args.arch}_{args.height}_'
                                                         f'{precision}{tag}')
        export(bundles[precision], recognizer, pose_checkpoint, args.arch, args.height,
               precision == 'int8', os.path.join(MEDIA, 'video.avi'))
    results = []
    for video_name, (file, persons) in VIDEOS.items():
        for threads in args.threads:
            for precision, bundle in bundles.items():
                out = subprocess.run([args.edge_python, '-c', WORKER, bundle,
                                      os.path.join(MEDIA, file), str(persons), str(threads),
                                      str(args.frames), LANDMARKS],
                                     capture_output=True, text=True, cwd=ROOT)
                if out.returncode:
                    sys.exit(out.stderr[-3000:])
                result = json.loads(out.stdout.strip().splitlines()[-1])
                result.update(video=video_name, threads=threads, precision=precision)
                results.append(result)
    stages = list(results[0]['ms'])
    print(markdown_table(
        ['video', 'threads', 'precision', *stages, 'end to end', 'peak memory'],
        [[r['video'], r['threads'], r['precision'], *(f'{r["ms"][s]:.2f}' for s in stages),
          f'{r["fps"]:.1f} FPS', f'{r["peak_mb"]:.0f} MB'] for r in results]))
    manifest = json.load(open(os.path.join(bundles['int8'], 'manifest.json')))
    print('\nint8 (static QDQ, per-channel), per graph:')
    for name, report in manifest['quantization'].items():
        print(f'  {name}: speed-up ' + ', '.join(f'{t} thread(s) {v:.2f}x' for t, v in
                                                 report['speedup'].items())
              + f'; {report["bytes"][0] / 1e6:.2f} -> {report["bytes"][1] / 1e6:.2f} MB; '
              f'outputs differ by <= {report["max_abs_difference"]:.3g} (mean '
              f'{report["mean_abs_difference"]:.3g}); {"kept" if report["kept"] else "not kept"}')
    frame_w = -(-args.height * 16 // 9 // 8) * 8
    macs = {'estimator (G)': pose_macs(args.arch, args.height, frame_w),
            'recognizer step (M)': step_macs(args.config, args.checkpoint)}
    print(f'\nmultiply-adds per frame at {args.height}x{frame_w}: '
          + ', '.join(f'{k} {v:.2f}' for k, v in macs.items()))
    if args.edge_python != sys.executable:
        venv = os.path.dirname(os.path.dirname(args.edge_python))
        size = subprocess.run(['du', '-sm', venv], capture_output=True, text=True).stdout.split()[0]
        print(f'edge environment on disk: {size} MB ({venv})')
    with open(os.path.join(args.work_dir, f'edge{tag}.json'), 'w') as f:
        json.dump({'results': results, 'macs': macs,
                   'quantization': manifest['quantization']}, f, indent=1)


if __name__ == '__main__':
    run_main(main)
