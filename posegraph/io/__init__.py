"""Reading and writing what posegraph works on, with no import side effects and no torch:
annotation files (PYSKL / MMAction2 format, safe unpickling), videos (files, frame folders,
cameras, streams), files written whole or not at all (:func:`atomic_open`) and output
folders made before the work (:func:`make_folder`, :func:`make_folder_for`). Checkpoints
load through :mod:`posegraph.io.checkpoint` and modules are written to ONNX by
:mod:`posegraph.io.onnx` (each imported on its own: they need torch)."""
from .annotations import (
                          UNLABELLED,
                          AnnotationError,
                          check_record,
                          dump_annotations,
                          load_annotations,
                          load_splits,
                          read_label_map,
                          safe_load_pickle,
)
from .atomic import OutputPathError, atomic_open, make_folder, make_folder_for
from .video import (
    AtomicVideoWriter,
    VideoReadError,
    VideoSource,
    is_frame_folder,
    read_video,
    video_fps,
)

__all__ = ['UNLABELLED', 'AnnotationError', 'check_record', 'dump_annotations',
           'load_annotations', 'load_splits', 'read_label_map', 'safe_load_pickle', 'atomic_open',
           'AtomicVideoWriter', 'VideoReadError', 'VideoSource', 'is_frame_folder', 'read_video',
           'video_fps', 'OutputPathError', 'make_folder', 'make_folder_for']
