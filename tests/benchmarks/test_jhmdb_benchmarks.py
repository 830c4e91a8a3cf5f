"""The JHMDB benchmarks' shared pieces: finding the finished runs of a work root, the kernels
a run trained with, and the per-class top-1 of a run."""
import json
import os

import numpy as np
import pytest
import torch
from jhmdb_accuracy import (
    RUN_DIR,
    check_folds,
    cpu_capability,
    finished_runs,
    fold_options,
    fold_records,
    fold_splits,
    load_runs,
    merged_config,
    paired,
    paired_line,
)
from jhmdb_per_class import class_names, per_class
from mmengine.config import Config

from posegraph.io.annotations import dump_annotations
from conftest import ROOT


def test_cpu_capability_reads_what_the_training_log_says(tmp_path):
    # tools/train.py logs mmengine's environment, which holds PyTorch's build details.
    log = tmp_path / 'grouped1_seed0.log'
    log.write_text('System environment:\n' + torch.__config__.show())
    assert cpu_capability(str(log)) == torch.backends.cpu.get_cpu_capability()
    log.write_text('  - CPU capability usage: AVX2\n')
    assert cpu_capability(str(log)) == 'AVX2'
    log.write_text('a log cut short\n')
    assert cpu_capability(str(log)) is None
    assert cpu_capability(str(tmp_path / 'missing.log')) is None


def run_record(fold, seed, top1, kernels='AVX512', processor='AMD EPYC'):
    return dict(fold=fold, seed=seed, top1=top1, top1_tta=top1, cpu_capability=kernels,
                cpu_model=processor)


def test_paired_compares_each_run_with_the_baselines_run_of_the_same_fold_and_seed():
    baseline = [run_record('grouped1', 0, 0.80), run_record('grouped1', 1, 0.70),
                run_record('grouped2', 0, 0.75)]
    runs = [run_record('grouped2', 0, 0.75), run_record('grouped1', 1, 0.75),
            run_record('grouped1', 0, 0.78), run_record('grouped2', 1, 0.90)]
    result = paired(runs, baseline)
    assert [(f, s) for f, s, _ in result['runs']] == [('grouped2', 0), ('grouped1', 1),
                                                    ('grouped1', 0)]
    assert [d for _, _, d in result['runs']] == pytest.approx([0.0, 5.0, -2.0])
    assert result['difference'] == pytest.approx(1.0)
    assert result['standard_error'] == pytest.approx(np.std([0, 5, -2], ddof=1) / np.sqrt(3))
    assert (result['ahead'], result['level'], result['behind']) == (1, 1, 1)
    assert result['unpaired'] == [('grouped2', 1)] and result['other_kernels'] == []
    assert result['other_processors'] == []
    line = paired_line('config', result)
    assert '+1.0 ±' in line and '1 ahead, 1 level, 1 behind' in line
    assert 'no baseline run for grouped2 seed 1' in line and 'other kernels' not in line
    assert 'another processor' not in line


def test_paired_names_runs_trained_on_other_kernels_and_refuses_nothing_to_pair():
    result = paired([run_record('grouped1', 0, 0.8, 'AVX2')], [run_record('grouped1', 0, 0.8)])
    assert result['other_kernels'] == [('grouped1', 0)]
    assert 'other kernels' in paired_line('config', result)
    unknown = paired([run_record('grouped1', 0, 0.8, None)], [run_record('grouped1', 0, 0.8)])
    assert unknown['other_kernels'] == []     # a run from before the kernels were recorded
    with pytest.raises(ValueError, match='no run of the baseline'):
        paired([run_record('grouped1', 3, 0.8)], [run_record('grouped1', 0, 0.8)])


def test_paired_counts_a_tie_through_float32_as_level():
    ddnet = run_record('grouped1', 0, float(np.float32(93 / 112)))   # 0.8303571...46
    result = paired([run_record('grouped1', 0, 93 / 112)], [ddnet])
    assert (result['ahead'], result['level'], result['behind']) == (0, 1, 0)


def test_paired_names_runs_trained_on_another_processor_with_the_same_kernels():
    baseline = [run_record('grouped1', 0, 0.8, processor='Intel Xeon'),
                run_record('grouped1', 1, 0.8, processor=None)]
    runs = [run_record('grouped1', 0, 0.78), run_record('grouped1', 1, 0.8)]
    result = paired(runs, baseline)
    assert result['other_kernels'] == []
    assert result['other_processors'] == [('grouped1', 0)]   # seed 1's is not known
    assert 'another processor than the baseline' in paired_line('config', result)


