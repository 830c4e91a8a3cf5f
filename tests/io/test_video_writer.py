"""AtomicVideoWriter: a video written whole or not at all, its format checked up front."""
import os

import numpy as np
import pytest

from posegraph.io import AtomicVideoWriter, OutputPathError, read_video, video_fps


def frames(count=5, size=(32, 48)):
    return [np.full(size + (3,), 40 * t, np.uint8) for t in range(count)]


@pytest.mark.parametrize('name', ['clip.mp4', 'clip.avi'])
def test_the_video_gets_its_name_only_when_closed(tmp_path, name):
    path = tmp_path / 'out' / name
    with AtomicVideoWriter(str(path), 10.0) as writer:
        for frame in frames():
            writer.write(frame)
        assert not path.exists() and len(os.listdir(tmp_path / 'out')) == 1   # the partial
    assert os.listdir(tmp_path / 'out') == [name]
    written = read_video(str(path))
    assert len(written) == 5 and written[0].shape == (32, 48, 3)
    assert video_fps(str(path)) == 10
    assert abs(int(written[3].mean()) - 120) < 10


def test_a_failure_leaves_the_old_video_and_no_partial(tmp_path):
    path = tmp_path / 'clip.mp4'
    path.write_bytes(b'the old video')
    with pytest.raises(RuntimeError, match='stopped'):
        with AtomicVideoWriter(str(path), 10.0) as writer:
            writer.write(frames()[0])
            raise RuntimeError('stopped')
    assert os.listdir(tmp_path) == ['clip.mp4'] and path.read_bytes() == b'the old video'


def test_check_says_what_write_would_and_leaves_nothing(tmp_path, capfd):
    AtomicVideoWriter(str(tmp_path / 'new' / 'ok.mp4'), 25.0).check()
    assert os.listdir(tmp_path / 'new') == []
    with pytest.raises(OutputPathError, match=r'x.txt: OpenCV cannot write this video format'):
        AtomicVideoWriter(str(tmp_path / 'x.txt'), 25.0).check()
    assert 'WARN' not in capfd.readouterr().err   # OpenCV's back-ends are kept quiet
    (tmp_path / 'f').write_text('')
    with pytest.raises(OutputPathError, match=r'f: a file is in the way of the folder for '
                       r'the drawn video$'):
        AtomicVideoWriter(str(tmp_path / 'f' / 'x.mp4'), 25.0, 'the drawn video').check()
    assert sorted(os.listdir(tmp_path)) == ['f', 'new']
