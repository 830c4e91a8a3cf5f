"""int8 for the bundle's graphs: onnxruntime's static quantisation (QDQ, per-channel weights,
activations calibrated on real inputs), kept for a graph only where it is measured faster.

Dynamic quantisation of the recognizer was measured 2x slower than float32 here, so
nothing is quantised on faith: :func:`quantize_graph` times both on the calibration inputs
and reports the ratio, and the bundle keeps the int8 file only when it wins.
"""
import contextlib
import logging
import os
import time
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, Optional, Sequence

import numpy as np

from posegraph.io import load_annotations
from posegraph.runtime.bundle import onnx_session
from .online import OnlineRecognizer

if TYPE_CHECKING:  # for annotations only: importing this module needs neither
    import onnxruntime
    import torch


# What onnxruntime's quantiser logs on the root logger for every graph and that changes
# nothing here: its advice to pre-process the graph first (quant_pre_process: the
# estimator's int8 ran 43.4 against 45.5 ms at one thread, 24.3 against 24.5 at two, the
# same outputs), and per-channel scales falling back to one scale for weights of one axis
# (biases and norms).
_KNOWN_ADVICE = ('pre-processing before quantization', 'is out-of-range for weight')


@contextlib.contextmanager
def _without_known_advice() -> Iterator[None]:
    def keep(record: logging.LogRecord) -> bool:
        return not any(text in record.getMessage() for text in _KNOWN_ADVICE)
    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)


class _Feeds:
    """onnxruntime's calibration reader over a list of input dicts."""

    def __init__(self, feeds: Sequence[Dict[str, np.ndarray]]):
        self.feeds = iter(list(feeds))

    def get_next(self) -> Optional[Dict[str, np.ndarray]]:
        """The next input dict, ``None`` after the last (onnxruntime's protocol)."""
        return next(self.feeds, None)


def median_ms(session: 'onnxruntime.InferenceSession', feeds: Sequence[Dict[str, np.ndarray]],
              repeat: int = 3) -> float:
    """Median milliseconds of ``session`` over ``feeds`` (after one warm-up pass)."""
    for feed in feeds[:2]:
        session.run(None, feed)
    times = []
    for _ in range(repeat):
        for feed in feeds:
            started = time.perf_counter()
            session.run(None, feed)
            times.append(1000 * (time.perf_counter() - started))
    return float(np.median(times))


def quantize_graph(fp32: str, int8: str, calibration: List[Dict[str, np.ndarray]],
                   threads: Iterable[int] = (1, 2)) -> dict:
    """Write the static int8 (QDQ, per-channel) form of ``fp32`` to ``int8`` and measure it.

    Args:
        fp32: the float32 graph.
        int8: where the int8 graph goes.
        calibration: input dicts of real data (activation ranges come from them; they are
            also the timing inputs).
        threads: onnxruntime thread counts to time at (default 1 and 2).

    Returns:
        ``{'ms': {threads: (fp32, int8)}, 'speedup': {threads: fp32 / int8}, 'bytes':
        (fp32, int8), 'max_abs_difference': ..., 'mean_abs_difference': ...}`` (the
        differences of every output over the calibration inputs).
    """
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    with _without_known_advice():
        quantize_static(fp32, int8, _Feeds(calibration), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8)
    report = {'ms': {}, 'speedup': {},
              'bytes': (os.path.getsize(fp32), os.path.getsize(int8))}
    for count in threads:
        sessions = onnx_session(fp32, count), onnx_session(int8, count)
        times = tuple(median_ms(s, calibration[:16]) for s in sessions)
        report['ms'][count] = times
        report['speedup'][count] = times[0] / times[1]
    sessions = onnx_session(fp32, 1), onnx_session(int8, 1)
    differences = [np.abs(a - b).ravel() for feed in calibration[:16]
                   for a, b in zip(*(s.run(None, feed) for s in sessions))]
    differences = np.concatenate(differences)
    report['max_abs_difference'] = float(differences.max())
    report['mean_abs_difference'] = float(differences.mean())
    return report


def recognizer_calibration(model: 'torch.nn.Module', records: Sequence[dict],
                           max_feeds: int = 256) -> List[Dict[str, np.ndarray]]:
    """Inputs of the streaming step on real clips: each record's most confident person
    streamed through the float32 model (:class:`OnlineRecognizer`), every step's frame
    and state captured, up to ``max_feeds`` of them spread over the clips."""
    from .inference import model_layout
    recognizer = OnlineRecognizer(model, layout=model_layout(model))
    feeds: List[Dict[str, np.ndarray]] = []
    step = recognizer.step

    def recording_step(frames, state):
        feeds.append({'frame': frames, **{f'state_{k}': s for k, s in enumerate(state)}})
        return step(frames, state)

    recognizer.step = recording_step
    for record in records:
        person = int(np.argmax(record['keypoint_score'].sum(axis=(1, 2))))
        shape = tuple(record.get('img_shape', (1, 1)))
        recognizer.persons = {}
        for keypoint, score in zip(record['keypoint'][person], record['keypoint_score'][person]):
            recognizer.update([0], keypoint[None], score[None], shape)
        recognizer.flush()
    chosen = np.linspace(0, len(feeds) - 1, min(max_feeds, len(feeds))).round().astype(int)
    return [feeds[i] for i in chosen]


def training_records(model: 'torch.nn.Module', max_clips: int = 64) -> List[dict]:
    """Up to ``max_clips`` clips of the config's training data, spread over it."""
    dataset = model.cfg.train_dataloader.dataset
    records = load_annotations(dataset['ann_file'], split=dataset.get('split'))
    chosen = np.linspace(0, len(records) - 1, min(max_clips, len(records))).round().astype(int)
    return [records[i] for i in chosen]


def estimator_calibration(frames: Sequence[np.ndarray], height: int,
                          max_feeds: int = 32) -> List[Dict[str, np.ndarray]]:
    """The estimator's inputs for ``frames`` (BGR), one frame per input, up to ``max_feeds``
    spread over them."""
    from posegraph.pose.frames import network_input
    chosen = np.linspace(0, len(frames) - 1, min(max_feeds, len(frames))).round().astype(int)
    return [{'images': network_input(frames[i], height)[0][None]} for i in chosen]
