import numpy as np
import pytest

from posegraph.skeleton import StreamingPoseNormalize
from posegraph.skeleton.normalize import frame_centres, frame_sizes, median


@pytest.mark.parametrize('history', [1, 7, 300])
def test_running_statistics_are_those_of_the_last_frames(history):
    """The running centre and size are the mean and median over the last ``history``
    frames that had them, however long the stream and with frames that have none."""
    rng = np.random.default_rng(history)
    normalize = StreamingPoseNormalize('jhmdb15', history=history)
    centres, sizes = [], []
    for t in range(400):
        keypoint = (rng.uniform(0, 300, (15, 2)) + t).astype(np.float32)
        score = (rng.uniform(0, 1, 15) > 0.3).astype(np.float32)
        if t % 23 == 0:
            score[:] = 0                                    # a frame without the person
        elif t % 29 == 0:
            score[1:] = 0                                   # one joint: a centre, no size
        visible = score > 0
        centre, has_centre = frame_centres(keypoint[None], visible[None], 'jhmdb15')
        size, has_size = frame_sizes(keypoint[None], visible[None])
        centres += [centre[0]] if has_centre[0] else []
        sizes += [float(size[0])] if has_size[0] else []
        offset = np.mean(centres[-history:], axis=0) if centres else np.zeros(2)
        expected = (keypoint - offset) / (np.median(sizes[-history:]) if sizes else 1.0)
        np.testing.assert_allclose(normalize(keypoint, score),
                                   np.where(visible[:, None], expected, 0), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_median_is_numpys_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    for n in range(1, 60):
        values = rng.uniform(0, 300, n).astype(dtype)
        assert np.asarray(median(values), dtype).tobytes() == np.median(values).tobytes(), n
    with_nan = np.array([3, np.nan, 1], dtype)
    assert np.isnan(median(with_nan)) and np.isnan(np.median(with_nan))


@pytest.mark.parametrize('coords', [2, 3])
def test_frame_sizes_are_the_larger_side_of_the_visible_joints_box(coords):
    rng = np.random.default_rng(coords)
    keypoint = rng.uniform(-50, 300, (40, 15, coords)).astype(np.float32)
    visible = rng.uniform(0, 1, (40, 15)) > 0.4
    visible[3] = False
    visible[5, 1:] = False                      # one joint: no box
    size, valid = frame_sizes(keypoint, visible)
    for t in range(40):
        joints = keypoint[t][visible[t]]
        assert valid[t] == (len(joints) >= 2)
        expected = (joints.max(0) - joints.min(0)).max() if valid[t] else 0
        assert size[t] == expected


@pytest.mark.parametrize('center', ['frame', 'image'])
@pytest.mark.parametrize('scale', ['body', 'image'])
def test_streamed_frames_are_normalised_as_the_clip_is_when_the_body_keeps_its_size(
        center, scale):
    """Per-frame and image statistics need no future frames: a body that moves about the
    image but keeps its size is normalised frame by frame as PoseNormalize does the clip."""
    from posegraph.datasets.transforms import PoseNormalize
    rng = np.random.default_rng(0)
    pose = rng.uniform(-60, 60, (15, 2))
    keypoint = (pose + rng.uniform(100, 400, (30, 1, 2))).astype(np.float32)   # (T, V, 2)
    score = (rng.uniform(0, 1, (30, 15)) > 0.2).astype(np.float32)
    # Always seen: the belly (the centre) and the joints at the box's sides (the size).
    score[:, [1, *pose.argmin(0), *pose.argmax(0)]] = 1
    img_shape = (480, 640)
    clip = PoseNormalize('jhmdb15', center=center, scale=scale).transform(
        {'keypoint': keypoint[None].copy(), 'keypoint_score': score[None],
         'img_shape': img_shape})['keypoint'][0]
    stream = StreamingPoseNormalize('jhmdb15', center=center, scale=scale)
    streamed = np.stack([stream(k, s, img_shape) for k, s in zip(keypoint, score)])
    np.testing.assert_allclose(streamed, clip, rtol=1e-5, atol=1e-6)
