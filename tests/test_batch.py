"""run_jobs: failures collected, and Ctrl-C answered by the main process alone."""
import json
import os
import signal
import threading
import time

import pytest

from posegraph.batch import Interrupted, report_interrupted, run_jobs


def job(name):
    """Sleeps a little; 'bad' fails; each done job leaves its file, as a video's part."""
    folder, stem = name
    time.sleep(0.2)
    if stem == 'bad':
        return stem, f'{stem}: broken'
    open(os.path.join(folder, stem), 'w').close()
    return stem, None


def interrupting_job(name):
    if name[1] == 'stop':
        raise KeyboardInterrupt
    return job(name)


def test_failures_are_collected_and_written(tmp_path):
    jobs = [(str(tmp_path), stem) for stem in ('a', 'bad', 'c')]
    failures = run_jobs(jobs, job, failed_file=str(tmp_path / 'failed.json'))
    assert failures == {'bad': 'bad: broken'}
    assert json.loads((tmp_path / 'failed.json').read_text()) == failures
    assert {'a', 'c'} <= set(os.listdir(tmp_path))


def test_ctrl_c_stops_at_once_keeps_what_finished_and_says_it(tmp_path, capsys):
    jobs = [(str(tmp_path), stem) for stem in ('a', 'bad', 'stop', 'd', 'e')]
    with pytest.raises(Interrupted) as caught:
        run_jobs(jobs, interrupting_job, failed_file=str(tmp_path / 'failed.json'))
    assert (caught.value.done, caught.value.total) == (2, 5)
    assert sorted(os.listdir(tmp_path)) == ['a', 'failed.json']       # d and e never ran
    assert json.loads((tmp_path / 'failed.json').read_text()) == {'bad': 'bad: broken'}
    assert report_interrupted(caught.value, 'OUT.parts') == 130
    assert capsys.readouterr().err == (
        'interrupted after 2 of 5 videos; each finished video is kept in OUT.parts: run the '
        'same command again to go on (they are not redone)\n')


def test_ctrl_c_with_workers_ends_the_pool_instead_of_finishing_the_queue(tmp_path):
    # Before, the pool was closed and joined: every queued job ran first, and each worker
    # printed its KeyboardInterrupt.
    jobs = [(str(tmp_path), f'v{i:03d}') for i in range(200)]   # 20 s of work on 2 workers
    timer = threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.time()
    with pytest.raises(Interrupted) as caught:
        run_jobs(jobs, job, workers=2)
    timer.join()
    assert time.time() - started < 10
    assert 0 < caught.value.done < 100 and caught.value.total == 200
    assert caught.value.done <= len(os.listdir(tmp_path)) < 100


def dying_job(name):
    """'kill' and 'segfault' end their worker process as the kernel would."""
    if name[1] == 'kill':
        os.kill(os.getpid(), signal.SIGKILL)       # as the out-of-memory killer does
    if name[1] == 'segfault':
        os.kill(os.getpid(), signal.SIGSEGV)       # as a crash in a native library does
    return job(name)


def test_a_worker_that_dies_on_a_job_is_replaced_and_the_job_reported(tmp_path):
    # Before, the pool replaced the worker but waited for the lost job's result forever.
    stems = ['a', 'kill', 'b', 'c', 'segfault', 'd', 'e']
    jobs = [(str(tmp_path), stem) for stem in stems]
    outcome = {}
    runner = threading.Thread(daemon=True, target=lambda: outcome.update(failures=run_jobs(
        jobs, dying_job, workers=2, failed_file=str(tmp_path / 'failed.json'),
        name_of=lambda job: (job[1], f'{job[1]}.avi'))))
    runner.start()
    runner.join(60)
    assert not runner.is_alive(), "run_jobs is still waiting for a dead worker's job"
    failures = outcome['failures']
    assert failures == {
        'kill': 'kill.avi: its worker process died on it (killed by SIGKILL: out of memory, or '
                'a crash in a library such as the video decoder)',
        'segfault': 'segfault.avi: its worker process died on it (killed by SIGSEGV: out of '
                    'memory, or a crash in a library such as the video decoder)'}
    assert json.loads((tmp_path / 'failed.json').read_text()) == failures
    assert sorted(os.listdir(tmp_path)) == ['a', 'b', 'c', 'd', 'e', 'failed.json']


def raising_job(name):
    if name[1] == 'bug':
        raise ZeroDivisionError('a bug in the job itself')
    return job(name)


def failing_setup():
    raise RuntimeError('no weights')


def crashing_setup():
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_job_that_raises_or_a_setup_that_fails_stops_the_run_with_its_error(tmp_path):
    jobs = [(str(tmp_path), stem) for stem in ('a', 'bug', 'c', 'd')]
    with pytest.raises(ZeroDivisionError, match='a bug in the job itself'):
        run_jobs(jobs, raising_job, workers=2)
    with pytest.raises(RuntimeError, match='no weights'):
        run_jobs(jobs, job, workers=2, initializer=failing_setup)
    # Not replaced again and again: every replacement would crash the same way.
    with pytest.raises(RuntimeError, match=r'^a worker process died while it set up '
                                           r'\(killed by SIGSEGV\)$'):
        run_jobs(jobs, job, workers=2, initializer=crashing_setup)
