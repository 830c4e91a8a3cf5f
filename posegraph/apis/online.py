"""Recognition while a video plays: one recognizer state per tracked person.

Both recognizers here take a frame's tracked persons at a time (track ids from
:class:`~posegraph.pose.tracking.PoseTracker`) and answer, for every live person, the class
probabilities of the action so far:

- :class:`OnlineRecognizer` folds each frame into the network's streaming ``step``
  (the pose-attention GRU carried per person);
- :class:`SlidingWindowRecognizer` classifies each person's last ``window`` frames, every
  ``stride`` frames, through the config's test pipeline, for videos with several actions
  one after another, and for networks without a ``step``.

A person seen for the first time starts from a fresh state; one unseen for more than
``max_age`` frames is dropped (as the tracker drops its track). A live person missing from
a frame gets a missing frame (every joint score 0), as a track's gaps are in an annotation
file.
"""
from collections import deque
from typing import Deque, Dict, List, Sequence, Tuple

import numpy as np
import torch

from posegraph.datasets.io import UNLABELLED
from posegraph.datasets.transforms import FormatStreams, StreamingPoseNormalize
from posegraph.pose.tracking import PoseTracker
from posegraph.skeleton import convert_keypoints, get_layout
from .inference import inference_pose, inference_records, model_layout

# Test-pipeline steps that only pick or pack frames, which a stream does by itself.
_STREAM_FREE_STEPS = ('SelectPersons', 'UniformSampleFrames', 'PoseDecode',
                      'PackSkeletonInputs')


class _Person:
    """One person's recognition state: the frames kept (waiting for their motion, or the
    window), the normaliser and network state of a stream, the latest probabilities."""

    def __init__(self, frame: int, normalizer=None, state: Tuple[torch.Tensor, ...] = (),
                 max_frames=None):
        self.pending: Deque[Tuple[np.ndarray, np.ndarray]] = deque(maxlen=max_frames)
        self.normalizer = normalizer
        self.state = state
        self.probabilities = None
        self.last_seen = frame


class _TrackedRecognizer:
    """What both recognizers share: layout conversion and the persons' lifetimes."""

    def __init__(self, model, layout: str, max_age: int):
        self.model = model
        self.source_layout = get_layout(layout).name
        self.target_layout = get_layout(model_layout(model)).name
        self.max_age = max_age
        self.frame = -1
        self.persons: Dict[int, object] = {}

    def _convert(self, keypoints: np.ndarray, scores: np.ndarray):
        keypoints, scores = np.asarray(keypoints, np.float32), np.asarray(scores, np.float32)
        if keypoints.ndim != 3 or keypoints.shape[-1] != 2 or scores.shape != keypoints.shape[:2]:
            raise ValueError(f'keypoints {keypoints.shape} and scores {scores.shape} must be '
                             '(P, V, 2) and (P, V)')
        if self.source_layout != self.target_layout:
            keypoints, scores = convert_keypoints(keypoints, scores, self.source_layout,
                                                  self.target_layout)
        return keypoints, scores

    def _drop_lost(self) -> None:
        self.persons = {k: p for k, p in self.persons.items()
                        if self.frame - p.last_seen <= self.max_age}

    def probabilities(self) -> Dict[int, np.ndarray]:
        """Every live person's latest class probabilities (persons not yet scored left
        out)."""
        return {k: p.probabilities for k, p in self.persons.items()
                if p.probabilities is not None}


