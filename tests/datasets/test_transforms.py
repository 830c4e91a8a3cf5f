import numpy as np
import pytest
import torch

from posegraph.datasets.transforms import (
    FormatStreams,
    PackSkeletonInputs,
    PoseNormalize,
    RandomAffine,
    RandomFlip,
    RandomJointDropout,
    RandomTemporalCrop,
    SelectPersons,
    UniformSampleFrames,
    joint_streams,
    mask_missing,
)
from posegraph.registry import TRANSFORMS
from posegraph.skeleton import COCO17


def clip(persons=1, frames=10, joints=17, seed=0, img_shape=(480, 640)):
    rng = np.random.default_rng(seed)
    keypoint = rng.uniform(100, 300, (persons, frames, joints, 2)).astype(np.float32)
    score = rng.uniform(0.2, 1.0, (persons, frames, joints)).astype(np.float32)
    return {'keypoint': keypoint, 'keypoint_score': score, 'img_shape': img_shape,
            'total_frames': frames, 'label': 2, 'frame_dir': 'c'}


def test_mask_missing_turns_nan_and_zero_scores_into_zeros():
    keypoint = np.ones((1, 2, 3, 2), np.float32)
    score = np.ones((1, 2, 3), np.float32)
    keypoint[0, 0, 1, 0] = np.nan
    score[0, 1, 2] = 0
    keypoint_out, score_out = mask_missing(keypoint, score)
    assert not np.isnan(keypoint_out).any()
    assert score_out[0, 0, 1] == 0 and (keypoint_out[0, 0, 1] == 0).all()
    assert (keypoint_out[0, 1, 2] == 0).all() and score_out.sum() == 4


def test_select_persons_orders_by_confidence_and_pads():
    results = clip(persons=3)
    results['keypoint_score'] *= np.array([0.1, 0.9, 0.5], np.float32)[:, None, None]
    original = results['keypoint'].copy()
    out = SelectPersons(2)(dict(results))
    np.testing.assert_array_equal(out['keypoint'], original[[1, 2]])
    out = SelectPersons(4)(dict(results))
    assert out['keypoint'].shape[0] == 4 and (out['keypoint_score'][3] == 0).all()
    np.testing.assert_array_equal(out['keypoint'][0], original[1])


def test_normalize_is_invariant_to_translation_and_scale():
    results = clip(persons=2)
    a = PoseNormalize('coco17')(dict(results, keypoint=results['keypoint'].copy()))
    moved = dict(results, keypoint=results['keypoint'] * 3.5 + np.float32([40, -25]))
    b = PoseNormalize('coco17')(moved)
    np.testing.assert_allclose(a['keypoint'], b['keypoint'], atol=1e-5)
    assert b['body_scale'] == pytest.approx(3.5 * a['body_scale'], rel=1e-5)


def test_normalize_centres_the_reference_person():
    results = clip(persons=2)
    results['keypoint_score'][1] *= 0.1   # person 0 is the reference
    out = PoseNormalize('coco17', center='clip')(dict(results))
    hips = out['keypoint'][0][:, [11, 12]].mean(axis=1)
    np.testing.assert_allclose(hips.mean(axis=0), 0, atol=1e-5)
    out = PoseNormalize('coco17', center='frame')(clip(persons=2))
    hips = out['keypoint'][0][:, [11, 12]].mean(axis=1)
    np.testing.assert_allclose(hips, 0, atol=1e-5)


def test_normalize_body_size_and_image_modes_on_hand_made_pose():
    keypoint = np.zeros((1, 3, 17, 2), np.float32)
    keypoint[..., 0] = np.linspace(0, 50, 17)      # 50 px wide
    keypoint[..., 1] = np.linspace(100, 200, 17)   # 100 px tall
    keypoint[:, 2] *= 2                            # one frame twice the size
    results = {'keypoint': keypoint, 'keypoint_score': np.ones((1, 3, 17), np.float32),
               'img_shape': (400, 800)}
    out = PoseNormalize('coco17', center='frame', scale='body')(dict(results))
    assert out['body_scale'] == pytest.approx(100)  # median of 100, 100, 200
    out = PoseNormalize('coco17', center='image', scale='image')(dict(results))
    np.testing.assert_allclose(out['keypoint'][0, 0, 0], [(0 - 400) / 400, (100 - 200) / 400])


