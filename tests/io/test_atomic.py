import os
import stat

import pytest

from posegraph.io import OutputPathError, atomic_open, make_folder, make_folder_for


@pytest.mark.parametrize('umask', [0o022, 0o077])
def test_writes_the_file_with_the_permissions_open_gives(tmp_path, umask):
    path = tmp_path / 'new' / 'label_map.txt'
    previous = os.umask(umask)
    try:
        with atomic_open(path, 'w') as f:
            f.write('walk\n')
    finally:
        os.umask(previous)
    assert path.read_text() == 'walk\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert os.listdir(path.parent) == ['label_map.txt']


def test_a_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / 'set.pkl'
    path.write_bytes(b'old')
    with pytest.raises(RuntimeError, match='disk full'):
        with atomic_open(path) as f:
            f.write(b'half of the new')
            raise RuntimeError('disk full')
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['set.pkl']


def test_replaces_an_existing_file_whole(tmp_path):
    path = tmp_path / 'set.pkl'
    path.write_bytes(b'old contents, longer than the new')
    with atomic_open(path) as f:
        f.write(b'new')
    assert path.read_bytes() == b'new'


def test_refuses_modes_that_read_or_append(tmp_path):
    with pytest.raises(ValueError, match="'a'"):
        with atomic_open(tmp_path / 'x', 'a'):
            pass


def test_make_folder_makes_the_parents_and_names_what_is_in_the_way(tmp_path):
    assert make_folder(tmp_path / 'a' / 'b', 'the drawings') == str(tmp_path / 'a' / 'b')
    assert (tmp_path / 'a' / 'b').is_dir()
    make_folder(tmp_path / 'a' / 'b', 'the drawings')   # an existing folder is fine
    (tmp_path / 'f').write_text('')
    with pytest.raises(OutputPathError) as caught:
        make_folder(tmp_path / 'f' / 'out', 'the drawings')
    assert str(caught.value) == (f"{tmp_path / 'f' / 'out'}: cannot make the folder for the "
                                 f"drawings (Not a directory: {tmp_path / 'f' / 'out'})")
    with pytest.raises(OutputPathError, match=r'f: a file is in the way of the folder for the '
                       'drawings'):
        make_folder(tmp_path / 'f', 'the drawings')


def test_a_file_whose_folder_cannot_be_made_is_an_output_path_error(tmp_path):
    # Before, atomic_open and the figures raised os.makedirs' FileExistsError: a traceback.
    (tmp_path / 'f').write_text('')
    assert make_folder_for(tmp_path / 'a' / 'x.png', 'the figure') == str(tmp_path / 'a')
    assert (tmp_path / 'a').is_dir()
    with pytest.raises(OutputPathError, match=r'f: a file is in the way of the folder for '
                       r'the figure$'):
        make_folder_for(tmp_path / 'f' / 'x.png', 'the figure')
    with pytest.raises(OutputPathError, match=r'f: a file is in the way of the folder for '
                       r'set.pkl$'):
        with atomic_open(tmp_path / 'f' / 'set.pkl'):
            pass
    # A folder given for the file: os.replace's IsADirectoryError, after the work.
    (tmp_path / 'd').mkdir()
    with pytest.raises(OutputPathError, match=r'd: is a folder; give the name of a file'):
        with atomic_open(tmp_path / 'd'):
            pass
    assert os.listdir(tmp_path / 'd') == []
