from posegraph.datasets import load_annotations


def test_make_synthetic_tool_writes_set_label_map_and_preview(tmp_path, run_tool):
    out = tmp_path / 'syn' / 'set.pkl'
    preview = tmp_path / 'preview.png'
    result = run_tool('make_synthetic', '--out', out, '--clips-per-class', '5', '--seed', '1',
                      '--preview', preview)
    assert result.returncode == 0, result.stderr
    assert '70 clips, 14 classes' in result.stdout
    assert 'split test:' in result.stdout
    assert len(load_annotations(out, split='train')) == 14 * 3
    assert (out.parent / 'label_map.txt').read_text().split()[0] == 'walk'
    assert preview.stat().st_size > 10_000


def test_make_synthetic_tool_rejects_too_few_clips(tmp_path, run_tool):
    result = run_tool('make_synthetic', '--out', tmp_path / 'x.pkl', '--clips-per-class', '2')
    assert result.returncode != 0 and 'at least 4' in result.stderr
    assert not (tmp_path / 'x.pkl').exists()
