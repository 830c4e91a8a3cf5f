"""Config mistakes stop the tools at once with the file, the key and the problem."""
import glob
import importlib.util
import inspect
import os
import re
from typing import Any, Callable, Dict, Literal, Optional, Sequence, Tuple, Union

import pytest
from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.runner import Runner
from torch.utils.data import BatchSampler

from posegraph.apis import ConfigError, build_runner, load_config, read_config
from posegraph.apis.config_check import CUSTOM_KEY_KEYS, READ_KEYS, VIS_BACKEND_PACKAGES, _fits
from posegraph.registry import ForeignNameError
from conftest import ROOT

SYNTHETIC = os.path.join(ROOT, 'configs', 'pan_synthetic.py')
CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', '*.py')))


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize('path', CONFIGS, ids=[os.path.basename(p) for p in CONFIGS])
def test_every_shipped_config_passes_the_check(path):
    assert load_config(path).filename == path      # no component or argument refused


def test_a_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path, 'broken.py', "model = dict(type='SkeletonRecognizer'\n")
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value) == f"{path}, line 1: '(' was never closed"


def test_a_syntax_error_in_a_base_names_the_base(tmp_path):
    base = write(tmp_path, 'base.py', 'a = 1\nb = [\n')
    path = write(tmp_path, 'child.py', "_base_ = ['base.py']\n")
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value) == f"{path}: {base}, line 2: '[' was never closed"


def test_an_error_while_the_config_runs_names_its_line(tmp_path):
    path = write(tmp_path, 'runs.py', f"_base_ = [{SYNTHETIC!r}]\n\nclip_len = clip_length\n")
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value) == (f"{path}, line 3: NameError: name 'clip_length' is not "
                                 'defined')


def test_a_missing_base_names_the_config_and_the_base(tmp_path):
    path = write(tmp_path, 'orphan.py', "_base_ = ['nowhere.py']\n")
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value).startswith(f'{path}: {tmp_path / "nowhere.py"}: no such file')


def test_a_misspelt_component_is_named_with_its_path_and_the_nearest_name(tmp_path):
    path = write(tmp_path, 'typo.py', f"_base_ = [{SYNTHETIC!r}]\n"
                 "test_dataloader = dict(dataset=dict(pipeline=[dict(type='PoseNormalise')]))\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(
        f"{path}: test_dataloader.dataset.pipeline[0].type: no component is called "
        "'PoseNormalise' (did you mean 'PoseNormalize'")


def test_a_misspelt_argument_is_named_with_the_ones_the_component_takes(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {'model.network.num_clases': 3})
    message = str(caught.value)
    assert message.startswith(f"{SYNTHETIC}: model.network: PoseAttentionNetwork takes no "
                              "argument 'num_clases' (did you mean 'num_classes'")
    assert message.endswith('; it takes layout, in_channels, num_classes, graph_channels, '
                            'pooled_channels, num_clusters, gru_channels, attention_channels, '
                            'diffpool, joint_attention, pose_attention, dropout, '
                            'frame_dropout, label_smoothing, loss_weights, graph_partition')


def test_hook_priorities_and_the_averaging_models_arguments_are_not_refused():
    # EMAHook hands its **kwargs to the averaging model it builds: they are checked against
    # that model (refusals: test_a_value_torch_or_mmengine_refuses_is_named_with_its_key).
    hooks = [dict(type='TrainingCurvesHook', priority='LOW'),
             dict(type='EMAHook', momentum=0.001, interval=2, update_buffers=True)]
    cfg = load_config(SYNTHETIC, {'custom_hooks': hooks})
    assert cfg.custom_hooks[1].interval == 2
    with pytest.raises(ConfigError, match="TrainingCurvesHook takes no argument 'interval'"):
        load_config(SYNTHETIC, {'custom_hooks': [dict(type='TrainingCurvesHook', interval=1)]})


