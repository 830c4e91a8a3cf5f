"""Recognition while a video plays: one recognizer state per tracked person.

Both recognizers here take a frame's tracked persons at a time (track ids from
:class:`~posegraph.pose.tracking.PoseTracker`) and answer, for every live person, the class
probabilities of the action so far:

- :class:`OnlineRecognizer` folds each frame into the network's streaming ``step``
  (the pose-attention GRU carried per person);
- :class:`SlidingWindowRecognizer` classifies each person's last ``window`` frames, every
  ``stride`` frames, through the config's test pipeline, for videos with several actions
  one after another, and for networks without a ``step``.

The persons' bookkeeping is :mod:`posegraph.runtime.streaming`'s, which the torch-free
runtime shares, as it shares :class:`~posegraph.runtime.VideoActionRecognizer`, which joins
an estimator, the tracker and one of these.
"""
from typing import List, Sequence, Tuple

import numpy as np
import torch

from posegraph.export import growing_axis
from posegraph.runtime.streaming import PersonStreams, PersonWindows, State
from .inference import inference_records, model_layout, skeleton_record

# Test-pipeline steps that only pick or pack frames, which a stream does by itself.
_STREAM_FREE_STEPS = ('SelectPersons', 'UniformSampleFrames', 'PoseDecode',
                      'PackSkeletonInputs')


def has_step(network: torch.nn.Module) -> bool:
    """Whether ``network`` recognises online, a frame at a time: it has ``initial_state``
    and ``step`` (PAN and its ensembles; not ST-GCN, whose temporal convolutions see whole
    windows)."""
    return hasattr(network, 'step') and hasattr(network, 'initial_state')


def streaming_setup(model: torch.nn.Module) -> Tuple[dict, Sequence[str]]:
    """The ``PoseNormalize`` options (or ``None``) and the streams of a recognizer's test
    pipeline, for a stream to prepare frames as the pipeline prepares clips.

    Raises:
        ValueError: for a pipeline step with no streaming form.
    """
    normalize, streams = None, None
    for step in model.cfg.test_dataloader.dataset.pipeline:
        kind = step['type']
        options = {k: v for k, v in step.items() if k != 'type'}
        if kind == 'PoseNormalize':
            normalize = options
        elif kind == 'FormatStreams':
            streams = tuple(options.get('streams', ('joint',)))
        elif kind not in _STREAM_FREE_STEPS:
            raise ValueError(f'the test pipeline step {kind} has no streaming form: '
                             'recognise in sliding windows instead')
    if streams is None:
        raise ValueError('the test pipeline has no FormatStreams step')
    return normalize, streams


def state_batch_dims(network: torch.nn.Module) -> List[int]:
    """The axis of each streaming state tensor that holds the persons (the GRU's hidden
    state keeps it second): where one person's and two persons' states differ."""
    return [growing_axis(a, b)
            for a, b in zip(network.initial_state(1, 1), network.initial_state(2, 1))]


class OnlineRecognizer(PersonStreams):
    """Per-person streaming recognition through a PyTorch network's ``step``
    (:class:`~posegraph.runtime.streaming.PersonStreams` does the bookkeeping).

    A clip streamed and flushed scores what ``tools/test.py`` gives it when the clip is one
    test clip of ``clip_len`` frames and its body centre and size stay put (the offline
    statistics are the clip's, the streaming ones those so far).

    Args:
        model: a recognizer from :func:`~posegraph.apis.init_recognizer` whose network has
            ``initial_state`` and ``step`` (PAN and its ensembles).
        layout: the joints' layout as the pose estimator gives them (default ``'coco17'``).
        max_age: frames a person is kept without being seen (default 30).
    """

    def __init__(self, model: torch.nn.Module, layout: str = 'coco17', max_age: int = 30):
        network = model.network
        if not has_step(network):
            raise TypeError(f'{type(network).__name__} has no streaming step: recognise in '
                            'sliding windows instead (SlidingWindowRecognizer, '
                            'tools/demo.py --window)')
        normalize, streams = streaming_setup(model)
        self.network = network
        self.device = next(network.parameters()).device
        initial = tuple(s.numpy() for s in network.initial_state(1, 1))
        super().__init__(self._torch_step, initial, state_batch_dims(network), layout,
                         model_layout(model), streams, normalize, max_age)

    def _torch_step(self, frames: np.ndarray, state: State) -> Tuple[np.ndarray, State]:
        with torch.inference_mode():
            logits, state = self.network.step(
                torch.from_numpy(frames).to(self.device),
                tuple(torch.from_numpy(s).to(self.device) for s in state))
        return logits.cpu().numpy(), tuple(s.cpu().numpy() for s in state)


class SlidingWindowRecognizer(PersonWindows):
    """Per-person recognition of the last ``window`` frames, every ``stride`` frames,
    through the config's test pipeline (:func:`~posegraph.apis.inference_records`;
    :class:`~posegraph.runtime.streaming.PersonWindows` does the bookkeeping).

    Args:
        model: a recognizer from :func:`~posegraph.apis.init_recognizer`.
        window: frames per window (default 32).
        stride: frames between two windows (default 8).
        layout: the joints' layout as the pose estimator gives them (default ``'coco17'``).
        max_age: frames a person is kept without being seen (default 30).
    """

    def __init__(self, model: torch.nn.Module, window: int = 32, stride: int = 8,
                 layout: str = 'coco17', max_age: int = 30):
        super().__init__(self._torch_classify, window, stride, layout, model_layout(model),
                         max_age)
        self.model = model

    def _torch_classify(self, windows: List[Tuple[np.ndarray, np.ndarray]],
                        img_shape: Tuple[int, int]) -> List[np.ndarray]:
        records = [skeleton_record(keypoint[None], score[None], img_shape, frame_dir='window')
                   for keypoint, score in windows]
        return [result.pred_score.numpy() for result in inference_records(self.model, records)]
