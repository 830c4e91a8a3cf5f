"""The Runner refuses what would otherwise end in a run that "succeeds" with a wrong answer:
checkpoints that do not fit, data whose classes do not fit, unlabelled clips for training."""
import argparse
import os
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import CheckpointLoader

from posegraph.apis import (
    ConfigError,
    IncompatibleError,
    LaunchError,
    build_runner,
    load_config,
    parse_cfg_options,
    parse_options,
)
from posegraph.io import OutputPathError
from posegraph.io.annotations import AnnotationError, dump_annotations
from posegraph.io.checkpoint import load_checkpoint_file
from posegraph.io.download import DownloadError
from posegraph.registry import DATASETS, MODELS, register_all_modules
from conftest import ROOT
from file_server import OFFLINE, FileServer

CONFIG = os.path.join(ROOT, 'configs', 'pan_synthetic.py')
SMALL = {'model.network.graph_channels': [8, 8], 'model.network.pooled_channels': 16,
         'model.network.gru_channels': 16, 'model.network.attention_channels': 8,
         'model.network.num_clusters': 4, 'train_cfg.val_interval': 100}


def write_file(path, labels, classes=None, num_joints=17):
    rng = np.random.default_rng(0)
    records = [dict(frame_dir=f'clip{k}', label=label, total_frames=12, img_shape=(240, 320),
                    keypoint=rng.uniform(0, 200, (1, 12, num_joints, 2)).astype(np.float32),
                    keypoint_score=np.ones((1, 12, num_joints), np.float32))
               for k, label in enumerate(labels)]
    names = [r['frame_dir'] for r in records]
    dump_annotations(path, records, {'train': names, 'val': names, 'test': names},
                     classes=classes)
    return str(path)


def train_runner(work_dir, options, epochs=1):
    options = dict(SMALL, **options, **{'train_cfg.max_epochs': epochs})
    return build_runner(CONFIG, work_dir=str(work_dir), cfg_options=options)


