"""Running a per-video job over many videos, as the extraction tools do: a progress bar
with rate and ETA, optional worker processes, failures collected instead of raised."""
import json
import multiprocessing
import signal
import sys
import time
from typing import Callable, Dict, Optional, Sequence, Tuple, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from posegraph.io import atomic_open

Job = TypeVar('Job')


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped :func:`run_jobs` after ``done`` of ``total`` jobs had finished."""

    def __init__(self, done: int, total: int):
        super().__init__(f'interrupted after {done} of {total}')
        self.done, self.total = done, total


def _start_worker(initializer: Optional[Callable], initargs: tuple) -> None:
    # Ctrl-C reaches every process of the terminal's group: the main one alone answers it,
    # by ending the pool, so a worker must not die of it mid-job (the pool would replace it
    # and go on with the queue).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def run_jobs(jobs: Sequence[Job], process: Callable[[Job], Tuple[str, Optional[str]]],
             workers: int = 1, initializer: Optional[Callable] = None, initargs: tuple = (),
             description: str = 'processing', failed_file: Optional[str] = None
             ) -> Dict[str, str]:
    """Call ``process(job)`` for every job; it returns ``(name, error or None)``.

    With ``workers > 1`` the jobs run in a pool of spawned processes, each first calling
    ``initializer(*initargs)`` (in the serial case the caller has set up). Errors are
    printed as they come and returned as ``{name: error}``; with ``failed_file`` they are
    also written there as JSON (an empty dict when all went well).

    Raises:
        Interrupted: on Ctrl-C, once the workers are stopped (a job's own output is written
            whole or not at all, so what finished is kept); ``failed_file`` lists the
            failures until then.
    """
    failures, count = {}, 0
    columns = (TextColumn('[progress.description]{task.description}'), BarColumn(),
               MofNCompleteColumn(), TextColumn('{task.fields[rate]}'), TimeElapsedColumn(),
               TextColumn('eta'), TimeRemainingColumn())
    with Progress(*columns, disable=not jobs) as progress:
        task = progress.add_task(description, total=len(jobs), rate='')
        pool, started = None, time.time()
        try:   # Ctrl-C while the pool starts counts too
            if workers > 1 and len(jobs) > 1:
                pool = multiprocessing.get_context('spawn').Pool(workers, _start_worker,
                                                                 (initializer, initargs))
                results = pool.imap_unordered(process, jobs)
            else:
                results = map(process, jobs)
            for count, (name, error) in enumerate(results, 1):
                if error:
                    failures[name] = error
                    progress.console.print(f'[red]failed[/red] {error}')
                progress.update(task, advance=1,
                                rate=f'{count / max(time.time() - started, 1e-9):.2f} videos/s')
            if pool is not None:
                pool.close()
        except KeyboardInterrupt:
            raise Interrupted(count, len(jobs)) from None
        finally:
            if pool is not None:
                pool.terminate()   # after close(), the workers are done: no job is cut
                pool.join()
            if failed_file:
                with atomic_open(failed_file, 'w') as f:
                    json.dump(failures, f, indent=2)
    return failures


def report_interrupted(stop: Interrupted, kept: str) -> int:
    """Say what an interrupted run kept and how to go on; returns the tool's exit status
    (130, the shell's for a run stopped by Ctrl-C)."""
    print(f'interrupted after {stop.done} of {stop.total} videos; each finished video is kept '
          f'in {kept}: run the same command again to go on (they are not redone)',
          file=sys.stderr)
    return 130


def report_failures(failures: Dict[str, str]) -> int:
    """Print the failed videos and their errors; returns the tool's exit status."""
    if not failures:
        return 0
    print(f'{len(failures)} video(s) failed and were skipped:')
    for error in failures.values():
        print(f'  {error}')
    return 1
