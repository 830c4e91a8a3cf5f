"""Pose estimation back-ends behind one interface: frames in, persons in ``coco17`` out.

A back-end is called with a list of BGR ``uint8`` frames of one video and returns, per
frame, ``(keypoints (P, 17, 2), scores (P, 17))`` in the frames' own pixels. Register
your own with :func:`register_backend`; ``tools/extract_pose.py --custom-imports`` loads
the module that does.
"""
import os
import tempfile
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from posegraph.errors import MissingWeightsError, UnknownNameError
from posegraph.io.download import DownloadError
from posegraph.registry import POSE_BACKENDS
from posegraph.skeleton import convert_keypoints
from .frames import MapsEstimator, PoseEstimator
from .lwopenpose import (
    export_pose_onnx,
    lightweight_openpose,
    load_openpose_checkpoint,
    pose_attention_openpose,
)
from .weights import resolve_checkpoint

# Tools name the flag that takes the checkpoint (extract_pose's --checkpoint, the demo's
# --pose-checkpoint) in front of these errors: the flag differs from tool to tool.
WEIGHTS_HELP = (
    "The lwopenpose back-end needs trained weights: the checkpoint 'lwopenpose' downloads "
    'checkpoint_iter_370000.pth, the checkpoint published with Lightweight OpenPose (Osokin '
    '2018, github.com/Daniil-Osokin/lightweight-human-pose-estimation.pytorch), into a cache '
    'once; or give the path of a file you have, or train one with tools/train.py '
    'configs/lwopenpose_coco.py. posegraph never extracts poses with an untrained network.')


def register_backend(name: str) -> Callable[[type], type]:
    """Class decorator that makes a back-end available by ``name`` (in
    :data:`posegraph.registry.POSE_BACKENDS`)."""
    return POSE_BACKENDS.register_module(name=name)


def build_backend(name: str, **kwargs) -> PoseEstimator:
    """The back-end registered as ``name``, built with ``kwargs``."""
    backend = POSE_BACKENDS.get(name)
    if backend is None:
        raise UnknownNameError(f'unknown pose back-end {name!r}; back-ends: '
                               f'{", ".join(POSE_BACKENDS.module_dict)}')
    return backend(**kwargs)


@register_backend('lwopenpose')
class LightweightOpenPoseBackend(MapsEstimator):
    """Our Lightweight OpenPose network, in PyTorch or onnxruntime.

    Args:
        checkpoint: trained weights (required; see :data:`WEIGHTS_HELP`). (default: ``None``)
        arch: ``'lwopenpose'`` (public configuration) or ``'pose_attention'`` (the paper's).
            (default: ``'lwopenpose'``)
        refinement_stages: refinement stages of the ``'lwopenpose'`` network: 1 (default,
            as the public demo) to 3 (all the published checkpoint holds); the file's other
            stages are reported as unused.
        height: network input height; width follows the frame's aspect ratio, padded to a
            multiple of the stride. (default: ``256``)
        runtime: ``'torch'`` or ``'onnx'``. (default: ``'torch'``)
        batch_size: frames per forward pass. (default: ``8``)
        num_threads: CPU threads (``None``: the library's default).
    """

    def __init__(self, checkpoint: Optional[str] = None, arch: str = 'lwopenpose',
                 height: int = 256, runtime: str = 'torch', batch_size: int = 8,
                 num_threads: Optional[int] = None, refinement_stages: int = 1):
        if not checkpoint:
            raise MissingWeightsError(WEIGHTS_HELP)
        try:
            checkpoint = resolve_checkpoint(checkpoint)
        except DownloadError as e:
            raise MissingWeightsError(str(e)) from None
        if not os.path.isfile(checkpoint):
            raise MissingWeightsError(f'{checkpoint}: no such checkpoint. {WEIGHTS_HELP}')
        if runtime not in ('torch', 'onnx'):
            raise ValueError(f"runtime must be 'torch' or 'onnx', got {runtime!r}")
        if arch == 'lwopenpose':
            self.network = lightweight_openpose(refinement_stages).eval()
        elif arch == 'pose_attention':
            self.network = pose_attention_openpose().eval()
        else:
            raise ValueError(f"arch must be 'lwopenpose' or 'pose_attention', got {arch!r}")
        load_openpose_checkpoint(self.network, checkpoint)
        super().__init__(height, batch_size)
        self.runtime = runtime
        if num_threads:
            torch.set_num_threads(num_threads)
        if runtime == 'onnx':
            from posegraph.runtime.bundle import onnx_session
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, 'pose.onnx')
                export_pose_onnx(self.network, path, height=height, width=height)
                self.session = onnx_session(path, num_threads)

    def maps(self, batch: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Last-stage heatmaps and PAFs of a ``(N, 3, H, W)`` batch, as numpy arrays."""
        if self.runtime == 'onnx':
            return self.session.run(['heatmaps', 'pafs'], {'images': batch})
        with torch.no_grad():
            heatmaps, pafs = self.network(torch.from_numpy(batch))[-1]
        return heatmaps.numpy(), pafs.numpy()


@register_backend('mediapipe')
class MediaPipeBackend:
    """BlazePose through mediapipe (optional; its wheels up to 0.10.21 carry the model, so it
    runs offline). One person per frame; the 33 landmarks become ``coco17``, scored by their
    visibility."""

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5, **_):
        try:
            import mediapipe as mp
        except ImportError:
            raise ImportError("the mediapipe back-end needs mediapipe<=0.10.21 (with numpy<2, "
                              "protobuf<5) in its own environment: pip install "
                              "'posegraph[mediapipe]'") from None
        self.pose = mp.solutions.pose.Pose(static_image_mode=False,
                                           model_complexity=model_complexity,
                                           min_detection_confidence=min_detection_confidence)

    def __call__(self, frames: Sequence[np.ndarray]) -> List[Tuple[np.ndarray, np.ndarray]]:
        results = []
        for frame in frames:
            found = self.pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)).pose_landmarks
            if found is None:
                results.append((np.zeros((0, 17, 2), np.float32), np.zeros((0, 17), np.float32)))
                continue
            height, width = frame.shape[:2]
            marks = np.array([(m.x * width, m.y * height, m.visibility)
                              for m in found.landmark], np.float32)
            keypoints, scores = convert_keypoints(marks[None, :, :2], marks[None, :, 2],
                                                  'mediapipe33', 'coco17')
            results.append((keypoints, scores))
        return results