def test_normalize_ignores_missing_joints_and_survives_an_empty_clip():
    results = clip()
    base = PoseNormalize('coco17')(dict(results, keypoint=results['keypoint'].copy()))
    results['keypoint'][0, :, 3] = 1e6     # a wild joint ...
    results['keypoint_score'][0, :, 3] = 0  # ... that is missing
    out = PoseNormalize('coco17')(results)
    assert (out['keypoint'][0, :, 3] == 0).all()
    others = [j for j in range(17) if j != 3]
    assert out['body_scale'] <= base['body_scale'] + 1e-3
    assert np.isfinite(out['keypoint']).all() and np.abs(out['keypoint'][..., others, :]).max() < 5
    empty = {'keypoint': np.zeros((1, 4, 17, 2), np.float32),
             'keypoint_score': np.zeros((1, 4, 17), np.float32), 'img_shape': (10, 10)}
    out = PoseNormalize('coco17')(empty)
    assert (out['keypoint'] == 0).all() and out['body_scale'] == 1.0


def test_uniform_sampling_in_test_mode_is_fixed_and_spread():
    sampler = UniformSampleFrames(clip_len=8, num_clips=3, test_mode=True)
    inds = sampler.frame_indices(100)
    assert inds.shape == (24,)
    assert np.array_equal(inds, sampler.frame_indices(100))
    per_clip = inds.reshape(3, 8)
    assert (np.diff(per_clip, axis=1) > 0).all()
    assert per_clip[0, 0] < per_clip[1, 0] < per_clip[2, 0] < 100 / 8
    assert per_clip[:, -1].min() >= 100 - 100 / 8
    out = sampler(clip(frames=100))
    assert out['keypoint'].shape == (1, 24, 17, 2) and out['num_clips'] == 3


def test_uniform_sampling_in_training_draws_one_frame_per_segment():
    sampler = UniformSampleFrames(clip_len=10)
    np.random.seed(1)
    a = sampler.frame_indices(57)
    np.random.seed(1)
    assert np.array_equal(a, sampler.frame_indices(57))
    draws = np.stack([sampler.frame_indices(57) for _ in range(200)])
    bounds = np.linspace(0, 57, 11)
    assert (draws >= np.floor(bounds[:-1])).all() and (draws < np.ceil(bounds[1:])).all()
    assert len(np.unique(draws[:, 0])) > 3      # the offset really varies
    short = sampler.frame_indices(4)            # fewer frames than clip_len: repeats
    assert short.min() >= 0 and short.max() <= 3 and (np.diff(short) >= 0).all()
    with pytest.raises(ValueError, match='empty clip'):
        sampler.frame_indices(0)


@pytest.mark.parametrize('test_mode', [True, False])
def test_sampling_positions_split_the_clip_as_linspace_does(test_mode):
    for frames in (1, 7, 29, 31, 32, 33, 40, 199):
        for clip_len, num_clips in ((32, 1), (16, 5), (48, 2), (7, 3)):
            sampler = UniformSampleFrames(clip_len, num_clips, test_mode=test_mode)
            np.random.seed(frames)
            positions = sampler.positions(frames)
            np.random.seed(frames)
            bounds = np.linspace(0, frames, clip_len + 1)
            where = ((np.arange(num_clips) + 0.5) / num_clips if test_mode
                     else np.random.rand(num_clips, clip_len))
            expected = (bounds[:-1] + np.reshape(where, (num_clips, -1)) * np.diff(bounds))
            np.testing.assert_array_equal(positions, expected.reshape(-1))


def test_interpolated_sampling_stretches_a_short_clip_smoothly_and_keeps_missing_joints():
    frames = 10
    data = clip(frames=frames)
    # Joint 0 moves at constant speed; joint 1 is missing in frame 4.
    data['keypoint'][0, :, 0] = np.arange(frames, dtype=np.float32)[:, None] * [2.0, -1.0]
    data['keypoint_score'][0, :, 0] = 1
    data['keypoint_score'][0, 4, 1] = 0
    sampler = UniformSampleFrames(clip_len=16, test_mode=True, interpolate=True)
    out = sampler({k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in data.items()})
    assert out['keypoint'].shape == (1, 16, 17, 2)
    x = out['keypoint'][0, :, 0, 0]
    # Repeated whole frames would give zero steps; interpolated ones move at one speed
    # (away from the two ends, held at the first and last frame).
    steps = np.diff(x)[1:-1]
    np.testing.assert_allclose(steps, steps[0], rtol=1e-5)
    assert steps[0] == pytest.approx(2 * frames / 16)
    np.testing.assert_array_equal(out['keypoint'][0, :, 0, 1], -x / 2)
    # The same points as the nearest-frame sampler, at fractional positions.
    np.testing.assert_allclose(x / 2, sampler.positions(frames).clip(0.5, frames - 0.5) - 0.5)
    assert (out['frame_inds'] == np.round(x / 2 + 1e-9)).all()
    # Next to the missing joint, the nearer frame is taken as it is, score 0 included.
    near_missing = out['frame_inds'] == 4
    assert near_missing.any()
    assert (out['keypoint_score'][0, near_missing, 1] == 0).all()
    np.testing.assert_array_equal(out['keypoint'][0, near_missing, 1],
                                  data['keypoint'][0, [4] * near_missing.sum(), 1])
    interpolated = ~near_missing & ~np.isin(out['frame_inds'], [3, 5])
    assert (out['keypoint_score'][0, interpolated, 1] > 0).all()
    # Training draws the points at random, a clip at a time.
    np.random.seed(0)
    a = UniformSampleFrames(16, interpolate=True)(dict(clip(frames=frames)))['keypoint']
    b = UniformSampleFrames(16, interpolate=True)(dict(clip(frames=frames)))['keypoint']
    assert not np.array_equal(a, b)