def test_load_runs_joins_out_files_and_names_a_file_it_cannot_use(tmp_path):
    first, second, ablation = (tmp_path / n for n in ('a.json', 'b.json', 'c.json'))
    first.write_text(json.dumps({'config': {'runs': [run_record('grouped1', 0, 0.8)]}}))
    second.write_text(json.dumps({'config': {'runs': [run_record('grouped1', 3, 0.7)]},
                                  'train_seconds_alone_433_clips': 300.0}))
    ablation.write_text(json.dumps({'GCN + GRU': {'runs': []}}))
    assert [r['seed'] for r in load_runs([str(first), str(second)])] == [0, 3]
    with pytest.raises(SystemExit, match=r'c\.json: no "config" row .*GCN \+ GRU'):
        load_runs([str(ablation)])
    (tmp_path / 'list.json').write_text('[]')
    (tmp_path / 'cut.json').write_text('{"config": {"runs": [')
    with pytest.raises(SystemExit, match=r'list\.json: no "config" row .*a JSON list'):
        load_runs([str(tmp_path / 'list.json')])
    for name in ('cut.json', 'missing.json'):  # cut short while written; not written yet
        with pytest.raises(SystemExit, match=rf'{name}: cannot read it as an --out file'):
            load_runs([str(tmp_path / name)])


def test_a_baseline_without_the_requested_seeds_stops_before_any_training(tmp_path,
                                                                         monkeypatch):
    import jhmdb_accuracy
    baseline = tmp_path / 'base.json'
    baseline.write_text(json.dumps({'config': {'runs': [run_record('grouped1', 0, 0.8)]}}))
    monkeypatch.setattr(jhmdb_accuracy, 'run', lambda *a: pytest.fail('trained anyway'))
    monkeypatch.setattr('sys.argv', ['jhmdb_accuracy.py', '--seeds', '3', '4',
                                     '--paired-with', str(baseline)])
    with pytest.raises(SystemExit, match='base.json: no run of these folds and seeds'):
        jhmdb_accuracy.main()


def five_clip_file(tmp_path, train_split, test_split):
    """An annotation file of five clips, three in ``train_split`` and two in ``test_split``."""
    records = [dict(frame_dir=f'clip{k}', label=k % 2, total_frames=4, img_shape=(10, 10),
                    keypoint=np.zeros((1, 4, 15, 2), np.float32)) for k in range(5)]
    ann_file = str(tmp_path / f'{test_split}.pkl')
    dump_annotations(ann_file, records, {train_split: ['clip0', 'clip1', 'clip2'],
                                         test_split: ['clip3', 'clip4']})
    return ann_file


def runs_config(ann_file, epochs=80):
    """What the benchmarks over finished runs read of a config."""
    return Config(dict(test_dataloader=dict(dataset=dict(ann_file=ann_file)),
                       train_cfg=dict(max_epochs=epochs)))


def test_finished_runs_pair_each_last_checkpoint_with_its_folds_clips(tmp_path, capsys):
    ann_file = five_clip_file(tmp_path, 'grouped1_train', 'grouped1_val')
    cfg = runs_config(ann_file)
    root = tmp_path / 'runs'
    with pytest.raises(SystemExit, match='no finished runs'):
        list(finished_runs(str(root), cfg))
    (root / 'grouped1_seed2_0badc0de').mkdir(parents=True)
    (root / 'grouped1_seed2_0badc0de' / 'last_checkpoint').write_text('/x/epoch_80.pth\n')
    (root / 'grouped1_seed3').mkdir()  # unfinished: no last_checkpoint
    (root / 'grouped1_seed4_0badc0de').mkdir()  # stopped by Ctrl-C at epoch 30
    (root / 'grouped1_seed4_0badc0de' / 'last_checkpoint').write_text('/y/epoch_30.pth\n')
    [(fold, seed, checkpoint, train, test)] = finished_runs(str(root), cfg)
    assert capsys.readouterr().err == (f'{root / "grouped1_seed4_0badc0de"}: left out, stopped '
                                       'at epoch_30.pth (not epoch_80.pth)\n')
    assert (fold, seed, checkpoint) == ('grouped1', 2, '/x/epoch_80.pth')
    assert [r['frame_dir'] for r in train] == ['clip0', 'clip1', 'clip2']
    assert [r['frame_dir'] for r in test] == ['clip3', 'clip4']
    assert test[0]['keypoint_score'].shape == (1, 4, 15)  # ground truth: all visible


