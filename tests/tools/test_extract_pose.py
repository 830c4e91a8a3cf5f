import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch

from posegraph.datasets.video_index import index_videos
from posegraph.io import load_annotations, load_splits
from posegraph.io.video import video_fps
from posegraph.pose.backends import MissingWeightsError, build_backend
from posegraph.pose.video import VideoReadError, read_video
from conftest import ROOT, TESTS, write_video

TEST_BACKEND = ('--backend', 'brightest', '--custom-imports', 'pose_backends_for_tests')


def extract_in_a_process(*args, env=None):
    """For what needs a real process: spawned workers import the tool by its path."""
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'extract_pose.py'),
                           *args, *TEST_BACKEND], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=TESTS, **(env or {})))


def ucf_tree(root, per_class=2):
    classes = ['ApplyLipstick', 'Biking']
    root.mkdir(parents=True)
    with open(root / 'classInd.txt', 'w') as f:
        f.writelines(f'{i + 1} {c}\n' for i, c in enumerate(classes))
    train, test = [], []
    for label, name in enumerate(classes):
        for g in range(per_class):
            stem = f'v_{name}_g0{g + 1}_c01'
            write_video(root / name / f'{stem}.avi', start=5 + 10 * g + 3 * label)
            (test if g == 0 else train).append(f'{name}/{stem}.avi')
    (root / 'splits').mkdir()
    (root / 'splits' / 'trainlist01.txt').write_text(''.join(f'{v} 1\n' for v in train))
    (root / 'splits' / 'testlist01.txt').write_text(''.join(f'{v}\n' for v in test))
    return classes


def test_ucf101_tree_gives_splits_labels_and_tracks(tmp_path, run_tool):
    tree = tmp_path / 'UCF101'
    classes = ucf_tree(tree)
    (tree / 'Biking' / 'v_Biking_g09_c01.avi').write_bytes(os.urandom(3000))  # corrupt
    out = tmp_path / 'ucf_2d.pkl'
    result = run_tool('extract_pose', tree, '--out', out, '--num-person', '1', *TEST_BACKEND)
    assert result.returncode == 1, result.stderr           # one video failed
    assert 'v_Biking_g09_c01.avi' in result.stdout and 'failed and were skipped' in result.stdout
    splits = load_splits(out)
    assert splits == {'test1': ['v_ApplyLipstick_g01_c01', 'v_Biking_g01_c01'],
                      'train1': ['v_ApplyLipstick_g02_c01', 'v_Biking_g02_c01']}
    records = {r['frame_dir']: r for r in load_annotations(out)}
    assert len(records) == 4
    biking = records['v_Biking_g02_c01']
    assert biking['label'] == 1 and biking['img_shape'] == (48, 64)
    assert biking['keypoint'].shape == (1, 8, 17, 2) and biking['total_frames'] == 8
    # The joints follow the square: it moves 3 px a frame to the right.
    np.testing.assert_allclose(np.diff(biking['keypoint'][0, :, 0, 0]), 3, atol=0.5)
    assert (tmp_path / 'label_map.txt').read_text().split() == classes


def test_hmdb51_split_files(tmp_path):
    tree = tmp_path / 'hmdb51'
    for name in ('wave', 'clap'):
        for k in range(2):
            write_video(tree / name / f'{name}_{k}.avi')
        (tree / f'{name}_test_split1.txt').write_text(f'{name}_0.avi 1 \n{name}_1.avi 2 \n')
    index = index_videos(str(tree))
    assert index.kind == 'hmdb51' and index.classes == ['clap', 'wave']
    assert index.splits == {'test1': ['clap_1', 'wave_1'], 'train1': ['clap_0', 'wave_0']}
    assert {i.frame_dir: i.label for i in index.items}['wave_0'] == 1


