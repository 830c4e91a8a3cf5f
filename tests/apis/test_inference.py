"""posegraph.apis' inference functions (MMAction2's names): a video's per-frame persons in,
the same scores out as tools/test.py gives the same clip."""
import copy
import os
import pickle

import numpy as np
import pytest
import torch
from test_runner import CONFIG, SMALL, train_runner

from posegraph.apis import (
    IncompatibleError,
    build_runner,
    compile_for_inference,
    inference_pose,
    inference_record,
    inference_records,
    inference_skeleton,
    init_pose_estimator,
    init_recognizer,
    load_config,
)
from posegraph.io import AnnotationError, dump_annotations, load_annotations
from posegraph.io.download import DownloadError
from file_server import OFFLINE, FileServer


@pytest.fixture(scope='module')
def trained(synthetic_file, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('inference')
    train_runner(work_dir, {'ann_file': synthetic_file}).train()
    return str(work_dir / 'epoch_1.pth')


def per_frame_persons(record):
    """What a pose estimator gives for the clip: each frame's visible persons, untracked."""
    results = []
    for t in range(record['total_frames']):
        seen = record['keypoint_score'][:, t].sum(-1) > 0
        results.append({'keypoints': record['keypoint'][seen, t][::-1],   # any order
                        'keypoint_scores': record['keypoint_score'][seen, t][::-1]})
    return results


def scores_tools_test_dumps(checkpoint, options, tmp_path):
    """What tools/test.py dumps for the test split: each clip's scores."""
    runner = build_runner(CONFIG, work_dir=str(tmp_path / 't'), checkpoint=checkpoint,
                          dump=str(tmp_path / 'scores.pkl'), cfg_options=options)
    runner.test()
    with open(tmp_path / 'scores.pkl', 'rb') as f:   # our own file
        return pickle.load(f)


def test_inference_gives_what_testing_gives(trained, synthetic_file, tmp_path):
    options = dict(SMALL, ann_file=synthetic_file)
    dumped = scores_tools_test_dumps(trained, options, tmp_path)
    model = init_recognizer(CONFIG, trained, cfg_options=options)
    assert model.dataset_meta['classes'][0] == 'walk'        # the checkpoint's class names
    records = load_annotations(synthetic_file, split='test')
    for record, expected in list(zip(records, dumped))[:6]:
        result = inference_skeleton(model, per_frame_persons(record), record['img_shape'])
        torch.testing.assert_close(result.pred_score, expected['pred_score'], atol=1e-5,
                                   rtol=1e-4)
        assert int(result.pred_label) == int(expected['pred_score'].argmax())
    # Scored in inference mode, returned as an ordinary tensor that callers may change.
    assert not result.pred_score.is_inference()
    result.pred_score.mul_(2)
    # A loaded config takes the same options (they were once dropped for a Config).
    from_config = init_recognizer(load_config(CONFIG), trained, cfg_options=options)
    person = per_frame_persons(records[0])
    torch.testing.assert_close(
        inference_skeleton(from_config, person, records[0]['img_shape']).pred_score,
        inference_skeleton(model, person, records[0]['img_shape']).pred_score)


def test_a_checkpoint_named_by_url_is_downloaded_once_as_mmaction2_users_give_it(
        trained, synthetic_file, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))
    options = dict(SMALL, ann_file=synthetic_file)
    with FileServer({'/pan.pth': open(trained, 'rb').read()}) as server:
        model = init_recognizer(CONFIG, server.url + '/pan.pth?dl=1', cfg_options=options)
    assert os.path.isfile(tmp_path / 'hub' / 'checkpoints' / 'pan.pth')
    local = init_recognizer(CONFIG, trained, cfg_options=options)
    assert model.dataset_meta == local.dataset_meta and model.dataset_meta
    for (key, value), other in zip(model.state_dict().items(), local.state_dict().values()):
        assert torch.equal(value, other), key
    with pytest.raises(DownloadError, match=f'cannot download {OFFLINE}/none.pth'):
        init_recognizer(CONFIG, OFFLINE + '/none.pth', cfg_options=options)


