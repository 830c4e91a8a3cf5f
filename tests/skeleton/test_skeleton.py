import numpy as np
import pytest
import torch

from posegraph.skeleton import (
    COCO17,
    HAND21,
    JHMDB15,
    LAYOUTS,
    MEDIAPIPE33,
    NTU25,
    OPENPOSE18,
    SkeletonLayout,
    adjacency,
    check_num_joints,
    convert_keypoints,
    get_layout,
    hop_distance,
    normalized_adjacency,
    register_layout,
    spatial_partition,
)

# A hand-worked graph: 0 is the centre, 1 and 2 hang from it, 3 hangs from 2.
#   1 - 0 - 2 - 3      degrees with self-loops: 3, 2, 3, 2
TINY = SkeletonLayout(name='tiny', joint_names=('c', 'a', 'b', 'd'),
                      bones=((1, 0), (2, 0), (3, 2)), center=(0,), flip_pairs=())


def test_adjacency_of_hand_worked_graph():
    expected = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 1, 1], [0, 0, 1, 1.]])
    assert torch.equal(adjacency(TINY), expected)
    assert torch.equal(adjacency(TINY, self_loops=False), expected - torch.eye(4))


def test_symmetric_normalisation_of_hand_worked_graph():
    r6 = 1 / np.sqrt(6)
    expected = torch.tensor([[1 / 3, r6, 1 / 3, 0], [r6, 1 / 2, 0, 0],
                             [1 / 3, 0, 1 / 3, r6], [0, 0, r6, 1 / 2]], dtype=torch.float)
    torch.testing.assert_close(normalized_adjacency(TINY), expected)


def test_spatial_partition_of_hand_worked_graph():
    assert hop_distance(TINY).tolist() == [0, 1, 1, 2]
    self_, centripetal, centrifugal = spatial_partition(TINY)
    # Rows are receivers, normalised by their degree (3, 2, 3, 2).
    torch.testing.assert_close(self_, torch.diag(torch.tensor([1 / 3, 1 / 2, 1 / 3, 1 / 2])))
    expected_in = torch.zeros(4, 4)
    expected_in[1, 0], expected_in[2, 0], expected_in[3, 2] = 1 / 2, 1 / 3, 1 / 2
    torch.testing.assert_close(centripetal, expected_in)
    expected_out = torch.zeros(4, 4)
    expected_out[0, 1], expected_out[0, 2], expected_out[2, 3] = 1 / 3, 1 / 3, 1 / 3
    torch.testing.assert_close(centrifugal, expected_out)


@pytest.mark.parametrize('name', list(LAYOUTS))
def test_layouts_are_consistent(name):
    layout = get_layout(name)
    assert layout.name == name
    # Each flip pair joins a left joint to its right twin.
    for left, right in layout.flip_pairs:
        assert layout.joint_names[left].replace('left', 'right') == layout.joint_names[right]
    unpaired = set(range(layout.num_joints)) - {j for pair in layout.flip_pairs for j in pair}
    assert not any('left' in layout.joint_names[j] or 'right' in layout.joint_names[j]
                   for j in unpaired)
    assert sorted(layout.flip_index[layout.flip_index]) == list(range(layout.num_joints))
    # The partition covers A + I exactly and every row averages its neighbours.
    partition = spatial_partition(layout)
    assert torch.equal(partition.sum(0) > 0, adjacency(layout) > 0)
    torch.testing.assert_close(partition.sum((0, 2)), torch.ones(layout.num_joints))
    norm = normalized_adjacency(layout)
    torch.testing.assert_close(norm, norm.t())
    assert hop_distance(layout).max() < layout.num_joints


def test_layout_rejects_a_non_tree():
    with pytest.raises(ValueError, match='tree'):
        SkeletonLayout(name='bad', joint_names=('a', 'b', 'c'), bones=((1, 0),),
                       center=(0,), flip_pairs=())
    with pytest.raises(KeyError, match='known layouts: coco17') as caught:
        get_layout('nope')
    # Said as its message, not quoted as a KeyError is, where the tools print it.
    assert str(caught.value).startswith("unknown skeleton layout 'nope'; known layouts:")


