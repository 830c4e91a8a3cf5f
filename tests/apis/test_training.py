"""tools/train.py, tools/test.py, resuming and distributed training on a tiny schedule."""
import json
import os
import pickle
import random
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook

from posegraph.apis import build_runner, load_config, parse_options
from posegraph.datasets import PoseDataset
from posegraph.engine.curves import history_files, read_history
from posegraph.io import load_annotations
from posegraph.io.checkpoint import load_checkpoint_file
from posegraph.registry import DATASETS, HOOKS, MODELS, register_all_modules
from conftest import ROOT
from file_server import OFFLINE, FileServer

CONFIG = os.path.join(ROOT, 'configs', 'pan_synthetic.py')
SMALL = ['model.network.graph_channels=[16,16]', 'model.network.pooled_channels=32',
         'model.network.gru_channels=32', 'model.network.attention_channels=16',
         'model.network.num_clusters=4', 'default_hooks.logger.interval=1']


def options(ann_file, epochs, val_interval=1):
    return [f'{loader}.dataset.ann_file={ann_file}'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')] + \
        [f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={val_interval}'] + SMALL




def test_train_then_test_with_dump(synthetic_file, tmp_path, run_tool):
    work_dir = tmp_path / 'run'
    result = run_tool('train', CONFIG, '--work-dir', str(work_dir), '--test',
                      '--cfg-options', *options(synthetic_file, 2))
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Failed to search registry' not in result.stdout + result.stderr  # a clean log
    # nor mmengine's notices about its own FileClient, which no config can change
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'CheckpointHook' in log
    assert 'will be deprecated' not in result.stdout + result.stderr + log
    assert (work_dir / 'epoch_2.pth').is_file() and (work_dir / 'curves.png').is_file()
    assert 'top1:' in result.stdout and (work_dir / 'test_metrics.json').is_file()
    (work_dir / 'test_metrics.json').unlink()
    # TensorBoard, being installed, logs beside curves.png: the loss of every iteration.
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(str(next(work_dir.glob('*/vis_data/events.out.tfevents.*'))))
    losses = events.Reload().Scalars('loss')
    per_epoch = -(-len(load_annotations(synthetic_file, split='train')) // 32)
    assert [e.step for e in losses] == list(range(1, 2 * per_epoch + 1))
    assert np.isfinite([e.value for e in losses]).all()
    dump = tmp_path / 'scores.pkl'
    result = run_tool('test', CONFIG, str(work_dir / 'epoch_2.pth'), '--work-dir',
                      str(work_dir), '--dump', str(dump),
                      '--cfg-options', *options(synthetic_file, 2))
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'top1:' in result.stdout and 'mean_class_accuracy:' in result.stdout
    metrics = json.loads((work_dir / 'test_metrics.json').read_text())
    assert 0 <= metrics['acc/top1'] <= metrics['acc/top5'] <= 1
    assert (work_dir / 'confusion_matrix.png').stat().st_size > 10_000
    with open(dump, 'rb') as f:   # our own file: plain pickle is fine here
        scores = pickle.load(f)
    assert len(scores) == 14 * 2
    assert scores[0]['pred_score'].shape == (14,) and scores[0]['gt_label'].numel() == 1
    torch.testing.assert_close(scores[0]['pred_score'].sum(), torch.tensor(1.0))
    # tools/visualize.py writes the model's prediction, named, on a clip's video.
    from posegraph.datasets.synthetic import ACTIONS
    record = load_annotations(synthetic_file, split='test')[0]
    video = str(tmp_path / f"{record['frame_dir']}.avi")
    height, width = record['img_shape']
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10, (width, height))
    for _ in range(record['total_frames']):
        writer.write(np.zeros((height, width, 3), np.uint8))
    writer.release()
    drawn = run_tool('visualize', video, synthetic_file, '--out',
                     str(tmp_path / 'drawn.gif'), '--width', '64', '--config', CONFIG,
                     '--checkpoint', str(work_dir / 'epoch_2.pth'), '--cfg-options', *SMALL[:-1])
    assert drawn.returncode == 0, drawn.stderr[-3000:]
    predicted = drawn.stdout.split('predicted: ')[1].split(' (')[0]
    assert predicted in ACTIONS
    fused = run_tool('fuse_scores', str(dump), str(dump))   # the dump format fuses
    assert fused.returncode == 0, fused.stderr
    top1 = 100 * metrics['acc/top1']
    assert f'{top1:5.1f} %' in fused.stdout.splitlines()[-1]
    figures = tmp_path / 'attention'
    result = run_tool('visualize_attention', CONFIG, str(work_dir / 'epoch_2.pth'),
                      '--num', '2', '--out-dir', str(figures),
                      '--cfg-options', *options(synthetic_file, 2))
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(list(figures.glob('*.png'))) == 2
    result = run_tool('visualize_attention', CONFIG, str(work_dir / 'epoch_2.pth'),
                      '--clips', 'no_such_clip', '--cfg-options', *options(synthetic_file, 2))
    assert result.returncode != 0 and 'not in the test set: no_such_clip' in result.stderr
    first = sorted(figures.glob('*.png'))[0].stem
    result = run_tool('visualize_attention', CONFIG, str(work_dir / 'epoch_2.pth'),
                      '--clips', first + 'x', '--cfg-options', *options(synthetic_file, 2))
    assert result.returncode == 1 and f"(did you mean '{first}'" in result.stderr
    # --num -2 plotted all but the last two clips of the test set.
    result = run_tool('visualize_attention', CONFIG, str(work_dir / 'epoch_2.pth'),
                      '--num', '-2', '--out-dir', str(figures))
    assert result.returncode == 2 and '--num must be 1 or more, got -2' in result.stderr
    # Weights of another model, or a file that holds none, are refused in a line, not drawn.
    torch.save({'state_dict': {'w': torch.ones(2)}}, tmp_path / 'other.pth')
    (tmp_path / 'notes.pth').write_text('not weights')
    result = run_tool('visualize_attention', CONFIG, str(work_dir / 'epoch_2.pth'),
                      '--out-dir', str(tmp_path / 'notes.pth' / 'plots'), '--cfg-options',
                      *options(synthetic_file, 2))
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert 'notes.pth/plots: cannot make the folder for the plots' in result.stderr
    for name, why in [('other.pth', 'other.pth does not fit the model built from the config'),
                      ('notes.pth', 'notes.pth: does not load as a checkpoint')]:
        result = run_tool('visualize_attention', CONFIG, str(tmp_path / name),
                          '--out-dir', str(tmp_path / 'refused'), '--cfg-options',
                          *options(synthetic_file, 2))
        assert result.returncode == 1 and why in result.stderr, result.stderr[-3000:]
        assert 'Traceback' not in result.stderr and not (tmp_path / 'refused').exists()
    result = run_tool('test', CONFIG, str(tmp_path / 'notes.pth'), '--work-dir',
                      str(tmp_path / 'refused'), '--cfg-options', *options(synthetic_file, 2))
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert 'notes.pth: does not load as a checkpoint' in result.stderr