def test_records_without_scores_or_with_non_finite_joints_score_as_testing_reads_them(
        trained, synthetic_file, tmp_path):
    records = load_annotations(synthetic_file, split='test')[:3]
    records[0] = {k: v for k, v in records[0].items() if k != 'keypoint_score'}
    for record, value in zip(records[1:], (np.nan, np.inf)):
        keypoint = record['keypoint'].copy()
        keypoint[0, ::3, 5:9] = value          # joints a converter could not place
        record['keypoint'] = keypoint
    path = tmp_path / 'gaps.pkl'
    dump_annotations(path, records, {'test': [r['frame_dir'] for r in records]},
                     load_annotations(synthetic_file, return_classes=True)[1])
    options = dict(SMALL, ann_file=str(path))
    dumped = scores_tools_test_dumps(trained, options, tmp_path)
    model = init_recognizer(CONFIG, trained, cfg_options=options)
    scores = [result.pred_score for result in inference_records(model, records)]
    for score, expected in zip(scores, dumped):
        assert torch.isfinite(score).all()
        torch.testing.assert_close(score, expected['pred_score'], atol=1e-5, rtol=1e-4)
    assert 'keypoint_score' not in records[0] and np.isnan(records[1]['keypoint']).any()


def test_the_test_pipeline_is_built_once_and_again_when_the_config_changes(
        trained, synthetic_file):
    from posegraph.apis.inference import _test_pipeline
    model = init_recognizer(CONFIG, trained, cfg_options=dict(SMALL, ann_file=synthetic_file))
    record = load_annotations(synthetic_file, split='test')[0]
    first = inference_record(model, record).pred_score
    pipeline = _test_pipeline(model)
    assert _test_pipeline(model) is pipeline
    torch.testing.assert_close(inference_record(model, record).pred_score, first)
    # Changed in place, the config's pipeline is built again and scores differently.
    steps = model.cfg.test_dataloader.dataset.pipeline
    sample = next(step for step in steps if step['type'] == 'UniformSampleFrames')
    sample['clip_len'] //= 2
    assert _test_pipeline(model) is not pipeline
    assert not torch.allclose(inference_record(model, record).pred_score, first)


