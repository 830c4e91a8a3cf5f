import numpy as np
import pytest

from posegraph.datasets.synthetic_video import MOTIONS, make_video_clip, write_synthetic_videos
from posegraph.pose.video import read_video


def centroid_x(frames):
    """x of the bright shape's centre in every frame."""
    xs = []
    for frame in frames:
        ys, x = np.nonzero(frame.max(axis=2) > 130)
        xs.append(x.mean())
    return np.array(xs)


def test_clips_are_deterministic_and_move_as_named():
    a = make_video_clip('move_right', np.random.default_rng(3))
    b = make_video_clip('move_right', np.random.default_rng(3))
    assert a.shape == (16, 64, 64, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    assert np.diff(centroid_x(a)).mean() > 0.5
    assert np.diff(centroid_x(make_video_clip('move_left', np.random.default_rng(4)))).mean() < -0.5
    turning = make_video_clip('rotate_clockwise', np.random.default_rng(5))
    assert np.ptp(centroid_x(turning)) < 6
    assert np.abs(turning[0].astype(int) - turning[-1]).sum() > 0
    with pytest.raises(ValueError, match='unknown motion'):
        make_video_clip('jump', np.random.default_rng(0))


def test_angles_are_the_rendered_ones():
    frames, angles = make_video_clip('rotate_clockwise', np.random.default_rng(5),
                                     return_angles=True)
    np.testing.assert_array_equal(frames, make_video_clip('rotate_clockwise',
                                                          np.random.default_rng(5)))
    assert (np.diff(angles) > 0).all()
    assert (np.diff(make_video_clip('rotate_anticlockwise', np.random.default_rng(5),
                                    return_angles=True)[1]) < 0).all()
    assert np.ptp(make_video_clip('move_up', np.random.default_rng(5), return_angles=True)[1]) == 0


def test_reversed_pairs_defeat_order_free_features():
    """Mean frames cannot tell left from right; the direction of motion can."""
    rng = np.random.default_rng(0)
    clips = [(make_video_clip(m, rng), label) for label, m in enumerate(('move_left', 'move_right'))
             for _ in range(40)]
    features = np.stack([c.mean(axis=0).ravel() for c, _ in clips]).astype(np.float64)
    labels = np.array([label for _, label in clips])
    train = np.arange(len(clips)) % 2 == 0
    centroids = np.stack([features[train & (labels == k)].mean(0) for k in (0, 1)])
    distance = ((features[~train, None] - centroids[None]) ** 2).sum(-1)
    order_free = (distance.argmin(1) == labels[~train]).mean()
    ordered = ((np.array([np.diff(centroid_x(c)).mean() for c, _ in clips]) > 0)
               == labels).mean()
    assert order_free < 0.75 and ordered == 1.0


def test_written_set_has_lists_and_readable_videos(tmp_path):
    lists = write_synthetic_videos(tmp_path, clips_per_class=4, seed=1, num_frames=8)
    assert {k: len(v) for k, v in lists.items()} == {'train': 16, 'val': 8, 'test': 8}
    lines = (tmp_path / 'test.txt').read_text().split('\n')
    path, label = lines[0].split()
    frames = read_video(str(tmp_path / path))
    assert len(frames) == 8 and frames[0].shape == (64, 64, 3)
    assert MOTIONS[int(label)] in path
    assert (tmp_path / 'label_map.txt').read_text().split() == list(MOTIONS)