def test_keyword_arguments_passed_on_to_a_base_are_checked_against_it():
    # SyntheticPoseDataset -> PoseDataset -> ActionDataset pass **kwargs on to mmengine's
    # BaseDataset, which would raise a TypeError for this key when the dataset is built.
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {'train_dataloader.dataset.serialise_data': False})
    assert str(caught.value).startswith(
        f"{SYNTHETIC}: train_dataloader.dataset: SyntheticPoseDataset takes no argument "
        "'serialise_data' (did you mean 'serialize_data'?); it takes ann_file, "
        "clips_per_class, seed, pipeline, split,")
    cfg = load_config(SYNTHETIC, {'train_dataloader.dataset.serialize_data': False,
                                  'train_dataloader.dataset.lazy_init': True})
    assert cfg.train_dataloader.dataset.lazy_init is True


@pytest.mark.parametrize('option, message', [
    ('optim_wrapper.optimizer.weigth_decay',
     "optim_wrapper.optimizer: AdamW takes no argument 'weigth_decay' (did you mean "
     "'weight_decay'?)"),
    ('optim_wrapper.clip_grads', "optim_wrapper: OptimWrapper takes no argument 'clip_grads' "
     "(did you mean 'clip_grad'?)"),
    ('param_scheduler.1.eta_mn', "param_scheduler[1]: CosineAnnealingLR takes no argument "
     "'eta_mn' (did you mean 'eta_min'"),
    ('train_cfg.max_epoch', "train_cfg: EpochBasedTrainLoop takes no argument 'max_epoch' "
     "(did you mean 'max_epochs'?)"),
    ('randomness.sed', "randomness: Runner.set_randomness takes no argument 'sed' (did you "
     "mean 'seed'?)"),
    ('log_processor.window_sise', "log_processor: LogProcessor takes no argument "
     "'window_sise' (did you mean 'window_size'?)"),
    ('visualizer.vis_backends.0.save_dri', "visualizer.vis_backends[0]: LocalVisBackend "
     "takes no argument 'save_dri' (did you mean 'save_dir'"),
    # CheckpointHook's **kwargs go to Runner.save_checkpoint: a TypeError after an epoch.
    ('default_hooks.checkpoint.max_keep_ckpt', "default_hooks.checkpoint: CheckpointHook "
     "takes no argument 'max_keep_ckpt' (did you mean 'max_keep_ckpts'?)"),
    ('env_cfg.mp_cfg.opencv_threads', "env_cfg.mp_cfg: set_multi_processing takes no "
     "argument 'opencv_threads' (did you mean 'opencv_num_threads'?)"),
    ('optim_wrapper.clip_grad.max_nrom', "optim_wrapper.clip_grad: clip_grad_norm_ takes no "
     "argument 'max_nrom' (did you mean 'max_norm'?)"),
    # Read key by key by mmengine: these were ignored without a word.
    ('auto_scale_lr.enabel', "auto_scale_lr: mmengine reads no key 'enabel' (did you mean "
     "'enable'?); it reads enable, base_batch_size"),
    ('env_cfg.cudnn_benchmrk', "env_cfg: mmengine reads no key 'cudnn_benchmrk' (did you mean "
     "'cudnn_benchmark'?)"),
    ('optim_wrapper.paramwise_cfg.norm_decay_mul', "optim_wrapper.paramwise_cfg: mmengine "
     "reads no key 'norm_decay_mul' (did you mean 'norm_decay_mult'"),
    ('optim_wrapper.paramwise_cfg.custom_keys.bias.lr_mul', "optim_wrapper.paramwise_cfg."
     "custom_keys.bias: a parameter group takes no 'lr_mul' (did you mean 'lr_mult'"),
])
def test_a_misspelt_key_of_mmengines_and_torchs_components_is_refused(option, message):
    """Before, each of these was a traceback when the Runner built the component (after an
    epoch for the checkpoint hook, at the first step for clip_grad), or nothing at all."""
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {option: 1})
    assert str(caught.value).startswith(f'{SYNTHETIC}: {message}')