def official_split_file(tmp_path):
    """An annotation file with split names of JHMDB's official kind (train1 / test1)."""
    return five_clip_file(tmp_path, 'train1', 'test1')


def test_a_fold_is_a_grouped_name_or_two_split_names():
    assert fold_splits('grouped2') == ('grouped2_train', 'grouped2_val')
    assert fold_splits('train1:test1') == ('train1', 'test1')
    for bad in ('train1:', ':test1', 'a:b:c'):
        with pytest.raises(ValueError, match='give NAME or TRAIN:TEST'):
            fold_splits(bad)


def test_runs_on_another_file_are_scored_on_its_own_held_out_split(tmp_path):
    # The options tools/train.py is given, merged as it merges them: the file and the
    # fold's splits reach the test dataset too, which the runs are scored on.
    from common import ROOT
    ann_file = official_split_file(tmp_path)
    cfg = merged_config(f'{ROOT}/configs/pan_jhmdb.py',
                        fold_options('train1:test1') + [f'ann_file={ann_file}'])
    for loader, split in [('train_dataloader', 'train1'), ('val_dataloader', 'test1'),
                          ('test_dataloader', 'test1')]:
        assert cfg[loader].dataset.ann_file == ann_file
        assert cfg[loader].dataset.split == split


def test_folds_missing_from_the_file_stop_before_any_training(tmp_path, monkeypatch):
    import jhmdb_accuracy
    ann_file = official_split_file(tmp_path)
    check_folds(ann_file, ['train1:test1'])
    with pytest.raises(SystemExit, match=r'test1\.pkl: no split test2 for fold train1:test2; '
                       r'the file has train1, test1'):
        check_folds(ann_file, ['train1:test1', 'train1:test2'])
    with pytest.raises(SystemExit, match='no split grouped1_train, grouped1_val'):
        check_folds(ann_file, ['grouped1'])
    monkeypatch.setattr(jhmdb_accuracy, 'run', lambda *a: pytest.fail('trained anyway'))
    monkeypatch.setattr('sys.argv', ['jhmdb_accuracy.py', '--folds', 'train2:test2',
                                     '--cfg-options', f'ann_file={ann_file}'])
    with pytest.raises(SystemExit, match='no split train2, test2 for fold train2:test2'):
        jhmdb_accuracy.main()


def test_the_runs_finished_before_a_failure_are_kept_in_the_out_file(tmp_path, monkeypatch):
    import jhmdb_accuracy
    ann_file = five_clip_file(tmp_path, 'grouped1_train', 'grouped1_val')

    def run(config, fold, seed, *rest):
        if seed == 1:
            raise RuntimeError('run 2 failed')
        return dict(run_record(fold, seed, 0.75), seconds=None)
    out = tmp_path / 'out.json'
    monkeypatch.setattr(jhmdb_accuracy, 'run', run)
    monkeypatch.setattr('sys.argv', ['jhmdb_accuracy.py', '--folds', 'grouped1', '--seeds', '0',
                                     '1', '--jobs', '1', '--no-latency', '--out', str(out),
                                     '--cfg-options', f'ann_file={ann_file}'])
    with pytest.raises(RuntimeError, match='run 2 failed'):
        jhmdb_accuracy.main()
    assert load_runs([str(out)]) == [dict(run_record('grouped1', 0, 0.75), seconds=None)]


def test_ctrl_c_says_what_was_kept_and_how_to_go_on(tmp_path, monkeypatch, capsys):
    import jhmdb_accuracy
    ann_file = five_clip_file(tmp_path, 'grouped1_train', 'grouped1_val')

    def run(config, fold, seed, *rest):
        if seed == 1:
            raise KeyboardInterrupt
        return dict(run_record(fold, seed, 0.75), seconds=None)
    out = tmp_path / 'out.json'
    monkeypatch.setattr(jhmdb_accuracy, 'run', run)
    command = ['jhmdb_accuracy.py', '--folds', 'grouped1', '--seeds', '0', '1', '2', '--jobs',
               '1', '--no-latency', '--out', str(out), '--cfg-options', f'ann_file={ann_file}']
    for extra, then in (([], 'they were in a temporary folder: give --work-root DIR to keep '
                             'the runs, so that the same command goes on from them'),
                        (['--work-root', str(tmp_path / 'runs')],
                         f'the runs are kept in {tmp_path / "runs"}: the same command scores '
                         'the finished ones again instead of training them')):
        monkeypatch.setattr('sys.argv', command + extra)
        with pytest.raises(SystemExit) as stopped:
            jhmdb_accuracy.main()
        assert stopped.value.code == 130
        assert capsys.readouterr().err.strip() == (
            f'interrupted after 1 of 3 runs (their results are in {out}); {then}')
        assert load_runs([str(out)]) == [dict(run_record('grouped1', 0, 0.75), seconds=None)]


