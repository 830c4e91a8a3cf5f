"""Inference with MMAction2's names: a recognizer and a pose estimator from files, joints or
frames in, scores out.

    model = init_recognizer('configs/pan_jhmdb.py', 'work_dirs/pan_jhmdb/epoch_80.pth')
    estimator = init_pose_estimator('lwopenpose', checkpoint='checkpoint_iter_370000.pth')
    pose_results = inference_pose(estimator, frames)
    result = inference_skeleton(model, pose_results, frames[0].shape[:2])
    result.pred_label, result.pred_score

The recognizer sees a video exactly as ``tools/test.py`` sees a clip of the same joints:
the persons are linked into tracks, then the config's test pipeline (person selection,
normalisation, sampling, streams) runs on them.
"""
import copy
import os
import shutil
import sys
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose

from posegraph.datasets import prepare_record
from posegraph.io.annotations import UNLABELLED, check_record
from posegraph.io.checkpoint import load_checkpoint_file, local_checkpoint
from posegraph.pose.backends import build_backend
from posegraph.pose.tracking import track_persons
from posegraph.registry import MODELS, TRANSFORMS
from posegraph.skeleton import check_num_joints, convert_keypoints, get_layout
from posegraph.structures import ActionDataSample
from .runner import check_state_dict, load_config, missing_checkpoint

PoseResult = Dict[str, np.ndarray]   # one frame: 'keypoints' (P, V, 2), 'keypoint_scores' (P, V)

_REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The skeleton model that ships with posegraph: the robust JHMDB recipe, distilled into one
# branch, trained on all 433 clips of ../shared's ground truth (14 classes, jhmdb15 joints).
PRETRAINED_CONFIG = os.path.join(_REPOSITORY, 'configs', 'pan-robust_jhmdb.py')
PRETRAINED_CHECKPOINT = os.path.join(_REPOSITORY, 'assets', 'pretrained',
                                     'pan-robust_jhmdb15.pth')


def compile_for_inference(module: torch.nn.Module, dynamic: Optional[bool] = None
                          ) -> torch.nn.Module:
    """Compile ``module`` in place with :func:`torch.compile` for inference (its weights,
    names and state dict stay as they are) and return it.

    A skeleton network compiles into one graph: its GRU unrolled over the frames, each step's
    gate arithmetic one fused kernel, where eager PyTorch dispatches a dozen operations per
    step. On CPU the graph runs from C++ (inductor's ``cpp_wrapper``): at batch 1 a video
    is a few hundred kernels of microseconds each, and calling them from Python cost
    12-33 % more per video in two paired runs here. The first call with inputs of a new
    shape compiles (29-40 s on 2 CPU cores; 3-10 s in later processes, once inductor's
    on-disk cache holds the code), so this pays where many videos are recognised. Numbers
    agree with eager PyTorch to float rounding.

    Args:
        module: a network in eval mode (a recognizer's ``network``, or a
            :class:`~posegraph.export.KeypointScores`).
        dynamic: :func:`torch.compile`'s ``dynamic``: ``True`` for inputs whose length
            varies from call to call (raw keypoints), ``None`` (default) to compile each
            new shape once.

    Raises:
        RuntimeError: on CPU without a C++ compiler (inductor builds its kernels with one).
    """
    cpu = all(p.device.type == 'cpu' for p in module.parameters())
    compiler = os.environ.get('CXX', 'clang++' if sys.platform == 'darwin' else 'g++')
    if cpu and shutil.which(compiler) is None:
        raise RuntimeError(f'compiling for CPU needs a C++ compiler, and {compiler!r} is not '
                           f'on PATH: install one (or set CXX), or run without compiling')
    # In place (nn.Module.compile), so that the state dict keeps its keys (torch.compile's
    # wrapper would prefix them), with its compiled call wrapped below.
    module.compile(dynamic=dynamic, options={'cpp_wrapper': True} if cpu else None)
    compiled = module._compiled_call_impl

    def call_with_gru(*args, **kwargs):
        # Dynamo leaves a GRU module out of the graph unless allowed; allowing it only for
        # this module's calls leaves the user's other compiled models as they were.
        with torch._dynamo.config.patch(allow_rnn=True):
            return compiled(*args, **kwargs)
    module._compiled_call_impl = call_with_gru
    return module


