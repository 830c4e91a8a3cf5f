"""Why the ConvGRU model misses rotation direction on the synthetic videos.

Trains `configs/convgru_synthetic.py` (the reduced model, its pipelines and schedule) on
the clockwise / anticlockwise pair alone, from scratch and from an Xception first taught
to classify the shape's orientation on single frames (the generator's angles, quadrants,
on clips outside the set: a stand-in for the ImageNet features the paper starts from).
Then it trains on all eight motions from that backbone. The pair is the same frames
played in either order, so only time tells them apart.

    python benchmarks/rotation_probe.py [--epochs 20] [--seed 0] [--out FILE.json]
"""
import argparse
import json
import os
import tempfile
import time
from typing import Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from rgb_synthetic import ROOT, run

from posegraph.datasets import SyntheticVideoDataset
from posegraph.datasets.synthetic_video import MOTIONS, make_video_clip
from posegraph.datasets.video_dataset import read_video_list
from posegraph.io import atomic_open
from posegraph.models import VideoDataPreprocessor
from posegraph.models.backbones import Xception
from common import run_main

CONFIG = os.path.join(ROOT, 'configs', 'convgru_synthetic.py')
PAIR = ('rotate_clockwise', 'rotate_anticlockwise')


def orientation_frames(count: int, seed: int, crop: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Centre crops of single frames of every motion and their angle's quadrant."""
    frames, quadrants = [], []
    for k in range(count):
        rng = np.random.default_rng([seed, 1000, k])  # the set uses [seed, label, index]
        clip, angles = make_video_clip(MOTIONS[k % len(MOTIONS)], rng, num_frames=2,
                                       return_angles=True)
        start = (clip.shape[1] - crop) // 2
        frames.append(clip[0, start:start + crop, start:start + crop, ::-1])  # BGR -> RGB
        quadrants.append(int(angles[0] % (2 * np.pi) // (np.pi / 2)))
    inputs = torch.from_numpy(np.ascontiguousarray(np.stack(frames))).permute(0, 3, 1, 2)
    return VideoDataPreprocessor()({'inputs': inputs})['inputs'], torch.tensor(quadrants)


def pretrain_orientation(network: torch.nn.Module, crop: int, seed: int, path: str,
                         epochs: int = 10) -> float:
    """Train an Xception shaped like ``network``'s on frame orientation; save its weights
    (timm names, no classifier) to ``path``; returns held-out quadrant accuracy."""
    torch.manual_seed(seed)
    train_x, train_y = orientation_frames(1000, seed, crop)
    val_x, val_y = orientation_frames(200, seed + 1, crop)
    model = Xception(num_classes=4, width=network.width, middle_blocks=network.middle_blocks)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(train_y)).split(32):
            loss = torch.nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(val_x).argmax(1) == val_y).float().mean().item()
    torch.save({k: v for k, v in model.state_dict().items() if not k.startswith('fc.')}, path)
    return accuracy


def pair_config(tmp: str, root: str, epochs: int, pretrained: Optional[str] = None) -> str:
    """The ConvGRU config on the rotation pair only (labels 0 / 1), written to ``tmp``."""
    labels = {MOTIONS.index(name): new for new, name in enumerate(PAIR)}
    cfg = Config.fromfile(CONFIG)
    for split in ('train', 'val', 'test'):
        with open(os.path.join(tmp, f'pair_{split}.txt'), 'w') as f:
            f.writelines(f'{path} {labels[label]}\n' for path, label in
                         read_video_list(os.path.join(root, f'{split}.txt')) if label in labels)
        loader = cfg[f'{split}_dataloader']
        loader.dataset = dict(type='VideoDataset', ann_file=os.path.join(tmp, f'pair_{split}.txt'),
                              data_prefix=dict(video=root), num_classes=len(PAIR),
                              pipeline=loader.dataset.pipeline, test_mode=split != 'train')
    cfg.model.network.num_classes = len(PAIR)
    cfg.model.network.pretrained = pretrained
    cfg.train_cfg.max_epochs = epochs
    cfg.param_scheduler[-1].end = epochs
    path = os.path.join(tmp, f'pair_{"pretrained" if pretrained else "scratch"}.py')
    cfg.dump(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--epochs', type=int, default=20, help='for the pair-only runs')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='also write the results here (JSON)')
    args = parser.parse_args()
    cfg = Config.fromfile(CONFIG)
    root = os.path.join(ROOT, cfg.data_root)
    SyntheticVideoDataset(root, 'train', clips_per_class=cfg.dataset_defaults.clips_per_class)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.time()
        weights = os.path.join(tmp, 'xception_orientation.pth')
        results['orientation_quadrant_top1'] = pretrain_orientation(
            cfg.model.network, cfg.crop_size, args.seed, weights)
        results['orientation_minutes'] = (time.time() - start) / 60
        runs = {'pair, from scratch': pair_config(tmp, root, args.epochs),
                'pair, orientation backbone': pair_config(tmp, root, args.epochs, weights)}
        cfg.model.network.pretrained = weights
        cfg.dump(os.path.join(tmp, 'all.py'))
        runs['all eight, orientation backbone'] = os.path.join(tmp, 'all.py')
        for index, (name, config) in enumerate(runs.items()):
            top1, seconds = run(config, os.path.join(tmp, f'run{index}'), args.seed)
            results[name] = dict(top1=top1, minutes=seconds / 60)
            print(f'{name}: test top-1 {100 * top1:.1f} % in {seconds / 60:.1f} min', flush=True)
    print(f'orientation pretraining: quadrant top-1 '
          f'{100 * results["orientation_quadrant_top1"]:.1f} % in '
          f'{results["orientation_minutes"]:.1f} min')
    if args.out:
        with atomic_open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    run_main(main)
