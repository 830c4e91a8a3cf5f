"""Top-1 of PAN on ../shared/data/jhmdb_gt `val`, over seeds, and the ablation table.

Each run is `tools/train.py configs/pan_jhmdb.py` with one seed (and ablation switches);
the figure is the last epoch's validation top-1, not the best epoch's, which would pick
the checkpoint on the very clips it is judged on.

    python benchmarks/jhmdb_accuracy.py [--seeds 0 1 2] [--ablation] [--out FILE.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ABLATION = {  # the rows of the ConvGRU paper's Table 4, for this model
    'GCN + GRU': dict(diffpool=False, joint_attention=False, pose_attention=False),
    '+ DiffPool': dict(diffpool=True, joint_attention=False, pose_attention=False),
    '+ joints attention': dict(diffpool=False, joint_attention=True, pose_attention=False),
    '+ pose attention': dict(diffpool=False, joint_attention=False, pose_attention=True),
    'full (HGN + PAN)': dict(diffpool=True, joint_attention=True, pose_attention=True),
}


def last_validation(work_dir):
    """The last validation record of a run's ``scalars.json``."""
    logs = [os.path.join(root, name) for root, _, names in os.walk(work_dir)
            for name in names if name == 'scalars.json']
    records = [json.loads(line) for line in open(max(logs, key=os.path.getmtime)) if line.strip()]
    return [r for r in records if 'acc/top1' in r][-1]


def train(config, seed, switches, work_dir, extra=()):
    # Ensemble configs pass these switches through to every branch, like any other.
    options = [f'randomness.seed={seed}'] + [f'model.network.{k}={v}'
                                             for k, v in switches.items()] + list(extra)
    start = time.time()
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'train.py'), config,
                    '--work-dir', work_dir, '--cfg-options', *options],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    return last_validation(work_dir), time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--ablation', action='store_true', help='every row of the table')
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='config overrides for every run, as tools/train.py takes them')
    args = parser.parse_args()
    rows = ABLATION if args.ablation else {'full (HGN + PAN)': ABLATION['full (HGN + PAN)']}
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, switches in rows.items():
            runs = []
            for seed in args.seeds:
                record, seconds = train(args.config, seed, switches,
                                        os.path.join(folder, f'{len(results)}_{seed}'),
                                        args.cfg_options)
                runs.append({'seed': seed, 'top1': record['acc/top1'],
                             'mean_class_accuracy': record['acc/mean_class_accuracy'],
                             'seconds': seconds})
                print(f'{name} seed {seed}: top-1 {100 * record["acc/top1"]:.1f} % '
                      f'({seconds:.0f} s)', flush=True)
            results[name] = runs
    print('\n| model | top-1 (mean ± std) | runs | train time |')
    print('| --- | --- | --- | --- |')
    for name, runs in results.items():
        top1 = 100 * np.array([r['top1'] for r in runs])
        seconds = np.mean([r['seconds'] for r in runs])
        print(f'| {name} | {top1.mean():.1f} ± {top1.std():.1f} % | '
              f'{", ".join(f"{t:.1f}" for t in top1)} | {seconds / 60:.1f} min |')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
