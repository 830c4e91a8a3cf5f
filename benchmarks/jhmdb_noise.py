"""How much estimator-like noise costs on held-out JHMDB clips, with and without training for it.

Each config is trained with tools/train.py on a leakage-free fold (grouped1 by default) and
its last checkpoint tested on the fold's held-out clips twice: on the ground-truth joints,
and on the same joints with an estimator's kind of error (each joint moved by Gaussian noise
of ``--sigma`` body sizes, ``--drop`` of the joints missing, drawn with a fixed seed).

    python benchmarks/jhmdb_noise.py [--configs configs/pan_jhmdb.py configs/pan-robust_jhmdb.py]
        [--fold grouped1] [--seed 0] [--sigma 0.03] [--drop 0.1] [--work-root DIR]
"""
import argparse
import os

from posegraph.apis import build_runner, load_config
from common import ROOT, markdown_table, run_main, train, with_estimator_noise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--configs', nargs='+', default=[
        os.path.join(ROOT, 'configs', 'pan_jhmdb.py'),
        os.path.join(ROOT, 'configs', 'pan-robust_jhmdb.py')])
    parser.add_argument('--fold', default='grouped1')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--sigma', type=float, default=0.03)
    parser.add_argument('--drop', type=float, default=0.1)
    parser.add_argument('--work-root', default=os.path.join(ROOT, 'work_dirs', 'jhmdb_noise'))
    args = parser.parse_args()
    split = {'train_split': f'{args.fold}_train', 'val_split': f'{args.fold}_val',
             'test_split': f'{args.fold}_val'}
    rows = []
    for config in args.configs:
        name = os.path.splitext(os.path.basename(config))[0]
        work_dir = os.path.join(args.work_root, f'{name}_{args.fold}_seed{args.seed}')
        checkpoint = os.path.join(work_dir, f'epoch_{load_config(config).train_cfg.max_epochs}.pth')
        minutes = float('nan')
        if not os.path.isfile(checkpoint):
            minutes = train(config, work_dir, [f'{k}={v}' for k, v in split.items()],
                            flags=['--seed', str(args.seed)]) / 60
        scores = []
        noisy = with_estimator_noise(load_config(config).test_dataloader.dataset.pipeline,
                                     args.sigma, args.drop)
        for pipeline in (None, noisy):
            options = dict(split, **({'test_dataloader.dataset.pipeline': pipeline}
                                     if pipeline else {}))
            runner = build_runner(config, work_dir=os.path.join(work_dir, 'test'),
                                  checkpoint=checkpoint, cfg_options=options)
            scores.append(100 * runner.test()['acc/top1'])
        rows.append([name, f'{minutes:.1f} min', f'{scores[0]:.1f} %', f'{scores[1]:.1f} %',
                     f'{scores[0] - scores[1]:.1f}'])
    print(markdown_table(['config', 'training', 'clean joints', 'noisy joints', 'lost'], rows))


if __name__ == '__main__':
    run_main(main)
