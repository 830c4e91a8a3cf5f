"""The video dataset, its sources, frame sampling and the video transforms."""
import os

import cv2
import numpy as np
import pytest

from posegraph.datasets import SyntheticVideoDataset, VideoDataset
from posegraph.datasets.flow import dequantise_flow, save_flow
from posegraph.datasets.transforms import (
    CropFrames,
    DecodeVideo,
    FlipFrames,
    LoadFlowStack,
    PackVideoInputs,
    SampleVideoFrames,
    ShuffleFrames,
)
from posegraph.datasets.video_index import index_videos
from posegraph.io.video import VideoReadError
from conftest import frame_dirs, tiny_ucf101, write_clip

PIPELINE = [dict(type='DecodeVideo'), dict(type='SampleVideoFrames', clip_len=4),
            dict(type='PackVideoInputs')]


def test_list_file_dataset_loads_clips_and_names_bad_lines(tmp_path):
    write_clip(tmp_path / 'a b' / 'first clip.avi')
    write_clip(tmp_path / 'second.avi')
    (tmp_path / 'list.txt').write_text('a b/first clip.avi 1\nsecond.avi 0\n')
    (tmp_path / 'classes.txt').write_text('walk\nrun\n')
    dataset = VideoDataset(str(tmp_path / 'list.txt'), PIPELINE,
                           label_map=str(tmp_path / 'classes.txt'))
    assert len(dataset) == 2 and dataset.metainfo['classes'] == ('walk', 'run')
    sample = dataset[0]
    assert sample['inputs'].shape == (1, 4, 3, 32, 32)
    assert int(sample['data_samples'].gt_label) == 1
    assert sample['data_samples'].frame_dir == 'first clip'
    (tmp_path / 'bad.txt').write_text('second.avi 0\nsecond.avi\n')
    with pytest.raises(ValueError, match=r'bad.txt:2: expected "path label"'):
        VideoDataset(str(tmp_path / 'bad.txt'), PIPELINE)
    (tmp_path / 'range.txt').write_text('second.avi 5\n')
    with pytest.raises(ValueError, match='label 5, outside'):
        VideoDataset(str(tmp_path / 'range.txt'), PIPELINE, num_classes=2)


def test_unreadable_video_is_an_error_naming_it(tmp_path):
    (tmp_path / 'broken.avi').write_bytes(b'not a video at all')
    (tmp_path / 'list.txt').write_text('broken.avi 0\nmissing.avi 0\n')
    dataset = VideoDataset(str(tmp_path / 'list.txt'), PIPELINE)
    with pytest.raises(VideoReadError, match='broken.avi'):
        dataset.prepare_data(0)
    with pytest.raises(VideoReadError, match='missing.avi: no such file'):
        dataset.prepare_data(1)


def test_dataset_trees_give_splits(tmp_path):
    # UCF101 layout (the same parser as tools/extract_pose.py).
    ucf = tmp_path / 'UCF101'
    tiny_ucf101(ucf)
    test = VideoDataset(video_root=str(ucf), split='test1', pipeline=PIPELINE)
    assert frame_dirs(test) == ['v_Biking_g01_c01', 'v_Diving_g01_c01']
    assert frame_dirs(test, 'label') == [0, 1]
    assert test.metainfo['classes'] == ('Biking', 'Diving')
    with pytest.raises(KeyError, match="no split 'train7'; its splits are test1, train1"):
        VideoDataset(video_root=str(ucf), split='train7', pipeline=PIPELINE)
    with pytest.raises(ValueError, match='not both or neither'):
        VideoDataset(pipeline=PIPELINE)
    # UCF11: group folders; leave-one-group-out splits.
    ucf11 = tmp_path / 'UCF11'
    for name in ('basketball', 'biking'):
        for g in (1, 2, 3):
            write_clip(ucf11 / name / f'v_{name}_0{g}' / f'v_{name}_0{g}_01.mpg')
    index = index_videos(str(ucf11))
    assert index.kind == 'ucf11' and index.classes == ['basketball', 'biking']
    assert index.splits['test2'] == ['v_basketball_02_01', 'v_biking_02_01']
    train = VideoDataset(video_root=str(ucf11), split=['test1', 'test3'], pipeline=PIPELINE)
    assert len(train) == 4
    # UCF Sports: numbered folders of frame images.
    sports = tmp_path / 'ucf_sports'
    for name in ('Diving-Side', 'Kicking-Front'):
        for clip in ('001', '002'):
            folder = sports / name / clip
            folder.mkdir(parents=True)
            for t in range(5):
                cv2.imwrite(str(folder / f'{t:04d}.jpg'), np.full((24, 32, 3), 40 * t, np.uint8))
    dataset = VideoDataset(video_root=str(sports), split='all', pipeline=PIPELINE)
    assert index_videos(str(sports)).kind == 'ucf_sports'
    assert frame_dirs(dataset)[:2] == ['Diving-Side_001', 'Diving-Side_002']
    assert dataset[3]['inputs'].shape == (1, 4, 3, 24, 32)


def sample(transform, total):
    return transform({'video': np.arange(total)[:, None, None, None].repeat(2, 1),
                      'total_frames': total})['frame_inds']