def test_a_run_of_a_changed_config_or_option_is_not_taken_for_the_old_one():
    from jhmdb_accuracy import work_dir_name
    config = os.path.join(ROOT, 'configs', 'pan_jhmdb.py')
    names = {work_dir_name('grouped1', 0, merged_config(config, options))
             for options in ([], ['optim_wrapper.optimizer.lr=0.01'],
                             ['model.network.diffpool=False'])}
    assert len(names) == 3 and all(name.startswith('grouped1_seed0_') for name in names)
    again = work_dir_name('grouped1', 0, merged_config(config, []))
    assert again in names and RUN_DIR.fullmatch(again)


def test_finished_runs_find_runs_of_named_splits_again(tmp_path):
    from jhmdb_accuracy import work_dir_name
    ann_file = official_split_file(tmp_path)
    cfg = runs_config(ann_file)
    run_dir = tmp_path / 'runs' / work_dir_name('train1:test1', 4, cfg)
    assert ':' not in run_dir.name
    run_dir.mkdir(parents=True)
    (run_dir / 'last_checkpoint').write_text('/x/epoch_80.pth\n')
    [(fold, seed, _, train, test)] = finished_runs(str(tmp_path / 'runs'), cfg)
    assert (fold, seed) == ('train1:test1', 4)
    assert [r['frame_dir'] for r in test] == ['clip3', 'clip4'] and len(train) == 3


def test_benchmarks_over_finished_runs_read_them_with_the_runs_options(tmp_path,
                                                                        monkeypatch):
    from jhmdb_accuracy import finished_runs_setup
    ann_file = official_split_file(tmp_path)
    monkeypatch.setattr('sys.argv', ['early_recognition.py', '--runs', str(tmp_path),
                                     '--cfg-options', f'ann_file={ann_file}'])
    threads = torch.get_num_threads()
    try:
        args, cfg = finished_runs_setup('a benchmark')
    finally:
        torch.set_num_threads(threads)
    assert args.runs == str(tmp_path)
    assert cfg.test_dataloader.dataset.ann_file == ann_file


def test_per_class_top1_leaves_absent_classes_out():
    labels = np.array([0, 0, 1, 1, 1])
    accuracy = per_class(np.array([0, 1, 1, 1, 0]), labels, 3)
    assert accuracy[:2].tolist() == [0.5, 2 / 3] and np.isnan(accuracy[2])


def test_class_names_come_from_the_label_map_or_the_class_count(tmp_path):
    label_map = tmp_path / 'labels.txt'
    label_map.write_text('clap\njump\n')
    assert class_names(Config(dict(label_map=str(label_map), num_classes=2))) == ['clap', 'jump']
    # A file of other classes, re-pointed with label_map=None (all 21 of JHMDB's).
    assert class_names(Config(dict(label_map=None, num_classes=3))) == [
        'class 0', 'class 1', 'class 2']


def test_branch_rows_name_each_branchs_streams_and_average_the_teachers_without_the_student():
    import torch
    from jhmdb_branches import branch_names, ensembles
    names = branch_names([['joint', 'distance'], dict(streams=['joint'], type='DDNet')], 0)
    assert names == ['branch 0, the student: joint + distance', 'branch 1: DDNet on joint']
    logits = torch.randn(3, 5, 4)
    rows = ensembles(logits, ['a', 'b', 'c'], student=1)
    assert list(rows) == ['a', 'b', 'c', 'all branches averaged',
                          'the teachers averaged (no student)']
    torch.testing.assert_close(rows['all branches averaged'], logits.mean(0))
    torch.testing.assert_close(rows['the teachers averaged (no student)'],
                               (logits[0] + logits[2]) / 2)
    assert 'the teachers averaged (no student)' not in ensembles(logits, ['a', 'b', 'c'], None)


