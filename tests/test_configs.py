import glob
import os

import pytest
import torch
from mmengine.config import Config

from posegraph.io.checkpoint import ZOO_SCHEMES, zoo_checkpoint_url
from posegraph.registry import DATASETS, MODELS, register_all_modules
from conftest import ROOT, frame_dirs, tiny_ucf101

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
    assert (len(train), len(val)) == (321, 112)  # the leakage-free fold grouped1
    assert not {train.get_data_info(i)['frame_dir'] for i in range(len(train))} & \
        {val.get_data_info(i)['frame_dir'] for i in range(len(val))}
    assert tuple(val[0]['inputs'].shape) == (1, 1, cfg.clip_len, 15, cfg.in_channels)
    # 7 streams: 6 of coordinates (2 channels each), 15 distances, the confidence
    assert tuple(train[0]['inputs'].shape) == (1, 1, cfg.clip_len, 15, 28)
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) < 500_000


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


def _train_clip_len(cfg):
    for step in cfg.train_dataloader.dataset.get('pipeline', []):
        if step['type'] in ('UniformSampleFrames', 'SampleVideoFrames'):
            return step['clip_len']
    return None


EXPERIMENTS = [p for p in CONFIGS if os.sep + '_base_' + os.sep not in p]


@pytest.mark.parametrize('path', EXPERIMENTS, ids=[os.path.basename(p) for p in EXPERIMENTS])
def test_config_names_say_what_runs(path):
    """A full name is model_settings_dataset (MMAction2's scheme), and its batch size
    (``1xbB``), clip length (``uT`` / ``tsnT``) and epochs (``Ne``) are the config's own; a
    short name only inherits one full one."""
    name = os.path.splitext(os.path.basename(path))[0]
    cfg = Config.fromfile(path)
    if name.count('_') == 1:    # short: model_dataset
        with open(path) as f:
            bases = [line for line in f if line.startswith('_base_')]
        assert len(bases) == 1 and bases[0].count("'") == 2, name
        return
    model, settings, data = name.split('_')
    tokens = settings.split('-')
    assert f'1xb{cfg.train_dataloader.batch_size}' == tokens[0], name
    assert f'{cfg.train_cfg.max_epochs}e' in tokens, name
    clip_len = _train_clip_len(cfg)
    if clip_len is not None:
        assert f'u{clip_len}' in tokens or f'tsn{clip_len}' in tokens, name
    assert data.endswith(('-2d', '-rgb', '-flow', 'x368')), name


@pytest.mark.parametrize('name, frames, channels', [('convgru', 40, 3), ('smnet', 8, 3),
                                                    ('twostream', 17, 11)])
def test_rgb_ucf101_configs_feed_their_models_at_paper_size(name, frames, channels, tmp_path,
                                                            run_tool):
    tiny_ucf101(tmp_path / 'ucf', frames=20, size=40)
    cfg = Config.fromfile(os.path.join(ROOT, 'configs', f'{name}_ucf101.py'))
    flow_dir = str(tmp_path / 'flow')
    assert run_tool('extract_flow', tmp_path / 'ucf', '--out', flow_dir).returncode == 0
    for loader in ('train_dataloader', 'test_dataloader'):
        for step in cfg[loader].dataset.pipeline:
            if step['type'] == 'LoadFlowStack':
                step['flow_dir'] = flow_dir
    train = dataset(cfg, 'train_dataloader', video_root=str(tmp_path / 'ucf'))
    test = dataset(cfg, 'test_dataloader', video_root=str(tmp_path / 'ucf'))
    assert frame_dirs(test) == ['v_Biking_g01_c01', 'v_Diving_g01_c01']
    inputs = train[0]['inputs']
    assert tuple(inputs.shape) == (1, frames, channels, 224, 224)
    assert tuple(test[1]['inputs'].shape) == (1, frames, channels, 224, 224)
    # It starts from ImageNet weights (loaded as training starts) under a name that resolves.
    pretrained = cfg.model.network.pretrained
    if pretrained.startswith(ZOO_SCHEMES):
        pretrained = zoo_checkpoint_url(pretrained)
    assert pretrained.endswith(('resnet50-0676ba61.pth', 'vgg16-397923af.pth',
                                'xception-43020ad28.pth'))
    # The model the config describes (at a small width) takes those clips.
    cfg.model.network.num_classes = 2
    cfg.model.network.width = 0.125
    if name == 'smnet':
        cfg.model.network.layers = (1, 1, 1, 1)
    if name == 'twostream':
        cfg.model.network.fc_channels = 16
    if name == 'convgru':
        cfg.model.network.middle_blocks = 1
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        scores = model(**model.data_preprocessor({'inputs': [inputs], 'data_samples': None}))
    assert scores.shape == (1, 2) and torch.allclose(scores.sum(-1), torch.ones(1))
