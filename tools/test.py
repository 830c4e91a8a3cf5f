"""Evaluate a checkpoint on a config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump SCORES.pkl]
                         [--cfg-options K=V ...]

Prints top-1, top-5 and mean class accuracy; writes them to ``test_metrics.json`` and the
confusion matrix to ``confusion_matrix.png`` in the work dir. ``--dump`` saves each clip's
class scores (a list of dicts with ``pred_score`` and ``gt_label``, as MMAction2 writes
them) for score fusion.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from posegraph.apis import (USER_ERRORS, build_runner, parse_cfg_options,  # noqa: E402
                            report_test_metrics)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a posegraph model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where to write metrics and figures')
    parser.add_argument('--dump', help='pickle file for the per-clip scores')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={},
                        help='override config entries')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isfile(args.checkpoint):
        sys.exit(f'{args.checkpoint}: no such checkpoint')
    try:
        runner = build_runner(args.config, work_dir=args.work_dir,
                              cfg_options=args.cfg_options, launcher=args.launcher,
                              checkpoint=args.checkpoint, dump=args.dump)
        metrics = runner.test()
    except USER_ERRORS as e:
        sys.exit(f'error: {e}')
    if runner.rank == 0:
        report_test_metrics(runner, metrics, args.dump)


if __name__ == '__main__':
    main()