def test_branch_logits_score_every_branch_and_the_students_row_is_what_the_config_scores(
        tmp_path):
    import torch
    from jhmdb_accuracy import test_transforms
    from jhmdb_branches import branch_logits

    from posegraph.apis import init_recognizer
    from common import ROOT
    cfg = Config.fromfile(f'{ROOT}/configs/pan_jhmdb.py')
    torch.manual_seed(0)
    model = init_recognizer(cfg)
    checkpoint = str(tmp_path / 'epoch_80.pth')
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    rng = np.random.default_rng(0)
    records = [dict(frame_dir=f'clip{k}', label=k, total_frames=20, img_shape=(240, 320),
                    keypoint=rng.uniform(50, 200, (1, 20, 15, 2)).astype(np.float32),
                    keypoint_score=np.ones((1, 20, 15), np.float32)) for k in range(3)]
    logits = branch_logits(cfg, checkpoint, records)
    assert logits.shape == (3, 3, cfg.num_classes)  # branches, clips, classes
    assert not torch.allclose(logits[0], logits[1])
    clips = torch.cat([test_transforms(cfg)(dict(r))['inputs'] for r in records])
    with torch.no_grad():  # at inference the distilled config runs its student, branch 0
        torch.testing.assert_close(logits[0], model.network(clips)['logits'])


def test_branches_of_a_config_without_branches_exit_naming_the_config(monkeypatch, tmp_path):
    import sys

    import jhmdb_branches

    from common import ROOT
    config = f'{ROOT}/configs/stgcn_jhmdb.py'
    monkeypatch.setattr(sys, 'argv', ['jhmdb_branches.py', '--config', config,
                                      '--runs', str(tmp_path)])
    with pytest.raises(SystemExit, match=r'stgcn_jhmdb\.py: STGCN\w* is not an ensemble'):
        jhmdb_branches.main()


