"""tools/extract_flow.py and the flow it stores."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from posegraph.datasets.flow import (
    available_methods,
    compute_flow,
    dequantise_flow,
    load_flow,
    quantise_flow,
    resolve_method,
)
from posegraph.datasets.synthetic_video import make_video_clip, write_synthetic_videos
from conftest import ROOT


def extract_in_a_process(*args):
    """For spawned workers, which import the tool by its path."""
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'extract_flow.py'), *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_quantisation_round_trips_within_a_step():
    flow = np.random.default_rng(0).uniform(-25, 25, (3, 4, 4, 2)).astype(np.float32)
    back = dequantise_flow(quantise_flow(flow, 20.0), 20.0)
    assert np.abs(back - np.clip(flow, -20, 20)).max() <= 40 / 255 / 2 + 1e-5


@pytest.mark.parametrize('method', available_methods())
def test_flow_points_the_way_the_shape_moves(method):
    rng = np.random.default_rng(2)
    for motion, axis, sign in (('move_right', 0, 1), ('move_up', 1, -1)):
        frames = make_video_clip(motion, rng, num_frames=6)
        flow, used = compute_flow(list(frames[..., ::-1]), method)
        assert used == method and flow.shape == (5, 64, 64, 2) and flow.dtype == np.uint8
        d = dequantise_flow(flow)
        moving = np.abs(d).sum(-1) > 0.5
        assert sign * d[..., axis][moving].mean() > 0.5
    assert resolve_method('auto') == available_methods()[0]
    with pytest.raises(ValueError, match='unknown flow method'):
        resolve_method('magic')


def test_tool_stores_flow_resumes_and_survives_broken_videos(tmp_path, run_tool):
    write_synthetic_videos(tmp_path / 'videos', clips_per_class=1, num_frames=5)
    (tmp_path / 'videos' / 'move_left' / 'broken.avi').write_bytes(b'garbage')
    out = tmp_path / 'flow'
    result = run_tool('extract_flow', tmp_path / 'videos', '--out', out, '--method', 'farneback')
    assert result.returncode == 1, result.stderr
    assert 'broken.avi' in result.stdout and '8 of 9 videos (farneback)' in result.stdout
    failed = json.loads((out / 'failed.json').read_text())
    assert list(failed) == ['broken'] and 'broken.avi' in failed['broken']
    stored = load_flow(str(out / 'move_right_0000.npz'))
    assert stored['method'] == 'farneback' and stored['flow'].shape == (4, 64, 64, 2)
    assert json.loads((out / 'meta.json').read_text())['method'] == 'farneback'
    # A second run recomputes nothing that is there and only retries the broken video.
    mtime = os.path.getmtime(out / 'move_right_0000.npz')
    (out / 'move_up_0000.npz').unlink()
    again = extract_in_a_process(str(tmp_path / 'videos'), '--out', str(out), '--method',
                                 'farneback', '--workers', '2')
    assert '1 already done' not in again.stdout and '7 already done, 2 to do' in again.stdout
    assert os.path.getmtime(out / 'move_right_0000.npz') == mtime
    assert (out / 'move_up_0000.npz').is_file()
    (out / 'bad.npz').write_bytes(b'xx')
    with pytest.raises(ValueError, match='bad.npz: not a flow file'):
        load_flow(str(out / 'bad.npz'))


def test_tool_says_an_input_it_cannot_index_in_one_line(tmp_path, run_tool):
    # Before, a traceback from index_videos.
    result = run_tool('extract_flow', tmp_path / 'nothere', '--out', tmp_path / 'flow')
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nothere'}: no such file or folder"
    (tmp_path / 'notes.txt').write_text('')
    result = run_tool('extract_flow', tmp_path / 'notes.txt', '--out', tmp_path / 'flow')
    assert result.returncode == 1 and result.stderr.startswith(
        f"error: {tmp_path / 'notes.txt'}: not a video file")
    assert not (tmp_path / 'flow').exists()


@pytest.mark.parametrize('option, value, message', [
    ('--bound', '0', '--bound must be more than 0, got 0.0'),   # divided the flow by 0
    ('--short-side', '0', '--short-side must be 8 or more, got 0'),
    ('--workers', '0', '--workers must be 1 or more, got 0')])
def test_options_that_cannot_work_are_refused(tmp_path, run_tool, option, value, message):
    result = run_tool('extract_flow', tmp_path, '--out', tmp_path / 'flow', option, value)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / 'flow').exists()
