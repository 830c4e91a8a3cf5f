"""Finding the videos of a file, a folder or a UCF101 / HMDB51 tree, with labels and splits.

* **UCF101**: class folders, ``classInd.txt`` and ``trainlist0N.txt`` / ``testlist0N.txt``
  (at the root or in any sub-folder, e.g. ``ucfTrainTestlist/``) give splits
  ``train1..3`` / ``test1..3``; labels follow ``classInd.txt``.
* **HMDB51**: class folders and ``<class>_test_splitN.txt`` files (lines ``video flag``,
  1 train, 2 test) give the same split names; labels are the sorted class folders.
* **UCF11** (YouTube Action): ``<class>/v_<class>_<GG>/v_<class>_<GG>_<CC>.<ext>``, one
  sub-folder per group of clips from one source video; splits ``train<G>`` / ``test<G>``
  leave group ``G`` out (the dataset's leave-one-group-out protocol).
* **UCF Sports**: ``<class>/<NNN>/`` sub-folders holding a clip's frame images (or a
  video); ``frame_dir`` is ``<class>_<NNN>``; split ``all``.
* **A folder**: videos in class sub-folders are labelled by folder (sorted); videos at
  the top level get label 0. Every video is in split ``all``.
* **A file**: one video, label 0, split ``all``.
* **MMAction2 list files** (:func:`index_video_lists`): ``path label`` lines, one split per
  file, named after it (``train.txt`` -> ``train``).

:func:`add_val_split` cuts a ``val`` split off ``all`` (per class, reproducibly) for sources
that come without splits.

``frame_dir`` is the video's file name without extension, as in PYSKL's files.
"""
import glob
import os
import re
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

from posegraph.io.video import is_frame_folder

VIDEO_EXTENSIONS = ('.avi', '.mp4', '.mkv', '.mov', '.webm', '.mpg', '.mpeg', '.m4v')


@dataclass(frozen=True)
class VideoItem:
    path: str
    frame_dir: str
    label: int


@dataclass
class VideoIndex:
    """The videos of a source, their classes and splits (``{name: [frame_dir, ...]}``)."""
    kind: str
    items: list
    classes: list
    splits: dict


def _is_video(name):
    return name.lower().endswith(VIDEO_EXTENSIONS)


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def _find(root, pattern):
    return sorted(glob.glob(os.path.join(root, '**', pattern), recursive=True))


def _class_folders(root):
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))
                  and any(_is_video(f) for f in os.listdir(os.path.join(root, d))))


def _add_video(found: dict, path: str, label: int) -> None:
    """Add the video at ``path`` to ``found`` under its ``frame_dir``, which names its
    record and must be unique."""
    name = _stem(path)
    if name in found:
        raise ValueError(f'{found[name].path} and {path}: two videos named {name!r}; the name '
                         "is the record's frame_dir and must be unique: rename one")
    found[name] = VideoItem(path, name, label)


def _videos_by_stem(root, classes):
    found = {}
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        for f in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
            if _is_video(f):
                _add_video(found, os.path.join(folder, f), label)
    return found


def _index_ucf101(root):
    class_file = _find(root, 'classInd.txt')
    if not class_file:
        raise FileNotFoundError(f'{root}: UCF101 split files found but no classInd.txt')
    classes = []
    with open(class_file[0]) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                index, name = line.split()
                if int(index) != len(classes) + 1:
                    raise ValueError(f'{class_file[0]}:{number}: expected class '
                                     f'{len(classes) + 1}, got {index}')
                classes.append(name)
    by_stem = _videos_by_stem(root, classes)
    splits = {}
    for path in _find(root, 'trainlist0*.txt') + _find(root, 'testlist0*.txt'):
        kind, number = re.match(r'(train|test)list0(\d)\.txt', os.path.basename(path)).groups()
        with open(path) as f:
            names = [_stem(line.split()[0]) for line in f if line.strip()]
        splits[f'{kind}{number}'] = [n for n in names if n in by_stem]
    return VideoIndex('ucf101', list(by_stem.values()), classes, dict(sorted(splits.items())))


def _index_hmdb51(root, split_files):
    folders = _class_folders(root)
    by_stem = _videos_by_stem(root, folders)
    splits = {}
    for path in split_files:
        number = re.search(r'_test_split(\d)\.txt$', path).group(1)
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and _stem(parts[0]) in by_stem:
                    target = {'1': f'train{number}', '2': f'test{number}'}.get(parts[1])
                    if target:
                        splits.setdefault(target, []).append(_stem(parts[0]))
    return VideoIndex('hmdb51', list(by_stem.values()), folders, dict(sorted(splits.items())))


def _sub_folders(path):
    return sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d)))


