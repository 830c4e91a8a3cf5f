"""The torch-free runtime: a bundle exported by tools/export_onnx.py, run by onnxruntime,
gives the PyTorch path's results, and importing it never imports torch."""
import json
import logging
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from posegraph.apis import OnlineRecognizer, init_recognizer
from posegraph.apis.bundle import export_bundle
from posegraph.pose import lightweight_openpose
from posegraph.runtime import BundleError, load_bundle
from posegraph.runtime.bundle import MANIFEST, file_sha256
from conftest import ROOT, write_video

POSE_HEIGHT = 128


@pytest.fixture(scope='module')
def pose_checkpoint(tmp_path_factory):
    """Weights of the public configuration (random: no trained file can be fetched here)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('pose') / 'lwopenpose_random.pth'
    torch.save(lightweight_openpose().state_dict(), path)
    return str(path)


@pytest.fixture(scope='module')
def bundle_dir(tmp_path_factory, pose_checkpoint):
    """The shipped JHMDB model and an estimator, exported once by the tool."""
    from conftest import load_tool
    out = tmp_path_factory.mktemp('bundles') / 'jhmdb'
    load_tool('export_onnx').main(['--out', str(out), '--pose-checkpoint', pose_checkpoint,
                                   '--pose-height', str(POSE_HEIGHT)])
    return str(out)


def test_export_refuses_a_refinement_stage_count_the_published_network_lacks(
        tmp_path, pose_checkpoint, capsys):
    from conftest import load_tool
    out = tmp_path / 'bundle'
    with pytest.raises(SystemExit) as exited:
        load_tool('export_onnx').main(['--out', str(out), '--pose-checkpoint', pose_checkpoint,
                                       '--refinement-stages', '4'])
    assert exited.value.code == 2
    assert "--refinement-stages: invalid choice: 4" in capsys.readouterr().err
    assert not out.exists()                                  # refused before any work


def walking_person(frames=12, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.uniform(150, 300, (17, 2)).astype(np.float32)
    keypoints = base + rng.normal(0, 4, (frames, 17, 2)).astype(np.float32)
    keypoints += np.linspace(0, 60, frames, dtype=np.float32)[:, None, None]
    return keypoints, np.full((frames, 17), 0.9, np.float32)


def test_the_bundle_is_single_files_with_their_hashes_and_what_runs_them(bundle_dir):
    manifest = json.load(open(os.path.join(bundle_dir, MANIFEST)))
    assert sorted(os.listdir(bundle_dir)) == sorted([MANIFEST, *manifest['files']])
    assert set(manifest['files']) == {'pose.onnx', 'recognizer_step.onnx', 'recognizer_clip.onnx',
                                      'recognizer_video.onnx'}          # no external data
    for name, entry in manifest['files'].items():
        assert entry['sha256'] == file_sha256(os.path.join(bundle_dir, name))
    recognizer = manifest['recognizer']
    assert recognizer['layout'] == 'jhmdb15' and len(recognizer['classes']) == 14
    assert recognizer['classes'][0] == 'catch' and recognizer['normalize'] == {'layout': 'jhmdb15'}
    assert manifest['pose']['height'] == POSE_HEIGHT and manifest['opset'] == 18
    assert all(v <= manifest['checks']['tolerance']
               for v in manifest['checks']['max_abs_difference'].values())


def test_streaming_in_onnxruntime_equals_pytorch(bundle_dir):
    keypoints, scores = walking_person()
    other, other_scores = walking_person(seed=1)
    torch_path = OnlineRecognizer(init_recognizer())
    runtime = load_bundle(bundle_dir).recognizer()
    for t in range(len(keypoints)):
        ids = [4, 9] if t < 8 else [4]                       # the second person leaves
        k = np.stack([keypoints[t], other[t]])[:len(ids)]
        s = np.stack([scores[t], other_scores[t]])[:len(ids)]
        expected, got = torch_path.update(ids, k, s, (480, 640)), runtime.update(
            ids, k, s, (480, 640))
        assert expected.keys() == got.keys()
        for track in expected:
            np.testing.assert_allclose(got[track], expected[track], atol=1e-5)
    final, runtime_final = torch_path.flush(), runtime.flush()
    np.testing.assert_allclose(runtime_final[4], final[4], atol=1e-5)


def test_a_whole_video_in_one_call_equals_the_pytorch_test_pipeline(bundle_dir, tmp_path):
    from posegraph.apis import inference_record
    from posegraph.skeleton import convert_keypoints
    bundle = load_bundle(bundle_dir)
    model = init_recognizer()
    for frames, persons in ((12, 1), (70, 2)):
        people = [walking_person(frames, seed) for seed in range(persons)]
        keypoint = np.stack([k for k, _ in people])
        score = np.stack([s for _, s in people]) * np.linspace(1, 0.5, persons)[:, None, None]
        score[0, 3:5, :4] = 0                                  # a few missing joints
        k, s = convert_keypoints(keypoint, score, 'coco17', 'jhmdb15')
        expected = inference_record(model, {'keypoint': k, 'keypoint_score': s,
                                            'img_shape': (480, 640)}).pred_score.numpy()
        got = bundle.video_probabilities(keypoint, score, layout='coco17')
        np.testing.assert_allclose(got, expected, atol=1e-5)
        np.testing.assert_allclose(bundle.video_probabilities(k, s), expected, atol=1e-5)
    with pytest.raises(ValueError, match=r'keypoint \(M, T, 15, 2\).*got \(70, 15, 2\)'):
        bundle.video_probabilities(k[0], s[0])
    import shutil
    copy = tmp_path / 'without_video'
    shutil.copytree(bundle_dir, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest['recognizer']['video'] = None                     # as bundles written before
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match='holds no whole-video graph'):
        load_bundle(str(copy)).video_probabilities(k, s)
    with pytest.raises(BundleError, match='holds no whole-video graph'):
        load_bundle(str(copy)).windows(8)


def test_a_test_pipeline_only_numpy_runs_leaves_the_whole_video_graph_out(tmp_path):
    model = init_recognizer()
    for step in model.cfg.test_dataloader.dataset.pipeline:
        if step['type'] == 'PoseNormalize':
            step['center'] = 'frame'                           # per-frame centring
    manifest = export_bundle(model, str(tmp_path / 'bundle'))
    assert manifest['recognizer']['video'] is None
    assert sorted(os.listdir(tmp_path / 'bundle')) == sorted(
        [MANIFEST, 'recognizer_step.onnx', 'recognizer_clip.onnx'])
    assert set(manifest['checks']['max_abs_difference']) == {'recognizer_step',
                                                             'recognizer_clip'}


def test_sliding_windows_in_onnxruntime_equal_pytorch(bundle_dir):
    from posegraph.apis import SlidingWindowRecognizer
    keypoints, scores = walking_person(20)
    other, other_scores = walking_person(20, seed=1)
    torch_path = SlidingWindowRecognizer(init_recognizer(), window=8, stride=4)
    runtime = load_bundle(bundle_dir).windows(window=8, stride=4)
    answers = 0
    for t in range(len(keypoints)):
        ids = [4, 9] if t < 14 else [4]                      # the second person leaves
        k = np.stack([keypoints[t], other[t]])[:len(ids)]
        s = np.stack([scores[t], other_scores[t]])[:len(ids)]
        expected, got = (r.update(ids, k, s, (480, 640)) for r in (torch_path, runtime))
        assert expected.keys() == got.keys()
        for track in expected:
            np.testing.assert_allclose(got[track], expected[track], atol=1e-5)
            answers += 1
    assert answers > 20
    np.testing.assert_allclose(runtime.flush()[4], torch_path.flush()[4], atol=1e-5)


def test_a_network_without_a_step_exports_and_runs_in_windows_as_in_pytorch(tmp_path):
    """ST-GCN, the baseline: before, export_bundle failed on its missing initial_state."""
    from posegraph.apis import SlidingWindowRecognizer
    torch.manual_seed(0)
    model = init_recognizer(os.path.join(ROOT, 'configs', 'stgcn_jhmdb.py'))
    manifest = export_bundle(model, str(tmp_path / 'stgcn'))
    assert manifest['recognizer']['step'] is None and manifest['recognizer']['state'] == []
    assert sorted(os.listdir(tmp_path / 'stgcn')) == sorted(
        [MANIFEST, 'recognizer_clip.onnx', 'recognizer_video.onnx'])
    assert set(manifest['checks']['max_abs_difference']) == {'recognizer_clip',
                                                             'recognizer_video'}
    bundle = load_bundle(str(tmp_path / 'stgcn'))
    assert not bundle.has_step
    with pytest.raises(BundleError, match="stgcn: this bundle's network has no streaming step; "
                                          r'run it in sliding windows \(windows\(\), '
                                          r'tools/demo.py --window\)'):
        bundle.recognizer()
    keypoints, scores = walking_person(12)
    torch_path = SlidingWindowRecognizer(model, window=8, stride=4)
    runtime = bundle.windows(window=8, stride=4)
    answers = 0
    for t in range(len(keypoints)):
        expected, got = (r.update([2], keypoints[t][None], scores[t][None], (480, 640))
                         for r in (torch_path, runtime))
        assert expected.keys() == got.keys()
        for track in expected:
            np.testing.assert_allclose(got[track], expected[track], atol=1e-5)
            answers += 1
    assert answers >= 2


def test_the_bundles_estimator_equals_the_pytorch_back_end(bundle_dir, pose_checkpoint):
    from posegraph.pose.backends import LightweightOpenPoseBackend
    frames = [np.random.default_rng(k).integers(0, 255, (90, 160, 3), np.uint8) for k in range(2)]
    backend = LightweightOpenPoseBackend(pose_checkpoint, height=POSE_HEIGHT)
    estimator = load_bundle(bundle_dir).estimator()
    inputs = np.stack([backend.preprocess(f)[0] for f in frames])
    for ours, reference in zip(estimator.maps(inputs), backend.maps(inputs)):
        np.testing.assert_allclose(ours, reference, atol=1e-4)
    for (k1, _), (k2, _) in zip(estimator(frames), backend(frames)):
        assert k1.shape == k2.shape
        np.testing.assert_allclose(k1, k2, atol=1e-3)


EDGE_PYTHON = os.environ.get('POSEGRAPH_EDGE_PYTHON')   # .ci/run's venv without torch


@pytest.mark.parametrize('python', [
    pytest.param(sys.executable, id='torch-blocked'),
    pytest.param(EDGE_PYTHON, id='edge-install', marks=pytest.mark.skipif(
        not EDGE_PYTHON, reason='POSEGRAPH_EDGE_PYTHON (a venv without torch) is not set'))])
def test_the_runtime_runs_without_torch(bundle_dir, tmp_path, python):
    """In a process where `import torch` fails, and in the edge install (no torch at all,
    CI's with the oldest numpy allowed): the bundle estimates poses on a video and streams a
    person, giving PyTorch's probabilities; an annotation file written here loads there;
    tools/demo.py --bundle runs a video through it."""
    from posegraph.io import dump_annotations
    keypoints, scores = walking_person()
    video = write_video(tmp_path / 'v.avi')
    record = {'frame_dir': 'walk', 'label': 3, 'img_shape': (480, 640), 'total_frames': 12,
              'keypoint': keypoints[None], 'keypoint_score': scores[None]}
    dump_annotations(str(tmp_path / 'walk.pkl'), [record])
    script = f'''
import sys
sys.modules['torch'] = None          # `import torch` raises ImportError from here on
import json
import numpy as np
from posegraph.io import VideoSource
from posegraph.runtime import load_bundle
bundle = load_bundle({bundle_dir!r}, num_threads=1)
poses = bundle.estimator()(list(VideoSource({video!r})))
recognizer = bundle.recognizer()
data = np.load({str(tmp_path / 'joints.npz')!r})
for k, s in zip(data['keypoints'], data['scores']):
    answer = recognizer.update([0], k[None], s[None], (480, 640))
video = bundle.video_probabilities(data['keypoints'][None], data['scores'][None], 'coco17')
from posegraph.io import load_annotations
loaded = load_annotations({str(tmp_path / 'walk.pkl')!r})[0]
print(json.dumps({{'frames': len(poses), 'probabilities': answer[0].tolist(),
                  'video': video.tolist(),
                  'loaded': loaded['keypoint'].tolist(), 'numpy': np.__version__}}))
'''
    np.savez(tmp_path / 'joints.npz', keypoints=keypoints, scores=scores)
    result = subprocess.run([python, '-c', script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out['frames'] == 8
    np.testing.assert_array_equal(np.array(out['loaded'], np.float32), keypoints[None])
    expected = OnlineRecognizer(init_recognizer())
    for k, s in zip(keypoints, scores):
        answer = expected.update([0], k[None], s[None], (480, 640))
    np.testing.assert_allclose(out['probabilities'], answer[0], atol=1e-5)
    np.testing.assert_allclose(out['video'], load_bundle(bundle_dir).video_probabilities(
        keypoints[None], scores[None], 'coco17'), atol=1e-6)
    demo = subprocess.run([python, '-c', "import sys; sys.modules['torch'] = None; "
                           "import runpy; sys.argv = sys.argv[1:]; "
                           "runpy.run_path(sys.argv[0], run_name='__main__')",
                           'tools/demo.py', video, '--bundle', bundle_dir,
                           '--json', str(tmp_path / 'demo.json')],
                          capture_output=True, text=True, cwd=ROOT)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert json.loads((tmp_path / 'demo.json').read_text())['frames'] == 8


def test_an_altered_or_incomplete_bundle_is_refused_by_name(bundle_dir, tmp_path):
    import shutil
    copy = tmp_path / 'copy'
    shutil.copytree(bundle_dir, copy)
    with open(copy / 'recognizer_step.onnx', 'ab') as f:
        f.write(b'\0')
    with pytest.raises(BundleError, match='recognizer_step.onnx: its SHA-256 differs'):
        load_bundle(str(copy))
    (copy / 'pose.onnx').unlink()
    with pytest.raises(BundleError, match='pose.onnx: missing from the bundle'):
        load_bundle(str(copy))
    with pytest.raises(BundleError, match='no manifest.json; not a bundle'):
        load_bundle(str(tmp_path))


def test_a_bundle_that_disagrees_with_pytorch_is_not_written(tmp_path, monkeypatch):
    import posegraph.apis.bundle as bundle_module
    monkeypatch.setattr(bundle_module, 'TOLERANCE', 0.0)      # any difference disagrees
    model = init_recognizer('configs/pan_synthetic.py')
    with pytest.raises(BundleError, match='onnxruntime disagrees with PyTorch'):
        export_bundle(model, str(tmp_path / 'out'))
    assert os.listdir(tmp_path) == []                          # no bundle, no partial


def test_a_bundle_folder_that_cannot_be_made_is_one_line_before_the_export(tmp_path, run_tool):
    (tmp_path / 'notes.txt').write_text('')
    result = run_tool('export_onnx', '--out', tmp_path / 'notes.txt' / 'bundle')
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'notes.txt'}: a file is in the way of the folder for the bundle")
    assert sorted(os.listdir(tmp_path)) == ['notes.txt']


@pytest.mark.parametrize('options, message', [
    (('--pose-height', 4), '--pose-height must be 8 or more, got 4'),
    (('--pose-checkpoint', 'w.pth', '--int8'), '--int8 with an estimator needs '
                                                '--calibration-video'),
    (('--calibration-video', 'v.avi'), '--calibration-video calibrates the int8 estimator: '
                                       'give it with --int8 and --pose-checkpoint'),
    (('--calibration-video', 'v.avi', '--int8'), '--calibration-video calibrates the int8'),
    (('--pose-checkpoint', 'none.pth'), '--pose-checkpoint: none.pth: no such checkpoint. '
                                        "The lwopenpose back-end needs trained weights: the "
                                        "checkpoint 'lwopenpose' downloads"),
])
def test_export_options_that_cannot_work_stop_before_anything_is_exported(
        tmp_path, run_tool, options, message):
    result = run_tool('export_onnx', '--out', tmp_path / 'bundle', *options)
    assert result.returncode != 0 and message in result.stderr
    assert 'Traceback' not in result.stderr and not (tmp_path / 'bundle').exists()


@pytest.mark.parametrize('mode', [(), ('--window', 4, '--stride', 2)], ids=['step', 'window'])
def test_demo_runs_a_bundle_as_it_runs_pytorch(bundle_dir, tmp_path, run_tool, mode):
    video = write_video(tmp_path / 'square.avi', frames=10, size=(96, 128))
    backend = ('--pose-backend', 'brightest', '--custom-imports', 'pose_backends_for_tests',
               *mode)
    assert run_tool('demo', video, *backend, '--json', tmp_path / 'torch.json').returncode == 0
    result = run_tool('demo', video, *backend, '--bundle', bundle_dir,
                      '--json', tmp_path / 'bundle.json')
    assert result.returncode == 0, result.stderr
    timelines = [json.loads((tmp_path / f'{name}.json').read_text())['timeline']
                 for name in ('torch', 'bundle')]
    for ours, theirs in zip(*timelines):
        assert [p['id'] for p in ours['persons']] == [p['id'] for p in theirs['persons']]
        for a, b in zip(ours['persons'], theirs['persons']):
            assert (a['scores'] is None) == (b['scores'] is None)
            if a['scores'] is not None:
                np.testing.assert_allclose(a['scores'], b['scores'], atol=1e-3)
    assert any(p['scores'] is not None for frame in timelines[1] for p in frame['persons'])


def test_int8_step_is_calibrated_on_real_streams_measured_and_smaller(bundle_dir, tmp_path):
    from posegraph.apis.quantize import quantize_graph, recognizer_calibration
    from posegraph.skeleton import convert_keypoints
    model = init_recognizer()
    records = []
    for seed in range(4):
        keypoints, scores = walking_person(16, seed)
        k, s = convert_keypoints(keypoints, scores, 'coco17', 'jhmdb15')
        records.append({'keypoint': k[None], 'keypoint_score': s[None], 'img_shape': (480, 640)})
    feeds = recognizer_calibration(model, records, max_feeds=40)
    assert len(feeds) == 40 and feeds[0]['frame'].shape == (1, 1, 15, model.network.in_channels)
    fp32 = os.path.join(bundle_dir, 'recognizer_step.onnx')
    logged = logging.Handler()
    logged.emit = lambda record: messages.append(record.getMessage())
    messages = []
    logging.getLogger().addHandler(logged)
    try:
        report = quantize_graph(fp32, str(tmp_path / 'step_int8.onnx'), feeds, threads=(1,))
        logging.getLogger().warning('after')
    finally:
        logging.getLogger().removeHandler(logged)
    # onnxruntime's advice that changes nothing here is not shown; the root logger is as
    # it was after.
    assert messages == ['after']
    # int8 weights: a quarter of the bytes, plus the graph and the float32 biases and scales.
    assert report['bytes'][1] < 0.6 * report['bytes'][0]
    assert set(report['speedup']) == {1} and report['speedup'][1] > 0
    # Logits and states move, but within what calibration allows.
    assert 0 < report['max_abs_difference'] < 5 and report['mean_abs_difference'] < 0.5


def training_clips_file(path, clips=4):
    """A small training file in the shipped model's layout, from walking persons."""
    from posegraph.io import dump_annotations
    from posegraph.skeleton import convert_keypoints
    records = []
    for seed in range(clips):
        keypoints, scores = walking_person(16, seed)
        k, s = convert_keypoints(keypoints, scores, 'coco17', 'jhmdb15')
        records.append({'frame_dir': f'clip{seed}', 'label': seed, 'total_frames': 16,
                        'img_shape': (480, 640), 'keypoint': k[None],
                        'keypoint_score': s[None]})
    dump_annotations(path, records)
    return str(path)


def test_int8_bundle_points_at_its_int8_graphs_and_runs(tmp_path):
    model = init_recognizer()
    model.cfg.train_dataloader.dataset.update(
        ann_file=training_clips_file(tmp_path / 'train.pkl'), split=None)
    torch.manual_seed(0)
    frames = [np.random.default_rng(k).integers(0, 255, (48, 64, 3), np.uint8) for k in range(4)]
    out, stages = tmp_path / 'bundle', []
    manifest = export_bundle(model, str(out), lightweight_openpose(), pose_height=64,
                             int8='always', calibration_frames=frames, progress=stages.append)
    assert stages == ['exporting the recognizer', 'exporting the estimator',
                      'checking onnxruntime against PyTorch',
                      'int8 recognizer_step: calibrating, then timing it against float32',
                      'int8 pose: calibrating, then timing it against float32']
    assert manifest['recognizer']['step'] == 'recognizer_step_int8.onnx'
    assert manifest['pose']['file'] == 'pose_int8.onnx'
    assert {name: report['kept'] for name, report in manifest['quantization'].items()} == {
        'recognizer_step': True, 'pose': True}
    # The float32 graphs they replace are gone, and the file list is the folder's.
    assert sorted(os.listdir(out)) == sorted([MANIFEST, *manifest['files']])
    assert set(manifest['files']) == {'recognizer_step_int8.onnx', 'recognizer_clip.onnx',
                                      'recognizer_video.onnx', 'pose_int8.onnx'}
    bundle = load_bundle(str(out))                 # checks every file against its hash
    recognizer = bundle.recognizer()
    keypoints, scores = walking_person()
    for k, s in zip(keypoints, scores):
        probabilities = recognizer.update([0], k[None], s[None], (480, 640))
    assert probabilities[0].shape == (14,) and abs(probabilities[0].sum() - 1) < 1e-5
    persons = bundle.estimator()([frames[0]])
    assert len(persons) == 1 and persons[0][0].shape[1:] == (17, 2)


def test_int8_without_the_training_clips_leaves_the_step_in_float32_and_says_why(
        tmp_path, run_tool):
    # As on a fresh clone, which has no JHMDB joints to calibrate the shipped model's step.
    missing = str(tmp_path / 'elsewhere' / 'train.pkl')
    result = run_tool('export_onnx', '--out', tmp_path / 'bundle', '--int8',
                      '--cfg-options', f'train_dataloader.dataset.ann_file={missing}')
    assert result.returncode == 0, result.stderr
    reason = f'{missing}: no such annotation file (its training clips calibrate it)'
    assert result.stdout.startswith('exporting the recognizer...\nchecking onnxruntime against '
                                    'PyTorch...\nonnxruntime vs PyTorch, largest difference')
    assert f'int8 recognizer_step: not quantised, float32 kept: {reason}\n' in result.stdout
    manifest = json.loads((tmp_path / 'bundle' / MANIFEST).read_text())
    assert manifest['recognizer']['step'] == 'recognizer_step.onnx'
    assert manifest['quantization'] == {'recognizer_step': {'kept': False, 'skipped': reason}}
    assert os.path.isfile(tmp_path / 'bundle' / 'recognizer_step.onnx')


@pytest.mark.parametrize('case', ['always without the training clips',
                                  'estimator without frames'])
def test_int8_that_lacks_its_calibration_stops_before_anything_is_exported(
        tmp_path, case, monkeypatch):
    model = init_recognizer()
    if case == 'always without the training clips':
        model.cfg.train_dataloader.dataset.ann_file = str(tmp_path / 'none.pkl')
        options, message = dict(int8='always'), (
            f"int8 calibrates the recognizer's step on its training clips: "
            f"{tmp_path / 'none.pkl'}: no such annotation file")
    else:
        options, message = dict(pose_network=lightweight_openpose(), int8=True), (
            'int8 for the estimator needs calibration frames')
    monkeypatch.setattr('posegraph.apis.bundle.export_onnx', None)   # any export would fail
    with pytest.raises(BundleError) as raised:
        export_bundle(model, str(tmp_path / 'bundle'), **options)
    assert message in str(raised.value)
    assert sorted(os.listdir(tmp_path)) == []