def test_what_mmengine_reads_before_building_is_not_refused(tmp_path):
    path = write(tmp_path, 'value.py', f"_base_ = [{SYNTHETIC!r}]\noptim_wrapper = dict("
                 "clip_grad=dict(_delete_=True, type='value', clip_value=0.5))\n"
                 "train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=2)\n")
    cfg = load_config(path, {
        'optim_wrapper.paramwise_cfg': dict(norm_decay_mult=0.0, custom_keys=dict(
            bias=dict(lr_mult=0.1, betas=(0.8, 0.9)))),
        'param_scheduler.1.convert_to_iter_based': False,
        'visualizer.vis_backends.0.name': 'local',
        'val_cfg': dict(), 'log_processor': dict(window_size=5),
        'auto_scale_lr': dict(enable=True, base_batch_size=16)})
    assert cfg.optim_wrapper.clip_grad.type == 'value'
    # Merged into the config's clip_grad, type='value' would meet its max_norm.
    with pytest.raises(ConfigError, match="clip_grad_value_ takes no argument 'max_norm'"):
        load_config(SYNTHETIC, {'optim_wrapper.clip_grad.type': 'value'})
    with pytest.raises(ConfigError, match="clip_grad.type: 'max' is neither 'norm'"):
        load_config(SYNTHETIC, {'optim_wrapper.clip_grad.type': 'max'})
    assert cfg.train_cfg == dict(by_epoch=True, max_epochs=2)
    with pytest.raises(ConfigError, match='train_cfg names neither a type nor by_epoch'):
        load_config(write(tmp_path, 'loop.py', f"_base_ = [{SYNTHETIC!r}]\n"
                          "train_cfg = dict(_delete_=True, max_epochs=2)\n"))
    with pytest.raises(ConfigError, match="IterBasedTrainLoop takes no argument 'max_epochs'"):
        load_config(path, {'train_cfg.by_epoch': False})
    # A train_cfg with both a type and by_epoch stops mmengine's Runner.
    with pytest.raises(ConfigError, match="EpochBasedTrainLoop takes no argument 'by_epoch'"):
        load_config(SYNTHETIC, {'train_cfg.by_epoch': True})
    # Another optimizer-wrapper constructor may read keys of its own.
    cfg = load_config(SYNTHETIC, {'optim_wrapper.constructor': 'LayerDecayConstructor',
                                  'optim_wrapper.paramwise_cfg.anything': 1})
    assert cfg.optim_wrapper.paramwise_cfg.anything == 1


def test_an_mmaction2_name_is_still_answered_with_ours():
    with pytest.raises(ForeignNameError, match="'GenSkeFeat' is MMAction2's name"):
        load_config(SYNTHETIC, {'train_dataloader.dataset.pipeline.5.type': 'GenSkeFeat'})


def test_a_config_without_a_model_is_refused(tmp_path):
    path = write(tmp_path, 'nomodel.py', 'clip_len = 32\n')
    with pytest.raises(ConfigError, match=f'{path}: no model in the config'):
        load_config(path)


def test_a_config_without_env_cfg_builds_a_runner(tmp_path, synthetic_file):
    cfg = load_config(SYNTHETIC, {'ann_file': synthetic_file})
    cfg.pop('env_cfg')
    runner = build_runner(cfg, work_dir=str(tmp_path))
    assert runner.cfg.env_cfg.dist_cfg.backend == 'gloo'


def test_a_test_pipeline_mistake_stops_training_before_it_starts(tmp_path, synthetic_file,
                                                                  run_tool):
    result = run_tool('train', SYNTHETIC, '--test', '--work-dir', tmp_path, '--cfg-options',
                      f'ann_file={synthetic_file}', 'test_dataloader.dataset.pipeline.2.type=Nope')
    assert result.returncode == 1
    assert (f"error: {SYNTHETIC}: test_dataloader.dataset.pipeline[2].type: no component is "
            "called 'Nope'") in result.stderr
    assert not glob.glob(str(tmp_path / '*.pth')) and 'Traceback' not in result.stderr