def _index_nested(root):
    """UCF11 (videos in group sub-folders) or UCF Sports (frame folders), or ``None``."""
    classes, items, groups = [], [], {}
    for name in _sub_folders(root):
        clips = []
        for sub in _sub_folders(os.path.join(root, name)):
            folder = os.path.join(root, name, sub)
            videos = sorted(f for f in os.listdir(folder) if _is_video(f))
            if videos and re.fullmatch(r'v_.+_\d+', sub):  # UCF11 group folder
                for f in videos:
                    clips.append((os.path.join(folder, f), _stem(f), int(sub.rsplit('_', 1)[1])))
            elif videos or is_frame_folder(folder):  # UCF Sports clip folder
                if len(videos) > 1:
                    raise ValueError(
                        f'{folder}: {len(videos)} videos in a clip folder, which holds one '
                        '(UCF Sports: a clip\'s frames and its video); videos of a class go '
                        'in its folder, or in UCF11 group folders (v_<class>_<group>)')
                path = os.path.join(folder, videos[0]) if videos else folder
                clips.append((path, f'{name}_{sub}', None))
        if clips:
            for path, frame_dir, group in clips:
                items.append(VideoItem(path, frame_dir, len(classes)))
                groups[frame_dir] = group
            classes.append(name)
    if not items:
        return None
    names = [item.frame_dir for item in items]
    if any(group is None for group in groups.values()):
        return VideoIndex('ucf_sports', items, classes, {'all': names})
    splits = {}
    for g in sorted(set(groups.values())):
        splits[f'train{g}'] = [n for n in names if groups[n] != g]
        splits[f'test{g}'] = [n for n in names if groups[n] == g]
    return VideoIndex('ucf11', items, classes, splits)


def index_videos(source: str) -> VideoIndex:
    """Index a video file, a folder of videos, or a UCF101 / HMDB51 / UCF11 / UCF Sports
    tree (auto-detected)."""
    if os.path.isfile(source):
        if not _is_video(source):
            raise ValueError(f'{source}: not a video file ({", ".join(VIDEO_EXTENSIONS)})')
        item = VideoItem(source, _stem(source), 0)
        return VideoIndex('file', [item], [], {'all': [item.frame_dir]})
    if not os.path.isdir(source):
        raise FileNotFoundError(f'{source}: no such file or folder')
    if _find(source, 'trainlist0*.txt'):
        return _index_ucf101(source)
    hmdb_splits = _find(source, '*_test_split[0-9].txt')
    if hmdb_splits:
        return _index_hmdb51(source, hmdb_splits)
    classes = _class_folders(source)
    if not classes and not any(_is_video(f) for f in os.listdir(source)):
        nested = _index_nested(source)
        if nested is not None:
            return nested
    found = _videos_by_stem(source, classes)
    for f in sorted(os.listdir(source)):
        if _is_video(f):
            _add_video(found, os.path.join(source, f), 0)
    if not found:
        raise FileNotFoundError(f'{source}: no videos ({", ".join(VIDEO_EXTENSIONS)})')
    return VideoIndex('folder', list(found.values()), classes, {'all': list(found)})


def read_video_list(path: str, prefix: str = '') -> List[Tuple[str, int]]:
    """``[(video path, label), ...]`` of a list file with ``path label`` lines (MMAction2's
    video list format; paths may hold spaces; relative ones are taken from ``prefix``)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path}: no such video list file')
    items = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.strip().rsplit(maxsplit=1)
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(f'{path}:{number}: expected "path label", got {line.strip()!r}')
            items.append((os.path.join(prefix, parts[0]), int(parts[1])))
    return items


def index_video_lists(root: str, list_files: Sequence[str]) -> VideoIndex:
    """The videos MMAction2 list files name (paths relative to ``root``), one split per
    file named after it; a video listed twice must carry the same label."""
    items, splits = {}, {}
    for list_file in list_files:
        split = _stem(list_file)
        if split in splits:
            raise ValueError(f'{list_file}: two list files make split {split!r}')
        splits[split] = []
        for path, label in read_video_list(list_file, root):
            if not os.path.exists(path):
                raise FileNotFoundError(f'{list_file}: lists {path}, which does not exist')
            name = _stem(path)
            known = items.get(name)
            if known is not None and (known.path, known.label) != (path, label):
                raise ValueError(f'{list_file}: {name!r} is listed as {path} (label {label}) '
                                 f'and as {known.path} (label {known.label})')
            items[name] = VideoItem(path, name, label)
            splits[split].append(name)
    return VideoIndex('lists', list(items.values()), [], splits)


def add_val_split(index: VideoIndex, ratio: float, seed: int = 0) -> VideoIndex:
    """Cut ``train`` / ``val`` splits from ``all``: in each class, ``round(ratio * n)``
    videos (at least one where a class has two or more) go to ``val``, chosen by a
    generator seeded with ``seed``, so every run cuts the same way."""
    if not 0 < ratio < 1:
        raise ValueError(f'--val-ratio must be between 0 and 1, got {ratio}')
    if 'all' not in index.splits:
        raise ValueError(f'a {index.kind} source has its own splits '
                         f'({", ".join(index.splits)}); --val-ratio is for plain folders')
    rng = np.random.default_rng(seed)
    val = set()
    labels = sorted({item.label for item in index.items})
    for label in labels:
        names = [item.frame_dir for item in index.items if item.label == label]
        count = min(len(names) - 1, max(1, round(ratio * len(names)))) if len(names) > 1 else 0
        val.update(rng.choice(names, size=count, replace=False).tolist() if count else [])
    names = index.splits['all']
    splits = dict(index.splits, train=[n for n in names if n not in val],
                  val=[n for n in names if n in val])
    return VideoIndex(index.kind, index.items, index.classes, splits)
