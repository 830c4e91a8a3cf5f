"""Per-person streaming (posegraph.runtime.streaming) with a small numpy step: persons
batched together get what each gets alone."""
import numpy as np

from posegraph.runtime.streaming import PersonStreams
from posegraph.skeleton import stream_channels

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