def test_noisy_predictions_are_the_same_draw_when_runs_are_scored_side_by_side(tmp_path):
    """``--jobs 2`` scores two runs in threads of one process; the noise both draw from
    NumPy's global generator must still be the fixed-seed draw a lone run gets."""
    import threading

    from jhmdb_accuracy import predictions

    from posegraph.apis.inference import PRETRAINED_CHECKPOINT, PRETRAINED_CONFIG
    rng = np.random.default_rng(0)
    records = [dict(frame_dir=f'clip{k}', label=k % 14, total_frames=24, img_shape=(240, 320),
                    keypoint=rng.uniform(50, 200, (1, 24, 15, 2)).astype(np.float32),
                    keypoint_score=np.ones((1, 24, 15), np.float32)) for k in range(40)]
    ann_file = str(tmp_path / 'ann.pkl')
    dump_annotations(ann_file, records, {'grouped1_val': [r['frame_dir'] for r in records]})
    options = [f'test_dataloader.dataset.ann_file={ann_file}', 'test_dataloader.dataset.'
               'split=grouped1_val', 'test_dataloader.dataset.label_map=None']

    def predict(out=None, noise=(0.5, 0.3)):  # large noise: another draw changes answers
        predicted, _ = predictions(PRETRAINED_CONFIG, options, PRETRAINED_CHECKPOINT,
                                   noise=noise)
        if out is not None:
            out.append(predicted)
        return predicted

    alone = predict()
    assert (alone != predict(noise=None)).sum() > 5  # the noise matters to this model
    side_by_side = []
    threads = [threading.Thread(target=predict, args=(side_by_side,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(side_by_side) == 2
    for predicted in side_by_side:
        np.testing.assert_array_equal(predicted, alone)


def test_ddnet_from_joints_is_its_numpy_features_and_network_in_one_graph(tmp_path):
    """DD-Net timed from raw joints in one graph, as PAN is: the same logits as the numpy
    features (resampled linearly, as the graph does) fed to the network, in PyTorch and
    exported for any clip length."""
    import onnxruntime as ort

    from posegraph.io.onnx import write_onnx
    from ddnet import DDNetFromJoints, FeatureDDNet, ddnet_features
    torch.manual_seed(0)
    network = FeatureDDNet('jhmdb15', 3, 5).eval()
    graph = DDNetFromJoints(network).eval()
    rng = np.random.default_rng(0)
    clips = [rng.uniform(0, 300, (t, 15, 2)).astype(np.float32) for t in (1, 5, 32, 77)]
    path = str(tmp_path / 'ddnet.onnx')
    length = torch.export.Dim('frames', min=1, max=100_000)
    write_onnx(graph, (torch.from_numpy(clips[2]),), path, ['keypoint'], ['logits'],
               ({0: length},), 18)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    for keypoint in clips:
        jcd, joints = ddnet_features(keypoint, order=1)
        with torch.no_grad():
            expected = network(torch.from_numpy(jcd)[None], torch.from_numpy(joints)[None])
            got = graph(torch.from_numpy(keypoint))
        torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)
        np.testing.assert_allclose(session.run(None, {'keypoint': keypoint})[0],
                                   expected.numpy(), atol=1e-4, rtol=1e-4)


def test_ddnet_features_are_the_authors_cubic_zoom_and_clip_scaled_distances():
    """The authors' preprocessing, written as their loops do it: each joint coordinate
    zoomed alone by a cubic spline to 32 frames, then each frame's pair distances scaled by
    the clip's mean distance; the benchmark does it with one cached matrix per length."""
    from scipy.ndimage import zoom
    from scipy.spatial.distance import pdist

    from ddnet import ddnet_features
    rng = np.random.default_rng(0)
    for length in (1, 15, 32, 40):
        keypoint = rng.uniform(0, 300, (length, 15, 2)).astype(np.float32)
        expected = np.empty((32, 15, 2))
        for joint in range(15):
            for coord in range(2):
                expected[:, joint, coord] = zoom(keypoint[:, joint, coord].astype(np.float64),
                                                 32 / length)[:32]
        distance = np.stack([pdist(frame) for frame in expected])
        jcd, joints = ddnet_features(keypoint)
        np.testing.assert_allclose(joints, expected.reshape(32, 30), rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(jcd, (distance - distance.mean()) / distance.mean(),
                                   rtol=1e-4, atol=1e-4)


def test_trained_ddnet_keeps_its_model_and_gives_it_back_as_trained(tmp_path, monkeypatch):
    """A DD-Net kept in a work root is used again, with the authors' batch-norm epsilon,
    which the state dict does not hold; an unknown recipe is refused by name."""
    import functools

    import ddnet
    rng = np.random.default_rng(0)
    records = [dict(keypoint=rng.uniform(0, 300, (1, 20, 15, 2)).astype(np.float32),
                    label=k % 3) for k in range(12)]
    monkeypatch.setattr(ddnet, 'train_ddnet', functools.partial(ddnet.train_ddnet, epochs=2))
    trained = ddnet.trained_ddnet(records, 3, 'grouped1', 0, 'authors', str(tmp_path))
    path = tmp_path / 'ddnet-authors_grouped1_seed0.pth'
    assert path.is_file()
    monkeypatch.setattr(ddnet, 'train_ddnet', None)  # loaded, not trained again
    loaded = ddnet.trained_ddnet(records, 3, 'grouped1', 0, 'authors', str(tmp_path))
    assert loaded.head[1].eps == 1e-3 and not loaded.training
    torch.testing.assert_close(ddnet.ddnet_logits(loaded, records),
                               ddnet.ddnet_logits(trained, records))
    monkeypatch.undo()
    with pytest.raises(ValueError, match="recipe 'keras': not one of authors, short"):
        ddnet.train_ddnet(records, 3, recipe='keras')


def test_ddnet_cli_scores_the_folds_uses_kept_models_and_pairs_with_a_baseline(tmp_path):
    """``benchmarks/ddnet.py`` on a tiny file: the kept model of one run is loaded (its
    top-1 the kept model's own), the other trained and kept; the table, the pairing and
    the ``--out`` file, which ``load_runs`` reads as it reads ``jhmdb_accuracy.py``'s."""
    import os
    import subprocess
    import sys

    import ddnet
    from common import ROOT, cpu_model
    rng = np.random.default_rng(0)
    records = [dict(frame_dir=f'clip{k}', label=k % 3, total_frames=12, img_shape=(240, 320),
                    keypoint=rng.uniform(0, 300, (1, 12, 15, 2)).astype(np.float32))
               for k in range(18)]
    ann_file = str(tmp_path / 'ann.pkl')
    dump_annotations(ann_file, records, {'grouped1_train': [f'clip{k}' for k in range(12)],
                                         'grouped1_val': [f'clip{k}' for k in range(12, 18)]})
    root = tmp_path / 'root'
    root.mkdir()
    train, test = fold_records(ann_file, 'grouped1')
    kept = ddnet.train_ddnet(train, 3, seed=0, recipe='short', epochs=1)
    torch.save(kept.state_dict(), ddnet.model_path(str(root), 'short', 'grouped1', 0))
    labels = torch.tensor([r['label'] for r in test])
    kept_top1 = (ddnet.ddnet_logits(kept, test).argmax(-1) == labels).float().mean().item()
    baseline = tmp_path / 'pan.json'
    baseline.write_text(json.dumps({'config': {'runs': [
        dict(fold='grouped1', seed=0, top1=1.0), dict(fold='grouped1', seed=1, top1=1.0)]}}))
    out = tmp_path / 'ddnet.json'
    command = [sys.executable, os.path.join(ROOT, 'benchmarks', 'ddnet.py'), '--recipe',
               'short', '--ann-file', ann_file,
               '--folds', 'grouped1', '--seeds', '0', '1', '--jobs', '1', '--work-root',
               str(root), '--out', str(out), '--paired-with', str(baseline)]
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert f'grouped1 seed 0: top-1 {100 * kept_top1:.1f} %, trained before' in printed
    assert 'grouped1 seed 1: top-1' in printed and (root / 'ddnet-short_grouped1_seed1.pth'
                                                    ).is_file()
    assert '| DD-Net (short) |' in printed and 'against the baseline, run for run' in printed
    runs = load_runs([str(out)])
    assert [(r['fold'], r['seed']) for r in runs] == [('grouped1', 0), ('grouped1', 1)]
    assert runs[0]['top1'] == pytest.approx(kept_top1) and runs[0]['seconds'] is None
    # A kept model's processor is not known; a new run's is.
    assert runs[0]['cpu_model'] is None and runs[1]['cpu_model'] == cpu_model()
    missing = subprocess.run(command[:2] + ['--ann-file', str(tmp_path / 'none.pkl')],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and 'none.pkl: no such file' in missing.stderr


def test_clip_multiply_adds_count_the_grus_that_run_only():
    """A distilled ensemble runs its student alone at inference: its teachers' GRUs are not
    counted."""
    from pan_cost import clip_multiply_adds

    from posegraph.models import PoseAttentionNetwork, StreamEnsemble
    from common import multiply_adds
    ensemble = StreamEnsemble([[0, 1, 2], [0, 1], [2]], layout='jhmdb15', num_classes=4,
                              student=0, distill_weight=1.0).eval()
    alone = PoseAttentionNetwork('jhmdb15', 4, 4).eval()
    clip = torch.randn(1, 1, 16, 15, 4)
    clip[..., -1] = 1
    gru = 16 * 3 * 128 * (128 + 128)
    assert clip_multiply_adds(alone, clip) == multiply_adds(lambda: alone(clip)) + gru
    assert clip_multiply_adds(ensemble, clip) == clip_multiply_adds(
        ensemble.branches[0], clip)
    ensemble.train()
    assert clip_multiply_adds(ensemble, clip) > 2 * clip_multiply_adds(
        ensemble.branches[0], clip)


def test_latency_models_take_turns_so_a_drifting_machine_keeps_their_ratio():
    """A machine that slows down threefold during the run: timed one model after the
    other, the second would look 3x slower than it is; taking turns keeps 2x."""
    import time

    from jhmdb_latency import median_per_video
    calls = []

    def model(cost_ms):
        def predict(record):
            calls.append(record)
            slowdown = 1 + 2 * min(len(calls) / 160, 1)
            time.sleep(cost_ms * slowdown / 1000)
        return predict

    times = median_per_video({'fast': model(2), 'slow': model(4)}, list(range(20)), repeats=3)
    assert 1.6 < times['slow'] / times['fast'] < 2.4
    assert len(calls) == 2 * (10 + 5 + 20 * 3)      # warm-up, one call per block, timed


@pytest.mark.parametrize('center, runtimes', [('clip', ('PyTorch', 'compiled', 'onnxruntime')),
                                              ('frame', ('PyTorch', 'onnxruntime'))])
def test_latency_table_times_both_models_in_every_runtime(center, runtimes):
    """jhmdb_accuracy.py reports it after its runs: every row timed, ratios to DD-Net as its
    paper runs it, the in-graph row only where the test pipeline runs as tensors."""
    import os

    from jhmdb_latency import measure_latency

    from common import ROOT
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', 'pan_jhmdb.py'))
    for transform in cfg.test_dataloader.dataset.pipeline:
        if transform['type'] == 'PoseNormalize':
            transform['center'] = center
    rng = np.random.default_rng(0)
    records = [{'keypoint': rng.uniform(0, 300, (1, t, 15, 2)).astype(np.float32),
                'keypoint_score': np.ones((1, t, 15), np.float32), 'total_frames': t}
               for t in (20, 40, 33)]
    table = measure_latency(cfg, records, tta=False, runtimes=runtimes)
    in_graph = ['PAN, config test pipeline in the graph'] if center == 'clip' else []
    models = ['PAN, config test pipeline', *in_graph, 'DD-Net (reference)',
              'DD-Net, features in the graph']
    assert [(r['runtime'], r['model']) for r in table] == [
        (runtime, model) for runtime in runtimes for model in models]
    assert all(r['ms'] > 0 for r in table)
    assert [r['ratio'] for r in table if r['model'] == 'DD-Net (reference)'] == \
        [1.0] * len(runtimes)
    with pytest.raises(ValueError, match=r"unknown runtimes \['tensorrt'\]"):
        measure_latency(cfg, records, runtimes=('PyTorch', 'tensorrt'))


def test_jhmdb_joints_as_coco17_keep_each_joints_side_and_leave_eyes_and_ears_missing():
    from jhmdb_coco17 import jhmdb_to_coco17

    from posegraph.skeleton import get_layout
    jhmdb, coco = get_layout('jhmdb15'), get_layout('coco17')
    keypoint = np.arange(2 * 3 * 15 * 2, dtype=np.float32).reshape(2, 3, 15, 2)
    score = np.full((2, 3, 15), 0.5, np.float32)
    score[1, 2, jhmdb.index('left_wrist')] = 0
    out, out_score = jhmdb_to_coco17(keypoint, score)
    assert out.shape == (2, 3, 17, 2) and out_score.shape == (2, 3, 17)
    np.testing.assert_array_equal(out[..., coco.index('left_wrist'), :],
                                  keypoint[..., jhmdb.index('left_wrist'), :])
    np.testing.assert_array_equal(out[..., coco.index('right_ankle'), :],
                                  keypoint[..., jhmdb.index('right_ankle'), :])
    np.testing.assert_array_equal(out[..., coco.index('nose'), :],
                                  keypoint[..., jhmdb.index('face'), :])
    assert out_score[1, 2, coco.index('left_wrist')] == 0  # a missing joint stays missing
    for name in ('left_eye', 'right_eye', 'left_ear', 'right_ear'):
        assert (out_score[..., coco.index(name)] == 0).all()
        assert (out[..., coco.index(name), :] == 0).all()
    with pytest.raises(ValueError, match='jhmdb15 has 15 joints, the keypoints have 17'):
        jhmdb_to_coco17(out, out_score)


def test_the_hmdb51_config_pointed_at_the_converted_file_reads_its_folds_and_class_count(
        tmp_path):
    from jhmdb_accuracy import fold_options, merged_config
    from jhmdb_coco17 import cfg_options, convert_file

    from posegraph.io import load_annotations
    from posegraph.registry import DATASETS, MODELS
    from common import ROOT
    rng = np.random.default_rng(0)
    records = [dict(frame_dir=f'clip{k}', label=k % 3, total_frames=20, img_shape=(240, 320),
                    keypoint=rng.uniform(50, 200, (1, 20, 15, 2)).astype(np.float32),
                    keypoint_score=np.ones((1, 20, 15), np.float32)) for k in range(6)]
    source, out = str(tmp_path / 'jhmdb.pkl'), str(tmp_path / 'coco.pkl')
    dump_annotations(source, records, {'grouped1_train': ['clip0', 'clip1', 'clip2', 'clip3'],
                                       'grouped1_val': ['clip4', 'clip5']})
    convert_file(source, out)
    assert [r['keypoint'].shape for r in load_annotations(out, split='grouped1_val')] == [
        (1, 20, 17, 2)] * 2
    cfg = merged_config(f'{ROOT}/configs/pan_hmdb51.py',
                        fold_options('grouped1') + cfg_options(out, 3))
    assert cfg.model.network.num_classes == 3
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 4
    inputs = dataset[0]['inputs']  # (clips, M, T, V, C)
    assert inputs.shape == (1, 2, 48, 17, cfg.in_channels)  # two persons, 48 frames, coco17
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        assert model.network(inputs)['logits'].shape == (1, 3)
