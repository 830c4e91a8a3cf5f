"""Test top-1 of each RGB model on the synthetic motion videos, and of its time-blind
ablation, with the wall time of each training run on this machine.

Each run is `tools/train.py configs/<model>_synthetic.py --test` (the config's reduced
input and width). The time-blind run inserts `ShuffleFrames` before packing in the
training and test pipelines: every clip's frames in a random order, and for the
two-stream model its flow set to "no motion" as well, since flow carries time too.

    python benchmarks/rgb_synthetic.py [--models convgru smnet twostream] [--seed 0]
        [--out FILE.json]
"""
import argparse
import json
import os
import tempfile
from typing import Tuple

from mmengine.config import Config

from posegraph.io import atomic_open
from common import ROOT, markdown_table, run_main, test_metrics, train

MODELS = ('convgru', 'smnet', 'twostream')


def time_blind_config(config: str, path: str) -> None:
    """Write ``config`` with ShuffleFrames before every pipeline's packing step."""
    cfg = Config.fromfile(config)
    shuffle = dict(type='ShuffleFrames', still_flow=cfg.model.network.type == 'TwoStreamFusion')
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        pipeline = cfg[loader].dataset.pipeline
        pipeline.insert(len(pipeline) - 1, shuffle)
    cfg.dump(path)
    return path


def run(config: str, work_dir: str, seed: int) -> Tuple[float, float]:
    seconds = train(config, work_dir, [f'randomness.seed={seed}'], flags=['--test'])
    return test_metrics(work_dir)['acc/top1'], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=list(MODELS), choices=MODELS)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='also write the results here (JSON)')
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            config = os.path.join(ROOT, 'configs', f'{name}_synthetic.py')
            ordered = run(config, os.path.join(tmp, name), args.seed)
            blind_config = time_blind_config(config, os.path.join(tmp, f'{name}_blind.py'))
            blind = run(blind_config, os.path.join(tmp, f'{name}_blind'), args.seed)
            results[name] = dict(top1=ordered[0], minutes=ordered[1] / 60,
                                 time_blind_top1=blind[0], time_blind_minutes=blind[1] / 60)
            print(f'{name}: test top-1 {100 * ordered[0]:.1f} % in {ordered[1] / 60:.1f} min; '
                  f'time-blind {100 * blind[0]:.1f} % in {blind[1] / 60:.1f} min', flush=True)
    print(markdown_table(
        ['model', 'test top-1', 'training + test time', 'time-blind top-1'],
        [[name, f'{100 * r["top1"]:.1f} %', f'{r["minutes"]:.1f} min',
          f'{100 * r["time_blind_top1"]:.1f} %'] for name, r in results.items()]))
    if args.out:
        with atomic_open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    run_main(main)
