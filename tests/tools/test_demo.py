"""tools/demo.py: a video in, every person's actions out, drawn, in JSON and on a timeline."""
import json
import os

import cv2
import numpy as np
import pytest

from conftest import SHARED, write_video

BACKEND = ('--pose-backend', 'brightest', '--custom-imports', 'pose_backends_for_tests')


def read_frames(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return frames, fps


def test_online_demo_draws_at_the_source_rate_and_scores_every_frame(tmp_path, run_tool):
    video = write_video(tmp_path / 'square.avi', frames=12, size=(96, 128))   # 10 fps
    out = tmp_path / 'out' / 'demo.mp4'
    result = run_tool('demo', video, *BACKEND, '--out', out)
    assert result.returncode == 0, result.stderr
    frames, fps = read_frames(out)
    assert len(frames) == 12 and fps == pytest.approx(10)
    source, _ = read_frames(video)
    assert np.abs(frames[5].astype(int) - source[5]).mean() > 1    # something was drawn
    content = json.loads((tmp_path / 'out' / 'demo.json').read_text())
    assert content['fps'] == pytest.approx(10) and content['frames'] == 12
    assert len(content['classes']) == 14 and content['classes'][0] == 'catch'
    timeline = content['timeline']
    assert [entry['frame'] for entry in timeline] == list(range(12))
    assert all(len(entry['persons']) == 1 for entry in timeline)
    # The motion streams look two frames ahead: the first score comes with the third frame.
    assert [entry['persons'][0]['label'] is None for entry in timeline[:3]] == \
        [True, True, False]
    for entry in timeline[2:]:
        person = entry['persons'][0]
        assert person['id'] == 0 and sum(person['scores']) == pytest.approx(1, abs=1e-3)
        assert person['label'] == int(np.argmax(person['scores']))
    assert os.path.getsize(tmp_path / 'out' / 'demo_timeline.png') > 5000
    assert 'person #0: ' in result.stdout
    assert not [name for name in os.listdir(tmp_path / 'out') if 'partial' in name]


def test_window_mode_labels_each_person_every_stride(tmp_path, run_tool):
    video = write_video(tmp_path / 'square.avi', frames=12, size=(96, 128))
    result = run_tool('demo', video, *BACKEND, '--window', 8, '--stride', 4,
                      '--json', tmp_path / 'windows.json')
    assert result.returncode == 0, result.stderr
    timeline = json.loads((tmp_path / 'windows.json').read_text())['timeline']
    labelled = [entry['persons'][0]['scores'] is not None for entry in timeline]
    assert labelled == [False] * 3 + [True] * 9
    scores = [entry['persons'][0]['scores'] for entry in timeline]
    assert scores[3] == scores[6] and scores[7] == scores[10]        # held between windows
    assert os.path.isfile(tmp_path / 'windows_timeline.png')


def test_a_failure_part_way_leaves_no_output(tmp_path, run_tool, monkeypatch):
    video = write_video(tmp_path / 'square.avi', frames=12, size=(96, 128))
    monkeypatch.setenv('BRIGHTEST_FAIL_AT', '6')
    with pytest.raises(RuntimeError, match='failing at call 6'):
        run_tool('demo', video, *BACKEND, '--out', tmp_path / 'out' / 'demo.mp4')
    assert os.listdir(tmp_path / 'out') == []


@pytest.mark.parametrize('source, message', [
    ('7', 'camera 7: no such camera'),
    ('rtsp://127.0.0.1:9/live', 'rtsp://127.0.0.1:9/live: OpenCV cannot open the stream'),
    ('missing.mp4', 'missing.mp4: no such file, camera index or stream URL')])
def test_sources_that_cannot_be_opened_are_named(tmp_path, run_tool, source, message):
    result = run_tool('demo', source, *BACKEND, '--out', tmp_path / 'demo.mp4')
    assert result.returncode == 1 and message in result.stderr
    assert os.listdir(tmp_path) == []


def test_an_output_folder_that_cannot_be_made_stops_before_the_video_is_read(tmp_path,
                                                                             run_tool):
    # --json's folder was found unusable only after the whole video had been recognised.
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    (tmp_path / 'notes.txt').write_text('')
    result = run_tool('demo', video, *BACKEND, '--json', tmp_path / 'notes.txt' / 'x.json')
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'notes.txt'}: a file is in the way of the folder for the "
        "probabilities")


