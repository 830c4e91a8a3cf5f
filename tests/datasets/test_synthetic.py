import numpy as np
import pytest

from posegraph.datasets.synthetic import ACTIONS, make_synthetic, summarize, write_synthetic
from posegraph.io import load_annotations, load_splits
from synthetic_difficulty import compare


def test_synthetic_set_is_deterministic_for_a_seed():
    a, split_a = make_synthetic(clips_per_class=3, seed=5)
    b, split_b = make_synthetic(clips_per_class=3, seed=5)
    c, _ = make_synthetic(clips_per_class=3, seed=6)
    assert split_a == split_b
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x['keypoint'], y['keypoint'])
    assert not np.array_equal(a[0]['keypoint'], c[0]['keypoint'])


def test_synthetic_file_is_valid_pyskl_with_disjoint_stratified_splits(synthetic_file):
    splits = load_splits(synthetic_file)
    assert set(splits) == {'train', 'val', 'test'}
    names = [n for members in splits.values() for n in members]
    assert len(names) == len(set(names)) == 14 * 8
    for name in splits:
        records = load_annotations(synthetic_file, split=name, num_classes=len(ACTIONS),
                                   num_joints=17)
        assert sorted({r['label'] for r in records}) == list(range(len(ACTIONS)))
    records = load_annotations(synthetic_file)
    assert len(ACTIONS) >= 10
    assert any(r['keypoint'].shape[0] == 2 for r in records)          # bystanders
    assert np.mean([(r['keypoint_score'] == 0).mean() for r in records]) > 0.005  # misses
    for r in records:
        lost = r['keypoint_score'] == 0
        assert (r['keypoint'][lost] == 0).all()
        h, w = r['img_shape']
        seen = r['keypoint'][~lost]
        assert (seen >= 0).all() and (seen[:, 0] < w).all() and (seen[:, 1] < h).all()
    assert '112 clips, 14 classes' in summarize(records, splits)


def test_reversed_pairs_are_mirror_images_in_time():
    """sit_down played backwards looks like stand_up: same poses, opposite order."""
    annotations, _ = make_synthetic(clips_per_class=10, seed=0)
    hip_height = {}
    for action in ('sit_down', 'stand_up'):
        curves = []
        for r in annotations:
            if ACTIONS[r['label']] == action:
                person = np.argmax(r['keypoint_score'].sum(axis=(1, 2)))
                kp = r['keypoint'][person]
                ok = (r['keypoint_score'][person][:, [11, 12]] > 0).all(axis=1)
                hips = kp[:, [11, 12], 1].mean(1)
                if ok[:5].any() and ok[-5:].any():
                    curves.append(hips[-5:][ok[-5:]].mean() - hips[:5][ok[:5]].mean())
        hip_height[action] = np.nanmedian(curves)
    # Image y grows downwards: sitting down lowers the hips (positive), standing raises them.
    assert hip_height['sit_down'] > 0 > hip_height['stand_up']


@pytest.mark.slow
def test_frame_order_matters_mean_pose_stays_well_below_a_sequence_model(tmp_path):
    path = str(tmp_path / 'syn.pkl')
    write_synthetic(path, clips_per_class=80, seed=0)
    mean_pose, sequence = compare(path)
    print(f'mean-pose MLP {mean_pose:.3f}, temporal CNN {sequence:.3f}')
    assert sequence > 0.8
    assert mean_pose < 0.75
    assert sequence - mean_pose > 0.15
