"""Recognition while a video plays: per-person streaming and sliding windows."""
import numpy as np
import pytest

from posegraph.apis import (
    OnlineRecognizer,
    SlidingWindowRecognizer,
    inference_record,
    init_recognizer,
)
from posegraph.datasets.transforms import PoseNormalize
from posegraph.skeleton import StreamingPoseNormalize, get_layout

SHAPE = (480, 640)


@pytest.fixture(scope='module')
def model():
    return init_recognizer()      # the shipped JHMDB model (jhmdb15, 14 classes)


def moving_person(rng, frames=32, still_body=False):
    """jhmdb15 joints in pixels: limbs that move; with ``still_body`` the body centre and
    the bounding box stay put (two joints pinned at its corners)."""
    layout = get_layout('jhmdb15')
    base = rng.uniform(100, 200, (layout.num_joints, 2)).astype(np.float32)
    keypoint = np.repeat(base[None], frames, 0)
    moving = [j for j in range(layout.num_joints) if j not in layout.center]
    keypoint[:, moving[:6]] += rng.normal(0, 6, (frames, 6, 2)).astype(np.float32)
    if still_body:
        keypoint = np.clip(keypoint, 100, 200)
        keypoint[:, moving[6]], keypoint[:, moving[7]] = 100, 200
    else:
        keypoint += np.linspace(0, 80, frames, dtype=np.float32)[:, None, None]   # walks
    return keypoint, np.ones(keypoint.shape[:2], np.float32)


def record_of(keypoint, score):
    return {'frame_dir': 'clip', 'label': -1, 'total_frames': len(keypoint),
            'img_shape': SHAPE, 'original_shape': SHAPE, 'keypoint': keypoint[None],
            'keypoint_score': score[None]}


def stream(recognizer, persons, frames):
    """Feed ``{id: (keypoint (T, V, 2), score (T, V))}`` frame by frame (a person whose
    scores are all 0 is not in that frame); the answer of every frame."""
    answers = []
    for t in range(frames):
        ids = [k for k in persons if persons[k][1][t].any()]
        num_joints = next(iter(persons.values()))[1].shape[1]
        keypoint = np.array([persons[k][0][t] for k in ids], np.float32).reshape(-1, num_joints, 2)
        score = np.array([persons[k][1][t] for k in ids], np.float32).reshape(-1, num_joints)
        answers.append(recognizer.update(ids, keypoint, score, SHAPE))
    return answers


def test_a_streamed_clip_scores_what_the_test_pipeline_gives(model):
    """One test clip of clip_len frames whose body stays put: the running normalisation
    equals the clip's, so step by step (with the two-frame look-ahead of the motion
    streams, flushed at the end) the model must give tools/test.py's probabilities."""
    keypoint, score = moving_person(np.random.default_rng(0), still_body=True)
    offline = inference_record(model, record_of(keypoint, score)).pred_score.numpy()
    online = OnlineRecognizer(model, layout='jhmdb15')
    before = stream(online, {7: (keypoint, score)}, len(keypoint))[-1]
    assert not np.allclose(before[7], offline, atol=1e-4)     # two frames still pending
    np.testing.assert_allclose(online.flush()[7], offline, atol=1e-5)


def test_streaming_normalisation_ends_at_the_clips(model):
    keypoint, score = moving_person(np.random.default_rng(1))
    score[5:9, 3] = 0                                               # a joint unseen a while
    offline = PoseNormalize('jhmdb15')({'keypoint': keypoint[None].copy(),
                                        'keypoint_score': score[None]})['keypoint'][0]
    running = StreamingPoseNormalize('jhmdb15')
    streamed = [running(k, s) for k, s in zip(keypoint, score)]
    np.testing.assert_allclose(streamed[-1], offline[-1], atol=1e-5)   # statistics now equal
    assert not np.allclose(streamed[0], offline[0], atol=1e-3)        # the centre was moving


def test_each_person_has_a_state_of_their_own(model):
    rng = np.random.default_rng(2)
    walker, other = moving_person(rng, 24), moving_person(rng, 24)
    alone = stream(OnlineRecognizer(model, layout='jhmdb15'), {3: walker}, 24)[-1]
    together = stream(OnlineRecognizer(model, layout='jhmdb15'), {3: walker, 5: other},
                      24)[-1]
    np.testing.assert_allclose(together[3], alone[3], atol=1e-6)
    assert not np.allclose(together[5], together[3], atol=1e-3)