class OnlineRecognizer(_TrackedRecognizer):
    """Per-person streaming recognition through a network's ``step``.

    Each frame's joints are converted to the model's layout, normalised as the config's
    ``PoseNormalize`` would normalise the clip seen so far
    (:class:`~posegraph.datasets.transforms.StreamingPoseNormalize`), turned into the
    config's streams by its own ``FormatStreams``, and folded into the person's state.
    Motion streams look two frames ahead (``x[t + 2] - x[t]``), so frame ``t`` is folded in
    when frame ``t + 2`` arrives; :meth:`flush` folds the last two at the end of a stream.
    A clip streamed and flushed scores what ``tools/test.py`` gives it when the clip is one
    test clip of ``clip_len`` frames and its body centre and size stay put (the offline
    statistics are the clip's, the streaming ones those so far).

    Args:
        model: a recognizer from :func:`~posegraph.apis.init_recognizer` whose network has
            ``initial_state`` and ``step`` (PAN and its ensembles).
        layout: the joints' layout as the pose estimator gives them (default ``'coco17'``).
        max_age: frames a person is kept without being seen (default 30).
    """

    def __init__(self, model, layout: str = 'coco17', max_age: int = 30):
        super().__init__(model, layout, max_age)
        network = model.network
        if not (hasattr(network, 'step') and hasattr(network, 'initial_state')):
            raise TypeError(f'{type(network).__name__} has no streaming step: recognise in '
                            'sliding windows instead (SlidingWindowRecognizer, '
                            'tools/demo.py --window)')
        self.network = network
        normalize, formatting = None, None
        for step in model.cfg.test_dataloader.dataset.pipeline:
            kind = step['type']
            options = {k: v for k, v in step.items() if k != 'type'}
            if kind == 'PoseNormalize':
                normalize = options
            elif kind == 'FormatStreams':
                formatting = FormatStreams(**options)
            elif kind not in _STREAM_FREE_STEPS:
                raise ValueError(f'the test pipeline step {kind} has no streaming form: '
                                 'recognise in sliding windows instead')
        if formatting is None:
            raise ValueError('the test pipeline has no FormatStreams step')
        self.normalize_options, self.formatting = normalize, formatting
        self.device = next(network.parameters()).device
        # Which dimension of each state tensor holds the batch (the GRU's hidden state
        # keeps it second): where one person's and two persons' states differ.
        one, two = network.initial_state(1, 1), network.initial_state(2, 1)
        self.batch_dims = [next(d for d in range(a.dim()) if a.shape[d] != b.shape[d])
                           for a, b in zip(one, two)]

    def _new_person(self) -> _Person:
        normalizer = (StreamingPoseNormalize(**self.normalize_options)
                      if self.normalize_options is not None else None)
        return _Person(self.frame, normalizer, self.network.initial_state(1, 1, self.device))

    def update(self, track_ids: Sequence[int], keypoints: np.ndarray, scores: np.ndarray,
               img_shape: Tuple[int, int]) -> Dict[int, np.ndarray]:
        """Fold in one frame's tracked persons.

        Args:
            track_ids: ``(P,)`` the persons' track ids.
            keypoints: ``(P, V, 2)`` in pixels; ``scores``: ``(P, V)``, in ``layout``.
            img_shape: the frame's ``(height, width)``.

        Returns:
            Every live person's class probabilities ``(num_classes,)`` by track id, for the
            frames folded in so far (persons seen for under three frames left out).
        """
        self.frame += 1
        keypoints, scores = self._convert(keypoints, scores)
        seen = {}
        for track, k, s in zip(track_ids, keypoints, scores):
            seen[int(track)] = (k, s)
            if int(track) not in self.persons:
                self.persons[int(track)] = self._new_person()
        self._drop_lost()
        for track, person in self.persons.items():
            if track in seen:
                person.last_seen = self.frame
                k, s = seen[track]
            else:
                k = np.zeros((get_layout(self.target_layout).num_joints, 2), np.float32)
                s = np.zeros(len(k), np.float32)
            if person.normalizer is not None:
                k = person.normalizer(k, s, img_shape)
            person.pending.append((k, s))
        self._step([p for p in self.persons.values() if len(p.pending) == 3])
        return self.probabilities()

    def flush(self) -> Dict[int, np.ndarray]:
        """Fold in every person's last frames (the end of a stream) and return the
        probabilities, as :meth:`update` does."""
        while True:
            waiting = [p for p in self.persons.values() if p.pending]
            if not waiting:
                return self.probabilities()
            self._step(waiting)

    def _step(self, persons: List[_Person]) -> None:
        """Fold the oldest pending frame of each of ``persons`` in, all in one batch."""
        if not persons:
            return
        frames = []
        for person in persons:
            keypoint = np.stack([k for k, _ in person.pending])[None]   # (1, T, V, 2)
            score = np.stack([s for _, s in person.pending])[None]
            inputs = self.formatting({'keypoint': keypoint, 'keypoint_score': score,
                                      'num_clips': 1, 'clip_len': keypoint.shape[1]})['inputs']
            frames.append(inputs[0, :, 0])                                # (1, V, C)
            person.pending.popleft()
        state = tuple(torch.cat([p.state[i] for p in persons], dim=d)
                      for i, d in enumerate(self.batch_dims))
        with torch.no_grad():
            logits, state = self.network.step(
                torch.from_numpy(np.stack(frames)).to(self.device), state)
        probabilities = logits.softmax(-1).cpu().numpy()
        for n, person in enumerate(persons):
            person.state = tuple(s.narrow(d, n, 1) for s, d in zip(state, self.batch_dims))
            person.probabilities = probabilities[n]