def test_bad_config_inputs_fail_with_the_cause(synthetic_file, tmp_path, run_tool):
    result = run_tool('train', CONFIG, '--work-dir', str(tmp_path),
                      '--cfg-options', *options(synthetic_file, 1),
                      'train_dataloader.dataset.split=nope')
    assert result.returncode != 0 and "unknown split 'nope'" in result.stderr
    result = run_tool('train', os.path.join(ROOT, 'configs', 'pan_jhmdb.py'),
                      '--work-dir', str(tmp_path), '--cfg-options',
                      'train_dataloader.dataset.ann_file=/nowhere/jhmdb.pkl')
    assert result.returncode != 0 and '/nowhere/jhmdb.pkl: no such annotation file' in result.stderr
    result = run_tool('train', CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
                      *options(synthetic_file, 1), 'train_dataloader.dataset.layout=jhmdb15')
    assert result.returncode != 0 and 'the layout has 15' in result.stderr
    result = run_tool('test', CONFIG, str(tmp_path / 'none.pth'))
    assert result.returncode != 0 and 'none.pth: no such checkpoint' in result.stderr
    # Before: mmengine's "[Errno 2] No such file or directory", once the runner was built.
    result = run_tool('train', CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
                      *options(synthetic_file, 1), f"load_from={tmp_path / 'none.pth'}")
    assert result.returncode == 1 and result.stderr.strip().endswith(
        f"error: {tmp_path / 'none.pth'}: no such checkpoint (load_from)")
    # The same through a real interpreter: a user error is a message and exit status 1.
    result = subprocess.run([sys.executable, 'tools/train.py', 'configs/missing.py'], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == 'error: configs/missing.py: no such config file'


def test_ctrl_c_names_the_last_checkpoint_and_the_resume_command(synthetic_file, tmp_path,
                                                                run_tool, monkeypatch):
    from mmengine.runner import EpochBasedTrainLoop
    run_epoch, epochs = EpochBasedTrainLoop.run_epoch, []

    def stopped_in_epoch(stop_at):
        def run(loop):
            epochs.append(loop.epoch)
            if len(epochs) == stop_at:
                raise KeyboardInterrupt
            run_epoch(loop)
        return run

    work_dir = tmp_path / 'run'
    train = ('train', CONFIG, '--work-dir', str(work_dir), '--cfg-options',
             *options(synthetic_file, 3, val_interval=3))
    monkeypatch.setattr(EpochBasedTrainLoop, 'run_epoch', stopped_in_epoch(1))
    result = run_tool(*train)
    assert result.returncode == 130 and result.stderr.strip().endswith(
        f'interrupted before the first checkpoint: nothing to resume from in {work_dir}')
    epochs.clear()
    monkeypatch.setattr(EpochBasedTrainLoop, 'run_epoch', stopped_in_epoch(3))
    result = run_tool(*train)
    assert result.returncode == 130 and 'Traceback' not in result.stderr
    assert result.stderr.strip().endswith(
        f'interrupted: the last checkpoint is {work_dir / "epoch_2.pth"}; go on from it with '
        f'python tools/train.py {CONFIG} --work-dir {work_dir} --resume (and the same '
        '--cfg-options)')
    monkeypatch.setattr(EpochBasedTrainLoop, 'run_epoch', run_epoch)
    result = run_tool(*train[:4], '--resume', *train[4:])
    assert result.returncode == 0 and '--resume: no checkpoint' not in result.stderr
    assert (work_dir / 'epoch_3.pth').is_file()
    assert f'Auto resumed from the latest checkpoint {work_dir / "epoch_2.pth"}.' in result.stdout
    # Resuming in a work dir with no checkpoint (a mistyped --work-dir) trains from the
    # start, as mmengine does, but says so; before, without a word.
    epochs.clear()
    monkeypatch.setattr(EpochBasedTrainLoop, 'run_epoch', stopped_in_epoch(1))
    result = run_tool(*train[:3], str(tmp_path / 'rnu'), '--resume', *train[4:])
    assert result.returncode == 130 and (
        f"--resume: no checkpoint in {tmp_path / 'rnu'} yet; training from the start"
        in result.stderr)
    assert 'Auto resumed' not in result.stdout      # mmengine's "from ... checkpoint None"
    monkeypatch.setattr(EpochBasedTrainLoop, 'run_epoch', run_epoch)
    # A work dir given for a checkpoint is named with its last one.
    for tool in (('test', CONFIG, str(work_dir)), (*train[:4], '--resume', str(work_dir))):
        result = run_tool(*tool, '--cfg-options', *train[5:])
        assert result.returncode == 1 and result.stderr.strip().endswith(
            f'{work_dir}: a folder, not a checkpoint'
            + (' to resume from' if tool[0] == 'train' else '')
            + f'; its last checkpoint is {work_dir / "epoch_3.pth"}')
    from mmengine.runner import TestLoop

    def stopped(loop):
        raise KeyboardInterrupt
    monkeypatch.setattr(TestLoop, 'run', stopped)
    result = run_tool('test', CONFIG, str(work_dir / 'epoch_3.pth'), '--dump',
                      str(tmp_path / 'scores.pkl'), '--cfg-options', *train[5:])
    assert result.returncode == 130 and result.stderr.strip().endswith(
        'interrupted: no metrics, scores or drawings were written')
    assert not (tmp_path / 'scores.pkl').exists()


def test_a_test_set_that_cannot_load_stops_a_train_and_test_run_before_training(
        synthetic_file, tmp_path, run_tool):
    result = run_tool('train', CONFIG, '--work-dir', str(tmp_path), '--test', '--cfg-options',
                      *options(synthetic_file, 1), 'test_dataloader.dataset.split=nope')
    assert result.returncode == 1 and "unknown split 'nope'" in result.stderr
    assert not list(tmp_path.glob('*.pth'))          # it stopped before the first epoch


@DATASETS.register_module(force=True)
class DrawingPoseDataset(PoseDataset):
    """A dataset that draws from every random generator as it is built."""

    def load_data_list(self):
        random.random(), np.random.rand(), torch.rand(1)
        return super().load_data_list()


def test_preparing_the_test_leaves_training_as_it_was(synthetic_file, tmp_path):
    weights = {}
    for test in (False, True):
        cfg = parse_options(options(synthetic_file, 1, val_interval=100))
        # No EpochSeedHook, which reseeds every epoch: the draws before training count.
        cfg.update({'model.network.dropout': 0.5, 'custom_hooks': [],
                    'test_dataloader.dataset.type': 'DrawingPoseDataset'})
        work_dir = tmp_path / str(test)
        runner = build_runner(CONFIG, work_dir=str(work_dir), cfg_options=cfg, test=test)
        runner.train()
        weights[test] = load_checkpoint_file(work_dir / 'epoch_1.pth')['state_dict']
    for key in weights[False]:
        assert torch.equal(weights[False][key], weights[True][key]), key


class Interrupted(Exception):
    pass


@HOOKS.register_module(force=True)
class InterruptAfterEpoch(Hook):
    """Stops training after an epoch's checkpoint is written, as a crash would."""
    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            raise Interrupted


def train(synthetic_file, work_dir, epochs, hooks=(), resume=None):
    cfg = parse_options(options(synthetic_file, epochs, val_interval=100))
    cfg['custom_hooks'] = [dict(type='EpochSeedHook'), *hooks]
    # Dropout and augmentation must both be exercised for the comparison to mean much.
    cfg['model.network.dropout'] = 0.5
    runner = build_runner(CONFIG, work_dir=str(work_dir), cfg_options=cfg, resume=resume)
    runner.train()
    return runner


def test_resumed_run_ends_where_an_uninterrupted_run_ends(synthetic_file, tmp_path):
    runner = train(synthetic_file, tmp_path / 'straight', epochs=4)
    # The config's text, formatted once when the runner was built, is still the config's
    # after training, and every checkpoint carries it.
    text = Config.pretty_text.fget(runner.cfg)
    assert runner.cfg.pretty_text == text
    for epoch in (3, 4):
        checkpoint = load_checkpoint_file(tmp_path / 'straight' / f'epoch_{epoch}.pth')
        assert checkpoint['meta']['cfg'] == text
    with pytest.raises(Interrupted):
        train(synthetic_file, tmp_path / 'broken', epochs=4,
              hooks=[dict(type='InterruptAfterEpoch', epoch=2)])
    assert not (tmp_path / 'broken' / 'epoch_3.pth').exists()
    early = load_checkpoint_file(tmp_path / 'broken' / 'epoch_2.pth')['state_dict']
    train(synthetic_file, tmp_path / 'broken', epochs=4, resume='auto')

    def weights(run):
        return load_checkpoint_file(tmp_path / run / 'epoch_4.pth')['state_dict']
    straight, resumed = weights('straight'), weights('broken')
    assert any(not torch.equal(early[k], straight[k]) for k in straight)  # training moved on
    for key in straight:
        assert torch.equal(straight[key], resumed[key]), key

    # The resumed run's curves hold the whole history, as the uninterrupted run's do.
    def history(run):
        work_dir = tmp_path / run
        log_dir = max(p.parent.parent for p in work_dir.glob('*/vis_data/scalars.json'))
        train_records, _ = read_history(history_files(str(work_dir), str(log_dir),
                                                      resumed=run == 'broken'))
        return [r['step'] for r in train_records]
    assert history('broken') == history('straight')
    assert history('straight')[0] < history('straight')[-1] / 2


@pytest.mark.slow
def test_distributed_training_with_two_cpu_processes(synthetic_file, tmp_path):
    # Fine-tuned from a URL: one process downloads it, before the datasets load.
    register_all_modules()
    model = MODELS.build(load_config(CONFIG, parse_options(options(synthetic_file, 1))).model)
    torch.save({'state_dict': model.state_dict()}, tmp_path / 'start.pth')
    env = dict(os.environ, PORT=str(29500 + os.getpid() % 1000), OMP_NUM_THREADS='1',
               PYTHON=sys.executable, TORCH_HOME=str(tmp_path / 'torch'))
    work_dir = tmp_path / 'run'
    with FileServer({'/start.pth': (tmp_path / 'start.pth').read_bytes()}) as server:
        result = subprocess.run(
            ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', str(work_dir),
             '--cfg-options', *options(synthetic_file, 1), f'load_from={server.url}/start.pth'],
            cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (work_dir / 'epoch_1.pth').is_file()
    assert server.requests == [('/start.pth', None)]
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'Distributed training: True' in log
    assert "'backend': 'gloo'" in log
    assert f"Load checkpoint from {tmp_path / 'torch' / 'hub' / 'checkpoints' / 'start.pth'}" \
        in log
    # Offline, every process stops with one line before the datasets load; none hangs.
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', str(tmp_path / 'off'),
         '--cfg-options', *options(synthetic_file, 1), f'load_from={OFFLINE}/other.pth'],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    # (torchrun reports a failed child with its own traceback, which names only torch.)
    assert result.returncode != 0
    assert not re.search(r'File ".*(posegraph|tools/train\.py)"', result.stderr)
    assert result.stderr.count(f'error: cannot download {OFFLINE}/other.pth (') == 1
    assert result.stderr.count('the first process on this machine could not download') == 1


def test_importing_posegraph_changes_nothing_outside_it():
    """No import side effects: mmengine's checkpoint loader is replaced only when a Runner
    is built, and matplotlib keeps the back-end the user chose."""
    code = ('import matplotlib; matplotlib.use("svg")\n'
            'import posegraph.apis, posegraph.engine, posegraph.visualization\n'
            'import posegraph.evaluation.plot, posegraph.engine.curves\n'
            'from mmengine.runner.checkpoint import CheckpointLoader\n'
            'loader = CheckpointLoader._schemes.get("")\n'
            'print(matplotlib.get_backend(), getattr(loader, "__module__", None))')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            cwd=ROOT)
    backend, loader = result.stdout.split()
    assert backend == 'svg' and loader != 'posegraph.io.checkpoint', result.stderr[-2000:]