@pytest.fixture(scope='module')
def trained(synthetic_file, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('trained')
    train_runner(work_dir, {'ann_file': synthetic_file}).train()
    return str(work_dir / 'epoch_1.pth')


def test_top_level_data_options_reach_every_dataset_and_the_model():
    cfg = load_config(CONFIG, {'ann_file': 'x.pkl', 'num_classes': 3, 'train_split': 'tr',
                               'test_split': 'te'})
    assert cfg.model.network.num_classes == 3
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.ann_file == 'x.pkl'
        assert cfg[loader].dataset.num_classes == 3
    assert cfg.train_dataloader.dataset.split == 'tr'
    assert cfg.test_dataloader.dataset.split == 'te'
    assert cfg.val_dataloader.dataset.split == 'val'  # not given: the config's
    # None trains on the whole file (it was once taken for "not given").
    assert load_config(CONFIG, {'train_split': None}).train_dataloader.dataset.split is None


def test_a_loaded_config_builds_a_runner_and_stays_as_it_was(synthetic_file, tmp_path,
                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)   # the default work dir is relative
    cfg = load_config(CONFIG)
    before = cfg.pretty_text
    runner = build_runner(cfg, cfg_options=dict(SMALL, ann_file=synthetic_file, num_classes=5))
    assert runner.cfg.model.network.num_classes == 5
    assert runner.cfg.train_dataloader.dataset.ann_file == synthetic_file
    assert runner.cfg.work_dir == os.path.join('work_dirs', 'pan_synthetic')  # its file's name
    assert cfg.pretty_text == before   # options and the runner's settings went to a copy
    assert 'work_dir' not in cfg and cfg.model.network.num_classes != 5
    unnamed = Config(cfg.to_dict())   # built in code, no file behind it
    assert build_runner(unnamed).cfg.work_dir == os.path.join('work_dirs', 'config')


def test_runners_started_in_the_same_second_log_into_their_own_work_dirs(synthetic_file,
                                                                        tmp_path, monkeypatch):
    import time
    monkeypatch.setattr(time, 'time', lambda: 1_800_000_000.0)   # one start second for both
    runners = [train_runner(tmp_path / name, {'ann_file': synthetic_file}) for name in 'ab']
    for runner, name in zip(runners, 'ab'):
        save_dirs = [backend._save_dir for backend in runner.visualizer._vis_backends.values()]
        assert save_dirs and all(d.startswith(str(tmp_path / name)) for d in save_dirs)
        assert runner.logger.log_file.startswith(str(tmp_path / name))
    assert runners[0].experiment_name != runners[1].experiment_name


def test_batch_blending_follows_a_re_pointed_class_count_and_trains(tmp_path):
    register_all_modules()
    path = write_file(tmp_path / 'a.pkl', [0, 1, 2] * 4)
    options = {'model.data_preprocessor': dict(blending=dict(
        type='MixupBlending', num_classes=14, alpha=1.0)), 'ann_file': path, 'num_classes': 3}
    assert load_config(CONFIG, options).model.data_preprocessor.blending.num_classes == 3
    runner = train_runner(tmp_path / 'work', options)
    assert runner.model.data_preprocessor.blending.num_classes == 3
    runner.train()
    state = load_checkpoint_file(str(tmp_path / 'work' / 'epoch_1.pth'))['state_dict']
    assert state['network.classifier.weight'].shape[0] == 3


def test_another_file_brings_its_own_classes_not_the_synthetic_names(tmp_path):
    register_all_modules()
    cfg = load_config(CONFIG, {'ann_file': write_file(tmp_path / 'a.pkl', [0, 1, 2] * 3,
                                                      classes=['x', 'y', 'z']),
                               'num_classes': 3})
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert dataset.metainfo['classes'] == ('x', 'y', 'z')
    plain = load_config(CONFIG, {'ann_file': write_file(tmp_path / 'b.pkl', [0, 1, 2] * 3),
                                 'num_classes': 3})
    assert 'classes' not in DATASETS.build(plain.train_dataloader.dataset).metainfo


def test_class_count_of_the_data_must_fit_the_model(tmp_path):
    twenty = write_file(tmp_path / 'twenty.pkl', list(range(20)))
    with pytest.raises(IncompatibleError,
                       match=r'twenty.pkl \(training data\) has label 19, out of '
                             r'range for a model of 14 classes.*num_classes=20'):
        train_runner(tmp_path / 'w1', {'ann_file': twenty}).train()
    named = write_file(tmp_path / 'named.pkl', [0, 1] * 4, classes=['a', 'b'])
    with pytest.raises(IncompatibleError,
                       match=r'named.pkl \(training data\) has 2 classes but the '
                             r'model predicts 14'):
        train_runner(tmp_path / 'w2', {'ann_file': named}).train()


def test_a_file_of_more_classes_than_the_label_map_names_the_remedy(tmp_path, run_tool):
    # A config with a label map (as configs/pan_jhmdb.py has) re-pointed at a file of more
    # classes: each step a user takes is answered by a message, never a traceback.
    label_map = tmp_path / 'three.txt'
    label_map.write_text('a\nb\nc\n')
    five = write_file(tmp_path / 'five.pkl', [0, 1, 2, 3, 4] * 2)
    options = [f'{k}={v}' for k, v in SMALL.items()] + [f'ann_file={five}']
    for extra, message in (
            ([f'label_map={label_map}'],
             r"five.pkl: annotation 3 \('clip3'\): label 3 is out of range \[0, 3\).*a file "
             r'of more classes needs num_classes=4 or more, and a label map of as many names '
             r'or label_map=None'),
            ([f'label_map={label_map}', 'num_classes=5'],
             r'three.txt names 3 classes but num_classes is 5: give a label map of 5 names, '
             r'or label_map=None')):
        result = run_tool('train', CONFIG, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                          *options, *extra)
        assert result.returncode == 1 and 'Traceback' not in result.stderr
        assert re.search(message, result.stderr), result.stderr
    register_all_modules()
    cfg = load_config(CONFIG, {'ann_file': five, 'label_map': None, 'num_classes': 5})
    assert len(DATASETS.build(cfg.train_dataloader.dataset)) == 10


def test_unlabelled_clips_are_refused_for_training_and_accepted_for_inference(tmp_path):
    register_all_modules()
    path = write_file(tmp_path / 'u.pkl', [0, -1, 1])
    cfg = load_config(CONFIG, {'ann_file': path, 'num_classes': 2})
    with pytest.raises(AnnotationError, match=r"u.pkl: split 'train' has 1 unlabelled "
                                              r"clip\(s\) \(label -1, first 'clip1'\)"):
        DATASETS.build(cfg.train_dataloader.dataset)
    inference = DATASETS.build(dict(cfg.test_dataloader.dataset, test_mode=True))
    assert [inference.get_data_info(i)['label'] for i in range(3)] == [0, -1, 1]
    with pytest.raises(AnnotationError, match='label -2 is out of range'):
        DATASETS.build(dict(cfg.test_dataloader.dataset, test_mode=True,
                            ann_file=write_file(tmp_path / 'v.pkl', [0, -2])))


def test_accuracy_of_unlabelled_clips_is_an_error():
    from posegraph.evaluation import AccMetric
    metric = AccMetric()
    with pytest.raises(ValueError, match='1 of 2 clips are unlabelled'):
        metric.compute_metrics([{'pred_score': np.ones(3), 'gt_label': 0},
                                {'pred_score': np.ones(3), 'gt_label': -1}])


def test_checkpoint_of_another_head_is_refused_for_test_resume_and_finetune(
        trained, synthetic_file, tmp_path, run_tool):
    checkpoint = load_checkpoint_file(trained)
    state = checkpoint['state_dict']
    for key in ('network.classifier.weight', 'network.classifier.bias'):
        state[key] = torch.zeros((3,) + state[key].shape[1:])
    other = str(tmp_path / 'three_classes.pth')
    torch.save(checkpoint, other)
    result = run_tool('test', CONFIG, other, '--work-dir', str(tmp_path / 't'),
                      '--cfg-options', f'ann_file={synthetic_file}',
                      *[f'{k}={v}'.replace(' ', '') for k, v in SMALL.items()])
    assert result.returncode != 0
    assert ('three_classes.pth does not fit the model built from the config: 2 parameter(s) '
            'of another shape (network.classifier.weight: checkpoint (3, 16), model (14, 16)'
            in result.stderr)
    assert 'top1:' not in result.stdout and not (tmp_path / 't' / 'test_metrics.json').exists()
    with pytest.raises(IncompatibleError, match='does not fit the model'):  # fine-tune, not asked
        train_runner(tmp_path / 'f1', {'ann_file': synthetic_file, 'load_from': other}).train()
    with pytest.raises(IncompatibleError, match='does not fit the model'):  # resume
        build_runner(CONFIG, work_dir=str(tmp_path / 'r'), resume=other,
                     cfg_options=dict(SMALL, ann_file=synthetic_file)).train()
    # Asked to leave the head out, fine-tuning loads everything else and trains a new head.
    runner = train_runner(tmp_path / 'f2', {'ann_file': synthetic_file, 'load_from': other,
                                            'load_skip_keys': ['classifier']})
    runner.train()
    first = load_checkpoint_file(tmp_path / 'f2' / 'epoch_1.pth')['state_dict']
    assert first['network.classifier.weight'].shape == (14, 16)
    # A checkpoint that fits loads strictly and scores.
    runner = build_runner(CONFIG, work_dir=str(tmp_path / 'ok'), checkpoint=trained,
                          cfg_options=dict(SMALL, ann_file=synthetic_file))
    assert 0 <= runner.test()['acc/top1'] <= 1


def test_load_from_a_url_is_fetched_before_the_run_and_every_url_loads_weights_only(
        trained, synthetic_file, tmp_path, monkeypatch, run_tool, capfd):
    monkeypatch.setattr(torch.hub, '_hub_dir', str(tmp_path / 'hub'))

    class Payload:
        def __reduce__(self):
            return (print, ('payload ran',))

    torch.save({'state_dict': {'w': Payload()}}, tmp_path / 'evil.pth')
    with FileServer({'/trained.pth': open(trained, 'rb').read(),
                     '/evil.pth': (tmp_path / 'evil.pth').read_bytes()}) as server:
        runner = train_runner(tmp_path / 'f', {'ann_file': synthetic_file,
                                               'load_from': server.url + '/trained.pth'})
        # tools/test.py takes a URL too; it refused any checkpoint that was not a file.
        result = run_tool('test', CONFIG, server.url + '/trained.pth', '--work-dir',
                          str(tmp_path / 't'), '--cfg-options', f'ann_file={synthetic_file}',
                          *[f'{k}={v}'.replace(' ', '') for k, v in SMALL.items()])
        assert result.returncode == 0 and 'top1:' in result.stdout, result.stderr
        # mmengine's loader for URLs (torch.hub's) would unpickle the file, payload and all.
        with pytest.raises(DownloadError, match='evil.pth gave a file that is not a checkpoint'):
            CheckpointLoader.load_checkpoint(server.url + '/evil.pth')
    assert 'payload ran' not in capfd.readouterr().out
    cached = tmp_path / 'hub' / 'checkpoints' / 'trained.pth'
    assert runner._load_from == str(cached)
    runner.load_or_resume()          # the server is gone: the cached copy is what loads
    state = load_checkpoint_file(trained)['state_dict']
    assert all(torch.equal(value, state[key]) for key, value in runner.model.state_dict().items())
    # Offline, one line before the datasets load; before, urllib's traceback after them.
    result = run_tool('train', CONFIG, '--work-dir', str(tmp_path / 'off'), '--cfg-options',
                      f'ann_file={synthetic_file}', f'load_from={OFFLINE}/other.pth')
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert result.stderr.strip().startswith(f'error: cannot download {OFFLINE}/other.pth (')
    assert f'put it at {tmp_path}/hub/checkpoints/other.pth.' in result.stderr


SMNET = os.path.join(ROOT, 'configs', 'smnet_synthetic.py')


@pytest.mark.parametrize('load, reads', [
    ({'load_from': 'checkpoint'}, False),
    ({'load_from': 'checkpoint', 'load_skip_keys': ['classifier']}, False),
    ({'load_from': 'checkpoint', 'load_skip_keys': [r'backbone\.layer4']}, True),
    ({'resume': 'checkpoint'}, False),
    ({'resume': 'auto'}, True),         # nothing in the work dir to resume from
    ({}, True),
])
def test_imagenet_weights_are_read_only_where_no_checkpoint_replaces_them(tmp_path, load, reads):
    register_all_modules()
    small = {'model.network.width': 0.125, 'model.network.layers': [1, 1, 1, 1]}
    model = MODELS.build(load_config(SMNET, small).model)
    start, checkpoint = str(tmp_path / 'resnet.pth'), str(tmp_path / 'checkpoint.pth')
    torch.save({k: torch.full_like(v, 0.5)
                for k, v in model.network.backbone.state_dict().items()}, start)
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    load = {key: checkpoint if value == 'checkpoint' else value for key, value in load.items()}
    options = dict(small, **{'model.network.pretrained': start},
                   **{k: v for k, v in load.items() if k != 'resume'})
    runner = build_runner(SMNET, work_dir=str(tmp_path / 'w'), cfg_options=options,
                          resume=load.get('resume'))
    runner._init_model_weights()     # what Runner.train does before it loads
    conv1 = runner.model.network.backbone.conv1.weight
    assert bool((conv1 == 0.5).all()) is reads
    assert runner.model.network.pretrained == start     # held back for the load only


@pytest.mark.parametrize('resume, reads', [(None, True), ('trained', False)])
def test_a_pretrained_init_cfg_is_not_read_where_the_checkpoint_replaces_it(
        trained, synthetic_file, tmp_path, resume, reads):
    state = load_checkpoint_file(trained)['state_dict']
    start = str(tmp_path / 'start.pth')
    torch.save({'state_dict': {k: torch.full_like(v, 0.5) for k, v in state.items()}}, start)
    init_cfg = dict(type='Pretrained', checkpoint=start)
    runner = build_runner(CONFIG, work_dir=str(tmp_path / 'w'), resume=resume and trained,
                          cfg_options=dict(SMALL, ann_file=synthetic_file,
                                           **{'model.init_cfg': init_cfg}))
    runner._init_model_weights()     # what Runner.train does before it loads
    weights = runner.model.network.classifier.weight
    assert bool((weights == 0.5).all()) is reads
    assert runner.model.init_cfg == init_cfg     # held back for the load only


def test_a_checkpoint_is_not_tested_on_data_that_names_its_classes_otherwise(
        trained, synthetic_file, tmp_path, run_tool):
    from posegraph.io import load_annotations
    classes = load_annotations(synthetic_file, return_classes=True)[1]
    swapped = [classes[1], classes[0], *classes[2:]]      # a class folder renamed, say
    options = [f'{k}={v}'.replace(' ', '') for k, v in SMALL.items()]
    for name, names in (('swapped.txt', swapped), ('same.txt', classes)):
        (tmp_path / name).write_text('\n'.join(names) + '\n')
    result = run_tool('test', CONFIG, trained, '--work-dir', str(tmp_path / 't'),
                      '--cfg-options', f'ann_file={synthetic_file}',
                      f'label_map={tmp_path / "swapped.txt"}', *options)
    assert result.returncode == 1 and 'top1:' not in result.stdout
    assert (f"{trained} was trained on classes the test data ({synthetic_file}) names "
            f"otherwise: label 0 is '{classes[0]}' in the checkpoint but '{classes[1]}' in "
            f'the data (2 of {len(classes)} labels differ)') in result.stderr
    # The same names in the same order test as before.
    result = run_tool('test', CONFIG, trained, '--work-dir', str(tmp_path / 'ok'),
                      '--cfg-options', f'ann_file={synthetic_file}',
                      f'label_map={tmp_path / "same.txt"}', *options)
    assert result.returncode == 0 and 'top1:' in result.stdout


def test_mmaction2_training_switches():
    from posegraph.apis import apply_train_flags
    cfg = load_config(CONFIG)
    apply_train_flags(cfg, auto_scale_lr=True, seed=7, deterministic=True, validate=False)
    assert cfg.auto_scale_lr.enable and cfg.auto_scale_lr.base_batch_size == 32
    assert cfg.randomness.seed == 7 and cfg.randomness.deterministic
    assert cfg.val_cfg is None and cfg.val_dataloader is None and cfg.val_evaluator is None
    assert 'save_best' not in cfg.default_hooks.checkpoint
    if not torch.cuda.is_available():
        with pytest.raises(IncompatibleError, match='--amp .* needs a GPU'):
            apply_train_flags(load_config(CONFIG), amp=True)
    # --seed -1 passed the config check and stopped in numpy's seeding, in a traceback.
    for seed in (-1, 2 ** 32):
        with pytest.raises(ConfigError, match=rf'the seed must be between 0 and 2\*\*32 - 1, '
                           f'got {seed}'):
            apply_train_flags(load_config(CONFIG), seed=seed)


def test_train_without_validation_then_show_every_test_clip(synthetic_file, tmp_path, run_tool):
    small = [f'{k}={v}'.replace(' ', '') for k, v in SMALL.items()]
    result = run_tool('train', CONFIG, '--work-dir', str(tmp_path / 'w'), '--no-validate',
                      '--seed', '5', '--cfg-options', f'ann_file={synthetic_file}',
                      'train_cfg.max_epochs=1', *small)
    assert result.returncode == 0, result.stderr[-2000:]
    log = next((tmp_path / 'w').glob('*/*.log')).read_text()
    assert 'Epoch(val)' not in log and 'randomness = dict(deterministic=False, seed=5)' in log
    show = tmp_path / 'show'
    result = run_tool('test', CONFIG, tmp_path / 'w' / 'epoch_1.pth', '--work-dir',
                      tmp_path / 'w', '--show-dir', show, '--cfg-options',
                      f'ann_file={synthetic_file}', *small)
    assert result.returncode == 0, result.stderr[-2000:]
    register_all_modules()
    test_set = DATASETS.build(load_config(CONFIG, {'ann_file': synthetic_file})
                              .test_dataloader.dataset)
    names = {test_set.get_data_info(i)['frame_dir'] for i in range(len(test_set))}
    assert {p.stem for p in show.glob('*.png')} == names
    assert f'{len(names)} clips drawn' in result.stdout


def test_a_save_best_metric_the_validation_does_not_report_stops_before_training(
        synthetic_file, tmp_path, run_tool):
    # mmengine's KeyError came at the first validation, after the epochs before it.
    result = run_tool('train', CONFIG, '--work-dir', tmp_path, '--cfg-options',
                      f'ann_file={synthetic_file}', 'default_hooks.checkpoint.save_best=acc/top3',
                      'val_evaluator.topk=[1,2]')
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert (f"error: {CONFIG}: CheckpointHook's save_best: the validation reports no "
            "'acc/top3' (did you mean 'acc/top2' or 'acc/top1'?); it reports acc/top1, "
            "acc/top2, acc/mean_class_accuracy") in result.stderr
    assert not list(tmp_path.glob('*.pth')) and 'Epoch(train)' not in result.stdout


def test_an_unknown_name_is_one_line_from_the_tools(tmp_path, run_tool):
    result = run_tool('train', CONFIG, '--work-dir', tmp_path, '--cfg-options',
                      'model.network.layout=nturgb')
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: unknown skeleton layout 'nturgb'; known layouts: coco17,")


@pytest.mark.parametrize('option, message', [
    ('--show-dir', "{blocker}/show: cannot make the folder for the drawings (Not a directory"),
    ('--work-dir', "{blocker}/show: cannot make the folder for the work dir (Not a directory"),
    ('--dump', "{blocker}/show: cannot make the folder for the scores (Not a directory"),
])
def test_a_place_to_write_that_cannot_be_made_stops_the_test_before_it_runs(
        tmp_path, run_tool, option, message):
    # The drawings' folder was found unusable only after the whole test set was scored.
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    (tmp_path / 'c.pth').write_text('')   # never read: the run stops before loading it
    target = blocker / 'show' / 'scores.pkl' if option == '--dump' else blocker / 'show'
    result = run_tool('test', CONFIG, tmp_path / 'c.pth', option, target)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        'error: ' + message.format(blocker=blocker))


