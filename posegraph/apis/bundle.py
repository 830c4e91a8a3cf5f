"""Writing a bundle for the torch-free runtime (:mod:`posegraph.runtime.bundle`): the
recognizer's streaming step, whole-clip and whole-video graphs, optionally the pose
estimator's, and a manifest; checked against PyTorch before the manifest is written."""
import datetime
import json
import os
import shutil
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch

import posegraph
from posegraph.export import KeypointScores, export_keypoints_onnx, export_onnx, export_pose_onnx
from posegraph.io.atomic import make_folder_for
from posegraph.models import TensorTestPipeline
from posegraph.runtime.bundle import FORMAT, MANIFEST, VERSION, Bundle, BundleError, file_sha256
from .inference import class_name, model_layout
from .online import has_step, state_batch_dims, streaming_setup

OPSET = 18
# The largest difference between onnxruntime and PyTorch a bundle may show (float32 graphs
# of a few hundred operations differ by 1e-6 to 1e-5).
TOLERANCE = 1e-3


def _tensor_pipeline(model) -> Optional[TensorTestPipeline]:
    """The model's test pipeline as tensors, or ``None`` for one only numpy runs (then
    the bundle has no whole-video graph)."""
    try:
        return TensorTestPipeline.from_transforms(model.cfg.test_dataloader.dataset.pipeline)
    except ValueError:
        return None


def _recognizer_manifest(model, video: bool) -> dict:
    network = model.network
    online = has_step(network)
    if not (online or video):
        raise BundleError(f'{type(network).__name__} has no streaming step and its test '
                          'pipeline no tensor form: a bundle of it could run neither online '
                          'nor in sliding windows')
    normalize, streams = streaming_setup(model)
    state = []
    for k, (tensor, batch_dim) in enumerate(zip(network.initial_state(1, 1),
                                                state_batch_dims(network)) if online else ()):
        values = tensor.unique()
        if len(values) != 1:
            raise BundleError(f'state tensor {k} does not start constant; the manifest cannot '
                              'describe it')
        state.append({'name': f'state_{k}', 'shape': list(tensor.shape),
                      'batch_dim': batch_dim, 'fill': float(values[0])})
    pipeline = model.cfg.test_dataloader.dataset.pipeline
    sampling = [s for s in pipeline if s['type'] == 'UniformSampleFrames']
    return {'step': 'recognizer_step.onnx' if online else None, 'clip': 'recognizer_clip.onnx',
            'video': 'recognizer_video.onnx' if video else None,
            'layout': model_layout(model), 'num_classes': network.num_classes,
            'classes': [class_name(model, k) for k in range(network.num_classes)],
            'streams': list(streams), 'in_channels': network.in_channels,
            'normalize': normalize, 'clip_len': sampling[0]['clip_len'] if sampling else None,
            'state': state}


def _check_recognizer(model, bundle: Bundle, pipeline: Optional[TensorTestPipeline],
                      seed: int = 0) -> Dict[str, float]:
    """The largest differences between onnxruntime and PyTorch: three persons streamed for
    four frames, a batch of two clips, and (where the bundle has its graph) a video of
    three persons' raw joints."""
    network = model.network
    generator = torch.Generator().manual_seed(seed)
    checks = {}
    if bundle.has_step:
        frames = torch.randn(4, 3, 1, network.num_joints, network.in_channels,
                             generator=generator)
        frames[..., -1] = 1
        state = network.initial_state(3, 1)
        ort_state = tuple(np.concatenate([s] * 3, axis=entry['batch_dim']) for s, entry in
                          zip(bundle.initial_state(), bundle.manifest['recognizer']['state']))
        step = 0.0
        with torch.no_grad():
            for frame in frames:
                logits, state = network.step(frame, state)
                ort_logits, ort_state = bundle.step(frame.numpy(), ort_state)
                step = max(step, float(np.abs(ort_logits - logits.numpy()).max()),
                           *(float(np.abs(a - b.numpy()).max())
                             for a, b in zip(ort_state, state)))
        checks['recognizer_step'] = step
    with torch.no_grad():
        clip_len = bundle.manifest['recognizer']['clip_len'] or 16
        clips = torch.randn(2, 1, clip_len, network.num_joints, network.in_channels,
                            generator=generator)
        clips[..., -1] = 1
        probabilities = network(clips)['logits'].softmax(-1).numpy()
    checks['recognizer_clip'] = float(np.abs(bundle.clip_probabilities(clips.numpy())
                                             - probabilities).max())
    if pipeline is not None:
        keypoint = torch.rand(3, 45, network.num_joints, 2, generator=generator) * 400
        score = torch.rand(3, 45, network.num_joints, generator=generator)
        score[score < 0.2] = 0
        video = KeypointScores(pipeline, network).eval()
        with torch.no_grad():
            expected = video(keypoint, score)[0].numpy()
        checks['recognizer_video'] = float(np.abs(bundle.video_probabilities(
            keypoint.numpy(), score.numpy()) - expected).max())
    return checks


