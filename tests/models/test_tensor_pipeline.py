import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose

from posegraph.models import TensorTestPipeline
from posegraph.models.tensor_pipeline import TENSOR_STREAMS
from posegraph.registry import TRANSFORMS, register_all_modules
from posegraph.skeleton import get_layout, mask_missing

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def numpy_pipeline(layout, clip_len, streams, num_person, num_clips, interpolate):
    register_all_modules()
    return [dict(type='SelectPersons', num_person=num_person),
            dict(type='PoseNormalize', layout=layout),
            dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=num_clips,
                 test_mode=True, interpolate=interpolate),
            dict(type='FormatStreams', layout=layout, streams=streams),
            dict(type='PackSkeletonInputs')]


def video(persons, frames, joints, seed, missing=0.2):
    """Pixel-like keypoints of a few persons walking, some joints missing: score 0 and
    NaN coordinates, as detectors write them, and a few NaN joints with a score."""
    rng = np.random.default_rng(seed)
    keypoint = (rng.uniform(100, 300, (persons, 1, joints, 2))
                + rng.normal(0, 5, (persons, frames, joints, 2))
                + np.linspace(0, 40, frames)[None, :, None, None]).astype(np.float32)
    score = rng.uniform(0.2, 1, (persons, frames, joints)).astype(np.float32)
    score[rng.random(score.shape) < missing] = 0
    keypoint[score == 0] = np.nan
    keypoint[rng.random(score.shape) < missing / 4] = np.nan
    return keypoint, score


def compare(pipeline_cfg, keypoint, score, seen=0.3):
    """The tensor pipeline against PoseDataset's loading (mask_missing) and the numpy
    transforms; at least ``seen`` of the first person's input values non-zero."""
    loaded = mask_missing(keypoint, score)
    expected = Compose([TRANSFORMS.build(t) for t in pipeline_cfg])(
        dict(keypoint=loaded[0], keypoint_score=loaded[1],
             total_frames=keypoint.shape[1]))['inputs'].numpy()
    got = TensorTestPipeline.from_transforms(pipeline_cfg)(
        torch.from_numpy(keypoint), torch.from_numpy(score)).numpy()
    assert got.shape == expected.shape
    assert (expected[:, 0] != 0).mean() >= seen
    np.testing.assert_allclose(got, expected, atol=2e-5, rtol=1e-5)


@pytest.mark.parametrize('num_person,num_clips,interpolate',
                         [(1, 1, True), (1, 1, False), (2, 3, True), (3, 2, False)])
@pytest.mark.parametrize('frames', [1, 2, 13, 32, 75])
def test_matches_the_numpy_transforms(num_person, num_clips, interpolate, frames):
    cfg = numpy_pipeline('coco17', 16, TENSOR_STREAMS, num_person, num_clips, interpolate)
    for persons, seed in ((1, frames), (2, frames + 1), (4, frames + 2)):
        compare(cfg, *video(persons, frames, 17, seed))


def test_persons_ordered_stably_padded_and_unseen_clips_left_zero():
    cfg = numpy_pipeline('jhmdb15', 8, ('joint', 'bone', 'joint_motion', 'distance'), 3, 1,
                         True)
    keypoint, score = video(4, 20, 15, seed=3, missing=0)
    score[1] = score[3] = 0.5  # a tie between persons 1 and 3, broken by input order
    score[2] = 0.9
    compare(cfg, keypoint, score)
    compare(cfg, keypoint[:2], score[:2])  # fewer persons than kept: padded
    score[:] = 0  # nothing seen: zero input, as the numpy pipeline leaves it
    got = TensorTestPipeline.from_transforms(cfg)(torch.from_numpy(keypoint),
                                                  torch.from_numpy(score))
    assert got.abs().sum() == 0
    compare(cfg, keypoint, score, seen=0)


