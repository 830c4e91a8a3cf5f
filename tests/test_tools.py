import os
import subprocess
import sys

from posegraph.datasets import load_annotations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_make_synthetic_tool_writes_set_label_map_and_preview(tmp_path):
    out = tmp_path / 'syn' / 'set.pkl'
    preview = tmp_path / 'preview.png'
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'make_synthetic.py'), '--out', str(out),
         '--clips-per-class', '5', '--seed', '1', '--preview', str(preview)],
        capture_output=True, text=True, check=True)
    assert '70 clips, 14 classes' in result.stdout
    assert 'split test:' in result.stdout
    assert len(load_annotations(out, split='train')) == 14 * 3
    assert (out.parent / 'label_map.txt').read_text().split()[0] == 'walk'
    assert preview.stat().st_size > 10_000


def test_make_synthetic_tool_rejects_too_few_clips(tmp_path):
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'make_synthetic.py'), '--out',
         str(tmp_path / 'x.pkl'), '--clips-per-class', '2'], capture_output=True, text=True)
    assert result.returncode != 0 and 'at least 4' in result.stderr
    assert not (tmp_path / 'x.pkl').exists()
