"""Reading and writing what posegraph works on, with no import side effects and no torch:
annotation files (PYSKL / MMAction2 format, safe unpickling) and videos (files, frame
folders, cameras, streams). Checkpoints load through :mod:`posegraph.io.checkpoint` and
modules are written to ONNX by :mod:`posegraph.io.onnx` (each imported on its own: they need
torch)."""
from .annotations import (
                          UNLABELLED,
                          AnnotationError,
                          dump_annotations,
                          load_annotations,
                          load_splits,
                          read_label_map,
                          safe_load_pickle,
)
from .video import VideoReadError, VideoSource, is_frame_folder, read_video, video_fps

__all__ = ['UNLABELLED', 'AnnotationError', 'dump_annotations', 'load_annotations',
           'load_splits', 'read_label_map', 'safe_load_pickle', 'VideoReadError',
           'VideoSource', 'is_frame_folder', 'read_video', 'video_fps']