def test_a_killed_run_resumes_without_recomputing(tmp_path, run_tool, monkeypatch):
    folder = tmp_path / 'videos'
    for k in range(6):
        write_video(folder / f'clip{k}.avi', start=4 + 5 * k)
    out, log = tmp_path / 'out.pkl', tmp_path / 'calls.log'
    env = dict(os.environ, PYTHONPATH=TESTS, BRIGHTEST_LOG=str(log), BRIGHTEST_SLEEP='0.6')
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, 'tools', 'extract_pose.py'), str(folder),
         '--out', str(out), '--backend', 'brightest', '--custom-imports',
         'pose_backends_for_tests'], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    parts = tmp_path / 'out.pkl.parts'
    deadline = time.time() + 60
    while time.time() < deadline and len(list(parts.glob('*.pkl'))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = {p.stem for p in parts.glob('*.pkl')}
    assert 2 <= len(finished) < 6 and not out.exists()
    calls_before = log.read_text().split()
    monkeypatch.setenv('BRIGHTEST_LOG', str(log))
    result = run_tool('extract_pose', folder, '--out', out, *TEST_BACKEND)
    assert result.returncode == 0, result.stderr
    assert f'{len(finished)} already done' in result.stdout
    calls_after = log.read_text().split()[len(calls_before):]
    assert len(calls_after) == 6 - len(finished)              # nothing finished is redone
    assert len(load_annotations(out, split='all')) == 6


def test_workers_give_the_same_file(tmp_path, run_tool):
    folder = tmp_path / 'videos'
    for k in range(4):
        write_video(folder / 'a' / f'clip{k}.avi', start=4 + 5 * k)
    serial, parallel = tmp_path / 'serial.pkl', tmp_path / 'parallel.pkl'
    assert run_tool('extract_pose', folder, '--out', serial, *TEST_BACKEND).returncode == 0
    result = extract_in_a_process(str(folder), '--out', str(parallel), '--workers', '2')
    assert result.returncode == 0, result.stderr
    a, b = load_annotations(serial), load_annotations(parallel)
    assert [r['frame_dir'] for r in a] == [r['frame_dir'] for r in b]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x['keypoint'], y['keypoint'])


def videos_and_a_crash(folder, clips):
    """``clips`` videos and, last, one whose frames (40 px high) crash the test back-end
    when BRIGHTEST_CRASH_HEIGHT=40; returns the crashing video's path."""
    for k in range(clips):
        write_video(folder / 'a' / f'clip{k}.avi', start=4 + 5 * k)
    return write_video(folder / 'a' / 'crash.avi', size=(40, 64))


def test_a_video_that_crashes_its_worker_is_listed_and_the_others_extracted(tmp_path):
    folder, out = tmp_path / 'videos', tmp_path / 'out.pkl'
    crash = videos_and_a_crash(folder, 4)
    result = extract_in_a_process(str(folder), '--out', str(out), '--workers', '2',
                                  env={'BRIGHTEST_CRASH_HEIGHT': '40'})
    assert result.returncode == 1, result.stderr
    assert (f'1 video(s) failed and were skipped:\n  {crash}: its worker process died on it '
            '(killed by SIGSEGV: out of memory, or a crash in a library such as the video '
            'decoder)') in result.stdout
    assert sorted(r['frame_dir'] for r in load_annotations(out)) == [
        'clip0', 'clip1', 'clip2', 'clip3']


def test_a_serial_run_that_crashes_is_named_by_the_next_which_goes_on(tmp_path):
    folder, out = tmp_path / 'videos', tmp_path / 'out.pkl'
    crash = videos_and_a_crash(folder, 2)
    result = extract_in_a_process(str(folder), '--out', str(out),
                                  env={'BRIGHTEST_CRASH_HEIGHT': '40'})
    assert result.returncode == -signal.SIGSEGV                  # the whole tool, serially
    result = extract_in_a_process(str(folder), '--out', str(out))
    assert result.returncode == 0, result.stderr
    assert (f'the last run ended during {crash} (a crash, or killed): it runs again; should it '
            'end this run too, --workers 2 lists it as failed and goes on') in result.stderr
    assert sorted(r['frame_dir'] for r in load_annotations(out)) == ['clip0', 'clip1', 'crash']


def test_no_weights_fails_at_once_with_instructions(tmp_path, run_tool):
    video = write_video(tmp_path / 'one.avi')
    with pytest.raises(MissingWeightsError, match='checkpoint_iter_370000.pth'):
        build_backend('lwopenpose')
    result = run_tool('extract_pose', video, '--out', tmp_path / 'x.pkl')
    assert result.returncode != 0 and result.stderr.strip().startswith(
        "error: --checkpoint: The lwopenpose back-end needs trained weights: the checkpoint "
        "'lwopenpose' downloads checkpoint_iter_370000.pth")
    # Nothing is left behind: neither the file nor an empty parts folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ['one.avi']
    # Weights given to a back-end that has its own were dropped without a word.
    result = run_tool('extract_pose', video, '--out', tmp_path / 'x.pkl', *TEST_BACKEND,
                      '--checkpoint', tmp_path / 'w.pth')
    assert result.returncode == 2 and ("--checkpoint is the lwopenpose back-end's weights; "
                                       'brightest would not use it') in result.stderr


