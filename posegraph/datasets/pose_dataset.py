"""The skeleton dataset: one split of an annotation file, through a transform pipeline."""
import os
from typing import Callable, List, Optional, Sequence, Union

import numpy as np

from posegraph.io.annotations import UNLABELLED, AnnotationError, load_annotations
from posegraph.registry import DATASETS
from posegraph.skeleton import LayoutLike, get_layout, mask_missing
from .base import ActionDataset
from .synthetic import write_synthetic

# The 2D skeleton files of PYSKL that MMAction2 publishes (its tools/data/skeleton/README.md),
# named in the error for a missing one: users bring them, a gigabyte for UCF101.
PUBLISHED_ANNOTATIONS = {
    name: f'https://download.openmmlab.com/mmaction/v1.0/skeleton/data/{name}'
    for name in ('ucf101_2d.pkl', 'hmdb51_2d.pkl', 'ntu60_2d.pkl', 'ntu120_2d.pkl',
                 'gym_2d.pkl')}


@DATASETS.register_module()
class PoseDataset(ActionDataset):
    """Clips of 2D (or 3D) joints from a PYSKL / MMAction2 skeleton annotation file.

    Args:
        ann_file: the annotation pickle (see :mod:`posegraph.datasets.io`).
        pipeline: transforms, as dicts or callables. (default: ``()``)
        split: the split to use; ``None`` uses every record. (default: ``None``)
        layout: the skeleton layout the file is in (a name or a PYSKL alias such as
            ``'coco'``); its joint count is checked. (default: ``'coco17'``)
        coords: coordinates per joint, 2 (default) or 3 for 3D skeletons such as NTU
            RGB+D's; see :func:`~posegraph.io.annotations.load_annotations`.
        num_classes: if given, labels must lie in ``[0, num_classes)``. (default: ``None``)
        label_map: a text file of class names, one a line; sets ``num_classes`` too.
            (default: ``None``)
        test_mode: passed to mmengine's :class:`BaseDataset`. (default: ``False``)
        require_labels: refuse unlabelled records (label ``-1``); default: outside
            ``test_mode``, since training needs labels.

    The class names (``metainfo['classes']``) come from ``label_map``, else from the
    file's own ``classes`` list; a disagreement with ``num_classes`` is an error. Missing
    joints (score 0 or non-finite coordinates) are set to coordinates 0 and score 0 when
    the file is read; records without ``keypoint_score`` get scores of 1.
    """

    def __init__(self, ann_file: str, pipeline: Sequence[Union[dict, Callable]] = (),
                 split: Optional[str] = None, layout: LayoutLike = 'coco17',
                 num_classes: Optional[int] = None, label_map: Optional[str] = None,
                 test_mode: bool = False, require_labels: Optional[bool] = None,
                 coords: int = 2, **kwargs):
        self.split = split
        self.coords = coords
        self.require_labels = not test_mode if require_labels is None else require_labels
        self.layout = get_layout(layout).name
        if not os.path.isfile(ann_file):
            what = 'is a folder, not an annotation file' if os.path.isdir(ann_file) else \
                'no such annotation file'
            published = PUBLISHED_ANNOTATIONS.get(os.path.basename(ann_file))
            raise FileNotFoundError(f'{ann_file}: {what} (dataset split {split!r})' + (
                f'; MMAction2 publishes it at {published}' if published else ''))
        super().__init__(ann_file=ann_file, pipeline=pipeline, label_map=label_map,
                         num_classes=num_classes, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[dict]:
        records, classes = load_annotations(self.ann_file, split=self.split,
                                            num_classes=self.num_classes,
                                            num_joints=get_layout(self.layout).num_joints,
                                            return_classes=True, coords=self.coords)
        if classes is not None and 'classes' not in self._metainfo:
            if self.num_classes is not None and len(classes) != self.num_classes:
                raise AnnotationError(f'{self.ann_file} names {len(classes)} classes but '
                                      f'num_classes is {self.num_classes}')
            self._metainfo['classes'] = tuple(classes)
            self.num_classes = len(classes)
        unlabelled = [r['frame_dir'] for r in records if r['label'] == UNLABELLED]
        if unlabelled and self.require_labels:
            raise AnnotationError(
                f'{self.ann_file}: split {self.split!r} has {len(unlabelled)} unlabelled '
                f"clip(s) (label {UNLABELLED}, first '{unlabelled[0]}'): training and "
                f'evaluation need labels; score such files with inference tools instead')
        return [dict(prepare_record(record), label=int(record['label']))
                for record in records]


def prepare_record(record: dict) -> dict:
    """A checked annotation record as the pipelines read it: float32 keypoints, scores of 1
    where the record has none, every missing joint (score 0 or a non-finite coordinate) at
    coordinates 0 and score 0 (:func:`~posegraph.skeleton.mask_missing`), and
    ``total_frames``. A copy; ``record`` is left as it is."""
    keypoint = np.asarray(record['keypoint'], dtype=np.float32)
    score = record.get('keypoint_score')
    if score is None:
        score = np.ones(keypoint.shape[:3], dtype=np.float32)
    keypoint, score = mask_missing(keypoint, score)
    return dict(record, keypoint=keypoint, keypoint_score=score,
                total_frames=keypoint.shape[1])


@DATASETS.register_module()
class SyntheticPoseDataset(PoseDataset):
    """:class:`PoseDataset` over the synthetic set, written first if ``ann_file`` is absent.

    The written file carries the synthetic actions as its class names, so no label map is
    needed; pointed at another file, it reads that file's classes like any
    :class:`PoseDataset`.

    Args:
        clips_per_class, seed: passed to :func:`posegraph.datasets.synthetic.write_synthetic`
            when the file has to be made. (defaults: ``80``, ``0``)
    """

    def __init__(self, ann_file: str, *args, clips_per_class: int = 80, seed: int = 0,
                 **kwargs):
        if not os.path.isfile(ann_file):
            write_synthetic(ann_file, clips_per_class=clips_per_class, seed=seed)
        super().__init__(ann_file, *args, **kwargs)
