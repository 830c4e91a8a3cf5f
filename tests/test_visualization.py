"""posegraph.visualization: figures written whole, in the format their name asks for."""
import os

import pytest
from matplotlib.figure import Figure

from posegraph.visualization import save_figure


def figure():
    fig = Figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_the_format_follows_the_name_and_the_folder_is_made(tmp_path):
    for name, start in (('a.png', b'\x89PNG'), ('a.svg', b'<?xml'), ('a.pdf', b'%PDF')):
        path = tmp_path / 'plots' / name
        assert save_figure(figure(), str(path)) == str(path)
        assert path.read_bytes().startswith(start)
    assert sorted(os.listdir(tmp_path / 'plots')) == ['a.pdf', 'a.png', 'a.svg']


def test_a_failure_while_drawing_keeps_the_old_figure(tmp_path, monkeypatch):
    path = tmp_path / 'curves.png'
    path.write_bytes(b'the old figure')
    fig = figure()

    def fails(file, **kwargs):
        file.write(b'half a PNG')
        raise RuntimeError('out of memory')
    monkeypatch.setattr(fig, 'savefig', fails)
    with pytest.raises(RuntimeError, match='out of memory'):
        save_figure(fig, str(path))
    assert os.listdir(tmp_path) == ['curves.png'] and path.read_bytes() == b'the old figure'