def test_a_lost_person_is_dropped_and_a_new_track_starts_fresh(model):
    rng = np.random.default_rng(3)
    (first, first_score), (second, second_score) = moving_person(rng, 30), moving_person(rng, 30)
    first_score[10:] = 0                                           # leaves after 10 frames
    second_score[:20] = 0                                          # arrives at frame 20
    recognizer = OnlineRecognizer(model, layout='jhmdb15', max_age=4)
    answers = stream(recognizer, {0: (first, first_score), 1: (second, second_score)}, 30)
    assert 0 in answers[13] and answers[14] == {}     # last seen at 9, kept 4 frames unseen
    assert set(answers[22]) == {1}
    fresh = stream(OnlineRecognizer(model, layout='jhmdb15'),
                   {1: (second[20:], second_score[20:])}, 10)[-1]
    np.testing.assert_allclose(answers[-1][1], fresh[1], atol=1e-6)
    with pytest.raises(ValueError, match='max_age is the frames a person may go unseen: 0 or '
                       'more, not -1'):
        OnlineRecognizer(model, layout='jhmdb15', max_age=-1)


def test_estimator_joints_are_converted_to_the_models_layout(model):
    from posegraph.skeleton import convert_keypoints
    rng = np.random.default_rng(4)
    coco = (rng.uniform(100, 200, (17, 2)) + rng.normal(0, 5, (12, 17, 2))).astype(np.float32)
    coco_score = np.ones((12, 17), np.float32)
    via_coco = stream(OnlineRecognizer(model, layout='coco17'), {0: (coco, coco_score)}, 12)
    jhmdb, jhmdb_score = convert_keypoints(coco, coco_score, 'coco17', 'jhmdb15')
    direct = stream(OnlineRecognizer(model, layout='jhmdb15'), {0: (jhmdb, jhmdb_score)}, 12)
    np.testing.assert_allclose(via_coco[-1][0], direct[-1][0], atol=1e-6)


def test_sliding_windows_classify_each_persons_last_frames(model):
    keypoint, score = moving_person(np.random.default_rng(5), 24)
    windows = SlidingWindowRecognizer(model, window=16, stride=8, layout='jhmdb15')
    answers = [windows.update([0], keypoint[t:t + 1], score[t:t + 1], SHAPE) for t in range(24)]
    assert answers[6] == {} and 0 in answers[7]                    # first window at frame 8
    expected = inference_record(model, record_of(keypoint[8:], score[8:])).pred_score.numpy()
    np.testing.assert_allclose(answers[23][0], expected, atol=1e-6)
    np.testing.assert_allclose(answers[22][0], answers[16][0])     # held between windows


def test_a_network_without_a_step_is_pointed_to_windows():
    stgcn = init_recognizer('configs/stgcn_jhmdb.py')
    with pytest.raises(TypeError, match='no streaming step.*--window'):
        OnlineRecognizer(stgcn)
    assert isinstance(SlidingWindowRecognizer(stgcn, window=8), SlidingWindowRecognizer)


def test_streaming_statistics_cover_the_last_history_frames():
    """A person who walks closer: after `history` frames the normaliser has forgotten the
    far ones, and normalises as PoseNormalize does the recent clip."""
    keypoint, score = moving_person(np.random.default_rng(6), 30)
    keypoint[15:] = 150 + (keypoint[15:] - 150) * 2                 # twice as large from 15
    running = StreamingPoseNormalize('jhmdb15', history=10)
    streamed = [running(k, s) for k, s in zip(keypoint, score)]
    recent = PoseNormalize('jhmdb15')({'keypoint': keypoint[None, 20:].copy(),
                                       'keypoint_score': score[None, 20:]})['keypoint'][0]
    np.testing.assert_allclose(streamed[-1], recent[-1], atol=1e-5)
    whole = StreamingPoseNormalize('jhmdb15')                         # default: all 30 frames
    assert not np.allclose([whole(k, s) for k, s in zip(keypoint, score)][-1], recent[-1],
                           atol=1e-3)
