import os
import pickle

import numpy as np
import pytest

from posegraph.io import (
    AnnotationError,
    dump_annotations,
    load_annotations,
    load_splits,
    read_label_map,
)
from posegraph.skeleton import JHMDB15


def record(name, label=0, persons=1, frames=6, joints=17):
    rng = np.random.default_rng(len(name))
    return {'frame_dir': name, 'label': label, 'img_shape': (240, 320),
            'original_shape': (240, 320), 'total_frames': frames,
            'keypoint': rng.uniform(0, 240, (persons, frames, joints, 2)).astype(np.float32),
            'keypoint_score': rng.uniform(0, 1, (persons, frames, joints)).astype(np.float32)}


def write_raw(path, obj, protocol=4):
    with open(path, 'wb') as f:
        pickle.dump(obj, f, protocol=protocol)
    return str(path)


def test_round_trip_keeps_split_order_and_arrays(tmp_path):
    annotations = [record('a', 0), record('b', 1, persons=2), record('c', 2)]
    path = tmp_path / 'ann.pkl'
    dump_annotations(path, annotations, {'train': ['c', 'a'], 'val': ['b']})
    loaded = load_annotations(path, split='train')
    assert [r['frame_dir'] for r in loaded] == ['c', 'a']
    np.testing.assert_array_equal(loaded[1]['keypoint'], annotations[0]['keypoint'])
    assert load_splits(path) == {'train': ['c', 'a'], 'val': ['b']}
    assert len(load_annotations(path)) == 3
    assert not [f for f in os.listdir(tmp_path) if f.startswith('.tmp')]


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_loads_pickles_as_mmcv_and_pyskl_write_them(tmp_path, protocol):
    # mmcv.dump writes protocol 2, where numpy bytes travel through _codecs.encode.
    data = {'split': {'train1': ['v']}, 'annotations': [record('v', 3)]}
    data['annotations'][0]['label'] = np.int64(3)
    data['annotations'][0]['keypoint_score'] = data['annotations'][0]['keypoint_score'] \
        .astype(np.float16)
    path = write_raw(tmp_path / 'p.pkl', data, protocol)
    loaded = load_annotations(path, split='train1')
    assert loaded[0]['label'] == 3 and loaded[0]['keypoint_score'].dtype == np.float16