def test_bad_inputs_and_checkpoints_are_named(trained, synthetic_file, tmp_path):
    model = init_recognizer(CONFIG, trained, cfg_options=dict(SMALL, ann_file=synthetic_file))
    with pytest.raises(ValueError, match='pose_results is empty'):
        inference_skeleton(model, [], (240, 320))
    with pytest.raises(ValueError, match=r"pose_results\[1\] lacks 'keypoint_scores'"):
        inference_skeleton(model, [{'keypoints': np.zeros((1, 17, 2)),
                                    'keypoint_scores': np.zeros((1, 17))},
                                   {'keypoints': np.zeros((1, 17, 2))}], (240, 320))
    # A frame given as a list of per-person dicts was list's TypeError.
    with pytest.raises(ValueError, match=r"pose_results\[0\] is a list: each frame is one dict "
                       'of all its persons'):
        inference_skeleton(model, [[{'keypoints': np.zeros((17, 2)),
                                     'keypoint_scores': np.zeros(17)}]], (240, 320))
    # Joints of another layout than the one named: the remedy, with the layout that fits.
    jhmdb = [{'keypoints': np.zeros((1, 15, 2)), 'keypoint_scores': np.ones((1, 15))}] * 8
    with pytest.raises(ValueError, match=r"pose_results has 15 joints a person, "
                       r"layout coco17 has 17: give the layout they are in \(jhmdb15\?\)"):
        inference_skeleton(model, jhmdb, (240, 320))
    with pytest.raises(ValueError, match=r"device='cuda': this torch sees no CUDA device"):
        if torch.cuda.is_available():
            pytest.skip('a CUDA device is here')
        init_recognizer(CONFIG, device='cuda')
    nobody = [{'keypoints': np.zeros((0, 17, 2)), 'keypoint_scores': np.zeros((0, 17))}] * 8
    scores = inference_skeleton(model, nobody, (240, 320)).pred_score   # empty frames: scored
    assert scores.shape == (14,) and torch.isfinite(scores).all()
    with pytest.raises(IncompatibleError, match='does not fit the model'):
        init_recognizer(CONFIG, trained)        # full-size model, small checkpoint
    with pytest.raises(FileNotFoundError, match='nope.pth: no such checkpoint'):
        init_recognizer(CONFIG, str(tmp_path / 'nope.pth'))
    # A record the model cannot read is named with its problem, before any pipeline step.
    record = load_annotations(synthetic_file, split='test')[0]
    for change, why in [(dict(keypoint=record['keypoint'][:, :, :15]),
                         'keypoint has 15 joints, the layout has 17'),
                        (dict(keypoint=record['keypoint'][0]), r'keypoint must be an array of '
                         r'shape \(M, T, V, 2\), got \(\d+, 17, 2\)'),
                        (dict(keypoint=record['keypoint'][:, :0], total_frames=0),
                         'the clip has no frames')]:
        with pytest.raises(AnnotationError, match=rf"inference_records: annotation 0 "
                                                  rf"\('{record['frame_dir']}'\): {why}"):
            inference_record(model, dict(record, **change))
    # 2D joints stored with their score as a third channel read as the two.
    stacked = dict(record, keypoint=np.concatenate(
        [record['keypoint'], record['keypoint_score'][..., None]], -1))
    del stacked['keypoint_score']
    torch.testing.assert_close(inference_record(model, stacked).pred_score,
                               inference_record(model, record).pred_score)


def test_a_compiled_recognizer_scores_as_the_eager_one_from_one_graph(trained, synthetic_file):
    from torch._dynamo.utils import counters
    options = dict(SMALL, ann_file=synthetic_file)
    eager = init_recognizer(CONFIG, trained, cfg_options=options)
    torch._dynamo.reset()
    counters.clear()
    model = init_recognizer(CONFIG, trained, cfg_options=options, compile=True)
    assert model.state_dict().keys() == eager.state_dict().keys()   # checkpoints unchanged
    records = load_annotations(synthetic_file, split='test')[:3]
    for record in records:
        torch.testing.assert_close(inference_record(model, record).pred_score,
                                   inference_record(eager, record).pred_score,
                                   atol=1e-5, rtol=1e-4)
    # One graph for every clip of that shape: the GRU and DiffPool's softmax did not break it.
    assert counters['stats']['unique_graphs'] == 1 and not counters['graph_break']
    assert torch._dynamo.config.allow_rnn is False   # allowed for this model's calls only
    # Another batch size compiles once more, for any batch size after it.
    for batch in (records, records[:2]):
        torch.testing.assert_close(
            torch.stack([r.pred_score for r in inference_records(model, batch)]),
            torch.stack([r.pred_score for r in inference_records(eager, batch)]),
            atol=1e-5, rtol=1e-4)
    assert counters['stats']['unique_graphs'] == 2 and not counters['graph_break']


