"""Cost of the RGB companion models at the papers' input sizes on this CPU: parameters,
multiply-adds and clips per second (inference and training), each next to the paper's
backbone alone on the same frames.

    python benchmarks/rgb_cost.py [--runs 3] [--threads 2] [--models convgru smnet twostream]

Clips: ConvGRU 40 frames, SMNet 8 segments, two-stream 17 steps of RGB + 4 flows, all
224x224, batch 1 for inference and 2 for a training step (forward, backward, Adam).
Random weights: speed does not depend on them.
"""
import argparse
from typing import Tuple

import torch

from posegraph.models import ConvGRUXception, SMNet, TwoStreamFusion
from posegraph.models.backbones import resnet50, vgg16, xception
from common import markdown_header, markdown_row, median_ms, multiply_adds, run_main

SIZE = 224
MODELS = {  # name: (model, frames, channels, backbone, backbone passes per frame, its name)
    'convgru': (lambda: ConvGRUXception(101, num_frames=40), 40, 3,
                lambda: xception(num_classes=0), 1, 'Xception'),
    'smnet': (lambda: SMNet(101, num_segments=8), 8, 3, lambda: resnet50(num_classes=0), 1,
              'ResNet-50'),
    'twostream': (lambda: TwoStreamFusion(101, flow_length=4), 17, 11,
                  lambda: vgg16(num_classes=0), 2, 'VGG-16 x 2 streams'),
}


def parameters(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def measure_model(model: torch.nn.Module, frames: int, channels: int, runs: int
                  ) -> Tuple[int, int, float, float]:
    """Parameters, multiply-adds, inference and training-step milliseconds of one model."""
    model.eval()
    clip = torch.randn(1, frames, channels, SIZE, SIZE)
    model_macs = multiply_adds(lambda: model(clip))
    with torch.no_grad():
        infer = median_ms(lambda: model(clip), runs, warmup=1)
    model.train()
    optimiser = torch.optim.Adam(model.parameters(), 1e-4)
    batch, labels = torch.randn(2, frames, channels, SIZE, SIZE), torch.tensor([0, 1])

    def step():
        optimiser.zero_grad()
        model.loss(model(batch), labels)['loss_cls'].backward()
        optimiser.step()
    return parameters(model), model_macs, infer, median_ms(step, runs, warmup=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--models', nargs='+', default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f'{SIZE}x{SIZE}, {args.threads} threads, median of {args.runs} runs')
    print(markdown_header(['model', 'frames', 'parameters (M)', 'GMACs / clip',
                           'inference clips/s', 'training clips/s', 'backbone alone',
                           'backbone params (M)', 'backbone GMACs / clip', 'backbone clips/s',
                           'MACs ratio', 'speed ratio']))

    for name in args.models:
        build, frames, channels, build_backbone, passes, backbone_name = MODELS[name]
        model_parameters, model_macs, infer, train = measure_model(build(), frames, channels,
                                                                   args.runs)
        backbone = build_backbone().eval()
        frames_in = torch.randn(frames, 3, SIZE, SIZE)

        def backbone_clip():
            for _ in range(passes):
                backbone(frames_in)
        backbone_macs = multiply_adds(backbone_clip)
        with torch.no_grad():
            backbone_ms = median_ms(backbone_clip, args.runs, warmup=1)
        print(markdown_row([name, frames, f'{model_parameters / 1e6:.2f}',
                            f'{model_macs / 1e9:.1f}', f'{1000 / infer:.3f}',
                            f'{2000 / train:.3f}', backbone_name,
                            f'{passes * parameters(backbone) / 1e6:.2f}',
                            f'{backbone_macs / 1e9:.1f}', f'{1000 / backbone_ms:.3f}',
                            f'{model_macs / backbone_macs:.2f}', f'{backbone_ms / infer:.2f}']),
              flush=True)


if __name__ == '__main__':
    run_main(main)