class WritesAFile:
    """Unpickling this would create a file, if the loader ran the code."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, 'w'))


def test_malicious_pickle_is_refused_without_running_code(tmp_path):
    target = tmp_path / 'pwned.txt'
    payload = {'split': {}, 'annotations': [record('a')], 'x': WritesAFile(str(target))}
    path = write_raw(tmp_path / 'evil.pkl', payload)
    # Plain pickle would run it: the payload is real.
    assert pickle.loads(open(path, 'rb').read()) and target.exists()
    target.unlink()
    with pytest.raises(AnnotationError, match=r'evil\.pkl.*refused to load global.*open'):
        load_annotations(path)
    assert not target.exists()


def test_os_system_payload_is_refused(tmp_path):
    class Shell:
        def __reduce__(self):
            return (os.system, ('touch ' + str(tmp_path / 'ran'),))
    path = write_raw(tmp_path / 'evil2.pkl', [Shell()])
    with pytest.raises(AnnotationError, match=r'refused to load global (posix|os)\.system'):
        load_annotations(path)
    assert not (tmp_path / 'ran').exists()


def test_truncated_file(tmp_path):
    good = tmp_path / 'good.pkl'
    dump_annotations(good, [record('a'), record('b')], {'train': ['a', 'b']})
    bad = tmp_path / 'cut.pkl'
    bad.write_bytes(good.read_bytes()[:300])
    with pytest.raises(AnnotationError, match=r'cut\.pkl: truncated or not a skeleton pickle'):
        load_annotations(bad)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.pkl: no such annotation file'):
        load_annotations('nowhere.pkl')
    # A folder was IsADirectoryError's traceback.
    with pytest.raises(AnnotationError, match=r'is a folder, not an annotation file$'):
        load_annotations(tmp_path)


@pytest.mark.parametrize('change, message', [
    (lambda r: r.pop('keypoint'), r"annotation 1 \('b'\) lacks the key\(s\) keypoint"),
    (lambda r: r.update(keypoint=np.zeros((6, 17, 2))),
     r"\('b'\): keypoint must be .*\(6, 17, 2\)"),
    (lambda r: r.update(keypoint_score=np.zeros((1, 6, 16))),
     r"keypoint_score must have shape \(1, 6, 17\)"),
    (lambda r: r.update(label=-2), r"\('b'\): label -2 is out of range"),
    (lambda r: r.update(label='walk'), r"label 'walk' is not an integer"),
    (lambda r: r.update(total_frames=9), 'total_frames is 9 but keypoint holds 6 frames'),
    (lambda r: r.update(keypoint=np.zeros((1, 0, 17, 2)), keypoint_score=np.zeros((1, 0, 17))),
     'the clip has no frames'),
])
def test_bad_records_name_file_record_and_problem(tmp_path, change, message):
    annotations = [record('a'), record('b')]
    change(annotations[1])
    path = write_raw(tmp_path / 'bad.pkl', {'split': {}, 'annotations': annotations})
    with pytest.raises(AnnotationError, match=r'bad\.pkl: .*' + message):
        load_annotations(path)


def test_bad_structure_split_and_label_range(tmp_path):
    path = write_raw(tmp_path / 'list.pkl', [1, 2])
    with pytest.raises(AnnotationError, match='list.pkl: annotation 0 is a int, not a dict'):
        load_annotations(path)
    path = write_raw(tmp_path / 'set.pkl', {'records': []})
    with pytest.raises(AnnotationError, match="set.pkl: expected a dict with an 'annotations' "
                                              r"list \(or a list of records\), got dict with "
                                              r"keys \['records'\]"):
        load_annotations(path)
    path = tmp_path / 'ok.pkl'
    dump_annotations(path, [record('a', 4), record('b', 1)], {'train': ['a'], 'val': ['b']})
    with pytest.raises(AnnotationError, match="unknown split 'test'; the file has 'train', 'val'"):
        load_annotations(path, split='test')
    with pytest.raises(AnnotationError, match=r"\('a'\): label 4 is out of range \[0, 4\)"):
        load_annotations(path, num_classes=4)
    with pytest.raises(AnnotationError,
                       match=r"\('a'\): keypoint has 17 joints, the layout has 15"):
        load_annotations(path, num_joints=15)
    path = write_raw(tmp_path / 'dangling.pkl', {'split': {'train': ['a', 'zz']},
                                                 'annotations': [record('a')]})
    with pytest.raises(AnnotationError, match="split 'train' lists 1 clip.*first 'zz'"):
        load_annotations(path, split='train')


def test_dump_refuses_bad_records_and_keeps_the_old_file(tmp_path):
    path = tmp_path / 'ann.pkl'
    dump_annotations(path, [record('a')], {'train': ['a']})
    before = path.read_bytes()
    with pytest.raises(AnnotationError, match="split 'train' names clip 'zz'"):
        dump_annotations(path, [record('a')], {'train': ['zz']})
    bad = record('b')
    bad['keypoint'] = bad['keypoint'][0]
    with pytest.raises(AnnotationError):
        dump_annotations(path, [bad])
    assert path.read_bytes() == before


def test_real_jhmdb_file_loads_with_its_layout(jhmdb_dir):
    path = os.path.join(jhmdb_dir, 'jhmdb_gt_dev.pkl')
    classes = read_label_map(os.path.join(jhmdb_dir, 'label_map.txt'))
    train = load_annotations(path, split='train', num_classes=len(classes),
                             num_joints=JHMDB15.num_joints)
    val = load_annotations(path, split='val', num_classes=len(classes),
                           num_joints=JHMDB15.num_joints)
    assert (len(train), len(val), len(classes)) == (346, 87, 14)
    assert {r['frame_dir'] for r in train}.isdisjoint(r['frame_dir'] for r in val)
    frames = [r['keypoint'].shape[1] for r in train + val]
    assert 15 <= min(frames) and max(frames) <= 40
    assert all(r['keypoint'].shape[2:] == (15, 2) for r in train)


def test_a_bare_list_of_records_loads_without_splits(tmp_path):
    path = write_raw(tmp_path / 'bare.pkl', [record('a'), record('b', label=1)])
    assert [r['frame_dir'] for r in load_annotations(path)] == ['a', 'b']
    with pytest.raises(AnnotationError, match=r"no 'split' dict.*split=None uses every record"):
        load_annotations(path, split='train')


def test_score_as_a_third_channel_is_split_from_the_coordinates(tmp_path):
    packed = record('a')
    packed['keypoint'] = np.concatenate(
        [packed['keypoint'], packed.pop('keypoint_score')[..., None]], axis=-1)
    path = write_raw(tmp_path / 'xys.pkl', {'split': {}, 'annotations': [packed]})
    loaded = load_annotations(path)[0]
    np.testing.assert_array_equal(loaded['keypoint'], packed['keypoint'][..., :2])
    np.testing.assert_array_equal(loaded['keypoint_score'], packed['keypoint'][..., 2])
    both = dict(record('b'), keypoint=packed['keypoint'])   # 3 channels and a score
    path = write_raw(tmp_path / 'both.pkl', {'annotations': [both]})
    with pytest.raises(AnnotationError, match=r"annotation 0 \('b'\).*3D joints\? .*coords=3"):
        load_annotations(path)


def test_3d_joints_load_when_asked_for(tmp_path):
    joints = dict(record('a', joints=25), keypoint=np.zeros((2, 6, 25, 3), np.float32))
    del joints['keypoint_score']          # NTU's 3D files have none
    path = write_raw(tmp_path / 'ntu.pkl', [joints])
    loaded = load_annotations(path, coords=3, num_joints=25)[0]
    assert loaded['keypoint'].shape == (2, 6, 25, 3) and 'keypoint_score' not in loaded
    with pytest.raises(AnnotationError, match=r'shape \(M, T, V, 3\), got \(1, 6, 17, 2\)'):
        load_annotations(write_raw(tmp_path / 'flat.pkl', [record('b')]), coords=3)


def test_kinetics_files_with_external_keypoints_are_named(tmp_path):
    compressed = {'frame_dir': 'k1', 'label': 3, 'total_frames': 300, 'img_shape': (340, 256),
                  'raw_file': 'kpfiles/part_0.pkl'}
    path = write_raw(tmp_path / 'k400_hrnet.pkl', {'split': {'train': ['k1']},
                                                   'annotations': [compressed]})
    with pytest.raises(AnnotationError, match=r"k400_hrnet.pkl: annotation 0 \('k1'\) has no "
                                              r"keypoint but a raw_file.*Kinetics-400.*"
                                              r"DecompressPose"):
        load_annotations(path)


def test_a_missing_label_map_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'nope.txt: no such label map'):
        read_label_map(str(tmp_path / 'nope.txt'))
    # A folder, or a binary file, was IsADirectoryError's or UnicodeDecodeError's traceback.
    with pytest.raises(AnnotationError, match=r'is a folder, not a label map'):
        read_label_map(str(tmp_path))
    (tmp_path / 'weights.pth').write_bytes(bytes(range(128, 256)))
    with pytest.raises(AnnotationError, match=r'weights.pth: not text: a label map is a text '
                       'file of class names'):
        read_label_map(str(tmp_path / 'weights.pth'))