def test_a_video_format_opencv_cannot_write_stops_before_the_models_load(tmp_path, run_tool,
                                                                        monkeypatch):
    # Found at the first frame before, after the models had loaded (or been downloaded).
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    monkeypatch.setenv('BRIGHTEST_FAIL_AT', '1')   # the pose back-end must not run
    result = run_tool('demo', video, *BACKEND, '--out', tmp_path / 'out' / 'demo.txt')
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'out' / 'demo.txt'}: OpenCV cannot write this video format (use "
        ".mp4 or .avi)")
    assert os.listdir(tmp_path / 'out') == []
    (tmp_path / 'notes.txt').write_text('')
    result = run_tool('demo', video, *BACKEND, '--out', tmp_path / 'notes.txt' / 'demo.mp4')
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'notes.txt'}: a file is in the way of the folder for the drawn "
        "video")


def test_a_checkpoint_of_another_model_is_refused_by_name(tmp_path, run_tool):
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    shipped = os.path.join('assets', 'pretrained', 'pan-robust_jhmdb15.pth')
    result = run_tool('demo', video, *BACKEND, '--config', 'configs/pan_synthetic.py',
                      '--checkpoint', shipped)
    assert result.returncode == 1 and 'pan-robust_jhmdb15.pth' in result.stderr
    assert 'does not fit the model' in result.stderr


def test_estimator_weights_that_cannot_be_had_name_the_demos_flag(tmp_path, run_tool):
    # The library's advice names no flag: the demo's --checkpoint is the skeleton model's,
    # and "pass --checkpoint PATH" sent users to the wrong one.
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    result = run_tool('demo', video, '--pose-checkpoint', tmp_path / 'none.pth')
    assert result.returncode == 1 and result.stderr.strip().startswith(
        f"error: --pose-checkpoint: {tmp_path / 'none.pth'}: no such checkpoint. The "
        "lwopenpose back-end needs trained weights: the checkpoint 'lwopenpose' downloads")
    assert '--checkpoint PATH' not in result.stderr


def test_a_pose_backend_whose_package_is_missing_is_one_line(tmp_path, run_tool, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, 'mediapipe', None)   # as where it is not installed
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    result = run_tool('demo', video, '--pose-backend', 'mediapipe')
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert result.stderr.strip().startswith('error: the mediapipe back-end needs mediapipe')


def test_demo_on_a_real_person_with_mediapipe(tmp_path, run_tool):
    """The README's demo: BlazePose joints of the NTU clip (a person drinking water) through
    the shipped model, a track and a label per frame."""
    pytest.importorskip('mediapipe', reason='mediapipe lives in its own environment')
    video = os.path.join(SHARED, 'media', 'ntu_S001C001P001R001A001_rgb.avi')
    if not os.path.isfile(video):
        pytest.skip('../shared/media is not present')
    result = run_tool('demo', video, '--pose-backend', 'mediapipe', '--max-frames', 40,
                      '--json', tmp_path / 'ntu.json')
    assert result.returncode == 0, result.stderr
    timeline = json.loads((tmp_path / 'ntu.json').read_text())['timeline']
    assert len(timeline) == 40
    assert all([p['id'] for p in entry['persons']] == [0] for entry in timeline)
    assert all(entry['persons'][0]['label'] is not None for entry in timeline[2:])


@pytest.mark.parametrize('option, value, least', [
    ('--track-timeout', '-1', 0),   # tracks ended at every frame, each a fresh state
    ('--top-k', '0', 1),            # an IndexError after the whole video
    ('--max-frames', '0', 1),       # nothing recognised, and a video said to be written
    ('--pose-height', '4', 8), ('--window', '0', 1)])
def test_options_below_what_can_work_are_refused(tmp_path, run_tool, option, value, least):
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    result = run_tool('demo', video, *BACKEND, option, value, '--out', tmp_path / 'd.mp4')
    assert result.returncode == 2
    assert f'{option} must be {least} or more, got {value}' in result.stderr
    assert os.listdir(tmp_path) == ['square.avi']


@pytest.mark.parametrize('options, message', [
    (('--stride', '4'), '--stride is the step between --window windows: give --window too'),
    (('--threads', '2'), "--threads sets onnxruntime's threads for --bundle"),
    (('--bundle', 'b', '--cfg-options', 'a=1'), '--bundle holds its model: no --config, '
                                                 '--checkpoint or --cfg-options with it')])
def test_options_that_would_be_dropped_without_a_word_are_refused(tmp_path, run_tool, options,
                                                                   message):
    video = write_video(tmp_path / 'square.avi', frames=4, size=(96, 128))
    result = run_tool('demo', video, *BACKEND, *options, '--out', tmp_path / 'd.mp4')
    assert result.returncode == 2 and message in result.stderr
    assert os.listdir(tmp_path) == ['square.avi']