def test_openpose18_to_coco17_keeps_named_joints():
    rng = np.random.default_rng(0)
    kp = rng.normal(size=(2, 5, 18, 2)).astype(np.float32)
    score = rng.uniform(0.1, 1, size=(2, 5, 18)).astype(np.float32)
    coco, coco_score = convert_keypoints(kp, score, 'openpose18', 'coco17')
    assert coco.shape == (2, 5, 17, 2)
    for j, name in enumerate(COCO17.joint_names):
        np.testing.assert_array_equal(coco[..., j, :], kp[..., OPENPOSE18.index(name), :])
        np.testing.assert_array_equal(coco_score[..., j], score[..., OPENPOSE18.index(name)])


def test_coco17_to_openpose18_derives_the_neck():
    kp = np.zeros((1, 2, 17, 2), np.float32)
    score = np.ones((1, 2, 17), np.float32)
    kp[..., 5, :], kp[..., 6, :] = (10, 20), (30, 40)   # left and right shoulder
    score[0, :, 5], score[0, :, 6] = (0.9, 0.8), (0.5, 0.0)
    op, op_score = convert_keypoints(kp, score, 'coco17', 'openpose18')
    neck = OPENPOSE18.index('neck')
    np.testing.assert_allclose(op[0, 0, neck], (20, 30))
    assert op_score[0, 0, neck] == pytest.approx(0.5)
    # A missing shoulder leaves the neck missing: score 0 and no half-way coordinates.
    assert op_score[0, 1, neck] == 0 and (op[0, 1, neck] == 0).all()
    back, back_score = convert_keypoints(op, op_score, 'openpose18', 'coco17')
    kp[score == 0] = 0  # a missing joint comes back as missing
    np.testing.assert_array_equal(back, kp)
    np.testing.assert_array_equal(back_score, score)


def test_mediapipe33_to_coco17_by_name():
    kp = np.arange(33 * 2, dtype=np.float32).reshape(33, 2)
    coco, _ = convert_keypoints(kp, np.ones(33, np.float32), MEDIAPIPE33, COCO17)
    for j, name in enumerate(COCO17.joint_names):
        np.testing.assert_array_equal(coco[j], kp[MEDIAPIPE33.index(name)])


def test_conversion_errors():
    with pytest.raises(ValueError, match='no conversion from jhmdb15 to coco17'):
        convert_keypoints(np.zeros((15, 2)), np.zeros(15), 'jhmdb15', 'coco17')
    with pytest.raises(ValueError, match='openpose18 has 18 joints'):
        convert_keypoints(np.zeros((17, 2)), np.zeros(17), 'openpose18', 'coco17')


def test_ntu25_and_hand21_are_trees_with_mirrors_and_pyskl_aliases():
    ntu = get_layout('nturgb+d')
    assert ntu is NTU25 and ntu.num_joints == 25 and ntu.joint_names[ntu.root] == 'spine_shoulder'
    flipped = [ntu.joint_names[i] for i in ntu.flip_index]
    assert flipped[ntu.index('left_thumb')] == 'right_thumb'
    assert flipped[ntu.index('head')] == 'head'
    # The bones say where each joint hangs: the hand from the wrist, the thumb from the hand.
    assert ntu.parents[ntu.index('left_hand')] == ntu.index('left_wrist')
    assert ntu.parents[ntu.index('right_thumb')] == ntu.index('right_hand')
    hand = get_layout('handmp')
    assert hand is HAND21 and (hand.parents[[1, 5, 9, 13, 17]] == 0).all()
    assert hand.parents[hand.index('index_4')] == hand.index('index_3')
    assert get_layout('coco') is COCO17 and get_layout('openpose') is OPENPOSE18