def test_random_temporal_crop_keeps_a_contiguous_window():
    results = clip(frames=50)
    results['keypoint'][0, :, 0, 0] = np.arange(50)
    np.random.seed(0)
    out = RandomTemporalCrop(ratio=(0.5, 0.6))(results)
    kept = out['keypoint'][0, :, 0, 0]
    assert 25 <= len(kept) <= 30 and out['total_frames'] == len(kept)
    assert (np.diff(kept) == 1).all()
    with pytest.raises(ValueError):
        RandomTemporalCrop(ratio=(0.5, 1.5))


def test_flip_mirrors_and_swaps_sides():
    results = PoseNormalize('coco17')(clip())
    before = results['keypoint'].copy()
    out = RandomFlip('coco17', prob=1.0)(dict(results))
    left, right = COCO17.index('left_wrist'), COCO17.index('right_wrist')
    np.testing.assert_allclose(out['keypoint'][..., left, 0], -before[..., right, 0])
    np.testing.assert_allclose(out['keypoint'][..., left, 1], before[..., right, 1])
    twice = RandomFlip('coco17', prob=1.0)(dict(out))
    np.testing.assert_allclose(twice['keypoint'], before)
    assert RandomFlip('coco17', prob=0.0)(dict(results))['keypoint'] is results['keypoint']


def test_flip_of_a_symmetric_pose_is_the_same_pose():
    keypoint = np.zeros((1, 1, 17, 2), np.float32)
    for left, right in COCO17.flip_pairs:
        keypoint[..., left, :] = (0.3 * left, 0.1 * left)
        keypoint[..., right, :] = (-0.3 * left, 0.1 * left)
    keypoint[..., 0, :] = (0, -1)
    results = {'keypoint': keypoint, 'keypoint_score': np.ones((1, 1, 17), np.float32),
               'normalized': True}
    out = RandomFlip('coco17', prob=1.0)(dict(results))
    np.testing.assert_allclose(out['keypoint'], keypoint)


def test_flip_in_pixels_uses_the_image_width():
    results = clip(img_shape=(100, 200))
    before = results['keypoint'].copy()
    out = RandomFlip('coco17', prob=1.0)(results)
    np.testing.assert_allclose(out['keypoint'][0, :, 0, 0], 199 - before[0, :, 0, 0])


def pairwise(keypoint):
    return np.linalg.norm(keypoint[..., :, None, :] - keypoint[..., None, :, :], axis=-1)


def test_affine_rotation_keeps_distances_and_scale_scales_them():
    results = PoseNormalize('coco17')(clip())
    before = results['keypoint'].copy()
    np.random.seed(0)
    rotated = RandomAffine(rotate=30, scale=(1, 1), shear=0)(dict(results))
    assert not np.allclose(rotated['keypoint'], before)
    np.testing.assert_allclose(pairwise(rotated['keypoint']), pairwise(before), atol=1e-5)
    scaled = RandomAffine(rotate=0, scale=(1.5, 1.5), shear=0)(dict(results))
    np.testing.assert_allclose(scaled['keypoint'], before * 1.5, atol=1e-6)
    with pytest.raises(ValueError, match='put PoseNormalize before it'):
        RandomAffine()(clip())


def test_affine_is_deterministic_for_a_seed_and_keeps_missing_joints_at_zero():
    results = PoseNormalize('coco17')(clip())
    results['keypoint_score'][0, 2, 5] = 0
    results['keypoint'][0, 2, 5] = 0
    outputs = []
    for _ in range(2):
        np.random.seed(7)
        outputs.append(RandomAffine()(dict(results))['keypoint'])
    np.testing.assert_array_equal(*outputs)
    assert (outputs[0][0, 2, 5] == 0).all()


