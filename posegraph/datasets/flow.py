"""Dense optical flow for the two-stream model: computing, quantising, storing, loading.

A video's flow is stored as ``<flow_dir>/<frame_dir>.npz`` (compressed): ``flow``
``(F - 1, H, W, 2)`` ``uint8`` (x then y; displacement ``d`` in pixels is stored as
``round((clip(d, -bound, bound) + bound) / (2 bound) * 255)``, so 0 is ~128), ``bound``
and ``method``, the algorithm that made it.
"""
import os
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from posegraph.io import atomic_open

METHODS = ('tvl1', 'dis', 'farneback')


def available_methods() -> Tuple[str, ...]:
    """The flow algorithms this OpenCV build has, best first (TV-L1 needs opencv-contrib)."""
    return tuple(m for m in METHODS if m != 'tvl1' or hasattr(cv2, 'optflow'))


def resolve_method(method: str = 'auto') -> str:
    """``'auto'`` -> the best available method; an unavailable one is an error."""
    available = available_methods()
    if method == 'auto':
        return available[0]
    if method not in METHODS:
        raise ValueError(f'unknown flow method {method!r}; methods are {", ".join(METHODS)}')
    if method not in available:
        raise ValueError(f'flow method {method!r} is not in this OpenCV build (TV-L1 needs '
                         f'opencv-contrib-python); available: {", ".join(available)}')
    return method


def _estimator(method: str) -> Callable:
    if method == 'tvl1':
        return cv2.optflow.DualTVL1OpticalFlow_create().calc
    if method == 'dis':
        return cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM).calc
    return lambda a, b, _: cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0)


def quantise_flow(flow: np.ndarray, bound: float = 20.0) -> np.ndarray:
    """Float displacements -> ``uint8`` (see the module docstring)."""
    scaled = (np.clip(flow, -bound, bound) + bound) / (2 * bound) * 255
    return np.round(scaled).astype(np.uint8)


def dequantise_flow(flow: np.ndarray, bound: float = 20.0) -> np.ndarray:
    """``uint8`` -> float displacements in pixels."""
    return flow.astype(np.float32) / 255 * (2 * bound) - bound


def compute_flow(frames: Sequence[np.ndarray], method: str = 'auto', bound: float = 20.0,
                 short_side: Optional[int] = None) -> Tuple[np.ndarray, str]:
    """Flow between consecutive BGR ``frames``: ``(max(F - 1, 1), H, W, 2)`` ``uint8``.

    ``short_side`` first resizes frames so their shorter side has that length (flow
    is cheaper at low resolution and the model resizes anyway). Returns
    ``(flow, method)``.
    """
    method = resolve_method(method)
    estimate = _estimator(method)
    grey = []
    for frame in frames:
        if short_side:
            h, w = frame.shape[:2]
            ratio = short_side / min(h, w)
            frame = cv2.resize(frame, (round(w * ratio), round(h * ratio)),
                               interpolation=cv2.INTER_AREA)
        grey.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    flows = [estimate(a, b, None) for a, b in zip(grey[:-1], grey[1:])]
    if not flows:  # a single frame: no motion
        flows = [np.zeros((*grey[0].shape, 2), np.float32)]
    return quantise_flow(np.stack(flows), bound), method


def flow_path(flow_dir: str, frame_dir: str) -> str:
    """Where the flow of the video ``frame_dir`` is stored under ``flow_dir``."""
    return os.path.join(flow_dir, f'{frame_dir}.npz')


def save_flow(path: str, flow: np.ndarray, method: str, bound: float) -> None:
    """Write atomically, so an interrupted run never leaves a truncated file."""
    with atomic_open(path, 'wb') as f:
        np.savez_compressed(f, flow=flow, method=np.array(method), bound=np.array(bound))


def load_flow(path: str) -> Dict[str, Union[np.ndarray, str, float]]:
    """``{'flow', 'method', 'bound'}`` of a stored flow file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path}: no optical flow for this video; compute it with '
                                'tools/extract_flow.py')
    try:
        with np.load(path, allow_pickle=False) as data:
            return {'flow': data['flow'], 'method': str(data['method']),
                    'bound': float(data['bound'])}
    except (ValueError, KeyError, OSError) as e:
        raise ValueError(f'{path}: not a flow file written by tools/extract_flow.py ({e})') from e