def test_a_checkpoint_that_does_not_load_or_fit_fails_at_once_in_one_line(tmp_path,
                                                                          run_tool):
    video = write_video(tmp_path / 'one.avi')
    (tmp_path / 'cut.pth').write_bytes(b'garbage')
    torch.save({'state_dict': {'fc.weight': torch.zeros(2, 2)}}, tmp_path / 'other.pth')
    for name, why in [('cut.pth', 'cut.pth: does not load as a checkpoint'),
                      ('other.pth', 'other.pth does not fit the network: 250 missing key(s) '
                                    '(model.0.0.weight, model.0.1.weight, model.0.1.bias, '
                                    '...); 1 unexpected key(s) (fc.weight)')]:
        result = run_tool('extract_pose', video, '--out', tmp_path / 'x.pkl', '--checkpoint',
                          tmp_path / name)
        assert result.returncode == 1 and 'Traceback' not in result.stderr
        assert f'error: {tmp_path / why}' in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['cut.pth', 'one.avi', 'other.pth']


def test_unreadable_videos_are_named(tmp_path):
    broken = tmp_path / 'broken.avi'
    broken.write_bytes(b'not a video at all' * 100)
    with pytest.raises(VideoReadError, match='broken.avi'):
        read_video(str(broken))
    with pytest.raises(VideoReadError, match='no such file'):
        read_video(str(tmp_path / 'missing.avi'))


def test_visualize_draws_tracks_into_mp4_gif_and_png(tmp_path, run_tool):
    video = write_video(tmp_path / 'clip.avi', frames=6)
    out = tmp_path / 'ann.pkl'
    assert run_tool('extract_pose', video, '--out', out, '--num-person', '1',
                    *TEST_BACKEND).returncode == 0
    result = run_tool('visualize', video, out, '--out', tmp_path / 'drawn.mp4', '--width', '128',
                      '--frame', '2', '--label', 'walk')
    assert result.returncode == 0, result.stderr
    drawn = read_video(str(tmp_path / 'drawn.mp4'))
    assert video_fps(str(tmp_path / 'drawn.mp4')) == video_fps(video) == 10   # the source's rate
    assert len(drawn) == 6 and drawn[0].shape == (96, 128, 3)
    original = cv2.resize(read_video(video)[2], (128, 96))
    picture = cv2.imread(str(tmp_path / 'drawn.png'))
    assert np.abs(picture.astype(int) - original).sum() > 1000       # something was drawn
    result = run_tool('visualize', video, out, '--out', tmp_path / 'drawn.gif', '--width', '64')
    assert result.returncode == 0 and (tmp_path / 'drawn.gif').stat().st_size > 1000
    result = run_tool('visualize', video, out, '--frame-dir', 'nope', '--out', tmp_path / 'x.mp4')
    assert result.returncode != 0 and "no record 'nope'" in result.stderr
    # Files that are not what they should be are named in a line, not a traceback.
    (tmp_path / 'notes.txt').write_text('not a pickle, not a video')
    for args, why in [((video, tmp_path / 'notes.txt'), 'notes.txt: truncated or not a skeleton'),
                      ((tmp_path / 'notes.txt', out, '--frame-dir', 'clip'),
                       'notes.txt: OpenCV cannot open it'),
                      # the last --out counts: a folder that cannot be made
                      ((video, out, '--out', tmp_path / 'notes.txt' / 'x.mp4'),
                       "notes.txt: a file is in the way of the folder for the drawing"),
                      # Said before the video is read and drawn, as the rest.
                      ((video, out, '--out', tmp_path / 'x.txt'),
                       'x.txt: OpenCV cannot write this video format'),
                      ((video, out, '--frame', '2', '--frame-out', tmp_path / 'frame.pkl'),
                       'frame.pkl: OpenCV cannot write this picture format'),
                      ((video, out, '--frame', '2', '--frame-out',
                        tmp_path / 'notes.txt' / 'f.png'),
                       'notes.txt: a file is in the way of the folder for the frame'),
                      # Joints drawn with another layout's bones; before, without a word.
                      ((video, out, '--layout', 'jhmdb15'),
                       f'{out}: clip has 17 joints a person, layout jhmdb15 has 15: give the '
                       'layout they are in (coco17?)'),
                      # Before: the last frame was written for any --frame past it.
                      ((video, out, '--frame', '6'), '--frame 6: clip has 6 frames (0 to 5)')]:
        result = run_tool('visualize', '--out', tmp_path / 'x.mp4', *args)
        assert result.returncode == 1 and why in result.stderr, result.stderr
        assert 'Traceback' not in result.stderr and 'WARN' not in result.stderr
        assert not (tmp_path / 'x.mp4').exists() and not (tmp_path / 'x.txt').exists()
    assert sorted(os.listdir(tmp_path)) == ['ann.pkl', 'ann.pkl.parts', 'clip.avi', 'drawn.gif',
                                            'drawn.mp4', 'drawn.png', 'notes.txt']
    # Options that would be dropped without a word, or are below what can work.
    for args, why in [(('--config', 'configs/pan_synthetic.py'),
                       '--config and --checkpoint go together'),
                      (('--frame-out', tmp_path / 'f.png'), '--frame-out names where --frame K '
                                                            'goes: give --frame too'),
                      (('--frame', '-1'), '--frame must be 0 or more, got -1'),
                      (('--width', '0'), '--width must be 8 or more, got 0')]:
        result = run_tool('visualize', video, out, '--out', tmp_path / 'x.mp4', *args)
        assert result.returncode == 2 and why in result.stderr, result.stderr


