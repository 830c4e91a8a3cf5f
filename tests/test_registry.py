"""Configs written with MMAction2's / PYSKL's names: accepted where the meaning is the same,
answered with posegraph's name where it is not."""
import os

import pytest

from posegraph.apis import load_config
from posegraph.registry import (
    DATASETS,
    MMACTION2_NAMES,
    MODELS,
    TRANSFORMS,
    ForeignNameError,
    register_all_modules,
)
from conftest import ROOT

CONFIG = os.path.join(ROOT, 'configs', 'pan_synthetic.py')


@pytest.mark.parametrize('registry, name, answer', [
    (TRANSFORMS, 'GenSkeFeat', "FormatStreams(layout=..., streams=(...)), after "
                               "UniformSampleFrames; GenSkeFeat's feats 'j', 'b'"),
    (TRANSFORMS, 'FormatGCNInput', 'SelectPersons(num_person=M)'),
    (TRANSFORMS, 'PackActionInputs', 'PackSkeletonInputs (skeletons)'),
    (MODELS, 'RecognizerGCN', 'SkeletonRecognizer, with backbone and head as one network'),
    (MODELS, 'GCNHead', 'the classifier inside the network: set network.num_classes'),
])
def test_mmaction2_names_are_answered_with_ours(registry, name, answer):
    register_all_modules()
    with pytest.raises(ForeignNameError) as caught:
        registry.build(dict(type=name))
    assert str(caught.value).startswith(f"'{name}' is MMAction2's name; in posegraph write "
                                        + answer)
    assert registry.get('PoseNormalize' if registry is TRANSFORMS else 'STGCN') is not None


def test_every_answer_names_components_that_exist():
    register_all_modules()
    for name, answer in MMACTION2_NAMES.items():
        first = answer.split('(')[0].split(',')[0].split()[0]
        if first[0].isupper():
            assert any(r.get(first) for r in (TRANSFORMS, MODELS, DATASETS)), (name, first)


def test_an_mmaction2_pipeline_runs_where_the_names_mean_the_same(synthetic_file):
    register_all_modules()
    cfg = load_config(CONFIG, {'ann_file': synthetic_file})
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='PreNormalize2D'), dict(type='UniformSampleFrames', clip_len=16),
        dict(type='PoseDecode'), dict(type='SelectPersons', num_person=2),
        dict(type='FormatStreams', layout='coco', streams=('joint', 'bone')),
        dict(type='PackSkeletonInputs')]
    sample = DATASETS.build(cfg.train_dataloader.dataset)[0]
    assert tuple(sample['inputs'].shape) == (1, 2, 16, 17, 5)
    assert sample['inputs'][..., :2].abs().max() <= 1          # the image is [-1, 1]


def test_a_tool_run_with_an_mmaction2_name_says_what_to_write(synthetic_file, tmp_path,
                                                               run_tool):
    result = run_tool('train', CONFIG, '--work-dir', tmp_path, '--cfg-options',
                      f'ann_file={synthetic_file}',
                      'train_dataloader.dataset.pipeline.5.type=GenSkeFeat')
    assert result.returncode == 1
    assert ("error: 'GenSkeFeat' is MMAction2's name; in posegraph write FormatStreams"
            in result.stderr)