def test_joint_dropout_rates_and_modes():
    results = clip(frames=200)
    assert RandomJointDropout(0.0)(dict(results))['keypoint_score'].min() > 0
    np.random.seed(0)
    out = RandomJointDropout(0.2)(dict(results))
    lost = out['keypoint_score'] == 0
    assert 0.17 < lost.mean() < 0.23 and (out['keypoint'][lost] == 0).all()
    out = RandomJointDropout(0.3, per_frame=False)(dict(results))
    lost = out['keypoint_score'] == 0
    assert (lost == lost[:, :1]).all() and lost.any()


def test_streams_on_a_hand_made_clip():
    keypoint = np.zeros((1, 3, 17, 2), np.float32)
    keypoint[0, :, 0] = [[0, 0], [1, 0], [3, 0]]      # nose moves right
    keypoint[0, :, 1] = [[0, 1], [1, 1], [3, 2]]      # left eye
    visible = np.ones((1, 3, 17), bool)
    visible[0, 2, 1] = False
    out = joint_streams(keypoint, visible, 'coco17', ('joint', 'bone', 'joint_motion',
                                                     'bone_motion'))
    assert out.shape == (1, 3, 17, 8)
    np.testing.assert_array_equal(out[0, 1, 0, 0:2], [1, 0])   # joint
    np.testing.assert_array_equal(out[0, :, 0, 2:4], 0)        # the root has no bone
    np.testing.assert_array_equal(out[0, 0, 1, 2:4], [0, 1])   # eye - nose
    np.testing.assert_array_equal(out[0, :, 0, 4:6], [[1, 0], [2, 0], [0, 0]])  # motion
    np.testing.assert_array_equal(out[0, 2, 1], 0)             # missing joint: all zero
    np.testing.assert_array_equal(out[0, 1, 1, 4:6], 0)        # motion into a missing frame
    np.testing.assert_array_equal(out[0, 0, 1, 6:8], [0, 0])   # bone motion: eye-nose fixed
    with pytest.raises(ValueError, match='unknown stream'):
        joint_streams(keypoint, visible, 'coco17', ('speed',))


def test_format_streams_splits_clips_and_appends_confidence():
    results = clip(persons=2, frames=40)
    results['keypoint'][0, 3, 4] = np.nan
    results = UniformSampleFrames(clip_len=5, num_clips=2, test_mode=True)(results)
    out = FormatStreams('coco17', streams=('joint', 'bone'))(results)
    inputs = out['inputs']
    assert inputs.shape == (2, 2, 5, 17, 5) and inputs.dtype == np.float32
    assert np.isfinite(inputs).all()
    np.testing.assert_array_equal(inputs[1, 0, :, :, :2], results['keypoint'][0, 5:])
    np.testing.assert_array_equal(inputs[..., 4].transpose(1, 0, 2, 3).reshape(2, 10, 17),
                                  results['keypoint_score'])
    with pytest.raises(ValueError, match='non-empty choice'):
        FormatStreams('coco17', streams=())


def test_pack_builds_tensor_and_sample():
    results = FormatStreams('coco17')(UniformSampleFrames(4, test_mode=True)(clip()))
    packed = PackSkeletonInputs()(results)
    assert isinstance(packed['inputs'], torch.Tensor) and packed['inputs'].shape == (1, 1, 4, 17, 3)
    assert packed['data_samples'].gt_label.tolist() == [2]
    assert packed['data_samples'].metainfo['frame_dir'] == 'c'


def test_transforms_build_from_config_dicts_and_print():
    transform = TRANSFORMS.build(dict(type='RandomAffine', rotate=5))
    assert isinstance(transform, RandomAffine)
    assert repr(transform) == 'RandomAffine(rotate=5, scale=(0.9, 1.1), shear=0.1)'


def test_add_flipped_clips_appends_mirror_images():
    from posegraph.datasets.transforms import AddFlippedClips
    results = PoseNormalize('coco17')(clip(frames=30))
    results = UniformSampleFrames(clip_len=6, num_clips=2, test_mode=True)(results)
    sampled = results['keypoint'].copy()
    out = FormatStreams('coco17')(AddFlippedClips('coco17')(results))
    inputs = out['inputs']
    assert inputs.shape == (4, 1, 6, 17, 3)
    np.testing.assert_array_equal(inputs[:2, 0, :, :, :2], sampled[0].reshape(2, 6, 17, 2))
    left, right = COCO17.index('left_ankle'), COCO17.index('right_ankle')
    np.testing.assert_allclose(inputs[2:, 0, :, left, 0], -inputs[:2, 0, :, right, 0])


