import os
import pickle

import numpy as np
import pytest
import torch

from posegraph.evaluation.fusion import (
    ScoreDumpError,
    check_aligned,
    fuse,
    load_scores,
    search_weights,
)


def dump(path, scores, labels, names=None):
    """A score dump as mmengine's DumpResults writes it: tensors in a list of dicts."""
    samples = [{'frame_dir': (names or [f'clip{i}' for i in range(len(labels))])[i],
                'pred_score': torch.tensor(s, dtype=torch.float32),
                'gt_label': torch.tensor([int(label)]),
                'pred_label': torch.tensor([int(np.argmax(s))])}
               for i, (s, label) in enumerate(zip(scores, labels))]
    with open(path, 'wb') as f:
        pickle.dump(samples, f, protocol=4)
    return str(path)


def complementary(n=40, classes=4, seed=0):
    """Two models, each right on a different half of the clips."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    a = rng.dirichlet(np.ones(classes), n) * 0.5
    b = rng.dirichlet(np.ones(classes), n) * 0.5
    a[np.arange(n // 2), labels[:n // 2]] += 0.6        # A knows the first half
    b[np.arange(n // 2, n), labels[n // 2:]] += 0.6     # B the second
    b[np.arange(n // 2), labels[:n // 2]] += 0.1        # and leans right on the first
    return a, b, labels


def test_fusion_beats_each_model_and_reports_all(tmp_path, run_tool):
    a, b, labels = complementary()
    pa, pb = dump(tmp_path / 'a.pkl', a, labels), dump(tmp_path / 'b.pkl', b, labels)
    # A folder that cannot be made is said before the dumps are read.
    (tmp_path / 'f').write_text('')
    result = run_tool('fuse_scores', pa, pb, '--out', str(tmp_path / 'f' / 'fused.pkl'))
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'f'}: a file is in the way of the folder for the fused scores")
    result = run_tool('fuse_scores', pa, pb, '--out', str(tmp_path / 'new' / 'fused.pkl'))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    top1 = [float(line.split('%')[0].split()[-1]) for line in lines[1:4]]
    assert top1[2] > max(top1[:2]) and 'equal' in lines[3]
    names, fused, fused_labels = load_scores(str(tmp_path / 'new' / 'fused.pkl'))
    np.testing.assert_allclose(fused.sum(1), 1, rtol=1e-5)
    assert (fused_labels == labels).all() and names[0] == 'clip0'


def test_weights_are_searched_on_validation_dumps_only(tmp_path, run_tool):
    a, b, labels = complementary(seed=1)
    va, vb, vlabels = complementary(seed=2)
    names = [f'val{i}' for i in range(len(vlabels))]
    pa, pb = dump(tmp_path / 'a.pkl', a, labels), dump(tmp_path / 'b.pkl', b, labels)
    qa = dump(tmp_path / 'va.pkl', va, vlabels, names)
    qb = dump(tmp_path / 'vb.pkl', vb, vlabels, names)
    result = run_tool('fuse_scores', pa, pb, '--search-on', qa, qb)
    assert result.returncode == 0, result.stderr
    assert 'searched on' in result.stdout
    result = run_tool('fuse_scores', pa, pb, '--search-on', pa, pb)
    assert result.returncode != 0 and 'not the dumps being evaluated' in result.stderr
    weights = search_weights([va, vb], vlabels)
    assert weights.sum() == pytest.approx(1) and (weights > 0).all()
    # On the same clips, a model that is always right gets all the weight it needs.
    perfect = np.eye(4)[vlabels]
    assert search_weights([perfect, vb], vlabels)[0] >= 0.5


def test_disagreeing_dumps_are_refused_naming_the_mismatch(tmp_path, run_tool):
    a, b, labels = complementary()
    pa = dump(tmp_path / 'a.pkl', a, labels)
    other = labels.copy()
    other[7] = (other[7] + 1) % 4
    pb = dump(tmp_path / 'b.pkl', b, other)
    result = run_tool('fuse_scores', pa, pb)
    assert result.returncode != 0 and "clip 7 ('clip7') has label" in result.stderr
    names = [f'clip{i}' for i in range(len(labels))]
    names[3] = 'other'
    pc = dump(tmp_path / 'c.pkl', b, labels, names)
    result = run_tool('fuse_scores', pa, pc)
    assert result.returncode != 0 and "clip 3 is 'clip3'" in result.stderr
    pd = dump(tmp_path / 'd.pkl', b[:10], labels[:10])
    with pytest.raises(ScoreDumpError, match='has 10 clips'):
        check_aligned([load_scores(pa), load_scores(pd)], [pa, pd])


def test_score_dumps_load_without_running_code(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, (f'touch {tmp_path / "ran"}',))
    path = tmp_path / 'evil.pkl'
    with open(path, 'wb') as f:
        pickle.dump([{'pred_score': Payload(), 'gt_label': 1}], f)
    with pytest.raises(ScoreDumpError, match='refused to load global'):
        load_scores(str(path))
    assert not (tmp_path / 'ran').exists()
    (tmp_path / 'cut.pkl').write_bytes(path.read_bytes()[:20])
    with pytest.raises(ScoreDumpError, match='truncated or not a score dump'):
        load_scores(str(tmp_path / 'cut.pkl'))


@pytest.mark.parametrize('weights', [[0, 0], [-1, 1], [1, float('nan')], [1]])
def test_weights_that_cannot_fuse_are_refused(tmp_path, run_tool, weights):
    # All 0 fused to NaN scores, written without a word; a negative one favours the worse.
    a, b, labels = complementary()
    with pytest.raises(ValueError, match=r'fusion weights must be one per model \(2\), finite, '
                       '0 or more and not all 0'):
        fuse([a, b], weights)
    if len(weights) == 2:
        pa, pb = dump(tmp_path / 'a.pkl', a, labels), dump(tmp_path / 'b.pkl', b, labels)
        result = run_tool('fuse_scores', pa, pb, '--weights', *map(str, weights), '--out',
                          tmp_path / 'f.pkl')
        assert result.returncode == 2 and '--weights: fusion weights must be' in result.stderr
        assert not (tmp_path / 'f.pkl').exists()


@pytest.mark.parametrize('content, message', [
    (None, 'no such score dump'),
    ({'pred_score': [0.5, 0.5], 'gt_label': 0}, 'expected a non-empty list of per-clip dicts'),
    ([], 'expected a non-empty list of per-clip dicts'),
    ([{'pred_score': [0.5, 0.5], 'gt_label': 0}, {'pred_score': [1.0, 0.0]}],
     'clip 1 lacks pred_score or gt_label'),
    ([{'pred_score': [0.5, 0.5], 'gt_label': 0}, {'pred_score': [1.0], 'gt_label': 0}],
     'clips have different numbers of class scores'),
], ids=['missing', 'not a list', 'empty', 'no label', 'ragged'])
def test_a_dump_that_is_not_one_is_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / 'scores.pkl'
    if content is not None:
        path.write_bytes(pickle.dumps(content))
    with pytest.raises((ScoreDumpError, FileNotFoundError)) as raised:
        load_scores(str(path))
    assert str(raised.value) == f'{path}: {message}'


def test_dumps_of_different_class_counts_are_refused(tmp_path):
    a, b, labels = complementary()
    pa, pb = dump(tmp_path / 'a.pkl', a, labels), dump(tmp_path / 'b.pkl', b[:, :3], labels)
    with pytest.raises(ScoreDumpError, match=f'^{pb} scores 3 classes, {pa} 4$'):
        check_aligned([load_scores(pa), load_scores(pb)], [pa, pb])
