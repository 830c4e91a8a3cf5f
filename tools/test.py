"""Evaluate a checkpoint on a config's test set.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump SCORES.pkl]
                         [--show-dir DIR] [--cfg-options K=V ...]

Prints top-1, top-5 and mean class accuracy; writes them to ``test_metrics.json`` and the
confusion matrix to ``confusion_matrix.png`` in the work dir. ``--dump`` saves each clip's
class scores (a list of dicts with ``pred_score`` and ``gt_label``, as MMAction2 writes
them) for score fusion.
"""
import argparse
import os
import sys
import tempfile
from typing import Optional, Sequence

from posegraph.apis import (
    USER_ERRORS,
    build_runner,
    parse_cfg_options,
    report_test_metrics,
    show_predictions,
)
from posegraph.apis.runner import missing_checkpoint
from posegraph.evaluation.fusion import load_scores
from posegraph.io import make_folder


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a posegraph model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file, or its http(s):// URL (downloaded '
                        "once into torch.hub's cache)")
    parser.add_argument('--work-dir', help='where to write metrics and figures')
    parser.add_argument('--dump', help='pickle file for the per-clip scores')
    parser.add_argument('--show-dir', help='draw every clip with its predicted and true '
                        'class into this folder (FRAME_DIR.png)')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={},
                        help='override config entries')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher (tools/dist_test.sh uses pytorch)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by torch.distributed.launch (torchrun sets LOCAL_RANK)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    if '://' not in args.checkpoint and not os.path.isfile(args.checkpoint):
        sys.exit(f'error: {missing_checkpoint(args.checkpoint)}')
    with tempfile.TemporaryDirectory() as folder:
        dump = args.dump or (os.path.join(folder, 'scores.pkl') if args.show_dir else None)
        try:
            if args.show_dir:
                make_folder(args.show_dir, 'the drawings')
            runner = build_runner(args.config, work_dir=args.work_dir,
                                  cfg_options=args.cfg_options, launcher=args.launcher,
                                  checkpoint=args.checkpoint, dump=dump)
            metrics = runner.test()
        except USER_ERRORS as e:
            sys.exit(f'error: {e}')
        except KeyboardInterrupt:
            print('interrupted: no metrics, scores or drawings were written', file=sys.stderr)
            sys.exit(130)   # the shell's status for a run stopped by Ctrl-C
        if runner.rank != 0:
            return
        report_test_metrics(runner, metrics, args.dump)
        if args.show_dir:
            names, scores, _ = load_scores(dump)
            count = show_predictions(runner.test_dataloader.dataset, names, scores,
                                     args.show_dir)
            print(f'{count} clips drawn: {args.show_dir}')


if __name__ == '__main__':
    main()
