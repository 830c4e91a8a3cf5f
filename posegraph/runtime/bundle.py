"""Reading a bundle written by ``tools/export_onnx.py`` and running it with onnxruntime.

A bundle is a folder: ``manifest.json`` and single-file ONNX graphs, ``pose.onnx`` (the
estimator's last-stage maps), ``recognizer_step.onnx`` (one streaming step for a batch of
persons; ``null`` in the manifest for a network without one, such as ST-GCN),
``recognizer_clip.onnx`` (whole clips of formatted streams) and ``recognizer_video.onnx`` (a
whole video's raw joints through the test pipeline, where the pipeline runs as tensors:
:class:`posegraph.models.TensorTestPipeline`; ``null`` in the manifest otherwise, and in
bundles written before it). The manifest says everything the graphs need around them: the
estimator's input size, the recognizer's layout, classes, streams, normalisation and initial
state, and each file's SHA-256, checked on loading.
"""
import hashlib
import json
import os
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import numpy as np

from posegraph.pose.frames import MapsEstimator
from posegraph.skeleton import convert_keypoints, get_layout
from .streaming import PersonStreams, PersonWindows, State, softmax

if TYPE_CHECKING:   # imported where a session is made: onnxruntime loads a large library
    from onnxruntime import InferenceSession

MANIFEST = 'manifest.json'
FORMAT = 'posegraph-bundle'
VERSION = 1