def test_distance_stream_gives_each_joint_its_distances():
    from posegraph.datasets.transforms import stream_channels
    keypoint = np.zeros((1, 2, 17, 2), np.float32)
    keypoint[0, :, 1] = (3, 4)               # left eye 5 away from the nose at (0, 0)
    visible = np.ones((1, 2, 17), bool)
    visible[0, 1, 2] = False
    out = joint_streams(keypoint, visible, 'coco17', ('joint', 'distance'))
    assert out.shape[-1] == stream_channels(('joint', 'distance'), 17) == 19
    distances = out[0, 0, :, 2:]
    np.testing.assert_allclose(distances, distances.T)
    assert distances[0, 1] == pytest.approx(5) and distances[0, 0] == 0
    assert (out[0, 1, 2] == 0).all() and (out[0, 1, :, 2 + 2] == 0).all()  # missing joint


def test_prenormalize2d_maps_the_image_onto_minus_one_to_one():
    results = clip(img_shape=(480, 640))
    results['keypoint'][0, 0, :3] = [[320, 240], [640, 0], [0, 480]]
    results['keypoint_score'][0, 0, 3] = 0                       # a missing joint stays 0
    out = TRANSFORMS.build(dict(type='PreNormalize2D'))(results)
    np.testing.assert_allclose(out['keypoint'][0, 0, :4], [[0, 0], [1, -1], [-1, 1], [0, 0]])
    assert out['normalized']       # so RandomFlip mirrors about 0 and RandomAffine accepts it
    shapeless = clip(img_shape=(480, 640))
    del shapeless['img_shape']
    shapeless['keypoint'][0, 0, 0] = [960, 540]
    out = TRANSFORMS.build(dict(type='PreNormalize2D'))(shapeless)   # default (1080, 1920)
    np.testing.assert_allclose(out['keypoint'][0, 0, 0], [0, 0])


def test_mmaction2_sampling_order_with_pose_decode_gives_our_frames():
    sample = dict(type='UniformSampleFrames', clip_len=4, num_clips=2, test_mode=True)
    ours = TRANSFORMS.build(sample)(clip(frames=13))
    theirs = TRANSFORMS.build(dict(type='PoseDecode'))(TRANSFORMS.build(sample)(clip(frames=13)))
    np.testing.assert_array_equal(ours['keypoint'], theirs['keypoint'])
    assert theirs['keypoint'].shape[1] == 8
    stale = dict(clip(frames=13), frame_inds=np.arange(5))
    with pytest.raises(ValueError, match='lists 5 frames but the clip holds 13'):
        TRANSFORMS.build(dict(type='PoseDecode'))(stale)


def test_3d_joints_turn_about_the_depth_axis_and_normalise():
    rng = np.random.default_rng(1)
    results = {'keypoint': rng.normal(0, 1, (1, 5, 25, 3)).astype(np.float32),
               'keypoint_score': np.ones((1, 5, 25), np.float32), 'normalized': True}
    before = results['keypoint'].copy()
    turned = RandomAffine(rotate=90, scale=(1, 1), shear=0)(dict(results))['keypoint']
    np.testing.assert_allclose(turned[..., 2], before[..., 2], atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(turned[..., :2], axis=-1),
                               np.linalg.norm(before[..., :2], axis=-1), rtol=1e-5)
    doubled = RandomAffine(rotate=0, scale=(2, 2), shear=0)(dict(results))['keypoint']
    np.testing.assert_allclose(doubled, 2 * before, rtol=1e-5)
    normalised = PoseNormalize('ntu25')(dict(results, keypoint=before * 5 + 3))
    assert normalised['keypoint'].shape == (1, 5, 25, 3)
    with pytest.raises(ValueError, match="'image' needs 2D pixel coordinates"):
        PoseNormalize('ntu25', center='image')(dict(results))


def test_jitter_moves_visible_joints_by_sigma_and_leaves_missing_ones():
    results = clip(frames=200, seed=3)
    results['keypoint_score'][0, :, 0] = 0
    results['keypoint'][0, :, 0] = 0
    results = PoseNormalize('coco17')(results)
    before = results['keypoint'].copy()
    np.random.seed(0)
    after = TRANSFORMS.build(dict(type='RandomJitter', sigma=0.05))(dict(results))['keypoint']
    moved = (after - before)[0, :, 1:]
    assert abs(moved.std() - 0.05) < 0.005 and abs(moved.mean()) < 0.005
    assert (after[0, :, 0] == 0).all()                     # a missing joint stays missing
    with pytest.raises(ValueError, match='put PoseNormalize before it'):
        TRANSFORMS.build(dict(type='RandomJitter'))(clip())
