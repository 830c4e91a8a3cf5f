"""Per-person streaming recognition in numpy: each tracked person's frames are normalised,
turned into the model's streams and folded into a recognizer state of their own by a
``step`` function (PyTorch's in :class:`posegraph.apis.OnlineRecognizer`, onnxruntime's in
a bundle).

A person seen for the first time starts from a fresh state; one unseen for more than
``max_age`` frames is dropped (as the tracker drops its track). A live person missing from
a frame gets a missing frame (every joint score 0), as a track's gaps are in an annotation
file.
"""
from collections import deque
from typing import Callable, Deque, Dict, List, Optional, Sequence, Tuple

import numpy as np

from posegraph.skeleton import (
    StreamingPoseNormalize,
    convert_keypoints,
    format_streams,
    get_layout,
    mask_missing,
    streams_lookahead,
)

State = Tuple[np.ndarray, ...]
# (frames (P, 1, V, C), state of P persons) -> (logits (P, classes), new state)
StepFunction = Callable[[np.ndarray, State], Tuple[np.ndarray, State]]


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities over the last axis."""
    shifted = np.exp(logits - logits.max(-1, keepdims=True))
    return shifted / shifted.sum(-1, keepdims=True)


class Person:
    """One person's recognition state: the frames kept (waiting for their motion, or a
    window), the normaliser and network state of a stream, the latest probabilities."""

    def __init__(self, frame: int, normalizer: Optional[StreamingPoseNormalize] = None,
                 state: State = (), max_frames: Optional[int] = None):
        self.pending: Deque[Tuple[np.ndarray, np.ndarray]] = deque(maxlen=max_frames)
        self.normalizer = normalizer
        self.state = state
        self.probabilities: Optional[np.ndarray] = None
        self.last_seen = frame

    def frames(self) -> Tuple[np.ndarray, np.ndarray]:
        """The kept frames as ``keypoint`` ``(T, V, 2)`` and ``keypoint_score`` ``(T, V)``."""
        return (np.stack([k for k, _ in self.pending]),
                np.stack([s for _, s in self.pending]))


class TrackedPersons:
    """What per-person recognizers share: the joints converted to the model's layout, and
    the persons' lifetimes.

    Args:
        source_layout: the joints' layout as the pose estimator gives them.
        target_layout: the model's.
        max_age: frames a person is kept without being seen.
    """

    def __init__(self, source_layout: str, target_layout: str, max_age: int):
        if max_age < 0:
            raise ValueError(f'max_age is the frames a person may go unseen: 0 or more, not '
                             f'{max_age}')
        self.source_layout = get_layout(source_layout).name
        self.target_layout = get_layout(target_layout).name
        self.num_joints = get_layout(target_layout).num_joints
        self.max_age = max_age
        self.frame = -1
        self.img_shape = (1, 1)
        self.persons: Dict[int, Person] = {}

    def new_person(self) -> Person:
        return Person(self.frame)

    def add_frame(self, track_ids: Sequence[int], keypoints: np.ndarray,
                  scores: np.ndarray) -> None:
        """Append one frame's tracked persons (in the source layout) to every live person's
        frames, a missing frame for the live ones not seen, and drop the lost."""
        keypoints, scores = np.asarray(keypoints, np.float32), np.asarray(scores, np.float32)
        if keypoints.ndim != 3 or keypoints.shape[-1] != 2 or scores.shape != keypoints.shape[:2]:
            raise ValueError(f'keypoints {keypoints.shape} and scores {scores.shape} must be '
                             '(P, V, 2) and (P, V)')
        tracks = [int(track) for track in track_ids]
        # Unchecked, a person without an id, or two persons under one, would be dropped.
        if len(tracks) != len(keypoints) or len(set(tracks)) != len(tracks):
            raise ValueError(f'track_ids {tracks} must name each of the {len(keypoints)} '
                             'persons once')
        self.frame += 1
        if self.source_layout != self.target_layout:
            keypoints, scores = convert_keypoints(keypoints, scores, self.source_layout,
                                                  self.target_layout)
        # A joint without finite coordinates is missing, as PoseDataset reads it; otherwise
        # one NaN would enter the running normalisation and poison the rest of the stream.
        keypoints, scores = mask_missing(keypoints, scores)
        seen = {t: (k, s) for t, k, s in zip(tracks, keypoints, scores)}
        for track in seen:
            if track not in self.persons:
                self.persons[track] = self.new_person()
        self.persons = {k: p for k, p in self.persons.items()
                        if k in seen or self.frame - p.last_seen <= self.max_age}
        missing = (np.zeros((self.num_joints, 2), np.float32),
                   np.zeros(self.num_joints, np.float32))
        for track, person in self.persons.items():
            if track in seen:
                person.last_seen = self.frame
            self.keep(person, *seen.get(track, missing))

    def keep(self, person: Person, keypoint: np.ndarray, score: np.ndarray) -> None:
        person.pending.append((keypoint, score))

    def probabilities(self) -> Dict[int, np.ndarray]:
        """Every live person's latest class probabilities (persons not yet scored left
        out)."""
        return {k: p.probabilities for k, p in self.persons.items()
                if p.probabilities is not None}


# (each person's kept frames (keypoint (T, V, 2), keypoint_score (T, V)), the frames'
# (height, width)) -> each person's class probabilities
WindowFunction = Callable[[List[Tuple[np.ndarray, np.ndarray]], Tuple[int, int]],
                          List[np.ndarray]]


class PersonWindows(TrackedPersons):
    """Per-person recognition of the last ``window`` frames, every ``stride`` frames, by a
    ``classify`` function that scores whole clips of joints (the config's test pipeline in
    PyTorch in :class:`posegraph.apis.SlidingWindowRecognizer`, a bundle's whole-video
    graph in onnxruntime).

    Args:
        classify: scores the live persons' windows (see :data:`WindowFunction`).
        window: frames per window.
        stride: frames between two windows.
        source_layout, target_layout, max_age: as :class:`TrackedPersons` takes them.
    """

    def __init__(self, classify: WindowFunction, window: int, stride: int,
                 source_layout: str, target_layout: str, max_age: int = 30):
        if window < 1 or stride < 1:
            raise ValueError(f'window and stride must be positive, got {window} and {stride}')
        super().__init__(source_layout, target_layout, max_age)
        self.classify, self.window, self.stride = classify, window, stride

    def new_person(self) -> Person:
        return Person(self.frame, max_frames=self.window)

    def update(self, track_ids: Sequence[int], keypoints: np.ndarray, scores: np.ndarray,
               img_shape: Tuple[int, int]) -> Dict[int, np.ndarray]:
        """Add one frame's tracked persons (as :meth:`PersonStreams.update` takes them);
        every ``stride`` frames, classify each live person's window. Returns the latest
        probabilities of every live person classified at least once."""
        self.img_shape = tuple(int(v) for v in img_shape)
        self.add_frame(track_ids, keypoints, scores)
        if (self.frame + 1) % self.stride == 0:
            self._classify(list(self.persons.values()))
        return self.probabilities()

    def flush(self) -> Dict[int, np.ndarray]:
        """Classify the persons' last windows if frames came in since the last ones."""
        if (self.frame + 1) % self.stride:
            self._classify(list(self.persons.values()))
        return self.probabilities()

    def _classify(self, persons: List[Person]) -> None:
        if persons:
            for person, probabilities in zip(persons, self.classify(
                    [person.frames() for person in persons], self.img_shape)):
                person.probabilities = probabilities