def test_mediapipe_backend_on_a_real_person():
    pytest.importorskip('mediapipe', reason='mediapipe lives in its own environment')
    video = os.path.join(ROOT, '..', 'shared', 'media', 'ntu_S001C001P001R001A001_rgb.avi')
    if not os.path.isfile(video):
        pytest.skip('../shared/media is not present')
    frames = read_video(video)[:10]
    detections = build_backend('mediapipe')(frames)
    assert len(detections) == 10
    keypoints, scores = detections[-1]
    assert keypoints.shape == (1, 17, 2) and scores.mean() > 0.5
    assert 0 < keypoints[0, :, 0].mean() < frames[0].shape[1]


def test_shards_on_many_machines_merge_into_the_single_run_file(tmp_path, run_tool,
                                                               monkeypatch):
    from posegraph.datasets.shards import parse_shard, shard_path
    from posegraph.io import dump_annotations
    tree = tmp_path / 'UCF101'
    ucf_tree(tree, per_class=3)
    single, out = tmp_path / 'single.pkl', tmp_path / 'sharded' / 'ucf.pkl'
    assert run_tool('extract_pose', tree, '--out', single, *TEST_BACKEND).returncode == 0
    first = run_tool('extract_pose', tree, '--out', out, '--shard', '0/2', *TEST_BACKEND)
    assert first.returncode == 0 and 'shard 0 of 2: 3' in first.stdout
    early = run_tool('extract_pose', tree, '--out', out, '--merge')
    assert early.returncode == 1 and '1 of 2 shards are not done' in early.stderr
    monkeypatch.setenv('WORLD_SIZE', '2')        # as torchrun sets them
    monkeypatch.setenv('RANK', '1')
    assert run_tool('extract_pose', tree, '--out', out, *TEST_BACKEND).returncode == 0
    monkeypatch.delenv('WORLD_SIZE')
    merged = run_tool('extract_pose', tree, '--out', out, '--merge')
    assert merged.returncode == 0 and 'merged 6 videos' in merged.stdout
    a, b = load_annotations(single), load_annotations(out)
    assert [r['frame_dir'] for r in a] == [r['frame_dir'] for r in b]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x['keypoint'], y['keypoint'])
    assert load_splits(single) == load_splits(out)
    # A video in two shards, or in none, is refused.
    shard0, shard1 = shard_path(str(out), 0, 2), shard_path(str(out), 1, 2)
    records0, records1 = load_annotations(shard0), load_annotations(shard1)
    dump_annotations(shard1, records1 + records0[:1])
    twice = run_tool('extract_pose', tree, '--out', out, '--merge')
    assert twice.returncode == 1 and f"'{records0[0]['frame_dir']}' is in two shards" \
        in twice.stderr
    dump_annotations(shard1, records1[1:])
    lost = run_tool('extract_pose', tree, '--out', out, '--merge')
    assert lost.returncode == 1 and f"1 video(s) are in no shard, first " \
        f"'{records1[0]['frame_dir']}'" in lost.stderr
    assert parse_shard(None, {'WORLD_SIZE': '4', 'RANK': '3'}) == (3, 4)
    assert parse_shard(None, {}) == (0, 1)
    with pytest.raises(ValueError, match='0 <= i < n'):
        parse_shard('2/2')


