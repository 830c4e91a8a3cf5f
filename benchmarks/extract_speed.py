"""End-to-end extraction speed on ../shared/media/video.avi (205 frames, 1280x720).

Times what tools/extract_pose.py does per video — decoding the video, the network, the
decoding of its maps and the tracking — with the lwopenpose back-end. No trained weights can
be fetched here, so the checkpoint holds untrained weights: the network's time is real, the
decoding time depends on how many people trained maps would show (see pose_decode.py).

    python benchmarks/extract_speed.py [--runtime onnx] [--threads 2] [--height 256]
"""
import argparse
import os
import tempfile
import time

import torch

from posegraph.pose import lightweight_openpose
from posegraph.pose.backends import LightweightOpenPoseBackend
from posegraph.pose.tracking import track_persons
from posegraph.pose.video import read_video
from common import markdown_table, run_main

VIDEO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'media',
                     'video.avi')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runtime', default='onnx', choices=['torch', 'onnx'])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--height', type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = os.path.join(folder, 'untrained.pth')
        torch.save({'state_dict': lightweight_openpose().state_dict()}, checkpoint)
        start = time.perf_counter()
        backend = LightweightOpenPoseBackend(checkpoint, height=args.height,
                                             runtime=args.runtime, num_threads=args.threads)
        setup = time.perf_counter() - start
    start = time.perf_counter()
    frames = read_video(VIDEO)
    read = time.perf_counter() - start
    start = time.perf_counter()
    detections = backend(frames)
    estimate = time.perf_counter() - start
    start = time.perf_counter()
    track_persons(detections, num_person=2)
    track = time.perf_counter() - start
    total = read + estimate + track
    print(f'video.avi: {len(frames)} frames, runtime {args.runtime}, {args.threads} threads, '
          f'input height {args.height}')
    print(markdown_table(
        ['set-up (load, export)', 'read video', 'network + decode', 'tracking',
         'frames per second'],
        [[f'{setup:.1f} s', f'{1000 * read / len(frames):.1f} ms/frame',
          f'{1000 * estimate / len(frames):.1f} ms/frame',
          f'{1000 * track / len(frames):.2f} ms/frame', f'{len(frames) / total:.1f}']]))


if __name__ == '__main__':
    run_main(main)
