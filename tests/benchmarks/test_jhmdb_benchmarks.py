"""The JHMDB benchmarks' shared pieces: finding the finished runs of a work root, and the
per-class top-1 of a run."""
import numpy as np
import pytest
from jhmdb_accuracy import finished_runs
from jhmdb_per_class import per_class
from mmengine.config import Config

from posegraph.io.annotations import dump_annotations


def test_finished_runs_pair_each_last_checkpoint_with_its_folds_clips(tmp_path):
    records = [dict(frame_dir=f'clip{k}', label=k % 2, total_frames=4, img_shape=(10, 10),
                    keypoint=np.zeros((1, 4, 15, 2), np.float32)) for k in range(5)]
    ann_file = str(tmp_path / 'ann.pkl')
    dump_annotations(ann_file, records, {'grouped1_train': ['clip0', 'clip1', 'clip2'],
                                         'grouped1_val': ['clip3', 'clip4']})
    cfg = Config(dict(test_dataloader=dict(dataset=dict(ann_file=ann_file))))
    root = tmp_path / 'runs'
    with pytest.raises(SystemExit, match='no finished runs'):
        list(finished_runs(str(root), cfg))
    (root / 'grouped1_seed2_0badc0de').mkdir(parents=True)
    (root / 'grouped1_seed2_0badc0de' / 'last_checkpoint').write_text('/x/epoch_80.pth\n')
    (root / 'grouped1_seed3').mkdir()  # unfinished: no last_checkpoint
    [(fold, seed, checkpoint, train, test)] = finished_runs(str(root), cfg)
    assert (fold, seed, checkpoint) == ('grouped1', 2, '/x/epoch_80.pth')
    assert [r['frame_dir'] for r in train] == ['clip0', 'clip1', 'clip2']
    assert [r['frame_dir'] for r in test] == ['clip3', 'clip4']
    assert test[0]['keypoint_score'].shape == (1, 4, 15)  # ground truth: all visible


def test_per_class_top1_leaves_absent_classes_out():
    labels = np.array([0, 0, 1, 1, 1])
    accuracy = per_class(np.array([0, 1, 1, 1, 0]), labels, 3)
    assert accuracy[:2].tolist() == [0.5, 2 / 3] and np.isnan(accuracy[2])
