"""Train a model from a config with mmengine's Runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--test] [--amp]
                          [--auto-scale-lr] [--seed N] [--deterministic] [--no-validate]
                          [--cfg-options K=V ...]

The work dir (default ``work_dirs/<config name>``) receives checkpoints, logs and
``curves.png``. ``--resume`` continues from the work dir's last checkpoint (or CKPT).
``--test`` then evaluates the final model on the test set, as tools/test.py would; the test
set is loaded before training, so one that cannot load stops the run at once. Ctrl-C stops
the run with the last checkpoint named and the command that resumes from it.
"""
import argparse
import sys
from typing import Optional, Sequence

from posegraph.apis import (
    USER_ERRORS,
    PoseGraphRunner,
    build_runner,
    last_checkpoint,
    parse_cfg_options,
    report_test_metrics,
)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a posegraph model')
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where to save logs and checkpoints')
    parser.add_argument('--resume', nargs='?', const='auto', default=None,
                        help='resume from CKPT, or from the last checkpoint in the work dir')
    parser.add_argument('--test', action='store_true',
                        help='after training, evaluate the final model on the test set')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (needs a GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the total batch size against the '
                        "config's auto_scale_lr.base_batch_size")
    parser.add_argument('--seed', type=int, help='random seed (default: the config\'s)')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic algorithms where torch has them')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not validate during training')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={},
                        help='override config entries, e.g. train_cfg.max_epochs=5')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher (tools/dist_train.sh uses pytorch)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by torch.distributed.launch (torchrun sets LOCAL_RANK)')
    return parser.parse_args(argv)


def interrupted(runner: Optional[PoseGraphRunner], args: argparse.Namespace) -> str:
    """What a run stopped by Ctrl-C kept, and the command that goes on from there."""
    if runner is None:
        return 'interrupted before training started: nothing was kept'
    checkpoint = last_checkpoint(runner.work_dir)
    if checkpoint is None:
        return (f'interrupted before the first checkpoint: nothing to resume from in '
                f'{runner.work_dir}')
    return (f'interrupted: the last checkpoint is {checkpoint}; go on from it with '
            f'python tools/train.py {args.config} --work-dir {runner.work_dir} --resume'
            + (' (and the same --cfg-options)' if args.cfg_options else ''))


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    runner = None
    try:
        runner = build_runner(args.config, work_dir=args.work_dir,
                              cfg_options=args.cfg_options, launcher=args.launcher,
                              resume=args.resume, test=args.test, amp=args.amp,
                              auto_scale_lr=args.auto_scale_lr, seed=args.seed,
                              deterministic=args.deterministic,
                              validate=not args.no_validate)
        if args.resume == 'auto' and runner.rank == 0 and last_checkpoint(runner.work_dir) is None:
            # mmengine starts afresh without a word: a mistyped --work-dir would retrain.
            print(f'--resume: no checkpoint in {runner.work_dir} yet; training from the start',
                  file=sys.stderr)
        runner.train()
        metrics = runner.test() if args.test else None
    except USER_ERRORS as e:
        sys.exit(f'error: {e}')
    except KeyboardInterrupt:
        print(interrupted(runner, args), file=sys.stderr)
        sys.exit(130)   # the shell's status for a run stopped by Ctrl-C
    if runner.rank == 0:
        print(f'work dir: {runner.work_dir} (checkpoints, logs, curves.png)')
        if metrics is not None:
            report_test_metrics(runner, metrics)


if __name__ == '__main__':
    main()
