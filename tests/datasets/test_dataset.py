import os
import pickle

import numpy as np
import pytest
import torch

from posegraph.datasets import PoseDataset
from posegraph.io import AnnotationError
from posegraph.registry import DATASETS


def pipeline(layout='coco17', clip_len=16, num_clips=1, test_mode=False, streams=('joint',)):
    steps = [dict(type='SelectPersons', num_person=2),
             dict(type='PoseNormalize', layout=layout)]
    if not test_mode:
        steps.append(dict(type='RandomTemporalCrop'))
    steps.append(dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=num_clips,
                      test_mode=test_mode))
    if not test_mode:
        steps += [dict(type='RandomFlip', layout=layout), dict(type='RandomAffine'),
                  dict(type='RandomJointDropout', prob=0.05)]
    steps += [dict(type='FormatStreams', layout=layout, streams=streams),
              dict(type='PackSkeletonInputs')]
    return steps


def test_dataset_from_config_gives_documented_layout(synthetic_file):
    dataset = DATASETS.build(dict(type='PoseDataset', ann_file=synthetic_file, split='test',
                                  pipeline=pipeline(num_clips=3, test_mode=True,
                                                    streams=('joint', 'bone')),
                                  label_map=os.path.join(os.path.dirname(synthetic_file),
                                                         'label_map.txt')))
    assert len(dataset) == 14 * 2
    assert dataset.metainfo['classes'][:2] == ('walk', 'run_in_place')
    sample = dataset[5]
    assert tuple(sample['inputs'].shape) == (3, 2, 16, 17, 5)   # (K, M, T, V, C)
    assert sample['data_samples'].gt_label.item() == dataset.get_data_info(5)['label']
    assert np.isfinite(sample['inputs'].numpy()).all()


def test_training_samples_are_reproducible_for_a_seed(synthetic_file):
    dataset = PoseDataset(synthetic_file, pipeline(), split='train')
    np.random.seed(11)
    a = dataset[3]['inputs']
    np.random.seed(11)
    b = dataset[3]['inputs']
    np.random.seed(12)
    c = dataset[3]['inputs']
    assert (a == b).all() and not (a == c).all()


def test_layout_mismatch_missing_file_and_bad_split(synthetic_file):
    with pytest.raises(AnnotationError, match='has 17 joints, the layout has 15'):
        PoseDataset(synthetic_file, split='train', layout='jhmdb15')
    with pytest.raises(FileNotFoundError, match=r"missing.pkl: no such annotation file "
                                                 r"\(dataset split 'train'\)$"):
        PoseDataset('missing.pkl', split='train')
    # PYSKL's files, as the UCF101 / HMDB51 configs expect them: where to get them.
    with pytest.raises(FileNotFoundError, match=r"data/skeleton/hmdb51_2d.pkl: no such "
                       r"annotation file \(dataset split 'train1'\); MMAction2 publishes it "
                       r'at https://download.openmmlab.com/mmaction/v1.0/skeleton/data/'
                       r'hmdb51_2d.pkl$'):
        PoseDataset('data/skeleton/hmdb51_2d.pkl', split='train1')
    with pytest.raises(FileNotFoundError, match=r"is a folder, not an annotation file \(dataset "
                       r"split 'train'\)"):
        PoseDataset(os.path.dirname(synthetic_file), split='train')
    with pytest.raises(AnnotationError, match="unknown split 'train1'"):
        PoseDataset(synthetic_file, split='train1')
    with pytest.raises(AnnotationError, match=r'label \d+ is out of range \[0, 3\)'):
        PoseDataset(synthetic_file, split='train', num_classes=3)


