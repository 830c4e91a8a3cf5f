"""merge_shards' refusals beyond those tools/extract_pose.py's sharding test meets."""
import numpy as np
import pytest

from posegraph.datasets.shards import merge_shards, parse_shard, shard_path
from posegraph.io import AnnotationError, dump_annotations, load_annotations


def record(name):
    return {'frame_dir': name, 'label': 0, 'total_frames': 2, 'img_shape': (48, 64),
            'keypoint': np.zeros((1, 2, 17, 2), np.float32),
            'keypoint_score': np.ones((1, 2, 17), np.float32)}


def test_shards_that_do_not_make_one_input_are_refused(tmp_path):
    out = str(tmp_path / 'ucf.pkl')
    splits = {'all': ['a', 'b']}
    with pytest.raises(AnnotationError, match=f'^{out}: no shard files '
                                              f'\\({shard_path(out, 0, 2)}, ...\\) to merge$'):
        merge_shards(out, ['a', 'b'], splits)
    dump_annotations(shard_path(out, 0, 2), [record('a')])
    dump_annotations(shard_path(out, 1, 3), [record('b')])         # from a run of 3 shards
    with pytest.raises(AnnotationError, match=f'^{out}: shard files of different counts '
                                              '\\[2, 3\\]: remove the stale ones$'):
        merge_shards(out, ['a', 'b'], splits)
    (tmp_path / 'ucf.shard1-of-3.pkl').unlink()
    dump_annotations(shard_path(out, 1, 2), [record('b'), record('c')])
    with pytest.raises(AnnotationError, match=f"^{shard_path(out, 1, 2)}: holds 'c', which "
                                              'the input does not list'):
        merge_shards(out, ['a', 'b'], splits)
    dump_annotations(shard_path(out, 1, 2), [record('b')])
    assert merge_shards(out, ['b', 'a'], splits) == 2
    assert [r['frame_dir'] for r in load_annotations(out)] == ['b', 'a']   # the input's order


def test_a_rank_outside_the_world_is_refused():
    with pytest.raises(ValueError, match='^RANK=2 is outside WORLD_SIZE=2$'):
        parse_shard(None, {'WORLD_SIZE': '2', 'RANK': '2'})