def test_custom_layouts_register_and_clashes_are_refused():
    with pytest.raises(KeyError, match='register_layout'):
        get_layout('tiny_for_test')
    tiny = SkeletonLayout(name='tiny_for_test', joint_names=TINY.joint_names, bones=TINY.bones,
                          center=(0,), flip_pairs=((1, 2),))
    try:
        assert register_layout(tiny) is tiny and get_layout('tiny_for_test') is tiny
        assert register_layout(tiny) is tiny          # the same layout again is harmless
        other = SkeletonLayout(name='tiny_for_test', joint_names=('a', 'b'), bones=((1, 0),),
                               center=(0,), flip_pairs=())
        with pytest.raises(ValueError, match='exists already'):
            register_layout(other)
        with pytest.raises(ValueError, match='exists already'):
            register_layout(SkeletonLayout(name='coco17', joint_names=('a', 'b'),
                                           bones=((1, 0),), center=(0,), flip_pairs=()))
        assert register_layout(other, force=True) is get_layout('tiny_for_test')
    finally:
        LAYOUTS.pop('tiny_for_test', None)
    with pytest.raises(ValueError, match='outside 0..1'):
        SkeletonLayout(name='bad', joint_names=('a', 'b'), bones=((2, 0),), center=(0,),
                       flip_pairs=())


def test_coco17_and_openpose18_convert_to_jhmdb15():
    coco = np.zeros((17, 2))
    coco[0] = (50, 10)                                   # nose
    coco[[5, 6]] = (60, 30), (40, 30)                    # shoulders: mid (50, 30)
    coco[[11, 12]] = (58, 80), (42, 80)                  # hips: mid (50, 80)
    coco[[7, 8, 9, 10, 13, 14, 15, 16]] = np.arange(16).reshape(8, 2)
    scores = np.ones(17)
    jhmdb, jhmdb_scores = convert_keypoints(coco, scores, 'coco17', 'jhmdb15')
    names = JHMDB15.joint_names
    np.testing.assert_allclose(jhmdb[names.index('neck')], (50, 80 - 1.14 * 50))
    np.testing.assert_allclose(jhmdb[names.index('belly')], (50, 80 - 0.228 * 50))
    np.testing.assert_allclose(jhmdb[names.index('face')], coco[0])
    np.testing.assert_allclose(jhmdb[names.index('left_wrist')], coco[9])
    scores[5] = 0                                        # a shoulder missing: no neck
    jhmdb, jhmdb_scores = convert_keypoints(coco, scores, 'coco17', 'jhmdb15')
    assert jhmdb_scores[names.index('neck')] == 0 and (jhmdb[names.index('neck')] == 0).all()
    openpose, openpose_scores = convert_keypoints(coco, np.ones(17), 'coco17', 'openpose18')
    via, _ = convert_keypoints(openpose, openpose_scores, 'openpose18', 'jhmdb15')   # chained
    np.testing.assert_allclose(via, convert_keypoints(coco, np.ones(17), 'coco17',
                                                      'jhmdb15')[0], atol=1e-9)


def test_joints_of_another_layout_are_named_with_the_layouts_they_fit():
    assert check_num_joints(17, 'coco', 'the record') is get_layout('coco17')
    with pytest.raises(ValueError, match=r'^the record has 15 joints a person, layout coco17 '
                                         r'has 17: give the layout they are in \(jhmdb15\?\)$'):
        check_num_joints(15, 'coco17', 'the record')
    with pytest.raises(ValueError, match=r'has 16 joints a person, layout coco17 has 17: give '
                                         r'the layout they are in$'):
        check_num_joints(16, 'coco17', 'the record')


def test_drawing_refuses_joints_of_another_layout_and_draws_no_person_in_any():
    from posegraph.drawing import draw_tracks
    frame = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match='keypoint has 17 joints a person, layout jhmdb15'):
        draw_tracks(frame, np.full((1, 17, 2), 30.0), np.ones((1, 17)), 'jhmdb15')
    assert not draw_tracks(frame, np.zeros((0, 17, 2)), np.zeros((0, 17)), 'jhmdb15').any()