def test_nan_and_all_missing_clips_give_defined_inputs(tmp_path):
    keypoint = np.full((1, 12, 17, 2), 50, np.float32)
    keypoint[0, 2:5, 3] = np.nan
    records = [
        {'frame_dir': 'nan', 'label': 0, 'keypoint': keypoint,
         'keypoint_score': np.ones((1, 12, 17), np.float32), 'img_shape': (100, 100)},
        {'frame_dir': 'gone', 'label': 1, 'keypoint': np.zeros((1, 12, 17, 2), np.float32),
         'keypoint_score': np.zeros((1, 12, 17), np.float32), 'img_shape': (100, 100)},
        # No scores at all, as some converted files have: every joint counts as seen.
        {'frame_dir': 'noscore', 'label': 0, 'keypoint': np.ones((1, 4, 17, 2), np.float32)},
    ]
    path = tmp_path / 'odd.pkl'
    with open(path, 'wb') as f:
        pickle.dump({'split': {'all': ['nan', 'gone', 'noscore']}, 'annotations': records}, f)
    dataset = PoseDataset(str(path), pipeline(clip_len=6, test_mode=True), split='all')
    nan_clip = dataset[0]['inputs'].numpy()
    assert np.isfinite(nan_clip).all()
    gone = dataset[1]['inputs'].numpy()
    assert gone.shape == (1, 2, 6, 17, 3) and (gone == 0).all()
    assert (dataset.get_data_info(2)['keypoint_score'] == 1).all()


def test_real_jhmdb_through_the_pipeline(jhmdb_dir):
    dataset = PoseDataset(os.path.join(jhmdb_dir, 'jhmdb_gt_dev.pkl'),
                          pipeline('jhmdb15', clip_len=32, streams=('joint', 'bone',
                                                                    'joint_motion')),
                          split='val', layout='jhmdb15',
                          label_map=os.path.join(jhmdb_dir, 'label_map.txt'))
    assert len(dataset) == 87 and len(dataset.metainfo['classes']) == 14
    inputs = dataset[0]['inputs']
    assert tuple(inputs.shape) == (1, 2, 32, 15, 7)
    # Body-normalised joints of a real person span about one body size.
    extent = inputs[0, 0, :, :, :2].amax(dim=(0, 1)) - inputs[0, 0, :, :, :2].amin(dim=(0, 1))
    assert 0.5 < extent.max() < 3


def test_ntu_3d_skeletons_train_through_the_usual_pipeline(tmp_path):
    from posegraph.registry import MODELS
    rng = np.random.default_rng(0)
    records = [dict(frame_dir=f'S001C001P001R001A{k:03d}', label=k % 3, total_frames=20,
                    keypoint=rng.normal(0, 0.3, (2, 20, 25, 3)).astype(np.float32))
               for k in range(6)]
    path = tmp_path / 'ntu60_3d.pkl'
    with open(path, 'wb') as f:
        pickle.dump(records, f)     # a bare list, 3D joints, no scores: as such files come
    dataset = PoseDataset(str(path), coords=3, layout='nturgb+d', num_classes=3,
                          pipeline=pipeline('nturgb+d', clip_len=8, streams=('joint', 'bone')))
    inputs = dataset[0]['inputs']
    assert tuple(inputs.shape) == (1, 2, 8, 25, 3 + 3 + 1)
    seen = inputs[..., 6]           # no scores in the file: all seen, but for joint dropout
    assert set(seen.unique().tolist()) <= {0.0, 1.0} and seen.mean() > 0.8
    for network in (dict(type='PoseAttentionNetwork'), dict(type='STGCNSmall')):
        model = MODELS.build(dict(network, layout='ntu25', in_channels=7, num_classes=3))
        logits = model(inputs)['logits']
        assert logits.shape == (1, 3) and torch.isfinite(logits).all()
    # Read as 2D, three channels and no keypoint_score would be x, y, score; depth is no
    # score, and saying so beats training on it.
    with pytest.raises(AnnotationError, match=r'third channel is not a score in \[0, 1\].*'
                                              r'3D joints\? Read the file with coords=3'):
        PoseDataset(str(path), layout='ntu25', pipeline=[])