class PersonStreams(TrackedPersons):
    """Per-person streaming recognition with a ``step`` function.

    Each frame's joints are converted to the model's layout, normalised as the config's
    ``PoseNormalize`` would normalise the clip seen so far
    (:class:`~posegraph.skeleton.StreamingPoseNormalize`), turned into the model's
    streams (:func:`~posegraph.skeleton.format_streams`) and folded into the person's
    state. Motion streams look ``K`` frames ahead (``x[t + K] - x[t]``), so frame ``t`` is
    folded in when frame ``t + K`` arrives, ``K`` the largest step of the streams
    (:func:`~posegraph.skeleton.streams_lookahead`); :meth:`flush` folds the last ``K`` in at
    the end of a stream.

    Args:
        step: folds a batch of persons' frames into their states (see :data:`StepFunction`).
        initial_state: one person's state before the first frame.
        batch_dims: the axis of each state array that holds the persons.
        source_layout, target_layout, max_age: as :class:`TrackedPersons` takes them.
        streams: the model's input streams.
        normalize: ``PoseNormalize``'s options (``layout``, ``center``, ``scale``), or
            ``None`` for joints fed as they are. (default: ``None``)
    """

    def __init__(self, step: StepFunction, initial_state: State, batch_dims: Sequence[int],
                 source_layout: str, target_layout: str, streams: Sequence[str],
                 normalize: Optional[dict] = None, max_age: int = 30):
        super().__init__(source_layout, target_layout, max_age)
        self.step, self.initial_state = step, tuple(initial_state)
        self.batch_dims = list(batch_dims)
        self.streams, self.normalize = tuple(streams), normalize
        self.lookahead = streams_lookahead(self.streams)

    def new_person(self) -> Person:
        normalizer = StreamingPoseNormalize(**self.normalize) if self.normalize else None
        return Person(self.frame, normalizer, self.initial_state)

    def keep(self, person: Person, keypoint: np.ndarray, score: np.ndarray) -> None:
        if person.normalizer is not None:
            keypoint = person.normalizer(keypoint, score, self.img_shape)
        person.pending.append((keypoint, score))

    def update(self, track_ids: Sequence[int], keypoints: np.ndarray, scores: np.ndarray,
               img_shape: Tuple[int, int]) -> Dict[int, np.ndarray]:
        """Fold in one frame's tracked persons.

        Args:
            track_ids: ``(P,)`` the persons' track ids, one each (a ValueError otherwise).
            keypoints: ``(P, V, 2)`` in pixels; ``scores``: ``(P, V)``, in the source layout.
            img_shape: the frame's ``(height, width)``.

        Returns:
            Every live person's class probabilities ``(num_classes,)`` by track id, for the
            frames folded in so far (persons not yet seen for more than the streams'
            lookahead left out).
        """
        self.img_shape = tuple(int(v) for v in img_shape)
        self.add_frame(track_ids, keypoints, scores)
        self._step([p for p in self.persons.values() if len(p.pending) > self.lookahead])
        return self.probabilities()

    def flush(self) -> Dict[int, np.ndarray]:
        """Fold in every person's last frames (the end of a stream) and return the
        probabilities, as :meth:`update` does."""
        while True:
            waiting = [p for p in self.persons.values() if p.pending]
            if not waiting:
                return self.probabilities()
            self._step(waiting)

    def _step(self, persons: List[Person]) -> None:
        """Fold the oldest pending frame of each of ``persons`` in, all in one batch."""
        if not persons:
            return
        # Persons with as many pending frames (at most lookahead + 1) are formatted in one call.
        frames = [None] * len(persons)
        by_length: Dict[int, List[int]] = {}
        for n, person in enumerate(persons):
            by_length.setdefault(len(person.pending), []).append(n)
        for group in by_length.values():
            keypoint, score = zip(*(persons[n].frames() for n in group))
            formatted = format_streams(np.stack(keypoint), np.stack(score), self.target_layout,
                                       self.streams)[:, :1]          # (P, 1, V, C)
            for n, person_frames in zip(group, formatted):
                frames[n] = person_frames
        for person in persons:
            person.pending.popleft()
        if len(persons) == 1:     # the common case: no batching of states
            logits, persons[0].state = self.step(frames[0][None], persons[0].state)
            persons[0].probabilities = softmax(logits)[0]
            return
        state = tuple(np.concatenate([p.state[i] for p in persons], axis=d)
                      for i, d in enumerate(self.batch_dims))
        logits, state = self.step(np.stack(frames), state)
        probabilities = softmax(logits)
        for n, person in enumerate(persons):
            person.state = tuple(np.take(s, [n], axis=d) for s, d in zip(state, self.batch_dims))
            person.probabilities = probabilities[n]
