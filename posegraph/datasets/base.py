"""What the action datasets share: their classes and their pipeline."""
from typing import Callable, Optional, Sequence, Union

from mmengine.dataset import BaseDataset

from posegraph.io.annotations import resolve_classes
from posegraph.registry import TRANSFORMS


class ActionDataset(BaseDataset):
    """An mmengine :class:`BaseDataset` of labelled clips (skeleton or video).

    Args:
        ann_file: the annotation file. (default: ``''``)
        pipeline: transforms, as dicts (built from posegraph's ``TRANSFORMS`` here, not by
            mmengine's ``Compose``, so that no Runner's default scope is needed) or callables.
        label_map: a text file of class names, one a line: ``metainfo['classes']`` and
            ``num_classes``. (default: ``None``)
        num_classes: if given, labels must lie in ``[0, num_classes)``; it must agree with
            ``label_map``. (default: ``None``)
        test_mode, **kwargs: mmengine's :class:`BaseDataset`'s; ``metainfo['classes']``
            names the classes when no label map does.
    """

    def __init__(self, ann_file: str = '', pipeline: Sequence[Union[dict, Callable]] = (),
                 label_map: Optional[str] = None, num_classes: Optional[int] = None,
                 test_mode: bool = False, **kwargs):
        classes, self.num_classes = resolve_classes(label_map, num_classes)
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        if classes is not None:
            metainfo['classes'] = tuple(classes)
        pipeline = [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline]
        super().__init__(ann_file=ann_file, pipeline=pipeline, test_mode=test_mode,
                         metainfo=metainfo, **kwargs)