def test_a_broken_config_file_is_one_line_from_the_tools(tmp_path, run_tool):
    path = write(tmp_path, 'broken.py', 'x = (\n')
    result = run_tool('test', path, SYNTHETIC)
    assert result.returncode == 1
    assert f"error: {path}, line 1: '(' was never closed" in result.stderr


def test_an_option_nothing_reads_is_refused_with_the_nearest_key(run_tool, tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {'ann_fle': 'other.pkl'})
    assert str(caught.value) == (f"{SYNTHETIC}: option ann_fle: the config has no 'ann_fle', "
                                 "and nothing reads it (did you mean 'ann_file'?)")
    result = run_tool('train', SYNTHETIC, '--work-dir', tmp_path, '--cfg-options',
                      'num_clases=3')
    assert result.returncode == 1 and "option num_clases: the config has no 'num_clases'" \
        in result.stderr and not list(tmp_path.iterdir())
    # Keys the Runner or posegraph read are options even where the config leaves them out.
    cfg = load_config(SYNTHETIC, {'sync_bn': 'torch', 'load_skip_keys': ['classifier'],
                                  'train_split': None})
    assert cfg.sync_bn == 'torch' and cfg.load_skip_keys == ['classifier']


def test_a_misspelt_dataloader_key_is_refused_before_training():
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {'test_dataloader.batch_sise': 8})
    assert str(caught.value) == (f"{SYNTHETIC}: test_dataloader: a dataloader takes no "
                                 "'batch_sise' (did you mean 'batch_size' or 'batch_sampler'?)")
    # What mmengine's Runner takes off the dict before torch's DataLoader sees it is fine.
    cfg = load_config(SYNTHETIC, {'train_dataloader.num_batch_per_epoch': 2,
                                  'val_dataloader.pin_memory': True})
    assert cfg.train_dataloader.num_batch_per_epoch == 2


def test_the_keys_mmengine_reads_itself_are_those_its_code_reads():
    """READ_KEYS mirrors mmengine's own code; a key added or renamed there shows here first,
    not as a valid config refused."""
    def read(pattern, function):
        return set(re.findall(pattern, inspect.getsource(function)))

    assert read(r"env_cfg\.get\('(\w+)'", Runner.setup_env) == set(READ_KEYS['env_cfg'])
    assert read(r"auto_scale_lr(?:\.get\(|\[)'(\w+)'", Runner.scale_lr) == \
        set(READ_KEYS['auto_scale_lr'])
    assert read(r"paramwise_cfg\.get\('(\w+)'", DefaultOptimWrapperConstructor) == \
        set(READ_KEYS['optim_wrapper.paramwise_cfg'])
    assert read(r"custom_keys\[key\]\.get\('(\w+)'", DefaultOptimWrapperConstructor) == \
        set(CUSTOM_KEY_KEYS)


@pytest.mark.parametrize('key, value', [('max_epochs', 0), ('val_interval', 0),
                                        ('max_epochs', 2.5)])
def test_a_training_length_or_validation_interval_below_one_is_refused(key, value):
    # max_epochs=0 trained nothing and exited 0; val_interval=0 stopped after an epoch.
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {f'train_cfg.{key}': value})
    assert str(caught.value) == (f'{SYNTHETIC}: train_cfg.{key} must be a positive integer, '
                                 f'not {value!r}')


