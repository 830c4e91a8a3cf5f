import glob
import os

import pytest
from mmengine.config import Config

from posegraph.registry import DATASETS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(cfg, key, ann_file, label_map):
    return DATASETS.build(dict(cfg[key], ann_file=ann_file, label_map=label_map))


def test_synthetic_dataset_config_builds_train_and_test_sets(synthetic_file):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/_base_/datasets/synthetic_coco17.py'))
    label_map = os.path.join(os.path.dirname(synthetic_file), 'label_map.txt')
    train = build(cfg, 'train_dataset', synthetic_file, label_map)
    test = build(cfg, 'test_dataset', synthetic_file, label_map)
    assert len(train.metainfo['classes']) == cfg.num_classes
    channels = 2 * len(cfg.streams) + 1
    assert tuple(train[0]['inputs'].shape) == (1, 2, cfg.clip_len, 17, channels)
    assert tuple(test[0]['inputs'].shape) == (5, 2, cfg.clip_len, 17, channels)


def test_jhmdb_dataset_config_builds_on_the_real_data(jhmdb_dir):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/_base_/datasets/jhmdb15.py'))
    ann_file = os.path.join(jhmdb_dir, 'jhmdb_gt_dev.pkl')
    label_map = os.path.join(jhmdb_dir, 'label_map.txt')
    train = build(cfg, 'train_dataset', ann_file, label_map)
    val = build(cfg, 'val_dataset', ann_file, label_map)
    assert (len(train), len(val)) == (346, 87)
    assert tuple(val[0]['inputs'].shape) == (5, 1, cfg.clip_len, 15, 7)


@pytest.mark.parametrize('path', sorted(glob.glob(os.path.join(ROOT, 'configs', '**', '*.py'),
                                                  recursive=True)))
def test_every_config_parses(path):
    assert Config.fromfile(path)
