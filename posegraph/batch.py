"""Running a per-video job over many videos, as the extraction tools do: a progress bar
with rate and ETA, optional worker processes, failures collected instead of raised."""
import json
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import time
from multiprocessing.connection import Connection, wait
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar

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


def _worker(process: Callable, initializer: Optional[Callable], initargs: tuple,
            tasks: Connection, results: Connection) -> None:
    """A worker process: set up, then run the jobs the main process hands it, one at a time,
    saying when each starts (so that the main process knows which job a worker that dies
    was running)."""
    # Ctrl-C reaches every process of the terminal's group: the main one alone answers it,
    # by ending the workers, so a worker must not die of it mid-job.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as e:   # no job can run: the main process stops with it
        results.send((None, e))
        return
    for job in iter(tasks.recv, None):
        results.send(None)   # started
        try:
            results.send((process(job), None))
        except Exception as e:   # raised in the main process, as a pool would
            results.send((None, e))


def _death(exitcode: Optional[int]) -> str:
    """How a worker process ended, in words."""
    if exitcode is not None and exitcode < 0:
        return f'killed by {signal.Signals(-exitcode).name}'
    return f'exit status {exitcode}'


class _Worker:
    """A spawned :func:`_worker` process, a pipe each way (none shared: a worker killed
    mid-write leaves no lock held for the others), the job it was given and whether it
    has started it."""

    def __init__(self, context: multiprocessing.context.BaseContext, setup: tuple):
        task_out, self.tasks = context.Pipe(duplex=False)
        self.results, result_in = context.Pipe(duplex=False)
        self.process = context.Process(target=_worker, args=(*setup, task_out, result_in),
                                       daemon=True)
        self.process.start()
        task_out.close()   # the worker's ends: its death then reads as the pipe's end
        result_in.close()
        self.job: Optional[Tuple[int, object]] = None
        self.started = self.has_run = False


class _Workers:
    """``count`` worker processes fed one job each at a time. A worker that dies is
    replaced: the job it had started is reported, one it had not is run by another."""

    def __init__(self, count: int, process: Callable, initializer: Optional[Callable],
                 initargs: tuple, jobs: Sequence):
        self.context = multiprocessing.get_context('spawn')
        self.setup = (process, initializer, initargs)
        self.queue = list(enumerate(jobs))[::-1]   # popped from the end: first job first
        self.workers: List[_Worker] = []
        for _ in range(min(count, len(jobs))):
            self._start()

    def _start(self) -> None:
        worker = _Worker(self.context, self.setup)
        self.workers.append(worker)
        self._feed(worker)

    def _feed(self, worker: _Worker) -> None:
        """The worker's next job, or its end when none is left."""
        worker.job, worker.started = (self.queue.pop() if self.queue else None), False
        try:
            worker.tasks.send(None if worker.job is None else worker.job[1])
        except OSError:   # it is dead: its death is read from its results
            pass
        if worker.job is None:
            worker.process.join()
            self.workers.remove(worker)

    def outcomes(self) -> Iterator[Tuple[int, Optional[Tuple[str, Optional[str]]], str]]:
        """``(job index, process's result or None, how its worker died or '')`` as jobs
        end, in the order they end."""
        while self.workers:
            ready = wait([w.results for w in self.workers])   # readable at a death too
            for worker in [w for w in self.workers if w.results in ready]:
                try:
                    message = worker.results.recv()
                except EOFError:
                    worker.process.join()
                    self.workers.remove(worker)
                    if not worker.has_run:   # a replacement would die the same way
                        raise RuntimeError('a worker process died while it set up '
                                           f'({_death(worker.process.exitcode)})') from None
                    if not worker.started:
                        self.queue.append(worker.job)   # never run: the next one to go
                    if self.queue:
                        self._start()
                    if worker.started:
                        yield worker.job[0], None, _death(worker.process.exitcode)
                    continue
                if message is None:
                    worker.started = worker.has_run = True
                    continue
                result, error = message
                if error is not None:
                    raise error
                index = worker.job[0]
                self._feed(worker)
                yield index, result, ''

    def terminate(self) -> None:
        for worker in self.workers:
            worker.process.terminate()
        for worker in self.workers:
            worker.process.join()
        self.workers.clear()