@pytest.mark.parametrize('option, value, message', [
    ('model.network.num_classes', 'abc', "model.network.num_classes: PoseAttentionNetwork takes "
     "int, not 'abc'"),
    # dropout=0,5: mmengine reads a comma as a list.
    ('model.network.dropout', [0, 5], 'model.network.dropout: PoseAttentionNetwork takes '
     'float, not [0, 5]'),
    ('model.network.layout', 5, 'model.network.layout: PoseAttentionNetwork takes '
     'Union[str, SkeletonLayout], not 5'),
    ('train_dataloader.dataset.pipeline.0.num_person', 1.5, 'train_dataloader.dataset.'
     'pipeline[0].num_person: SelectPersons takes int, not 1.5'),
    ('train_dataloader.dataset.num_classes', '14', 'train_dataloader.dataset.num_classes: '
     "SyntheticPoseDataset takes Optional[int], not '14'"),
])
def test_a_value_of_the_wrong_type_for_a_posegraph_component_is_refused(option, value,
                                                                       message):
    """Before, each was a TypeError from deep inside the build (or a wrong model)."""
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {option: value})
    assert str(caught.value) == f'{SYNTHETIC}: {message}'


@pytest.mark.parametrize('value, hint, fits', [
    (3, int, True), (3.0, int, False), (True, int, False), (3, float, True),
    (False, bool, True), (0, bool, False), ('x', str, True), (None, Optional[int], True),
    ([1, 2], Sequence[int], True), ((1, 'a'), Sequence[int], False), ('ab', Sequence[str], False),
    ([1, 2], Tuple[int, int], True), ([1, 2, 3], Tuple[int, int], False),
    ([1.0, 2], Tuple[float, ...], True), ({'a': 1}, dict, True), ([], Dict[str, float], False),
    ('x', Union[int, Sequence[int]], False), (4, Union[int, Sequence[int]], True),
    ('a', Literal['a', 'b'], True), ('c', Literal['a', 'b'], False),
    (lambda: 0, Callable, True), ('anything', Any, True),
])
def test_fits_judges_the_hints_posegraph_writes(value, hint, fits):
    assert _fits(value, hint) is fits


def test_a_variable_of_the_config_as_an_option_is_refused_with_the_keys_that_hold_it():
    # mmengine put the variable's value in place when the file was read: max_epochs=2
    # merged without a word and still trained the config's epochs.
    jhmdb = os.path.join(ROOT, 'configs', 'pan_jhmdb.py')
    with pytest.raises(ConfigError) as caught:
        load_config(jhmdb, {'max_epochs': 2})
    assert str(caught.value) == (
        f"{jhmdb}: option max_epochs: 'max_epochs' is a variable of the config, already put "
        "where the config uses it when the file was read: changing it changes nothing; set "
        "the keys that hold its value: train_cfg.max_epochs")
    with pytest.raises(ConfigError, match=r"'layout' is a variable of the config.*: "
                       r'model.network.layout, train_dataloader.dataset.layout, '
                       r'train_dataloader.dataset.pipeline.1.layout, .* and \d+ more$'):
        load_config(jhmdb, {'layout': 'coco17'})
    # What the option re-points is a key the Runner or posegraph reads, as it was.
    assert load_config(jhmdb, {'train_cfg.max_epochs': 2, 'num_classes': 14}).train_cfg == \
        dict(load_config(jhmdb).train_cfg, max_epochs=2)


@pytest.mark.parametrize('option, message', [
    ('param_scheduler.5.end', "param_scheduler is a list of 2, indexed 0 to 1, not '5'"),
    ('train_dataloader.dataset.pipeline.x.prob', "train_dataloader.dataset.pipeline is a list "
     "of 9, indexed 0 to 8, not 'x'"),
    ('train_cfg.max_epochs.x', "train_cfg.max_epochs is 30, which has no 'x'"),
])
def test_an_option_path_through_a_list_or_a_value_is_checked(option, message):
    # mmengine's merge raised a KeyError or a TypeError from inside itself.
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {option: 1})
    assert str(caught.value) == f'{SYNTHETIC}: option {option}: {message}'