def test_body_size_is_the_median_over_frames_with_two_joints():
    # Sizes 10, 20, 40 and 80 in four frames, a fifth with one joint: the median of the
    # four valid frames is 30, as np.median averages the two middle ones.
    keypoint = np.zeros((1, 5, 15, 2), np.float32)
    score = np.zeros((1, 5, 15), np.float32)
    for t, size in enumerate((10, 20, 40, 80)):
        keypoint[0, t, 1] = (0, 0)
        keypoint[0, t, 2] = (size, size / 2)
        score[0, t, [1, 2]] = 1
    score[0, 4, 2] = 1
    pipeline = TensorTestPipeline('jhmdb15', 5, ('joint',))
    got = pipeline(torch.from_numpy(keypoint), torch.from_numpy(score))
    centre = keypoint[0, :4, 1].mean(0)  # jhmdb15's centre joint 1, in the frames it is seen
    np.testing.assert_allclose(got[0, 0, 0, 2, :2].numpy(), (keypoint[0, 0, 2] - centre) / 30,
                               rtol=1e-6)
    compare(numpy_pipeline('jhmdb15', 5, ('joint',), 1, 1, False), keypoint, score, seen=0.05)


@pytest.mark.parametrize('config', ['pan_jhmdb.py', 'pan_ucf101.py'])
def test_builds_from_the_shipped_configs(config):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', config))
    pipeline = TensorTestPipeline.from_transforms(cfg.test_pipeline)
    clip = cfg.test_pipeline[[t['type'] for t in cfg.test_pipeline].index('UniformSampleFrames')]
    assert (pipeline.clip_len, pipeline.num_clips) == (clip['clip_len'],
                                                       clip.get('num_clips', 1))
    assert pipeline.streams == tuple(cfg.model.network.streams)
    compare(cfg.test_pipeline, *video(2, 50, get_layout(cfg.layout).num_joints, seed=0))


@pytest.mark.parametrize('change,message', [
    (lambda p: p.insert(3, dict(type='AddFlippedClips', layout='coco17')), 'AddFlippedClips'),
    (lambda p: p[1].update(center='frame'), "center='clip'"),
    (lambda p: p[2].update(test_mode=False), 'test_mode'),
    (lambda p: p[2].update(seed=1), "['seed']"),
    (lambda p: p.pop(3), 'FormatStreams'),
    (lambda p: p[3].update(streams=('joint', 'distance_z')), 'distance_z'),
])
def test_unsupported_test_pipelines_are_named(change, message):
    cfg = numpy_pipeline('coco17', 8, ('joint',), 1, 1, False)
    change(cfg)
    with pytest.raises(ValueError, match=message.replace('[', r'\[').replace(']', r'\]')):
        TensorTestPipeline.from_transforms(cfg)


def test_narrowed_to_whole_streams_in_a_branch_order():
    streams = ('joint', 'bone', 'joint_motion', 'distance')  # channels 0-1, 2-3, 4-5, 6-20
    pipeline = TensorTestPipeline('jhmdb15', 8, streams, num_clips=2, interpolate=True)
    narrowed = pipeline.with_channels([4, 5] + list(range(6, 21)) + [0, 1])
    assert narrowed.streams == ('joint_motion', 'distance', 'joint')
    assert (narrowed.clip_len, narrowed.num_clips, narrowed.interpolate) == (8, 2, True)
    keypoint, score = video(2, 20, 15, seed=5)
    args = torch.from_numpy(keypoint), torch.from_numpy(score)
    whole = pipeline(*args)
    picked = whole[..., [4, 5] + list(range(6, 21)) + [0, 1, 21]]
    torch.testing.assert_close(narrowed(*args), picked, rtol=0, atol=0)
    # Part of a stream, or a stream's channels out of order, is no pipeline of its own.
    assert pipeline.with_channels([0, 1, 2]) is None
    assert pipeline.with_channels([1, 0]) is None
    assert pipeline.with_channels(list(range(6, 20))) is None