def test_class_folders_get_a_reproducible_val_cut_and_list_files_their_splits(tmp_path,
                                                                             run_tool):
    folder = tmp_path / 'videos'
    for name in ('wave', 'clap'):
        for k in range(5):
            write_video(folder / name / f'{name}_{k}.avi', start=4 + 3 * k)
    out = tmp_path / 'cut.pkl'
    result = run_tool('extract_pose', folder, '--out', out, '--val-ratio', '0.4', *TEST_BACKEND)
    assert result.returncode == 0, result.stderr
    splits = load_splits(out)
    assert sorted(splits) == ['all', 'train', 'val'] and len(splits['val']) == 4
    assert sorted(n.split('_')[0] for n in splits['val']) == ['clap', 'clap', 'wave', 'wave']
    assert set(splits['train']) | set(splits['val']) == set(splits['all'])
    again = tmp_path / 'again.pkl'
    run_tool('extract_pose', folder, '--out', again, '--val-ratio', '0.4', *TEST_BACKEND)
    assert load_splits(again) == splits                              # the same cut
    # MMAction2 list files: one split each, labels from the lines.
    (folder / 'train.txt').write_text('wave/wave_0.avi 1\nclap/clap_0.avi 0\n')
    (folder / 'val.txt').write_text('wave/wave_1.avi 1\n')
    listed = tmp_path / 'listed.pkl'
    result = run_tool('extract_pose', folder, '--out', listed, '--lists', folder / 'train.txt',
                      folder / 'val.txt', *TEST_BACKEND)
    assert result.returncode == 0, result.stderr
    assert load_splits(listed) == {'train': ['wave_0', 'clap_0'], 'val': ['wave_1']}
    assert {r['frame_dir']: r['label'] for r in load_annotations(listed)} == {
        'wave_0': 1, 'clap_0': 0, 'wave_1': 1}
    (folder / 'bad.txt').write_text('wave/none.avi 1\n')
    result = run_tool('extract_pose', folder, '--out', tmp_path / 'x.pkl', '--lists',
                      folder / 'bad.txt', *TEST_BACKEND)
    assert result.returncode == 1 and 'bad.txt: lists' in result.stderr \
        and 'none.avi, which does not exist' in result.stderr


def test_an_unknown_back_end_or_an_unusable_output_is_one_line_before_any_work(tmp_path,
                                                                               run_tool):
    write_video(tmp_path / 'videos' / 'a.avi')
    result = run_tool('extract_pose', tmp_path / 'videos', '--out', tmp_path / 'a.pkl',
                      '--backend', 'nope')
    assert result.returncode == 1
    # A KeyError's message, said unquoted (tests may have registered more back-ends).
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: unknown pose back-end 'nope'; back-ends: lwopenpose, mediapipe")
    (tmp_path / 'blocker').write_text('')
    result = run_tool('extract_pose', tmp_path / 'videos', '--out',
                      tmp_path / 'blocker' / 'a.pkl', *TEST_BACKEND)
    assert result.returncode == 1 and result.stderr.strip().splitlines()[-1].startswith(
        f"error: {tmp_path / 'blocker' / 'a.pkl.parts'}: cannot make the folder for the "
        "finished videos' poses (Not a directory")


@pytest.mark.parametrize('option, value, message', [
    # Before: a file of videos with no person (M = 0), or every video failing in OpenCV.
    ('--num-person', '0', '--num-person must be 1 or more, got 0'),
    ('--height', '0', '--height must be 8 or more, got 0'),
    ('--workers', '-1', '--workers must be 1 or more, got -1'),
])
def test_options_below_what_can_work_are_refused(tmp_path, run_tool, option, value, message):
    write_video(tmp_path / 'videos' / 'a.avi')
    result = run_tool('extract_pose', tmp_path / 'videos', '--out', tmp_path / 'a.pkl',
                      option, value, *TEST_BACKEND)
    assert result.returncode == 2 and message in result.stderr
    assert os.listdir(tmp_path) == ['videos']