def _check_estimator(network, bundle: Bundle, height: int, seed: int = 0) -> Dict[str, float]:
    """The largest difference between the maps of onnxruntime and PyTorch on a 16:9 input."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(1, 3, height, -(-height * 16 // 9 // 8) * 8, generator=generator) - 0.5
    with torch.no_grad():
        expected = [m.numpy() for m in network(images)[-1]]
    maps = bundle.session(bundle.manifest['pose']['file']).run(['heatmaps', 'pafs'],
                                                               {'images': images.numpy()})
    return {'pose': max(float(np.abs(a - b).max()) for a, b in zip(maps, expected))}


def _step_calibration(model, int8: Union[bool, str]) -> Union[List[dict], str, None]:
    """The training clips that calibrate the int8 step (:func:`.quantize.training_records`),
    read before anything is exported: ``None`` where the step is not quantised, and with
    ``int8=True`` why not where the clips are not on this machine (a fresh clone has no
    JHMDB joints); the estimator's int8 does not need them."""
    if not (int8 and has_step(model.network)):
        return None
    from .quantize import training_records
    try:
        return training_records(model)
    except FileNotFoundError as e:
        if int8 == 'always':
            raise BundleError(f"int8 calibrates the recognizer's step on its training clips: "
                              f'{e}') from None
        return f'{e} (its training clips calibrate it)'


def _quantize(folder: str, manifest: dict, model, step_records: Union[List[dict], str, None],
              calibration_frames, always: bool, say: Callable[[str], None]) -> dict:
    """Quantise the recognizer's step (calibrated on ``step_records``, or left in float32
    with the reason it gives instead) and the estimator (on ``calibration_frames``) to int8;
    point the manifest at an int8 graph only where it ran faster than float32 on one thread
    (or ``always``). Returns the measurements."""
    from .quantize import estimator_calibration, quantize_graph, recognizer_calibration
    graphs, reports = {}, {}
    if isinstance(step_records, str):
        reports['recognizer_step'] = {'kept': False, 'skipped': step_records}
    elif step_records is not None:
        graphs['recognizer_step'] = (manifest['recognizer'], 'step', lambda:
                                     recognizer_calibration(model, step_records))
    if 'pose' in manifest:
        graphs['pose'] = (manifest['pose'], 'file', lambda: estimator_calibration(
            calibration_frames, manifest['pose']['height']))
    for name, (section, key, calibration) in graphs.items():
        say(f'int8 {name}: calibrating, then timing it against float32')
        fp32 = os.path.join(folder, section[key])
        int8 = fp32.replace('.onnx', '_int8.onnx')
        report = quantize_graph(fp32, int8, calibration())
        report['kept'] = always or report['speedup'][1] > 1.0
        if report['kept']:
            section[key] = os.path.basename(int8)
            os.remove(fp32)
        else:
            os.remove(int8)
        reports[name] = report
    return reports


def _list_files(folder: str, manifest: dict) -> None:
    manifest['files'] = {name: {'sha256': file_sha256(os.path.join(folder, name)),
                                'bytes': os.path.getsize(os.path.join(folder, name))}
                         for name in sorted(os.listdir(folder)) if name != MANIFEST}


