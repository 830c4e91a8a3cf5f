"""Training time of a config from the command line, alone on the machine, against a reference
trained in the same session: the config of another commit, run with that commit's own code.

A machine whose speed moves from day to day (this one: 4 to 7.5 minutes for the same run)
cannot tell whether a recipe fits a time budget measured elsewhere; a ratio to the recipe the
budget was measured on can. The reference is checked out as a git worktree beside a link to
``../shared``, and the two runs of each pair take turns, the first of each pair alternating, so
that a machine speeding up or slowing down moves both alike.

    python benchmarks/training_time.py --against aadeb44 [--pairs 3]
        [--config configs/pan_jhmdb.py] [--options train_split=None]
        [--against-config configs/pan_jhmdb.py]
        [--against-options train_dataloader.dataset.split=None]

The defaults time ``configs/pan_jhmdb.py`` against the one issue 11 timed at about 5 minutes
(commit aadeb44), both on all 433 JHMDB clips.
"""
import argparse
import contextlib
import os
import subprocess
import tempfile
from typing import Callable, Iterator, List, Tuple

from common import ROOT, machine_line, markdown_table, run_main, train


@contextlib.contextmanager
def worktree(revision: str, repo: str = ROOT) -> Iterator[str]:
    """A checkout of ``revision`` in a temporary git worktree of ``repo``, with ``../shared``
    beside it pointing where ``repo``'s points; removed on exit."""
    with tempfile.TemporaryDirectory() as parent:
        path = os.path.join(parent, 'repo')
        subprocess.run(['git', '-C', repo, 'worktree', 'add', '--detach', '--force', path,
                        revision], check=True, capture_output=True, text=True)
        shared = os.path.realpath(os.path.join(repo, '..', 'shared'))
        if os.path.isdir(shared):
            os.symlink(shared, os.path.join(parent, 'shared'))
        try:
            yield path
        finally:
            subprocess.run(['git', '-C', repo, 'worktree', 'remove', '--force', path],
                           check=False, capture_output=True)


def alternate(current: Callable[[int], float], reference: Callable[[int], float],
              pairs: int) -> List[Tuple[float, float]]:
    """``pairs`` of ``(current seconds, reference seconds)``, each call given its pair's
    number; the current run goes first in even pairs, the reference in odd ones."""
    times = []
    for pair in range(pairs):
        if pair % 2 == 0:
            current_seconds = current(pair)
            reference_seconds = reference(pair)
        else:
            reference_seconds = reference(pair)
            current_seconds = current(pair)
        times.append((current_seconds, reference_seconds))
    return times


def minutes(seconds: float) -> str:
    return f'{int(seconds // 60)} min {round(seconds % 60):02d} s'


def time_table(times: List[Tuple[float, float]]) -> str:
    """A row per pair (which ran first, both times, their ratio) and one for all pairs."""
    rows = [[f'{pair + 1} ({"current" if pair % 2 == 0 else "reference"} first)',
             minutes(reference), minutes(current), f'{current / reference:.2f}']
            for pair, (current, reference) in enumerate(times)]
    total_current = sum(current for current, _ in times)
    total_reference = sum(reference for _, reference in times)
    rows.append(['all', minutes(total_reference), minutes(total_current),
                 f'**{total_current / total_reference:.2f}**'])
    return markdown_table(['pair', 'reference', 'current', 'ratio'], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    parser.add_argument('--options', nargs='*', default=['train_split=None'],
                        help="the current config's --cfg-options")
    parser.add_argument('--against', default='aadeb44',
                        help='the commit whose config and code are the reference')
    parser.add_argument('--against-config', default='configs/pan_jhmdb.py',
                        help="the reference's config, relative to its checkout")
    parser.add_argument('--against-options', nargs='*',
                        default=['train_dataloader.dataset.split=None'],
                        help="the reference config's --cfg-options")
    parser.add_argument('--pairs', type=int, default=3)
    parser.add_argument('--work-root', help='where the runs write (default: a temporary folder)')
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error(f'--pairs must be 1 or more, got {args.pairs}')
    config = os.path.abspath(args.config)
    with worktree(args.against) as checkout, tempfile.TemporaryDirectory() as scratch:
        work_root = os.path.abspath(args.work_root or scratch)
        print(f'current: {config} {" ".join(args.options)}\nreference: {args.against_config} '
              f'at {args.against} {" ".join(args.against_options)}\n{machine_line()}',
              flush=True)

        def current(pair: int) -> float:
            seconds = train(config, os.path.join(work_root, f'current_{pair}'), args.options)
            print(f'pair {pair + 1}, current: {minutes(seconds)}', flush=True)
            return seconds

        def reference(pair: int) -> float:
            seconds = train(args.against_config, os.path.join(work_root, f'reference_{pair}'),
                            args.against_options, root=checkout)
            print(f'pair {pair + 1}, reference: {minutes(seconds)}', flush=True)
            return seconds
        print(time_table(alternate(current, reference, args.pairs)))


if __name__ == '__main__':
    run_main(main)
