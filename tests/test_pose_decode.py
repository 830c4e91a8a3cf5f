import numpy as np
import pytest

from posegraph.pose.decode import decode_poses, find_peaks, match_limbs, paf_score
from posegraph.pose.targets import (LIMBS, PAF_CHANNELS, keypoint_heatmaps,
                                    part_affinity_fields)

# An upright person in openpose18 order, in units of a body half-height.
TEMPLATE = np.array([(0, -1.6), (0, -1.2), (-0.4, -1.2), (-0.5, -0.6), (-0.55, 0),
                     (0.4, -1.2), (0.5, -0.6), (0.55, 0), (-0.25, 0), (-0.3, 0.8),
                     (-0.3, 1.6), (0.25, 0), (0.3, 0.8), (0.3, 1.6), (-0.12, -1.7),
                     (0.12, -1.7), (-0.25, -1.65), (0.25, -1.65)])


def crowd(rng, num_people, width):
    """Non-overlapping people with jittered limbs across an image ``width`` wide."""
    slots = rng.permutation(width // 130)[:num_people]
    people = []
    for slot in slots:
        scale = rng.uniform(55, 70)
        pose = TEMPLATE + rng.normal(0, 0.05, TEMPLATE.shape)
        centre = (slot * 130 + 65, rng.uniform(170, 200))
        people.append(np.concatenate([pose * scale + centre, np.ones((18, 1))], axis=1))
    return np.stack(people)


@pytest.mark.parametrize('seed', range(4))
def test_rendered_targets_decode_back_to_every_joint(seed):
    rng = np.random.default_rng(seed)
    people = crowd(rng, num_people=int(rng.integers(2, 5)), width=656)
    map_shape = (368 // 8, 656 // 8)
    heatmaps = keypoint_heatmaps(people, map_shape)
    pafs = part_affinity_fields(people, map_shape)
    keypoints, scores = decode_poses(heatmaps, pafs, layout='openpose18')
    assert len(keypoints) == len(people)
    for person in people:
        match = np.argmin(np.abs(keypoints[:, 1] - person[1, :2]).sum(-1))
        assert (scores[match] > 0).all()
        assert np.abs(keypoints[match] - person[:, :2]).max() < 8   # within the stride


def test_decoding_to_coco17_and_dropping_fragments():
    people = crowd(np.random.default_rng(9), 2, 400)
    heatmaps = keypoint_heatmaps(people, (46, 50))
    pafs = part_affinity_fields(people, (46, 50))
    keypoints, scores = decode_poses(heatmaps, pafs)
    assert keypoints.shape == (2, 17, 2) and (scores > 0).all()
    # A lone keypoint (no limb) is no person.
    lonely = np.zeros((1, 18, 3))
    lonely[0, 4] = (100, 100, 1)
    keypoints, scores = decode_poses(keypoint_heatmaps(lonely, (46, 50)),
                                     part_affinity_fields(lonely, (46, 50)))
    assert keypoints.shape == (0, 17, 2)


def test_empty_maps_give_no_person():
    keypoints, scores = decode_poses(np.zeros((19, 20, 30), np.float32),
                                     np.zeros((38, 20, 30), np.float32))
    assert keypoints.shape == (0, 17, 2) and scores.shape == (0, 17)


def test_targets_on_hand_made_limb():
    person = np.zeros((1, 18, 3))
    person[0, 1] = (83.5, 43.5, 1)     # neck on the centre of cell (10, 5)
    person[0, 2] = (83.5, 123.5, 1)    # right shoulder ten cells below
    heatmaps = keypoint_heatmaps(person, (30, 30))
    assert heatmaps[1, 5, 10] == pytest.approx(1.0) and heatmaps[1].argmax() == 5 * 30 + 10
    np.testing.assert_allclose(heatmaps[-1], 1 - heatmaps[:-1].max(0))
    pafs = part_affinity_fields(person, (30, 30))
    cx, cy = PAF_CHANNELS[LIMBS.index((1, 2))]
    assert (pafs[cy, 5:16, 10] == 1).all() and (pafs[cx] == 0).all()
    assert pafs[cy, 10, 12] == 0                 # two cells off the limb
    assert np.count_nonzero(pafs) == np.count_nonzero(pafs[cy])


def test_peak_suppression_and_plateaus():
    maps = np.zeros((2, 20, 20))
    maps[0, 5, 5], maps[0, 5, 8] = 0.9, 0.8      # 3 px apart: the weaker goes
    maps[0, 15, 15] = 0.5
    maps[1, 10, 10:12] = 0.7                     # a two-pixel plateau: one peak
    maps[1, 2, 2] = 0.05                         # under the threshold
    channel, x, y, score = find_peaks(maps, threshold=0.1, min_distance=6)
    assert list(zip(channel, x, y)) == [(0, 5, 5), (0, 15, 15), (1, 10, 10)]


def test_limb_scores_and_greedy_matching():
    pafs_x = np.zeros((20, 40))
    pafs_y = np.zeros((20, 40))
    pafs_x[5, 2:30] = 1                          # a horizontal field along row 5
    starts = np.array([[2.0, 5.0], [2.0, 15.0]])
    ends = np.array([[28.0, 5.0], [28.0, 15.0]])
    scores = paf_score(pafs_x, pafs_y, starts, ends)
    assert scores[0, 0] == pytest.approx(1.0)
    assert scores[1, 1] == 0 and scores[0, 1] == 0  # no field, and a slanted path
    a, b, s = match_limbs(np.array([[0.9, 0.8], [0.85, 0.1]]))
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 0), (1, 1)]
    np.testing.assert_allclose(sorted(s), [0.1, 0.9])