def export_bundle(model: torch.nn.Module, out: str, pose_network: Optional[torch.nn.Module] = None,
                  pose_height: int = 256, pose_info: Optional[dict] = None,
                  int8: Union[bool, str] = False,
                  calibration_frames: Optional[Sequence[np.ndarray]] = None,
                  progress: Optional[Callable[[str], None]] = None) -> dict:
    """Write a bundle to folder ``out``, whole or not at all.

    The graphs are written to ``out.partial``, run by onnxruntime against PyTorch
    (streaming steps, whole clips, estimator maps), and only if they agree within
    :data:`TOLERANCE` does the manifest follow and the folder take its name. With
    ``int8``, the step and the estimator are then quantised (:mod:`.quantize`) and each
    int8 graph replaces its float32 one only if it runs faster; the manifest's
    ``quantization`` holds the measurements either way.

    Args:
        model: a recognizer from :func:`~posegraph.apis.init_recognizer`. A network
            without a streaming ``step`` (ST-GCN) gets no step graph, and its bundle runs
            in sliding windows through the whole-video graph.
        out: the bundle's folder (replaced if it is a bundle already).
        pose_network: a :class:`~posegraph.pose.LightweightOpenPose` with its weights
            (default ``None``: a bundle without estimator, for joints from elsewhere).
        pose_height: the estimator's input height (default 256).
        pose_info: what else the manifest should say of the estimator (arch, stages).
            (default: ``None``)
        int8: ``True`` quantises where it pays, ``'always'`` everywhere it can (to measure
            what int8 costs), ``False`` (default) nowhere. The step is calibrated on the
            config's training clips; where they are not on this machine, ``True`` leaves
            it in float32 and the manifest's ``quantization`` says why.
        calibration_frames: BGR frames that calibrate the estimator's int8 activations.
            (default: ``None``)
        progress: called with a line as each stage starts (the export takes tens of
            seconds, int8 minutes). (default: ``None``)

    Returns:
        The manifest.

    Raises:
        BundleError: if onnxruntime and PyTorch disagree (nothing is written); before any
            export, if int8 lacks what calibrates it: ``calibration_frames`` for an
            estimator, the training clips for the step with ``'always'``.
        OutputPathError: ``out``'s folder cannot be made (a file in the way).
    """
    if os.path.exists(out) and not os.path.isfile(os.path.join(out, MANIFEST)):
        raise BundleError(f'{out}: exists and is not a bundle; choose another folder')
    if int8 and pose_network is not None and not calibration_frames:
        raise BundleError('int8 for the estimator needs calibration frames '
                          '(--calibration-video)')
    step_records = _step_calibration(model, int8)
    say = progress or (lambda line: None)
    partial = out.rstrip('/') + '.partial'
    make_folder_for(out, 'the bundle')
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    pipeline = _tensor_pipeline(model)
    try:
        manifest = {'format': FORMAT, 'version': VERSION, 'posegraph': posegraph.__version__,
                    'created': datetime.datetime.now(datetime.timezone.utc).isoformat(
                        timespec='seconds'),
                    'opset': OPSET, 'recognizer': _recognizer_manifest(model, pipeline is not None)}
        recognizer = manifest['recognizer']
        network = model.network.eval()
        say('exporting the recognizer')
        if recognizer['step']:
            export_onnx(network, os.path.join(partial, recognizer['step']), streaming=True,
                        persons_as_batch=True, opset=OPSET)
        export_onnx(network, os.path.join(partial, recognizer['clip']),
                    clip_len=recognizer['clip_len'] or 32, opset=OPSET)
        if pipeline is not None:
            export_keypoints_onnx(network, pipeline, os.path.join(partial, recognizer['video']),
                                  opset=OPSET)
        if pose_network is not None:
            say('exporting the estimator')
            manifest['pose'] = dict(pose_info or {}, file='pose.onnx', height=pose_height,
                                    stride=8, layout='coco17')
            export_pose_onnx(pose_network.eval(), os.path.join(partial, 'pose.onnx'),
                             height=pose_height, width=pose_height, opset=OPSET)
        _list_files(partial, manifest)
        # A manifest for the check itself; the real one is written only if it passes.
        with open(os.path.join(partial, MANIFEST), 'w') as f:
            json.dump(manifest, f)
        say('checking onnxruntime against PyTorch')
        bundle = Bundle(partial, num_threads=1)
        checks = _check_recognizer(model, bundle, pipeline)
        if pose_network is not None:
            checks.update(_check_estimator(pose_network, bundle, pose_height))
        failed = {k: v for k, v in checks.items() if not v <= TOLERANCE}
        if failed:
            raise BundleError(f'onnxruntime disagrees with PyTorch ({failed}, tolerance '
                              f'{TOLERANCE}); no bundle written')
        manifest['checks'] = {'tolerance': TOLERANCE, 'max_abs_difference': checks}
        if int8:
            os.remove(os.path.join(partial, MANIFEST))
            del bundle
            manifest['quantization'] = _quantize(partial, manifest, model, step_records,
                                                 calibration_frames,
                                                 always=int8 == 'always', say=say)
            _list_files(partial, manifest)
        with open(os.path.join(partial, MANIFEST), 'w') as f:
            json.dump(manifest, f, indent=1)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if os.path.exists(out):
        shutil.rmtree(out)
    os.replace(partial, out)
    return manifest