def init_recognizer(config: Optional[Union[str, Config]] = None,
                    checkpoint: Optional[str] = None, device: str = 'cpu',
                    cfg_options: Optional[dict] = None, compile: bool = False
                    ) -> torch.nn.Module:
    """Build the recognizer a config describes and load its weights.

    Args:
        config: a config file (or a loaded :class:`~mmengine.config.Config`); default
            ``None``: the pretrained JHMDB model that ships with posegraph (with its
            checkpoint, unless another is given).
        checkpoint: weights written by ``tools/train.py``, a path or an ``http(s)://`` URL
            (downloaded once into torch.hub's cache); they must fit the model, keys and
            shapes (default ``None``: untrained weights, for tests and export only).
        device: where the model runs (default ``'cpu'``).
        cfg_options: config overrides, as ``--cfg-options`` gives them. (default: ``None``)
        compile: compile the network for inference (:func:`compile_for_inference`): the
            first video waits for the compiler, every later one takes less time than in
            eager PyTorch. (default: ``False``)

    Returns:
        The model in eval mode, with ``cfg`` (the config) and ``dataset_meta`` (the class
        names the checkpoint was trained on, if it kept them) attached.
    """
    if torch.device(device).type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'device={device!r}: this torch sees no CUDA device '
                         f"({'a CPU build' if torch.version.cuda is None else 'none found'}); "
                         "use device='cpu'")
    if config is None:
        config, checkpoint = PRETRAINED_CONFIG, checkpoint or PRETRAINED_CHECKPOINT
    cfg = load_config(config, cfg_options)
    model = MODELS.build(cfg.model)
    model.cfg = cfg
    model.dataset_meta = {}
    if checkpoint is not None:
        checkpoint = local_checkpoint(checkpoint)
        if not os.path.isfile(checkpoint):
            raise missing_checkpoint(checkpoint)
        saved = load_checkpoint_file(checkpoint, map_location='cpu')
        state = saved.get('state_dict', saved)
        check_state_dict(model.state_dict(), state, checkpoint)
        model.load_state_dict(state)
        model.dataset_meta = dict(saved.get('meta', {}).get('dataset_meta') or {})
    model = model.to(device).eval()
    if compile:
        compile_for_inference(model.network)
    return model


def _test_pipeline(model) -> Compose:
    """The config's test pipeline, built once per model: building its transforms takes
    about 0.16 ms, 5 % of recognising a video. Rebuilt when the config's pipeline
    changes (compared by value: 16 us)."""
    steps = model.cfg.test_dataloader.dataset.pipeline
    built = getattr(model, '_built_test_pipeline', None)
    if built is None or built[0] != steps:
        built = (copy.deepcopy(steps), Compose([TRANSFORMS.build(step) for step in steps]))
        model._built_test_pipeline = built
    return built[1]


def pose_results_to_record(pose_results: Sequence[PoseResult],
                           img_shape: Tuple[int, int]) -> dict:
    """The annotation record of a video's per-frame persons: they are linked into tracks
    (:func:`~posegraph.pose.tracking.track_persons`), as many as the most crowded frame
    holds, so the pipeline's ``SelectPersons`` chooses among whole tracks."""
    if not len(pose_results):
        raise ValueError('pose_results is empty: no frames to recognise')
    detections = []
    for t, frame in enumerate(pose_results):
        if not isinstance(frame, Mapping):
            raise ValueError(f'pose_results[{t}] is a {type(frame).__name__}: each frame is one '
                             "dict of all its persons, 'keypoints' (P, V, 2) and "
                             "'keypoint_scores' (P, V)")
        try:
            keypoints = np.asarray(frame['keypoints'], np.float32)
            scores = np.asarray(frame['keypoint_scores'], np.float32)
        except KeyError as e:
            raise ValueError(f'pose_results[{t}] lacks {e}: each frame is a dict with '
                             "'keypoints' (P, V, 2) and 'keypoint_scores' (P, V)") from None
        if keypoints.ndim != 3 or keypoints.shape[-1] != 2 or scores.shape != keypoints.shape[:2]:
            raise ValueError(f'pose_results[{t}]: keypoints {keypoints.shape} and '
                             f'keypoint_scores {scores.shape} must be (P, V, 2) and (P, V)')
        detections.append((keypoints, scores))
    num_person = max(1, max(len(k) for k, _ in detections))
    return skeleton_record(*track_persons(detections, num_person=num_person), img_shape)