def test_scores_are_dumped_only_as_a_pickle(tmp_path):
    # mmengine's DumpResults said so with a traceback.
    (tmp_path / 'c.pth').write_bytes(b'')
    with pytest.raises(OutputPathError, match=r'scores.json: the scores are dumped as a '
                       r'pickle \(.pkl\)'):
        build_runner(CONFIG, work_dir=str(tmp_path), checkpoint=str(tmp_path / 'c.pth'),
                     dump=str(tmp_path / 'scores.json'))
    with pytest.raises(FileNotFoundError, match=r'none.pth: no such checkpoint$'):
        build_runner(CONFIG, work_dir=str(tmp_path), checkpoint=str(tmp_path / 'none.pth'))


def test_a_launcher_in_a_process_it_did_not_start_is_one_line_before_anything_is_built(
        tmp_path, run_tool, monkeypatch):
    # torch's env:// rendezvous (pytorch) or mmengine (slurm) stopped in a traceback.
    for name in ('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT',
                 'SLURM_PROCID'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('SLURM_NTASKS', '2')
    monkeypatch.setenv('SLURM_NODELIST', 'node1')
    result = run_tool('train', CONFIG, '--launcher', 'pytorch', '--work-dir', tmp_path / 'w')
    assert result.returncode == 1 and result.stderr.strip() == (
        'error: --launcher pytorch: RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT not '
        'set; start the run with torchrun (bash tools/dist_train.sh CONFIG N, or '
        'tools/dist_test.sh), which sets them for every process')
    assert not (tmp_path / 'w').exists()
    with pytest.raises(LaunchError, match=r'--launcher slurm: SLURM_PROCID not set; start the '
                       r'run with srun'):
        build_runner(CONFIG, work_dir=str(tmp_path / 'w'), launcher='slurm')


def test_tensorboard_is_used_when_installed_and_refused_when_asked_for_but_absent(monkeypatch):
    from posegraph.apis import apply_tensorboard
    cfg = load_config(CONFIG)
    assert apply_tensorboard(cfg)     # installed with the dev extra
    assert [b['type'] for b in cfg.visualizer.vis_backends] == ['LocalVisBackend',
                                                                'TensorboardVisBackend']
    assert apply_tensorboard(cfg) and len(cfg.visualizer.vis_backends) == 2   # not twice
    off = load_config(CONFIG, {'tensorboard': False})
    assert not apply_tensorboard(off) and len(off.visualizer.vis_backends) == 1
    import importlib.util
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    assert not apply_tensorboard(load_config(CONFIG))                     # 'auto': quietly off
    with pytest.raises(IncompatibleError, match=r"pip install 'posegraph\[tensorboard\]'"):
        apply_tensorboard(load_config(CONFIG, {'tensorboard': True}))


def test_a_runs_config_is_formatted_once(synthetic_file, tmp_path, monkeypatch):
    import mmengine.config.config as mmengine_config
    calls = []
    format_code = mmengine_config.FormatCode
    monkeypatch.setattr(mmengine_config, 'FormatCode',
                        lambda *args, **kwargs: calls.append(1) or format_code(*args, **kwargs))
    runner = train_runner(tmp_path, {'ann_file': synthetic_file}, epochs=2)
    runner.train()   # the work dir's copy, the log, the visualiser, two checkpoints
    assert len(calls) == 1
    assert load_checkpoint_file(str(tmp_path / 'epoch_2.pth'))['meta']['cfg'] == \
        runner.cfg.pretty_text


def test_runner_keeps_the_memory_its_steps_free(synthetic_file, tmp_path, monkeypatch):
    import posegraph.apis.runner as runner_module
    calls = []
    monkeypatch.setattr(runner_module, 'keep_freed_memory', lambda: calls.append(1) or True)
    train_runner(tmp_path, {'ann_file': synthetic_file})
    assert calls == [1]


def test_validation_after_optimiser_steps_scores_the_new_weights(synthetic_file, tmp_path):
    """Eval-mode scores follow the weights through the config's own optimiser, fused AdamW,
    whose steps leave the weights' version counters where they were: validation must score
    what a model freshly loaded with the same weights scores, after every step, and no
    inference path may keep anything computed from older weights."""
    runner = train_runner(tmp_path / 'r', {'ann_file': synthetic_file})
    model = runner.model
    optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    assert optim_wrapper.optimizer.defaults.get('fused')
    batch = next(iter(runner.train_dataloader))
    fresh = MODELS.build(runner.cfg.model).eval()
    for _ in range(3):
        model.eval()
        with torch.no_grad():
            scores = torch.stack([s.pred_score for s in model.val_step(batch)])
            fresh.load_state_dict(model.state_dict())
            expected = torch.stack([s.pred_score for s in fresh.val_step(batch)])
        torch.testing.assert_close(scores, expected, rtol=0, atol=1e-6)
        model.train()
        model.train_step(batch, optim_wrapper)


def parse_cli(*options):
    parser = argparse.ArgumentParser(prog='train.py')
    parser.add_argument('--cfg-options', nargs='+', action=parse_cfg_options, default={})
    return parser.parse_args(['--cfg-options', *options]).cfg_options


@pytest.mark.parametrize('option, message', [
    ('train_cfg.max_epochs', "'train_cfg.max_epochs' is not KEY=VALUE"),
    ('=3', "'=3' is not KEY=VALUE"),
    ('train_cfg.max_epochs=[1,2', 'train_cfg.max_epochs=[1,2: brackets do not pair up'),
    # mmengine parses no dict: this one recursed until Python stopped it, and without the
    # comma it was a string where a dict belongs.
    ("optim_wrapper.clip_grad=dict(type='value',clip_value=0.2)",
     'optim_wrapper.clip_grad: a dict is not read as a value here; set its keys one by one: '
     'optim_wrapper.clip_grad.NAME=VALUE'),
    ('optim_wrapper.clip_grad={max_norm:1}', 'optim_wrapper.clip_grad: a dict is not read'),
    # In a list, each dict was a string: an AttributeError when the visualizer was set up.
    ("visualizer.vis_backends=[dict(type='LocalVisBackend'),dict(type='WandbVisBackend')]",
     'visualizer.vis_backends: a dict in a list is not read as a value here (each would be a '
     'string); set the keys of each item: visualizer.vis_backends.INDEX.NAME=VALUE'),
    ('custom_hooks=[ {type:EMAHook}]', 'custom_hooks: a dict in a list is not read'),
])
def test_a_malformed_option_is_one_line_from_argparse(option, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse_cli('train_cfg.val_interval=2', option)
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f'train.py: error: argument --cfg-options: {message}')


def test_well_formed_options_parse_as_mmengine_parses_them():
    assert parse_options(['a.b=1', 'c=[1,(2,x)]', 'd=False', 'e=x=y']) == \
        {'a.b': 1, 'c': [1, (2, 'x')], 'd': False, 'e': 'x=y'}
    # Braces inside a name are no dict (CheckpointHook's filename_tmpl).
    assert parse_options(['f=epoch_{}.pth', 'g=[a_{},b]']) == \
        {'f': 'epoch_{}.pth', 'g': ['a_{}', 'b']}
    # Given twice, the option adds to what it held, as mmengine's DictAction does.
    assert parse_cli('a=1', '--cfg-options', 'b=2') == {'a': 1, 'b': 2}
    with pytest.raises(ConfigError, match="'x' is not KEY=VALUE"):
        parse_options(['x'])
