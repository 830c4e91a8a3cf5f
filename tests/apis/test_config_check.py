"""Config mistakes stop the tools at once with the file, the key and the problem."""
import glob
import os

import pytest

from posegraph.apis import ConfigError, build_runner, load_config, read_config
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


def test_components_that_take_any_keyword_and_hook_priorities_are_not_refused():
    hooks = [dict(type='TrainingCurvesHook', priority='LOW')]
    cfg = load_config(SYNTHETIC, {'train_dataloader.dataset.anything': 1,
                                  'custom_hooks': hooks})
    assert cfg.train_dataloader.dataset.anything == 1       # PoseDataset takes **kwargs
    with pytest.raises(ConfigError, match="TrainingCurvesHook takes no argument 'interval'"):
        load_config(SYNTHETIC, {'custom_hooks': [dict(type='TrainingCurvesHook', interval=1)]})


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
