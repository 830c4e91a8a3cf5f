"""What the video index refuses, each in a line that names the file and the problem."""
import pytest

from posegraph.datasets.video_index import (
    add_val_split,
    index_video_lists,
    index_videos,
    read_video_list,
)


def touch(*paths):
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'')


def test_videos_of_one_name_in_two_class_folders_are_refused_not_merged(tmp_path):
    touch(tmp_path / 'wave' / 'clip1.avi', tmp_path / 'clap' / 'clip1.avi',
          tmp_path / 'clap' / 'clip2.avi')
    with pytest.raises(ValueError) as raised:
        index_videos(str(tmp_path))
    assert str(raised.value) == (
        f"{tmp_path / 'clap' / 'clip1.avi'} and {tmp_path / 'wave' / 'clip1.avi'}: two videos "
        "named 'clip1'; the name is the record's frame_dir and must be unique: rename one")
    (tmp_path / 'wave' / 'clip1.avi').rename(tmp_path / 'wave' / 'clip3.avi')
    index = index_videos(str(tmp_path))
    assert [(item.frame_dir, item.label) for item in index.items] == [
        ('clip1', 0), ('clip2', 0), ('clip3', 1)]
    assert index.classes == ['clap', 'wave'] and index.splits == {
        'all': ['clip1', 'clip2', 'clip3']}
    touch(tmp_path / 'clip2.mp4')                         # a top-level video of the same name
    with pytest.raises(ValueError, match="two videos named 'clip2'"):
        index_videos(str(tmp_path))


def test_sources_that_are_not_videos_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=f'^{tmp_path / "none"}: no such file or folder$'):
        index_videos(str(tmp_path / 'none'))
    touch(tmp_path / 'notes.txt')
    with pytest.raises(ValueError, match=f'^{tmp_path / "notes.txt"}: not a video file'):
        index_videos(str(tmp_path / 'notes.txt'))
    with pytest.raises(FileNotFoundError, match=f'^{tmp_path}: no videos'):
        index_videos(str(tmp_path))


def test_a_ucf101_tree_needs_its_class_list_in_order(tmp_path):
    touch(tmp_path / 'Biking' / 'v_Biking_g01_c01.avi')
    (tmp_path / 'trainlist01.txt').write_text('Biking/v_Biking_g01_c01.avi 1\n')
    with pytest.raises(FileNotFoundError,
                       match='UCF101 split files found but no classInd.txt'):
        index_videos(str(tmp_path))
    (tmp_path / 'classInd.txt').write_text('1 ApplyLipstick\n\n3 Biking\n')
    with pytest.raises(ValueError, match=f'^{tmp_path / "classInd.txt"}:3: expected class 2, '
                                         'got 3$'):
        index_videos(str(tmp_path))
    (tmp_path / 'classInd.txt').write_text('1 ApplyLipstick\n2 Biking\n')
    index = index_videos(str(tmp_path))
    assert index.kind == 'ucf101' and index.splits == {'train1': ['v_Biking_g01_c01']}
    assert [item.label for item in index.items] == [1]


def test_list_files_that_cannot_be_read_as_splits_are_named(tmp_path):
    touch(tmp_path / 'a.avi', tmp_path / 'sub' / 'a.avi', tmp_path / 'b.avi')
    with pytest.raises(FileNotFoundError, match='none.txt: no such video list file'):
        read_video_list(str(tmp_path / 'none.txt'))
    (tmp_path / 'bad.txt').write_text('a.avi 0\nb.avi\n')
    with pytest.raises(ValueError, match='bad.txt:2: expected "path label", got \'b.avi\''):
        read_video_list(str(tmp_path / 'bad.txt'))
    (tmp_path / 'train.txt').write_text('a.avi 0\nb.avi 1\n')
    (tmp_path / 'lists').mkdir()
    (tmp_path / 'lists' / 'train.txt').write_text('a.avi 0\n')
    with pytest.raises(ValueError, match="two list files make split 'train'"):
        index_video_lists(str(tmp_path), [str(tmp_path / 'train.txt'),
                                          str(tmp_path / 'lists' / 'train.txt')])
    (tmp_path / 'val.txt').write_text('sub/a.avi 0\n')
    with pytest.raises(ValueError, match=f"val.txt: 'a' is listed as {tmp_path / 'sub' / 'a.avi'}"
                                         f" \\(label 0\\) and as {tmp_path / 'a.avi'}"):
        index_video_lists(str(tmp_path), [str(tmp_path / 'train.txt'), str(tmp_path / 'val.txt')])
    (tmp_path / 'val.txt').write_text('a.avi 0\n')                 # the same video: allowed
    index = index_video_lists(str(tmp_path), [str(tmp_path / 'train.txt'),
                                              str(tmp_path / 'val.txt')])
    assert index.splits == {'train': ['a', 'b'], 'val': ['a']} and len(index.items) == 2


def test_a_val_cut_is_for_plain_folders_and_a_ratio_between_0_and_1(tmp_path):
    touch(*(tmp_path / 'wave' / f'{k}.avi' for k in range(4)))
    index = index_videos(str(tmp_path))
    for ratio in (0, 1, 1.5):
        with pytest.raises(ValueError, match=f'--val-ratio must be between 0 and 1, got {ratio}'):
            add_val_split(index, ratio)
    cut = add_val_split(index, 0.25)
    assert len(cut.splits['val']) == 1 and len(cut.splits['train']) == 3
    (tmp_path / 'train.txt').write_text('wave/0.avi 0\n')
    listed = index_video_lists(str(tmp_path), [str(tmp_path / 'train.txt')])
    with pytest.raises(ValueError, match='a lists source has its own splits \\(train\\); '
                                         '--val-ratio is for plain folders'):
        add_val_split(listed, 0.25)


def test_a_clip_folder_of_several_videos_is_refused_not_cut_to_its_first(tmp_path):
    # Two levels of folders read as UCF Sports: one clip per sub-folder, its frames or video.
    touch(tmp_path / 'wave' / 'alice' / 'a.mp4', tmp_path / 'wave' / 'alice' / 'b.mp4')
    with pytest.raises(ValueError, match=f'^{tmp_path / "wave" / "alice"}: 2 videos in a clip '
                                         'folder, which holds one'):
        index_videos(str(tmp_path))
    (tmp_path / 'wave' / 'alice' / 'b.mp4').unlink()
    index = index_videos(str(tmp_path))
    assert index.kind == 'ucf_sports' and index.splits == {'all': ['wave_alice']}
    assert index.items[0].path == str(tmp_path / 'wave' / 'alice' / 'a.mp4')
