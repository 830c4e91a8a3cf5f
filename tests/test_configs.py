import glob
import os

import pytest
from mmengine.config import Config

from posegraph.registry import DATASETS, MODELS, register_all_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', '**', '*.py'), recursive=True))


def dataset(cfg, loader, **changes):
    register_all_modules()
    return DATASETS.build(dict(cfg[loader].dataset, **changes))


def test_synthetic_config_builds_its_loaders_and_model(synthetic_file):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/pan_synthetic.py'))
    train = dataset(cfg, 'train_dataloader', ann_file=synthetic_file)
    test = dataset(cfg, 'test_dataloader', ann_file=synthetic_file)
    assert len(train.metainfo['classes']) == cfg.num_classes == 14
    assert tuple(train[0]['inputs'].shape) == (1, 2, cfg.clip_len, 17, cfg.in_channels)
    assert tuple(test[0]['inputs'].shape) == (5, 2, cfg.clip_len, 17, cfg.in_channels)
    model = MODELS.build(cfg.model)
    assert model.network.in_channels == cfg.in_channels and model.network.layout == 'coco17'


def test_jhmdb_config_builds_on_the_real_data(jhmdb_dir):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/pan_jhmdb.py'))
    kwargs = dict(ann_file=os.path.join(jhmdb_dir, 'jhmdb_gt_dev.pkl'),
                  label_map=os.path.join(jhmdb_dir, 'label_map.txt'))
    train = dataset(cfg, 'train_dataloader', **kwargs)
    val = dataset(cfg, 'val_dataloader', **kwargs)
    assert (len(train), len(val)) == (346, 87)
    assert tuple(val[0]['inputs'].shape) == (10, 1, cfg.clip_len, 15, cfg.in_channels)


@pytest.mark.parametrize('name', ['pan_ucf101.py', 'pan_hmdb51.py'])
def test_pyskl_configs_use_their_published_splits(name):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', name))
    assert cfg.train_dataloader.dataset.split == 'train1'
    assert cfg.test_dataloader.dataset.split == 'test1'
    assert cfg.model.network.layout == 'coco17'
    assert cfg.model.network.num_classes == (101 if 'ucf' in name else 51)


@pytest.mark.parametrize('path', CONFIGS, ids=[os.path.relpath(p, ROOT) for p in CONFIGS])
def test_every_config_parses(path):
    assert Config.fromfile(path)
