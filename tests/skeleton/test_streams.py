"""Input streams of joint coordinates and where each sits in the channels."""
import numpy as np
import pytest
import torch

from posegraph.models import StreamEnsemble
from posegraph.skeleton import (
    joint_streams,
    stream_channel_index,
    stream_channels,
    streams_lookahead,
)


def test_motion_at_two_frame_steps_and_missing_joints():
    keypoint = np.arange(5 * 15 * 2, dtype=np.float32).reshape(1, 5, 15, 2) ** 1.5
    visible = np.ones((1, 5, 15), bool)
    visible[0, 3, 4] = False
    out = joint_streams(keypoint, visible, 'jhmdb15', ('joint_motion', 'joint_motion2'))
    one, two = out[..., :2], out[..., 2:]
    np.testing.assert_allclose(two[0, 0], keypoint[0, 2] - keypoint[0, 0])
    np.testing.assert_allclose(one[0, 0] + one[0, 1], two[0, 0], rtol=1e-6)
    assert (two[0, 3:] == 0).all() and (one[0, 4] == 0).all()  # no frame t + step
    assert (two[0, 1, 4] == 0).all() and (one[0, 2, 4] == 0).all()  # joint 4 missing at 3
    assert two[0, 1, 5].any()


def test_motion_at_four_frame_steps_sums_the_single_steps():
    keypoint = np.random.default_rng(1).normal(size=(9, 15, 2)).astype(np.float32)
    one, four = np.split(joint_streams(keypoint, np.ones((9, 15), bool), 'jhmdb15',
                                       ('joint_motion', 'joint_motion4')), 2, axis=-1)
    np.testing.assert_allclose(four[:5], one[:5] + one[1:6] + one[2:7] + one[3:8], atol=1e-5)
    assert not four[5:].any()


@pytest.mark.parametrize('streams, frames', [(('joint', 'distance'), 0), (('bone_motion',), 1),
                                             (('joint_motion4', 'joint_motion2'), 4)])
def test_streams_look_ahead_by_their_largest_motion_step(streams, frames):
    assert streams_lookahead(streams) == frames


def test_standardised_distances_are_scale_free_and_leave_missing_joints_out():
    """distance_z has zero mean and unit spread over each frame's pairs of visible joints,
    whatever the body's size in that frame, and no value for a missing joint."""
    rng = np.random.default_rng(2)
    keypoint = rng.normal(size=(4, 15, 2)).astype(np.float32)
    keypoint[2] = 3 * keypoint[1]
    visible = np.ones((4, 15), bool)
    visible[3, 6] = False
    plain, standard = np.split(joint_streams(keypoint, visible, 'jhmdb15',
                                             ('distance', 'distance_z')), 2, axis=-1)
    np.testing.assert_allclose(standard[2], standard[1], atol=1e-5)
    assert not np.allclose(plain[2], plain[1])
    for frame, seen in zip(standard, visible):
        pairs = np.triu(np.outer(seen, seen), k=1)
        np.testing.assert_allclose([frame[pairs].mean(), frame[pairs].std()], [0, 1], atol=1e-5)
        assert not frame[~seen].any() and not frame[:, ~seen].any()
        assert not np.diagonal(frame).any()


def test_bone_motion2_is_the_motion_of_bones():
    rng = np.random.default_rng(0)
    keypoint = rng.normal(size=(6, 15, 2)).astype(np.float32)
    visible = np.ones((6, 15), bool)
    bone, motion = np.split(joint_streams(keypoint, visible, 'jhmdb15',
                                          ('bone', 'bone_motion2')), 2, axis=-1)
    np.testing.assert_allclose(motion[:-2], bone[2:] - bone[:-2], atol=1e-6)


@pytest.mark.parametrize('coords', [2, 3])
def test_distances_are_bit_for_bit_the_norm_of_the_joint_differences(coords):
    rng = np.random.default_rng(coords)
    keypoint = (3 * rng.normal(size=(2, 20, 15, coords))).astype(np.float32)
    visible = rng.random((2, 20, 15)) > 0.2
    out = joint_streams(keypoint, visible, 'jhmdb15', ('distance',))
    norm = np.linalg.norm(keypoint[..., :, None, :] - keypoint[..., None, :, :], axis=-1)
    expected = np.where(visible[..., :, None] & visible[..., None, :], norm, 0)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float32 and (out[~visible] == 0).all() and out[visible].any()


def test_channel_index_of_named_streams():
    streams = ('joint', 'distance', 'bone', 'joint_motion2')
    assert stream_channels(streams, 15) == 2 + 15 + 2 + 2
    assert stream_channel_index(streams, ['bone'], 15) == [17, 18]
    assert stream_channel_index(streams, ['joint_motion2', 'joint'], 15) == [19, 20, 0, 1]
    assert stream_channel_index(streams, ['distance'], 15) == list(range(2, 17))
    with pytest.raises(ValueError, match=r"\['bone_motion'\] are not among the input streams"):
        stream_channel_index(streams, ['bone_motion'], 15)
    with pytest.raises(ValueError, match="unknown stream 'speed'"):
        stream_channels(['speed'], 15)
    # One name given as a string was read letter by letter: "unknown stream 'j'".
    with pytest.raises(TypeError, match=r"streams is a list of names, e\.g\. \['joint'\], "
                       "not the string 'joint'"):
        stream_channels('joint', 15)
    with pytest.raises(TypeError, match='not the string'):
        joint_streams(np.zeros((4, 15, 2)), np.ones((4, 15), bool), 'jhmdb15', 'joint')


def test_ensemble_branches_named_by_stream_see_those_channels():
    streams = ('joint', 'bone', 'distance')
    by_name = StreamEnsemble([['bone'], ['joint', 'distance']], streams=streams,
                             in_channels=2 + 2 + 15 + 1, layout='jhmdb15', num_classes=4)
    assert by_name.branch_channels == [[2, 3], [0, 1] + list(range(4, 19))]
    x = torch.randn(2, 1, 5, 15, 20)
    assert by_name._inputs(x, 0).shape[-1] == 3  # the bone pair and the confidence
    torch.testing.assert_close(by_name._inputs(x, 0)[..., -1], x[..., -1])
    with pytest.raises(ValueError, match='give the ensemble the input\'s `streams`'):
        StreamEnsemble([['bone']], layout='jhmdb15', num_classes=4)
