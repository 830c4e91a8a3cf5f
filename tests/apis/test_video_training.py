"""The RGB configs train, test, dump scores and fuse through the same tools as PAN."""
import os
import pickle

import pytest
import torch

from posegraph.apis import load_config, parse_options
from posegraph.registry import MODELS, register_all_modules
from conftest import ROOT

SMALL = {'convgru': ['model.network.width=0.125', 'model.network.middle_blocks=1',
                     'model.network.fc_channels=16', 'model.network.hidden_channels=8'],
         'smnet': ['model.network.width=0.125', 'model.network.layers=[1,1,1,1]'],
         'twostream': ['model.network.width=0.125', 'model.network.fc_channels=16',
                       'model.network.hidden_channels=8']}


@pytest.fixture(scope='module')
def video_root(tmp_path_factory):
    return str(tmp_path_factory.mktemp('synthetic_video'))


def options(name, root):
    opts = [f'{loader}.dataset.{key}={value}'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
            for key, value in (('root', root), ('clips_per_class', 4))]
    if name == 'twostream':
        opts += [f'{loader}.dataset.pipeline.2.flow_dir={root}/flow'
                 for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    return opts + ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1'] + SMALL[name]


def train_and_dump(run_tool, name, root, tmp_path):
    config = os.path.join(ROOT, 'configs', f'{name}_synthetic.py')
    work_dir = tmp_path / name
    opts = options(name, root)
    if name == 'smnet':   # started from "ImageNet" weights, which the test run never reads
        register_all_modules()
        cfg = load_config(config, parse_options(opts))
        start = tmp_path / 'resnet.pth'
        torch.save(MODELS.build(cfg.model).network.backbone.state_dict(), start)
        opts.append(f'model.network.pretrained={start}')
    result = run_tool('train', config, '--work-dir', str(work_dir), '--cfg-options', *opts)
    assert result.returncode == 0, result.stderr[-3000:]
    if name == 'smnet':
        assert f'{start}: loaded 150 tensors into ResNet' in result.stdout
        start.unlink()
    dump = tmp_path / f'{name}.pkl'
    result = run_tool('test', config, str(work_dir / 'epoch_1.pth'), '--work-dir',
                      str(work_dir), '--dump', str(dump), '--cfg-options', *opts)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'top1:' in result.stdout and 'tensors into ResNet' not in result.stdout
    # Through the run's logger (its file, its first process only), not printed bare.
    assert f'INFO - Loads checkpoint by local backend from path: {work_dir}/epoch_1.pth' \
        in result.stdout
    if name == 'smnet':   # the checkpoint replaces every weight the ImageNet file would give
        result = run_tool('train', config, '--work-dir', str(work_dir), '--resume',
                          '--cfg-options', *opts, 'train_cfg.max_epochs=2')
        assert result.returncode == 0, result.stderr[-3000:]
        assert f'{start} is not loaded: {work_dir}/epoch_1.pth replaces every weight of ' \
               'network.backbone.' in result.stdout
        assert (work_dir / 'epoch_2.pth').is_file()
    with open(dump, 'rb') as f:  # our own file
        scores = pickle.load(f)
    assert len(scores) == 8 and scores[0]['pred_score'].shape == (8,)
    torch.testing.assert_close(scores[0]['pred_score'].sum(), torch.tensor(1.0))
    return dump


@pytest.mark.slow
def test_rgb_models_train_dump_and_fuse(video_root, tmp_path, run_tool):
    dumps = [train_and_dump(run_tool, name, video_root, tmp_path)
             for name in ('convgru', 'smnet', 'twostream')]
    fused = run_tool('fuse_scores', *map(str, dumps))
    assert fused.returncode == 0, fused.stderr
    lines = fused.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:5]] == [*map(str, dumps), 'fusion']
    assert all('%' in line for line in lines[1:5])
