"""Per-person streaming (posegraph.runtime.streaming) with a small numpy step: persons
batched together get what each gets alone."""
import numpy as np
import pytest

from posegraph.runtime.streaming import PersonStreams, softmax
from posegraph.skeleton import format_streams, stream_channels

STREAMS = ('joint', 'bone', 'joint_motion', 'joint_motion2')
CHANNELS = stream_channels(STREAMS, 15) + 1


def linear_step(frames, state):
    """A recurrent step in numpy: the state accumulates the frames, the logits read it."""
    (total,) = state
    total = 0.5 * total + frames.reshape(len(frames), -1)
    weights = np.random.default_rng(0).normal(size=(total.shape[1], 4))
    return total @ weights, (total,)


def streams():
    return PersonStreams(linear_step, (np.zeros((1, 15 * CHANNELS)),), [0], 'coco17',
                         'jhmdb15', STREAMS, normalize={'layout': 'jhmdb15'})


def walker(seed, frames):
    rng = np.random.default_rng(seed)
    keypoints = rng.uniform(100, 300, (17, 2)) + rng.normal(0, 3, (frames, 17, 2))
    return keypoints.astype(np.float32), np.full((frames, 17), 0.9, np.float32)


def test_persons_batched_at_different_points_of_their_streams_get_what_they_get_alone():
    """Persons from frame 0, 5 and 11 of 12: at the end one has a frame pending, the others
    two, and all are folded in together."""
    starts = {1: 0, 2: 5, 3: 11}
    tracks = {person: walker(person, 12 - start) for person, start in starts.items()}
    together = streams()
    alone = {person: streams() for person in starts}
    for t in range(12):
        present = [person for person, start in starts.items() if t >= start]
        joints = {p: (tracks[p][0][t - starts[p]], tracks[p][1][t - starts[p]]) for p in present}
        together.update(present, np.stack([joints[p][0] for p in present]),
                        np.stack([joints[p][1] for p in present]), (480, 640))
        for p in present:
            alone[p].update([p], joints[p][0][None], joints[p][1][None], (480, 640))
    assert sorted(len(p.pending) for p in together.persons.values()) == [1, 2, 2]
    final = together.flush()
    for person, streamed in alone.items():
        np.testing.assert_allclose(final[person], streamed.flush()[person], rtol=1e-6)


@pytest.mark.parametrize('streams, lookahead', [(('joint',), 0), (('joint', 'bone'), 0),
                                                (('joint', 'joint_motion4'), 4)])
def test_frames_wait_as_long_as_the_streams_look_ahead(streams, lookahead):
    """A frame is folded in once the frames its motion needs have come (at once when no
    stream looks ahead), and the stream flushed equals the whole clip's streams folded in
    one by one."""
    channels = stream_channels(streams, 15) + 1
    person = PersonStreams(linear_step, (np.zeros((1, 15 * channels)),), [0], 'jhmdb15',
                           'jhmdb15', streams)
    keypoint, score = walker(0, 10)
    keypoint, score = keypoint[:, :15], score[:, :15]
    for t in range(10):
        answer = person.update([0], keypoint[t][None], score[t][None], (480, 640))
        assert (0 in answer) == (t >= lookahead)
        assert len(person.persons[0].pending) == min(t + 1, lookahead)
    streamed = person.flush()[0]
    clip = format_streams(keypoint[None], score[None], 'jhmdb15', streams)[0]
    state = (np.zeros((1, 15 * channels)),)
    for frame in clip:
        logits, state = linear_step(frame[None], state)
    np.testing.assert_allclose(streamed, softmax(logits)[0], rtol=1e-6)


@pytest.mark.filterwarnings('error::RuntimeWarning')   # nor a numpy warning on the way
def test_a_joint_without_coordinates_is_missing_not_a_poisoned_stream():
    """Joints whose coordinates are NaN or infinite (a converter's gaps) count as missing,
    as PoseDataset reads them: the stream gets what it gets with those joints at score 0,
    and stays finite after them."""
    keypoint, score = walker(4, 12)
    gaps = keypoint.copy()
    gaps[3, 5:9], gaps[7, 0] = np.nan, np.inf
    hidden = score.copy()
    hidden[3, 5:9] = hidden[7, 0] = 0
    with_gaps, with_hidden = streams(), streams()
    for t in range(12):
        answer = with_gaps.update([0], gaps[t][None], score[t][None], (480, 640))
        expected = with_hidden.update([0], keypoint[t][None], hidden[t][None], (480, 640))
        assert answer.keys() == expected.keys()
        for person in answer:
            assert np.isfinite(answer[person]).all()
            np.testing.assert_allclose(answer[person], expected[person], rtol=1e-6)
    np.testing.assert_allclose(with_gaps.flush()[0], with_hidden.flush()[0], rtol=1e-6)


@pytest.mark.parametrize('ids', [[0], [0, 1, 2], [3, 3]])
def test_track_ids_that_do_not_name_each_person_once_are_refused(ids):
    # Before, zip() dropped a person without an id, and a repeated id kept one of the two.
    keypoint, score = walker(5, 2)
    persons = streams()
    persons.update([0, 1], np.stack([keypoint[0]] * 2), np.stack([score[0]] * 2), (480, 640))
    with pytest.raises(ValueError, match=r'track_ids \[.*\] must name each of the 2 persons '
                       'once'):
        persons.update(ids, np.stack([keypoint[1]] * 2), np.stack([score[1]] * 2), (480, 640))
    assert persons.frame == 0 and sorted(persons.persons) == [0, 1]   # left as it was