def test_a_dict_given_for_a_list_is_refused_unless_it_replaces_the_list():
    # mmengine merged the dict into the list by index: a TypeError from inside the merge.
    one_cycle = dict(type='OneCycleLR', eta_max=0.01, total_steps=100)
    with pytest.raises(ConfigError, match='option param_scheduler: the config holds a list '
                       'there, and a dict merges into a list by index: add _delete_=True'):
        load_config(SYNTHETIC, {'param_scheduler': one_cycle})
    assert load_config(SYNTHETIC, {'param_scheduler': dict(one_cycle, _delete_=True)}
                       ).param_scheduler == one_cycle
    assert load_config(SYNTHETIC, {'param_scheduler': {'1': dict(end=3)}}
                       ).param_scheduler[1].end == 3


@pytest.mark.parametrize('options', [
    {'optim_wrapper.type': 'AmpOptimWrapper', 'optim_wrapper.loss_scale': 'dynamic'},
    {'optim_wrapper.accumulative_counts': 2},
    {'param_scheduler': [dict(type='MultiStepLR', milestones=[10, 20], gamma=0.1)]},
    {'default_hooks.checkpoint': dict(type='CheckpointHook', interval=1, save_best='auto',
                                      max_keep_ckpts=3, published_keys=['meta'])},
    {'custom_hooks': [dict(type='EMAHook', momentum=0.0002, update_buffers=True, priority=49)]},
    {'custom_hooks': [dict(type='EMAHook', ema_type='MomentumAnnealingEMA', gamma=2000)]},
    {'visualizer.vis_backends': [dict(type='TensorboardVisBackend')]},
    {'model_wrapper_cfg': dict(type='MMDistributedDataParallel', find_unused_parameters=True)},
    {'train_dataloader.sampler': dict(type='DefaultSampler', shuffle=True, seed=1),
     'train_dataloader.collate_fn': dict(type='default_collate')},
    {'train_dataloader.dataset': dict(_delete_=True, type='RepeatDataset', times=2,
                                      dataset=dict(type='PoseDataset', ann_file='x.pkl'))},
    {'log_processor': dict(custom_cfg=[dict(data_src='loss', window_size='global')])},
    {'val_evaluator': [dict(type='AccMetric', topk=(1, 3), prefix='v')]},
    {'randomness': dict(seed=0, diff_rank_seed=False, deterministic=True)},
    {'env_cfg': dict(cudnn_benchmark=True, dist_cfg=dict(backend='nccl', timeout=1800),
                     mp_cfg=dict(mp_start_method='spawn', opencv_num_threads=1),
                     resource_limit=8192)},
    {'optim_wrapper.optimizer': dict(_delete_=True, type='SGD', lr=0.1, momentum=0.9,
                                     nesterov=True, weight_decay=1e-4)},
    {'model.init_cfg': dict(type='Kaiming', layer='Conv2d',
                            override=dict(name='head', type='Normal', std=0.01))},
    {'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop', max_iters=100,
                       val_interval=10)},
    {'param_scheduler.0.by_epoch': False, 'param_scheduler.0.convert_to_iter_based': False},
    # The batch size goes to the batch sampler, not to the DataLoader.
    {'train_dataloader.batch_sampler': dict(type=BatchSampler, drop_last=False)},
    {'param_scheduler': dict(_delete_=True, type='OneCycleLR', eta_max=0.01, total_steps=100)},
    {'train_dataloader.num_workers': 2, 'train_dataloader.persistent_workers': True},
], ids=lambda options: next(iter(options)))
def test_settings_mmaction2_users_write_are_not_refused(options):
    load_config(SYNTHETIC, options)


