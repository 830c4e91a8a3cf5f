"""The video dataset for the RGB models: a list file or a dataset tree, through a pipeline."""
import os
from typing import Callable, List, Optional, Sequence, Union

from posegraph.errors import UnknownNameError
from posegraph.io.video import read_video
from posegraph.registry import DATASETS
from .base import ActionDataset
from .flow import compute_flow, flow_path, save_flow
from .synthetic_video import MOTIONS, write_synthetic_videos
from .video_index import index_videos, read_video_list


@DATASETS.register_module()
class VideoDataset(ActionDataset):
    """Videos and labels from a list file or a dataset tree.

    Args:
        ann_file: a list file of ``path label`` lines (MMAction2's video list format).
            (default: ``''``)
        video_root: instead of a list, a UCF101 / HMDB51 / UCF11 / UCF Sports tree or a
            folder of class folders (see :mod:`posegraph.datasets.video_index`), whose
            ``split`` (a name such as ``'train1'``, or a list of names) is used. (default: ``None``)
        data_prefix: ``dict(video=folder)``: where relative list paths start (by default
            the list file's folder).
        label_map: class names, one a line; sets ``num_classes`` and the ``classes`` meta.
            (default: ``None``)
        num_classes: if given, labels must lie in ``[0, num_classes)``. (default: ``None``)
        pipeline: transforms, as dicts or callables (see
            :mod:`posegraph.datasets.transforms.video`). (default: ``()``)
    """

    def __init__(self, ann_file: str = '', pipeline: Sequence[Union[dict, Callable]] = (),
                 video_root: Optional[str] = None,
                 split: Union[str, Sequence[str], None] = None,
                 data_prefix: Optional[dict] = None, label_map: Optional[str] = None,
                 num_classes: Optional[int] = None, test_mode: bool = False, **kwargs):
        if bool(ann_file) == bool(video_root):
            raise ValueError('give a video list (ann_file) or a dataset tree (video_root), '
                             'not both or neither')
        self.video_root, self.split = video_root, split
        self._index = index_videos(video_root) if video_root else None
        if label_map is None and self._index is not None and self._index.classes:
            kwargs['metainfo'] = {**(kwargs.get('metainfo') or {}),
                                  'classes': tuple(self._index.classes)}
        if data_prefix is None:
            data_prefix = dict(video=os.path.dirname(os.path.abspath(ann_file)) if ann_file else '')
        super().__init__(ann_file=ann_file, pipeline=pipeline, label_map=label_map,
                         num_classes=num_classes, test_mode=test_mode, data_prefix=data_prefix,
                         **kwargs)

    def _items(self):
        if self._index is None:
            return [(path, label, os.path.splitext(os.path.basename(path.rstrip('/')))[0])
                    for path, label in read_video_list(self.ann_file,
                                                       self.data_prefix.get('video', ''))]
        splits = [self.split] if isinstance(self.split, str) else self.split
        if splits is None:
            names = None
        else:
            unknown = [s for s in splits if s not in self._index.splits]
            if unknown:
                raise UnknownNameError(f'{self.video_root}: no split {unknown[0]!r}; its splits '
                                       f'are {", ".join(self._index.splits)}')
            names = {name for s in splits for name in self._index.splits[s]}
        return [(item.path, item.label, item.frame_dir) for item in self._index.items
                if names is None or item.frame_dir in names]

    def load_data_list(self) -> List[dict]:
        data_list = []
        source = self.ann_file or self.video_root
        for path, label, frame_dir in self._items():
            if self.num_classes is not None and not 0 <= label < self.num_classes:
                raise ValueError(f'{source}: {path} has label {label}, outside '
                                 f'[0, {self.num_classes})')
            data_list.append(dict(filename=path, label=label, frame_dir=frame_dir))
        if not data_list:
            raise ValueError(f'{source}: no videos (split {self.split!r})')
        return data_list


def write_synthetic_flow(root: str, method: str = 'auto', bound: float = 20.0) -> None:
    """Flow of every synthetic clip into ``<root>/flow`` (those not there yet)."""
    items = read_video_list(os.path.join(root, 'train.txt'), root)
    for name in ('val', 'test'):
        items += read_video_list(os.path.join(root, f'{name}.txt'), root)
    for path, _ in items:
        target = flow_path(os.path.join(root, 'flow'), os.path.splitext(os.path.basename(path))[0])
        if not os.path.isfile(target):
            flow, used = compute_flow(read_video(path), method, bound)
            save_flow(target, flow, used, bound)


@DATASETS.register_module()
class SyntheticVideoDataset(VideoDataset):
    """:class:`VideoDataset` over the synthetic motion set in ``root``, written first if
    absent (and its optical flow, in ``<root>/flow``, when ``with_flow``).

    Args:
        root: the set's folder.
        split: ``'train'``, ``'val'`` or ``'test'``.
        clips_per_class, seed, num_frames, size: passed to
            :func:`~posegraph.datasets.synthetic_video.write_synthetic_videos`.
            (defaults: ``40``, ``0``, ``16``, ``64``)
        with_flow: compute the flow the two-stream model reads. (default: ``False``)
    """

    def __init__(self, root: str, split: str, pipeline: Sequence[Union[dict, Callable]] = (),
                 clips_per_class: int = 40, seed: int = 0, num_frames: int = 16,
                 size: int = 64, with_flow: bool = False, **kwargs):
        if not os.path.isfile(os.path.join(root, 'label_map.txt')):
            write_synthetic_videos(root, clips_per_class, seed, num_frames, size)
        if with_flow and not os.path.isfile(os.path.join(root, 'flow', 'complete')):
            write_synthetic_flow(root)
            open(os.path.join(root, 'flow', 'complete'), 'w').close()
        metainfo = dict(kwargs.pop('metainfo', None) or {}, classes=MOTIONS)
        super().__init__(os.path.join(root, f'{split}.txt'), pipeline, num_classes=len(MOTIONS),
                         metainfo=metainfo, **kwargs)
