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