def run_jobs(jobs: Sequence[Job], process: Callable[[Job], Tuple[str, Optional[str]]],
             workers: int = 1, initializer: Optional[Callable] = None, initargs: tuple = (),
             description: str = 'processing', failed_file: Optional[str] = None,
             name_of: Callable[[Job], Tuple[str, str]] = lambda job: (str(job), str(job))
             ) -> Dict[str, str]:
    """Call ``process(job)`` for every job; it returns ``(name, error or None)``.

    With ``workers > 1`` the jobs run in spawned worker processes, each first calling
    ``initializer(*initargs)`` (in the serial case the caller has set up). A worker that
    dies on a job (killed for memory, or a crash in a library such as a video decoder) is
    replaced and the job counts as failed, named by ``name_of(job)``: ``(name, what to
    call it in the error)``. Errors are printed as they come and returned as ``{name:
    error}``; with ``failed_file`` they are also written there as JSON (an empty dict when
    all went well), and a serial run keeps the job it is on in ``running.txt`` beside it:
    one that dies with the process (a crash in a library, or killed) is named by the next
    run, which runs it again.

    Raises:
        Interrupted: on Ctrl-C, once the workers are stopped (a job's own output is written
            whole or not at all, so what finished is kept); ``failed_file`` lists the
            failures until then.
    """
    failures, count = {}, 0
    running = os.path.join(os.path.dirname(failed_file), 'running.txt') if failed_file else None
    if running and os.path.isfile(running):
        with open(running) as f:
            print(f'the last run ended during {f.read().strip()} (a crash, or killed): it runs '
                  'again' + ('; should it end this run too, --workers 2 lists it as failed and '
                             'goes on' if workers == 1 else ''), file=sys.stderr)
        os.remove(running)
    columns = (TextColumn('[progress.description]{task.description}'), BarColumn(),
               MofNCompleteColumn(), TextColumn('{task.fields[rate]}'), TimeElapsedColumn(),
               TextColumn('eta'), TimeRemainingColumn())
    with Progress(*columns, disable=not jobs) as progress:
        task = progress.add_task(description, total=len(jobs), rate='')
        pool, started = None, time.time()
        try:   # Ctrl-C while the workers start counts too
            if workers > 1 and len(jobs) > 1:
                pool = _Workers(workers, process, initializer, initargs, jobs)
                results = ((jobs[index], result, death)
                           for index, result, death in pool.outcomes())
            else:
                results = ((job, _serial(process, job, running, name_of), '') for job in jobs)
            for count, (job, result, death) in enumerate(results, 1):
                if death:
                    name, what = name_of(job)
                    result = name, (f'{what}: its worker process died on it ({death}: out of '
                                    'memory, or a crash in a library such as the video decoder)')
                name, error = result
                if error:
                    failures[name] = error
                    progress.console.print(f'[red]failed[/red] {error}')
                progress.update(task, advance=1,
                                rate=f'{count / max(time.time() - started, 1e-9):.2f} videos/s')
        except KeyboardInterrupt:
            raise Interrupted(count, len(jobs)) from None
        finally:
            if running and os.path.isfile(running):   # a Ctrl-C or an error: not a crash
                os.remove(running)
            if pool is not None:
                pool.terminate()   # after the last job, the workers are gone already
            if failed_file:
                with atomic_open(failed_file, 'w') as f:
                    json.dump(failures, f, indent=2)
    return failures


def _serial(process: Callable, job: Job, running: Optional[str],
            name_of: Callable[[Job], Tuple[str, str]]) -> Tuple[str, Optional[str]]:
    """``process(job)`` in this process, named in ``running`` while it runs."""
    if running:
        with atomic_open(running, 'w') as f:
            f.write(name_of(job)[1] + '\n')
    result = process(job)
    if running:
        os.remove(running)
    return result


def video_of_job(job: tuple) -> Tuple[str, str]:
    """``name_of`` for the extraction tools' jobs, which start with their video's
    :class:`~posegraph.datasets.video_index.VideoItem`: its ``frame_dir`` and path."""
    return job[0].frame_dir, job[0].path


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