class BundleError(RuntimeError):
    """A bundle that is incomplete, altered, or of another format."""


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def onnx_session(path: str, num_threads: Optional[int] = None) -> 'InferenceSession':
    """An onnxruntime CPU session of ``path`` on ``num_threads`` threads (default: the
    library's choice)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    if num_threads:
        options.intra_op_num_threads = options.inter_op_num_threads = num_threads
    return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])


class Bundle:
    """An exported estimator and recognizer, run by onnxruntime.

    Args:
        path: the bundle's folder.
        num_threads: onnxruntime's threads per session (default: its choice).

    Raises:
        BundleError: naming the file, if the manifest is missing or not a bundle's, or a
            file is missing or differs from the manifest's SHA-256.
    """

    def __init__(self, path: str, num_threads: Optional[int] = None):
        self.path, self.num_threads = path, num_threads
        manifest_path = os.path.join(path, MANIFEST)
        if not os.path.isfile(manifest_path):
            raise BundleError(f'{path}: no {MANIFEST}; not a bundle (write one with '
                              'tools/export_onnx.py)')
        try:
            with open(manifest_path) as f:
                self.manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise BundleError(f'{manifest_path}: unreadable ({e})') from None
        if self.manifest.get('format') != FORMAT or self.manifest.get('version') != VERSION:
            raise BundleError(f'{manifest_path}: not a {FORMAT} version {VERSION} manifest')
        for name, entry in self.manifest['files'].items():
            file = os.path.join(path, name)
            if not os.path.isfile(file):
                raise BundleError(f'{file}: missing from the bundle')
            if file_sha256(file) != entry['sha256']:
                raise BundleError(f'{file}: its SHA-256 differs from the manifest\'s (altered '
                                  'or incomplete); export the bundle again')
        self._sessions: Dict[str, 'InferenceSession'] = {}

    def session(self, name: str) -> 'InferenceSession':
        """The onnxruntime session of the bundle's graph ``name``, made on first use."""
        if name not in self._sessions:
            self._sessions[name] = onnx_session(os.path.join(self.path, name), self.num_threads)
        return self._sessions[name]

    @property
    def classes(self) -> List[str]:
        return list(self.manifest['recognizer']['classes'])

    @property
    def has_estimator(self) -> bool:
        return 'pose' in self.manifest

    def estimator(self, batch_size: int = 1) -> MapsEstimator:
        """The pose estimator: frames in, ``coco17`` persons out, as the PyTorch back-end
        gives them."""
        if not self.has_estimator:
            raise BundleError(f'{self.path}: this bundle holds no pose estimator')
        pose = self.manifest['pose']
        session = self.session(pose['file'])
        return MapsEstimator(pose['height'], batch_size,
                             maps=lambda images: tuple(session.run(['heatmaps', 'pafs'],
                                                                   {'images': images})))

    @property
    def has_step(self) -> bool:
        """Whether the recognizer runs online, a frame at a time (``False`` for a network
        without a streaming step, such as ST-GCN: run it in :meth:`windows`)."""
        return bool(self.manifest['recognizer']['step'])

    def _step_graph(self) -> str:
        if not self.has_step:
            raise BundleError(f'{self.path}: this bundle\'s network has no streaming step; run '
                              'it in sliding windows (windows(), tools/demo.py --window)')
        return self.manifest['recognizer']['step']

    def initial_state(self) -> State:
        """One person's recognizer state before the first frame."""
        self._step_graph()
        return tuple(np.full(entry['shape'], entry['fill'], np.float32)
                     for entry in self.manifest['recognizer']['state'])

    def step(self, frames: np.ndarray, state: State) -> Tuple[np.ndarray, State]:
        """One streaming step for ``P`` persons: frames ``(P, 1, V, C)``, their states."""
        recognizer = self.manifest['recognizer']
        session = self.session(self._step_graph())
        feeds = {'frame': frames.astype(np.float32)}
        feeds.update({entry['name']: s for entry, s in zip(recognizer['state'], state)})
        outputs = session.run(None, feeds)
        return outputs[0], tuple(outputs[1:])

    def recognizer(self, layout: str = 'coco17', max_age: int = 30) -> PersonStreams:
        """Per-person streaming recognition of joints in ``layout``, as
        :class:`posegraph.apis.OnlineRecognizer` does it with PyTorch."""
        recognizer = self.manifest['recognizer']
        return PersonStreams(self.step, self.initial_state(),
                             [entry['batch_dim'] for entry in recognizer['state']], layout,
                             recognizer['layout'], recognizer['streams'],
                             recognizer['normalize'], max_age)

    def _video_graph(self) -> str:
        video = self.manifest['recognizer'].get('video')
        if not video:
            raise BundleError(f'{self.path}: this bundle holds no whole-video graph (its '
                              'test pipeline runs only in numpy, or posegraph wrote it '
                              'before such graphs); format clips and use clip_probabilities')
        return video

    def windows(self, window: int = 32, stride: int = 8, layout: str = 'coco17',
                max_age: int = 30) -> PersonWindows:
        """Per-person recognition of the last ``window`` frames every ``stride`` frames,
        each window through the whole-video graph (:meth:`video_probabilities`), as
        :class:`posegraph.apis.SlidingWindowRecognizer` does it with PyTorch."""
        self._video_graph()
        return PersonWindows(
            lambda clips, _: [self.video_probabilities(k[None], s[None]) for k, s in clips],
            window, stride, layout, self.manifest['recognizer']['layout'], max_age)

    def clip_probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """Class probabilities ``(N, classes)`` of whole clips ``(N, M, T, V, C)`` (the
        streams, as the test pipeline formats them)."""
        session = self.session(self.manifest['recognizer']['clip'])
        return softmax(session.run(['logits'], {'inputs': inputs.astype(np.float32)})[0])

    def video_probabilities(self, keypoint: np.ndarray, keypoint_score: np.ndarray,
                            layout: Optional[str] = None) -> np.ndarray:
        """Class probabilities ``(classes,)`` of one whole video from its raw joints,
        ``keypoint`` ``(M, T, V, 2)`` and ``keypoint_score`` ``(M, T, V)`` (persons,
        frames; a joint with score 0 or a coordinate that is not finite is missing), in
        the recognizer's layout or ``layout`` (converted): the model's test pipeline and
        network in one onnxruntime call, as :func:`posegraph.apis.inference_record`
        scores a record in PyTorch."""
        recognizer = self.manifest['recognizer']
        session = self.session(self._video_graph())
        if layout is not None:
            keypoint, keypoint_score = convert_keypoints(keypoint, keypoint_score, layout,
                                                         recognizer['layout'])
        joints = get_layout(recognizer['layout']).num_joints
        if (keypoint.ndim != 4 or keypoint.shape[2:] != (joints, 2)
                or keypoint_score.shape != keypoint.shape[:3] or not keypoint.shape[0]
                or not keypoint.shape[1]):
            raise ValueError(f'{recognizer["layout"]} joints of a video are keypoint (M, T, '
                             f'{joints}, 2) and keypoint_score (M, T, {joints}) with M, T >= 1;'
                             f' got {keypoint.shape} and {keypoint_score.shape}')
        return session.run(['scores'], {
            'keypoint': keypoint.astype(np.float32),
            'keypoint_score': keypoint_score.astype(np.float32)})[0][0]


def load_bundle(path: str, num_threads: Optional[int] = None) -> Bundle:
    """Open the bundle in folder ``path`` (see :class:`Bundle`)."""
    return Bundle(path, num_threads)