@pytest.mark.parametrize('option, value, message', [
    ('optim_wrapper.optimizer.lr', -1, 'optim_wrapper.optimizer: AdamW refuses it: Invalid '
     'learning rate: -1'),
    ('optim_wrapper.optimizer.betas', [0.9, 1.5], 'optim_wrapper.optimizer: AdamW refuses it: '
     'Invalid beta parameter at index 1: 1.5'),
    ('param_scheduler.1.begin', 100, 'param_scheduler[1]: CosineAnnealingLR refuses it: end '
     'should be larger than begin, but got begin=100, end=30'),
    ('param_scheduler.0.start_factor', 2, 'param_scheduler[0]: LinearLR refuses it: Starting '
     'multiplicative factor should between 0 and 1.'),
    ('train_dataloader.batch_size', 0, "train_dataloader: torch's DataLoader refuses it: "
     'batch_size should be a positive integer value, but got batch_size=0'),
    ('val_dataloader.num_workers', -1, "val_dataloader: torch's DataLoader refuses it: "
     'num_workers option should be non-negative'),
    ('test_dataloader.persistent_workers', True, "test_dataloader: torch's DataLoader refuses "
     'it: persistent_workers option needs num_workers > 0'),
    ('default_hooks.logger.interval', 0, 'default_hooks.logger: LoggerHook refuses it: '
     'interval must be greater than 0'),
    ('custom_hooks', [dict(type='EMAHook', begin_iter=-1)], 'custom_hooks[0]: EMAHook refuses '
     'it: `begin_iter` must larger than or equal to 0'),
    # EMAHook's **kwargs build the averaging model once training starts.
    ('custom_hooks', [dict(type='EMAHook', momentum=2)], 'custom_hooks[0]: '
     'ExponentialMovingAverage refuses it: momentum must be in range (0.0, 1.0)'),
    ('custom_hooks', [dict(type='EMAHook', momentun=0.001)], 'custom_hooks[0]: '
     "ExponentialMovingAverage (ema_type) takes no argument 'momentun' (did you mean "
     "'momentum'?); it takes momentum, interval, device, update_buffers"),
    ('custom_hooks', [dict(type='EMAHook', ema_type='Nope')], 'custom_hooks[0].ema_type: no '
     "averaging model is called 'Nope'"),
    ('randomness.seed', 'abc', "randomness.seed='abc': numpy's seeding refuses it: "),
    ('randomness.seed', -3, "randomness.seed=-3: numpy's seeding refuses it: Seed must be "
     'between 0 and 2**32 - 1'),
])
def test_a_value_torch_or_mmengine_refuses_is_named_with_its_key(option, value, message):
    """torch's optimizers and DataLoader, mmengine's schedulers and hooks and numpy's seeding
    judge the values: before, each was their traceback from inside the Runner's build."""
    with pytest.raises(ConfigError) as caught:
        load_config(SYNTHETIC, {option: value})
    assert str(caught.value).startswith(f'{SYNTHETIC}: {message}')
    # Another optimizer-wrapper constructor builds the optimizer its own way.
    if option.startswith('optim_wrapper'):
        load_config(SYNTHETIC, {option: value,
                                'optim_wrapper.constructor': 'LayerDecayConstructor'})


def test_a_tracking_backend_whose_package_is_missing_is_refused(tmp_path, monkeypatch):
    # Before, mmengine's ImportError came in a traceback once the run had started.
    path = write(tmp_path, 'tracked.py', f"_base_ = [{SYNTHETIC!r}]\nvisualizer = dict("
                 "vis_backends=[dict(type='LocalVisBackend'), dict(type='WandbVisBackend')])\n")
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec',
                        lambda name, *a: None if name == 'wandb' else find_spec(name, *a))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (f'{path}: visualizer.vis_backends[1]: WandbVisBackend needs '
                                 'wandb, not installed: pip install wandb')
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name, *a: find_spec('os'))
    assert load_config(path).visualizer.vis_backends[1].type == 'WandbVisBackend'


def test_the_tracking_backends_packages_are_those_mmengine_imports():
    from mmengine.registry import VISBACKENDS
    for name, backend in VISBACKENDS.module_dict.items():
        source = inspect.getsource(backend._init_env)
        imported = set(re.findall(r'^\s*(?:import|from) (\w+)', source, re.M)) - {'datetime'}
        if name == 'TensorboardVisBackend':   # torch.utils.tensorboard needs tensorboard
            imported = imported - {'torch', 'tensorboardX'} | {'tensorboard'}
        assert set(VIS_BACKEND_PACKAGES.get(name, ())) == imported, name