def skeleton_record(keypoint: np.ndarray, keypoint_score: np.ndarray,
                    img_shape: Tuple[int, int], frame_dir: str = 'inference') -> dict:
    """An unlabelled annotation record of tracked persons, ``keypoint`` ``(M, T, V, 2)``
    and ``keypoint_score`` ``(M, T, V)`` in the pixels of ``img_shape`` frames."""
    shape = tuple(int(v) for v in img_shape)
    return {'frame_dir': frame_dir, 'label': UNLABELLED, 'total_frames': keypoint.shape[1],
            'img_shape': shape, 'original_shape': shape, 'keypoint': keypoint,
            'keypoint_score': keypoint_score}


def model_layout(model: torch.nn.Module) -> str:
    """The skeleton layout a recognizer's test pipeline expects."""
    return model.cfg.test_dataloader.dataset.get('layout', 'coco17')


def inference_skeleton(model: torch.nn.Module, pose_results: Sequence[PoseResult],
                       img_shape: Tuple[int, int],
                       layout: str = 'coco17') -> ActionDataSample:
    """Recognise the action of one video from its per-frame persons.

    Args:
        model: from :func:`init_recognizer`.
        pose_results: per frame, a dict with ``keypoints`` ``(P, V, 2)`` in pixels and
            ``keypoint_scores`` ``(P, V)`` (``P`` may vary, and be 0).
        img_shape: the frames' ``(height, width)``.
        layout: the joints' layout (default ``'coco17'``, what posegraph's estimators
            give); converted to the model's (e.g. ``coco17`` -> ``jhmdb15``) when they
            differ.

    Returns:
        An :class:`~posegraph.structures.ActionDataSample` with ``pred_score``
        ``(num_classes,)`` and ``pred_label``.
    """
    record = pose_results_to_record(pose_results, img_shape)
    check_num_joints(record['keypoint'].shape[2], layout, 'pose_results')
    target = model_layout(model)
    if get_layout(layout).name != get_layout(target).name:
        record['keypoint'], record['keypoint_score'] = convert_keypoints(
            record['keypoint'], record['keypoint_score'], layout, target)
    return inference_record(model, record)


def inference_record(model: torch.nn.Module, record: dict) -> ActionDataSample:
    """Recognise the action of one annotation record (tracked persons, as
    ``tools/extract_pose.py`` writes them) through the config's test pipeline."""
    return inference_records(model, [record])[0]


def inference_records(model: torch.nn.Module, records: Sequence[dict]) -> List[ActionDataSample]:
    """:func:`inference_record` for several records, scored in one batch.

    Raises :class:`~posegraph.io.annotations.AnnotationError` for a record the model
    cannot read (another joint count, keypoints of another shape, no frames).
    """
    dataset = model.cfg.test_dataloader.dataset
    num_joints = get_layout(model_layout(model)).num_joints
    # Prepared as PoseDataset prepares a file's records, so both give the same scores.
    records = [prepare_record(check_record(record, num_joints, dataset.get('coords', 2),
                                           'inference_records', index))
               for index, record in enumerate(records)]
    pipeline = _test_pipeline(model)
    packed = [pipeline(dict(record)) for record in records]
    device = next(model.parameters()).device
    # inference_mode skips autograd's bookkeeping on each of the network's ~2000 small
    # operations (a GRU step is a dozen): 11 % of a video's time at batch 1, same numbers.
    with torch.inference_mode():
        scores = model(torch.stack([p['inputs'] for p in packed]).to(device), mode='tensor')
    scores = scores.cpu().clone()   # an ordinary tensor, which callers may change in place
    return [p['data_samples'].set_pred_score(score) for p, score in zip(packed, scores)]


def class_name(model: torch.nn.Module, label: int) -> str:
    """The name of class ``label`` as the checkpoint knows it, else ``'class <label>'``."""
    classes = getattr(model, 'dataset_meta', {}).get('classes')
    return classes[label] if classes else f'class {label}'


def init_pose_estimator(backend: str = 'lwopenpose', **options) -> Callable:
    """A pose estimator (``posegraph.pose.backends``) by name, e.g.
    ``init_pose_estimator('lwopenpose', checkpoint=PATH, height=256)``."""
    return build_backend(backend, **options)


def inference_pose(estimator: Callable, frames: Sequence[np.ndarray]) -> List[PoseResult]:
    """The persons of each BGR frame: a list of dicts with ``keypoints`` ``(P, 17, 2)`` in
    the frame's pixels and ``keypoint_scores`` ``(P, 17)`` (``coco17``), as
    :func:`inference_skeleton` takes them."""
    return [{'keypoints': np.asarray(keypoints, np.float32),
             'keypoint_scores': np.asarray(scores, np.float32)}
            for keypoints, scores in estimator(list(frames))]
