import os

import numpy as np
import pytest

from posegraph.pose.tracking import keypoint_similarity, track_persons
from posegraph.skeleton import convert_keypoints
from conftest import SHARED

LANDMARKS = os.path.join(SHARED, 'data', 'reference', 'video_mediapipe_landmarks.npz')


@pytest.fixture(scope='module')
def walker():
    """Real joint motion: BlazePose on ../shared/media/video.avi, as coco17."""
    if not os.path.isfile(LANDMARKS):
        pytest.skip('../shared/data/reference is not present')
    data = np.load(LANDMARKS)
    landmarks = data['landmarks']
    return convert_keypoints(landmarks[..., :2], landmarks[..., 3], 'mediapipe33', 'coco17')


def test_tracks_survive_shuffling_gaps_crossing_and_ghosts(walker):
    keypoints, scores = walker
    rng = np.random.default_rng(0)
    frames = len(keypoints)
    # A second person crosses below the first, from right to left.
    offset = np.stack([np.linspace(350, -350, frames), np.full(frames, 120)], 1)
    second = keypoints + offset[:, None, :].astype(np.float32)
    detections = []
    for t in range(frames):
        people = [(keypoints[t], scores[t]), (second[t], scores[t] * 0.9)]
        if 40 <= t < 46:
            people = people[1:]                                 # the first is lost
        if t % 50 == 7:                                         # a one-frame ghost
            people.append((rng.uniform(0, 700, (17, 2)).astype(np.float32),
                           np.full(17, 0.3, np.float32)))
        order = rng.permutation(len(people))
        detections.append((np.stack([people[i][0] for i in order]),
                           np.stack([people[i][1] for i in order])))
    keypoint, keypoint_score = track_persons(detections, num_person=2)
    assert keypoint.shape == (2, frames, 17, 2)
    seen = [t for t in range(frames) if not 40 <= t < 46]
    np.testing.assert_array_equal(keypoint[0, seen], keypoints[seen])
    np.testing.assert_array_equal(keypoint[1], second)
    assert (keypoint_score[0, 40:46] == 0).all() and (keypoint[0, 40:46] == 0).all()


def test_empty_frames_and_fewer_people_than_asked():
    pose = np.random.default_rng(1).uniform(100, 200, (1, 17, 2)).astype(np.float32)
    score = np.ones((1, 17), np.float32)
    empty = (np.zeros((0, 17, 2), np.float32), np.zeros((0, 17), np.float32))
    keypoint, keypoint_score = track_persons([empty, (pose, score), empty, (pose, score)],
                                             num_person=3)
    assert keypoint.shape == (3, 4, 17, 2)
    assert keypoint_score[0].sum(-1).tolist() == [0, 17, 0, 17]
    assert (keypoint_score[1:] == 0).all()
    keypoint, _ = track_persons([empty, empty], num_person=1)
    assert keypoint.shape == (1, 2, 17, 2) and (keypoint == 0).all()


def test_similarity_prefers_the_near_pose():
    base = np.random.default_rng(2).uniform(0, 100, (1, 17, 2))
    near, far = base + 2, base + 60
    similarity = keypoint_similarity(base, np.ones((1, 17)), np.concatenate([near, far]),
                                     np.ones((2, 17)))
    assert similarity[0, 0] > 0.9 > 0.1 > similarity[0, 1]


def test_online_tracker_keeps_ids_and_ends_tracks_after_max_age(walker):
    from posegraph.pose.tracking import PoseTracker
    keypoints, scores = walker
    second = keypoints + np.float32([300, 0])
    tracker = PoseTracker(max_age=5)
    ids = [tracker.update(np.stack([keypoints[t], second[t]]), np.stack([scores[t]] * 2))
           for t in range(20)]
    assert all(list(i) == [0, 1] for i in ids)                   # the same two ids throughout
    assert list(tracker.update(second[20:21], scores[20:21])) == [1]   # order does not matter
    for t in range(21, 27):                                     # the first is away 6 > 5 frames
        assert list(tracker.update(second[t:t + 1], scores[t:t + 1])) == [1]
    back = tracker.update(np.stack([keypoints[27], second[27]]), np.stack([scores[27]] * 2))
    assert list(back) == [2, 1]                                  # back, as a new track


@pytest.mark.parametrize('max_age', [0, 3])
def test_a_track_unseen_for_max_age_frames_is_still_linked_one_more_is_not(max_age):
    # Before, a track ended a frame early: with max_age=0 every frame started new tracks.
    from posegraph.pose.tracking import PoseTracker
    pose = np.random.default_rng(0).uniform(50, 150, (1, 17, 2)).astype(np.float32)
    score, nobody = np.ones((1, 17), np.float32), np.zeros((0, 17, 2), np.float32)
    for away, linked in ((max_age, True), (max_age + 1, False)):
        tracker = PoseTracker(max_age=max_age)
        assert [int(tracker.update(pose, score)[0]) for _ in range(3)] == [0, 0, 0]
        for _ in range(away):
            tracker.update(nobody, score[:0])
        assert (int(tracker.update(pose, score)[0]) == 0) is linked
    with pytest.raises(ValueError, match='0 or more, not -1'):
        PoseTracker(max_age=-1)


def test_keeping_no_track_is_refused():
    # A video's record of M = 0 persons trained and tested as empty.
    with pytest.raises(ValueError, match='num_person is the tracks kept: 1 or more, not 0'):
        track_persons([(np.zeros((1, 17, 2)), np.ones((1, 17)))], num_person=0)
