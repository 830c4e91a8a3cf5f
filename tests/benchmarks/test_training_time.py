"""benchmarks/training_time.py: a config's training time against another commit's, in turns."""
import os
import subprocess
import sys

import pytest
import training_time
from training_time import alternate, time_table, worktree

from common import train, train_log


def test_pairs_take_turns_which_runs_first_and_keep_each_time_with_its_model():
    calls = []

    def run(name, seconds):
        def call(pair):
            calls.append(f'{name}{pair}')
            return seconds[pair]
        return call

    times = alternate(run('current', [10, 11, 12]), run('reference', [20, 21, 22]), 3)
    assert calls == ['current0', 'reference0', 'reference1', 'current1', 'current2',
                     'reference2']
    assert times == [(10, 20), (11, 21), (12, 22)]


def test_no_pairs_is_refused_by_name_before_any_checkout(monkeypatch, capsys):
    def no_checkout(*args, **kwargs):
        raise AssertionError('checked out a worktree for no pairs')
    monkeypatch.setattr(training_time, 'worktree', no_checkout)
    monkeypatch.setattr(sys, 'argv', ['training_time.py', '--pairs', '0'])
    with pytest.raises(SystemExit) as exit_info:
        training_time.main()
    assert exit_info.value.code == 2
    assert '--pairs must be 1 or more, got 0' in capsys.readouterr().err


def test_time_table_gives_each_pairs_ratio_and_the_ratio_of_the_sums():
    lines = time_table([(60, 120), (95, 90)]).splitlines()
    assert lines[2] == '| 1 (current first) | 2 min 00 s | 1 min 00 s | 0.50 |'
    assert lines[3] == '| 2 (reference first) | 1 min 30 s | 1 min 35 s | 1.06 |'
    assert lines[4] == '| all | 3 min 30 s | 2 min 35 s | **0.74** |'


def git(repo, *args):
    return subprocess.run(['git', '-C', str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_worktree_checks_out_the_revision_beside_the_shared_data_and_goes_away(tmp_path):
    repo, shared = tmp_path / 'repo', tmp_path / 'shared'
    repo.mkdir()
    shared.mkdir()
    (shared / 'data.txt').write_text('joints')
    git(repo, 'init', '-q')
    for text in ('old recipe', 'new recipe'):
        (repo / 'config.py').write_text(text)
        git(repo, 'add', 'config.py')
        git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', text)
    with worktree('HEAD~1', repo=str(repo)) as checkout:
        assert open(os.path.join(checkout, 'config.py')).read() == 'old recipe'
        assert open(os.path.join(checkout, '..', 'shared', 'data.txt')).read() == 'joints'
        assert len(git(repo, 'worktree', 'list').splitlines()) == 2
    assert not os.path.exists(checkout)
    assert len(git(repo, 'worktree', 'list').splitlines()) == 1
    assert (repo / 'config.py').read_text() == 'new recipe'


def test_a_run_of_another_checkout_runs_its_own_tool_from_its_folder_on_its_own_package(
        tmp_path):
    checkout = tmp_path / 'checkout'
    (checkout / 'tools').mkdir(parents=True)
    (checkout / 'tools' / 'train.py').write_text(
        'import os, sys\nprint("cwd", os.getcwd())\nprint("path", sys.path[1])\n'
        'print("args", sys.argv[1:])\n')
    seconds = train('configs/old.py', str(tmp_path / 'run'), ['a=1'], root=str(checkout))
    log = open(train_log(str(tmp_path / 'run'))).read()
    assert seconds > 0
    assert f'cwd {checkout}' in log
    assert f'path {checkout}' in log  # PYTHONPATH comes right after the script's folder
    assert "args ['configs/old.py', '--work-dir'" in log and "'--cfg-options', 'a=1']" in log