def test_uniform_sampling_draws_start_and_interval_when_training():
    np.random.seed(0)
    train = SampleVideoFrames(clip_len=5)
    drawn = [sample(train, 40)[0] for _ in range(200)]
    steps = {int(np.diff(d)[0]) for d in drawn}
    assert all((np.diff(d) == np.diff(d)[0]).all() and d.min() >= 0 and d.max() < 40 for d in drawn)
    assert steps == set(range(1, 10)) and len({int(d[0]) for d in drawn}) > 10
    test = SampleVideoFrames(clip_len=5, num_clips=2, test_mode=True)
    inds = sample(test, 40)
    np.testing.assert_array_equal(inds[0], [0, 10, 20, 29, 39])
    np.testing.assert_array_equal(inds, sample(test, 40))
    assert (inds[1] >= inds[0]).all() and (inds[1] != inds[0]).any()
    np.testing.assert_array_equal(sample(SampleVideoFrames(clip_len=5), 3)[0][-2:], [2, 2])


def test_segment_sampling_takes_one_frame_per_segment():
    np.random.seed(1)
    for _ in range(50):
        inds = sample(SampleVideoFrames(clip_len=8, mode='segments'), 80)[0]
        assert ((inds // 10) == np.arange(8)).all()
    centres = sample(SampleVideoFrames(clip_len=4, mode='segments', test_mode=True), 40)[0]
    np.testing.assert_array_equal(centres, [5, 15, 25, 35])
    with pytest.raises(ValueError, match="'uniform' or 'segments'"):
        SampleVideoFrames(4, mode='dense')


def test_decoded_videos_are_cached(tmp_path, monkeypatch):
    path = write_clip(tmp_path / 'a.avi')
    calls = []
    import posegraph.datasets.transforms.video as video
    original = video.read_video
    monkeypatch.setattr(video, 'read_video', lambda p: calls.append(p) or original(p))
    cached, uncached = DecodeVideo(cache_mb=1), DecodeVideo()
    for _ in range(3):
        a = cached({'filename': path})['video']
        b = uncached({'filename': path})['video']
    assert len(calls) == 4 and a.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(a, b)
    # RGB order: the blue channel written holds the values.
    assert a[2, 0, 0, 2] > 15 and a[2, 0, 0, 0] < 5


def test_flow_stacks_line_up_with_the_sampled_frames(tmp_path):
    flow = np.zeros((5, 8, 8, 2), np.uint8)  # flow t between frames t and t+1
    flow[..., 0] = np.arange(5)[:, None, None] * 10
    flow[..., 1] = 200
    save_flow(str(tmp_path / 'clip.npz'), flow, 'dis', 20.0)
    results = {'frame_dir': 'clip', 'frame_inds': np.array([[0, 3, 5]]),
               'imgs': np.zeros((1, 3, 8, 8, 3), np.uint8)}
    out = LoadFlowStack(str(tmp_path), length=2)(results)['imgs']
    assert out.shape == (1, 3, 8, 8, 3 + 4)
    np.testing.assert_array_equal(out[0, :, 0, 0, 3:], [[0, 200, 10, 200], [30, 200, 40, 200],
                                                        [40, 200, 40, 200]])
    with pytest.raises(FileNotFoundError, match='other.npz.*extract_flow.py'):
        LoadFlowStack(str(tmp_path))(dict(results, frame_dir='other'))
    # Mirroring turns the x flow around (255 - v) and leaves y alone.
    np.random.seed(0)
    flipped = FlipFrames(prob=1.0)({'imgs': out.copy()})['imgs']
    np.testing.assert_array_equal(flipped[0, :, 0, -1, 3], 255 - out[0, :, 0, 0, 3])
    np.testing.assert_array_equal(flipped[0, :, 0, -1, 4], out[0, :, 0, 0, 4])
    assert abs(dequantise_flow(np.array([128], np.uint8))[0]) < 0.1


def test_crop_shuffle_and_pack():
    np.random.seed(0)
    imgs = np.arange(2 * 6 * 10 * 12 * 3, dtype=np.int64).reshape(2, 6, 10, 12, 3).astype(np.uint8)
    results = CropFrames(size=(8, 6))({'imgs': imgs, 'filename': 'x.avi'})
    assert results['imgs'].shape == (2, 6, 6, 8, 3)
    np.testing.assert_array_equal(results['imgs'], imgs[:, :, 2:8, 2:10])
    with pytest.raises(ValueError, match='x.avi: cannot crop 20x20'):
        CropFrames(20)({'imgs': imgs, 'filename': 'x.avi'})
    frames = np.arange(6)[None, :, None, None, None] * np.ones((2, 6, 2, 2, 1), np.uint8)
    shuffled = ShuffleFrames()({'imgs': frames})['imgs']
    assert sorted(shuffled[0, :, 0, 0, 0]) == list(range(6))
    assert (shuffled[0, :, 0, 0, 0] != np.arange(6)).any()
    packed = PackVideoInputs()({'imgs': imgs, 'label': 3, 'frame_dir': 'x'})
    assert packed['inputs'].shape == (2, 6, 3, 10, 12)
    assert int(packed['data_samples'].gt_label) == 3


def test_synthetic_video_dataset_writes_itself_and_its_flow(tmp_path):
    root = str(tmp_path / 'set')
    pipeline = [dict(type='DecodeVideo'), dict(type='SampleVideoFrames', clip_len=4),
                dict(type='LoadFlowStack', flow_dir=os.path.join(root, 'flow')),
                dict(type='PackVideoInputs')]
    dataset = SyntheticVideoDataset(root, 'val', pipeline, clips_per_class=4, with_flow=True)
    assert len(dataset) == 8 and len(dataset.metainfo['classes']) == 8
    assert dataset[0]['inputs'].shape == (1, 4, 3 + 8, 64, 64)
    assert os.path.isfile(os.path.join(root, 'flow', 'complete'))
