"""Milliseconds per frame of the pose network at 256x456, PyTorch and onnxruntime, 1 and 2
threads, for the public Lightweight OpenPose configuration and the pose-attention paper's.

Random weights: speed does not depend on them. The public implementation's own code is
not available offline here; `tests/pose/test_pose_network.py` shows our public configuration has
its exact modules, parameter names and shapes.

    python benchmarks/pose_network.py [--runs 30] [--height 256] [--width 456]
"""
import argparse
import os
import tempfile
from typing import Dict

import onnxruntime as ort
import torch

from posegraph.export import export_pose_onnx
from posegraph.pose import lightweight_openpose, pose_attention_openpose
from common import markdown_header, markdown_row, median_ms, multiply_adds, run_main


def part_macs(network: torch.nn.Module, image: torch.Tensor) -> Dict[str, float]:
    """Multiply-adds (G) of the backbone, CPM, initial stage and refinement stages."""
    with torch.no_grad():
        backbone = network.model(image)
        features = network.cpm(backbone)
        maps = network.initial_stage(features)

    def refine():
        out = maps
        for stage in network.refinement_stages:
            out = stage(torch.cat([features, *out], dim=1))
    return {'backbone': multiply_adds(lambda: network.model(image)) / 1e9,
            'cpm': multiply_adds(lambda: network.cpm(backbone)) / 1e9,
            'initial': multiply_adds(lambda: network.initial_stage(features)) / 1e9,
            'refinement': multiply_adds(refine) / 1e9}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=30)
    parser.add_argument('--height', type=int, default=256)
    parser.add_argument('--width', type=int, default=456)
    args = parser.parse_args()
    image = torch.randn(1, 3, args.height, args.width)
    parts = part_macs(lightweight_openpose().eval(), image)
    print('public configuration, G multiply-adds by part (reference facts: backbone 3.15, '
          'CPM 0.48, initial 1.10, refinement 2.93):',
          ', '.join(f'{k} {v:.2f}' for k, v in parts.items()))
    print(markdown_header(['network', 'parameters', 'multiply-adds', 'threads', 'PyTorch',
                           'onnxruntime', 'ratio']))
    for name, build in (('Lightweight OpenPose (public)', lightweight_openpose),
                        ('pose-attention paper', pose_attention_openpose)):
        network = build().eval()
        macs = multiply_adds(lambda: network(image))
        params = sum(p.numel() for p in network.parameters())
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'pose.onnx')
            export_pose_onnx(network, path, args.height, args.width)
            for threads in (1, 2):
                torch.set_num_threads(threads)
                with torch.no_grad():
                    torch_ms = median_ms(lambda: network(image), args.runs, warmup=3)
                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
                feed = {'images': image.numpy()}
                ort_ms = median_ms(lambda: session.run(None, feed), args.runs, warmup=3)
                print(markdown_row([name, f'{params / 1e6:.2f} M', f'{macs / 1e9:.2f} G',
                                    threads, f'{torch_ms:.1f} ms', f'{ort_ms:.1f} ms',
                                    f'{torch_ms / ort_ms:.2f}x']), flush=True)


if __name__ == '__main__':
    run_main(main)