class SlidingWindowRecognizer(_TrackedRecognizer):
    """Per-person recognition of the last ``window`` frames, every ``stride`` frames,
    through the config's test pipeline (:func:`~posegraph.apis.inference_records`).

    Args:
        model: a recognizer from :func:`~posegraph.apis.init_recognizer`.
        window: frames per window (default 32).
        stride: frames between two windows (default 8).
        layout: the joints' layout as the pose estimator gives them (default ``'coco17'``).
        max_age: frames a person is kept without being seen (default 30).
    """

    def __init__(self, model, window: int = 32, stride: int = 8, layout: str = 'coco17',
                 max_age: int = 30):
        if window < 1 or stride < 1:
            raise ValueError(f'window and stride must be positive, got {window} and {stride}')
        super().__init__(model, layout, max_age)
        self.window, self.stride = window, stride
        self.img_shape = (1, 1)

    def update(self, track_ids: Sequence[int], keypoints: np.ndarray, scores: np.ndarray,
               img_shape: Tuple[int, int]) -> Dict[int, np.ndarray]:
        """Add one frame's tracked persons (as :meth:`OnlineRecognizer.update` takes them);
        every ``stride`` frames, classify each live person's window. Returns the latest
        probabilities of every live person classified at least once."""
        self.frame += 1
        self.img_shape = tuple(int(v) for v in img_shape)
        keypoints, scores = self._convert(keypoints, scores)
        num_joints = get_layout(self.target_layout).num_joints
        seen = {int(t): (k, s) for t, k, s in zip(track_ids, keypoints, scores)}
        for track in seen:
            if track not in self.persons:
                self.persons[track] = _Person(self.frame, max_frames=self.window)
        self._drop_lost()
        for track, person in self.persons.items():
            if track in seen:
                person.last_seen = self.frame
            person.pending.append(seen.get(track, (np.zeros((num_joints, 2), np.float32),
                                                   np.zeros(num_joints, np.float32))))
        if (self.frame + 1) % self.stride == 0:
            self._classify(list(self.persons.values()))
        return self.probabilities()

    def flush(self) -> Dict[int, np.ndarray]:
        """Classify the persons' last windows if frames came in since the last ones."""
        if (self.frame + 1) % self.stride:
            self._classify(list(self.persons.values()))
        return self.probabilities()

    def _classify(self, persons: List[_Person]) -> None:
        if not persons:
            return
        records = []
        for person in persons:
            keypoint = np.stack([k for k, _ in person.pending])[None]
            score = np.stack([s for _, s in person.pending])[None]
            records.append({'frame_dir': 'window', 'label': UNLABELLED,
                            'total_frames': keypoint.shape[1], 'img_shape': self.img_shape,
                            'original_shape': self.img_shape, 'keypoint': keypoint,
                            'keypoint_score': score})
        for person, result in zip(persons, inference_records(self.model, records)):
            person.probabilities = result.pred_score.numpy()


class VideoActionRecognizer:
    """Frames in, tracked persons with their actions out: a pose estimator, a
    :class:`~posegraph.pose.tracking.PoseTracker` and a per-person recognizer, a frame at
    a time.

    Args:
        estimator: a pose back-end (:func:`~posegraph.apis.init_pose_estimator`).
        recognizer: an :class:`OnlineRecognizer` or a :class:`SlidingWindowRecognizer`;
            its ``max_age`` is the tracker's too.
        min_similarity: the tracker's (default ``0.1``).
    """

    def __init__(self, estimator, recognizer, min_similarity: float = 0.1):
        self.estimator, self.recognizer = estimator, recognizer
        self.tracker = PoseTracker(min_similarity, recognizer.max_age)

    def __call__(self, frame: np.ndarray) -> List[dict]:
        """The persons of one BGR frame: dicts with ``id``, ``keypoints`` ``(V, 2)`` and
        ``keypoint_scores`` ``(V,)`` in the estimator's layout, and ``probabilities``
        (``(num_classes,)``, or ``None`` until the person's first score)."""
        pose = inference_pose(self.estimator, [frame])[0]
        keypoints, scores = pose['keypoints'], pose['keypoint_scores']
        ids = self.tracker.update(keypoints, scores)
        probabilities = self.recognizer.update(ids, keypoints, scores, frame.shape[:2])
        return [{'id': int(track), 'keypoints': k, 'keypoint_scores': s,
                 'probabilities': probabilities.get(int(track))}
                for track, k, s in zip(ids, keypoints, scores)]