def test_a_compiled_keypoints_graph_takes_videos_of_any_length_without_recompiling():
    """Raw keypoints to scores, as benchmarks/jhmdb_latency.py times it compiled."""
    from torch._dynamo.utils import counters

    from posegraph.export import KeypointScores
    from posegraph.models import PoseAttentionNetwork, TensorTestPipeline
    streams = ('joint', 'joint_motion', 'bone', 'distance')
    torch.manual_seed(0)
    network = PoseAttentionNetwork('jhmdb15', 22, 5, graph_channels=(8, 8), pooled_channels=16,
                                   gru_channels=16, attention_channels=8, num_clusters=4,
                                   graph_partition='spatial').eval()
    video = KeypointScores(TensorTestPipeline('jhmdb15', 16, streams, interpolate=True),
                           network)
    eager = copy.deepcopy(video)
    torch._dynamo.reset()
    counters.clear()
    compile_for_inference(video, dynamic=True)
    rng = np.random.default_rng(0)
    for persons, frames in ((1, 40), (1, 9), (1, 75), (2, 30)):
        keypoint = torch.from_numpy(rng.uniform(0, 300, (persons, frames, 15, 2)).astype(
            np.float32))
        score = torch.from_numpy(rng.uniform(0.1, 1, (persons, frames, 15)).astype(np.float32))
        with torch.inference_mode():
            torch.testing.assert_close(video(keypoint, score), eager(keypoint, score),
                                       atol=1e-5, rtol=1e-4)
        if persons == 1:   # dynamo specialises a size of 1: a second person compiles again
            assert counters['stats']['unique_graphs'] == 1 and not counters['graph_break']


def test_compiling_for_cpu_without_a_compiler_says_so(monkeypatch):
    monkeypatch.setenv('CXX', 'no-such-compiler++')
    with pytest.raises(RuntimeError, match="'no-such-compiler\\+\\+' is not on PATH"):
        compile_for_inference(torch.nn.Linear(2, 2))


def test_pose_inference_returns_each_frames_persons():
    import pose_backends_for_tests  # registers 'brightest': joints around the bright pixels
    frames = [np.zeros((48, 64, 3), np.uint8) for _ in range(3)]
    frames[1][10:20, 30:40] = 255
    results = inference_pose(init_pose_estimator('brightest'), frames)
    assert [r['keypoints'].shape for r in results] == [(0, 17, 2), (1, 17, 2), (0, 17, 2)]
    np.testing.assert_allclose(results[1]['keypoints'][0],
                               np.array([34.5, 14.5]) + pose_backends_for_tests.OFFSETS)
    assert results[1]['keypoint_scores'].dtype == np.float32


def test_the_shipped_jhmdb_model_recognises_estimated_joints(jhmdb_dir):
    """The packaged model (the robust recipe on all of ../shared's JHMDB clips) loads with no
    arguments and names the action of clips fed as an estimator would: coco17 persons per
    frame, converted to its jhmdb15 joints."""
    from posegraph.skeleton import JHMDB15
    model = init_recognizer()
    with open(os.path.join(jhmdb_dir, 'label_map.txt')) as f:
        assert list(model.dataset_meta['classes']) == f.read().split()
    records = load_annotations(os.path.join(jhmdb_dir, 'jhmdb_gt_dev.pkl'))[::20]
    right = 0
    for record in records:
        # jhmdb15 joints as a coco17 estimator would report them (no neck or belly: those
        # the conversion derives from the shoulders and hips).
        coco = np.zeros(record['keypoint'].shape[:2] + (17, 2), np.float32)
        names = JHMDB15.joint_names
        for jhmdb_name, coco_index in (('face', 0), ('left_shoulder', 5), ('right_shoulder', 6),
                                       ('left_elbow', 7), ('right_elbow', 8), ('left_wrist', 9),
                                       ('right_wrist', 10), ('left_hip', 11), ('right_hip', 12),
                                       ('left_knee', 13), ('right_knee', 14),
                                       ('left_ankle', 15), ('right_ankle', 16)):
            coco[..., coco_index, :] = record['keypoint'][..., names.index(jhmdb_name), :]
        frames = [{'keypoints': coco[:, t], 'keypoint_scores': np.ones(coco.shape[:1] + (17,),
                                                                       np.float32)}
                  for t in range(coco.shape[1])]
        result = inference_skeleton(model, frames, record['img_shape'])
        right += int(result.pred_label) == record['label']
    assert right / len(records) > 0.8
