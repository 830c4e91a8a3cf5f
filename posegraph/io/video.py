"""Decoding videos (any format OpenCV reads) and folders of frame images; writing videos
whole or not at all."""
import contextlib
import os
from typing import Iterator, List

import cv2
import numpy as np

from .atomic import OutputPathError, make_folder_for

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


class VideoReadError(RuntimeError):
    """A video that cannot be opened or decoded."""


def is_frame_folder(path: str) -> bool:
    """Whether ``path`` is a folder holding frame images (as UCF Sports ships its clips)."""
    return os.path.isdir(path) and any(name.lower().endswith(IMAGE_EXTENSIONS)
                                       for name in os.listdir(path))


def read_video(path: str) -> List[np.ndarray]:
    """All frames of a video file, or of a folder of frame images (sorted by name), as BGR
    ``uint8`` arrays.

    Raises:
        VideoReadError: naming the file, if it cannot be opened or yields no frame.
    """
    if is_frame_folder(path):
        frames = []
        for name in sorted(os.listdir(path)):
            if name.lower().endswith(IMAGE_EXTENSIONS):
                frame = cv2.imread(os.path.join(path, name), cv2.IMREAD_COLOR)
                if frame is None:
                    raise VideoReadError(f'{os.path.join(path, name)}: cannot decode the image')
                frames.append(frame)
        return frames
    return list(VideoSource(path, file_only=True))


def video_fps(path: str, default: float = 25.0) -> float:
    """The frame rate a video file declares (``default`` for frame folders, or a file that
    declares none)."""
    if is_frame_folder(path) or not os.path.isfile(path):
        return default
    source = VideoSource(path, default)
    source.capture.release()
    return source.fps


class VideoSource:
    """Frames of a video file, a camera or a network stream, read one at a time.

    Args:
        source: a video file, a folder of frame images, a camera index (``'0'``) or a
            stream URL (``rtsp://``, ``http(s)://``).
        default_fps: the rate of a source that declares none (default 25).
        file_only: take ``source`` as a file or folder name, whatever it looks like
            (default ``False``).

    Attributes:
        fps: the source's frame rate; ``num_frames``: its length if it declares one (``None``
        for cameras and streams); ``live``: a camera or a stream.

    Raises:
        VideoReadError: naming the source, if it cannot be opened.
    """

    def __init__(self, source: str, default_fps: float = 25.0, file_only: bool = False):
        self.name = str(source)
        self.live = not file_only and (self.name.isdigit() or '://' in self.name)
        self._frames = None
        if is_frame_folder(self.name):
            self._frames = read_video(self.name)
            self.fps, self.num_frames = default_fps, len(self._frames)
            return
        if not self.live and not os.path.isfile(self.name):
            raise VideoReadError(f'{self.name}: no such file' if file_only else
                                 f'{self.name}: no such file, camera index or stream URL')
        camera = self.live and self.name.isdigit()
        self.capture = cv2.VideoCapture(int(self.name) if camera else self.name)
        if not self.capture.isOpened():
            self.capture.release()
            if camera:
                raise VideoReadError(f'camera {self.name}: no such camera (OpenCV cannot open '
                                     'it; is it connected, and free?)')
            what = 'the stream (unreachable, or not a video)' if self.live else \
                'it (not a video, or corrupt)'
            raise VideoReadError(f'{self.name}: OpenCV cannot open {what}')
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 0 < fps < 1000 else default_fps
        count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.num_frames = count if count > 0 and not self.live else None

    def __iter__(self) -> Iterator[np.ndarray]:
        if self._frames is not None:
            yield from self._frames
            return
        count = 0
        try:
            while True:
                ok, frame = self.capture.read()
                if not ok:
                    break
                count += 1
                yield frame
        finally:
            self.capture.release()
        if not count:
            raise VideoReadError(f'{self.name}: no frame could be decoded (empty or corrupt, '
                                 'or the stream sent nothing)')


@contextlib.contextmanager
def _opencv_silent() -> Iterator[None]:
    """OpenCV's own log off for the block (OpenCV 5 keeps its switch in ``cv2.utils.logging``,
    OpenCV 4 in ``cv2``; 0 is silent in both)."""
    logging = getattr(cv2.utils, 'logging', cv2)
    level = logging.getLogLevel()
    logging.setLogLevel(0)
    try:
        yield
    finally:
        logging.setLogLevel(level)


class AtomicVideoWriter:
    """Writes a video under a temporary name beside ``path`` and gives it its own name only
    when :meth:`close` is called: a failed run leaves no half video.

    Args:
        path (str): the video to write; ``.avi`` is written as XVID, anything else as mp4v.
        fps (float): its frame rate.
        what (str): what the video is, for errors (``'the drawn video'``).
    """

    def __init__(self, path: str, fps: float, what: str = 'the video'):
        self.path, self.fps, self.what, self.writer = path, fps, what, None
        folder, name = os.path.split(os.path.abspath(path))
        self.partial = os.path.join(folder, f'.{name}.partial{os.path.splitext(name)[1]}')

    def _open(self, width: int, height: int) -> None:
        make_folder_for(self.partial, self.what)
        fourcc = 'XVID' if self.path.lower().endswith('.avi') else 'mp4v'
        # OpenCV logs each back-end that refuses the format; the error below says it once.
        with _opencv_silent():
            self.writer = cv2.VideoWriter(self.partial, cv2.VideoWriter_fourcc(*fourcc),
                                          self.fps, (width, height))
        if not self.writer.isOpened():
            self.writer = None
            raise OutputPathError(f'{self.path}: OpenCV cannot write this video format '
                                  '(use .mp4 or .avi)')

    def check(self) -> None:
        """Raise the error :meth:`write` would, before any frame is drawn.

        Raises:
            OutputPathError: the folder cannot be made, or OpenCV cannot write the format.
        """
        self._open(16, 16)
        self.discard()

    def write(self, frame: np.ndarray) -> None:
        """Append a BGR ``uint8`` frame; the first one sets the video's size."""
        if self.writer is None:
            self._open(frame.shape[1], frame.shape[0])
        self.writer.write(frame)

    def close(self) -> None:
        """Finish the video and give it its name (nothing is written without a frame)."""
        if self.writer is not None:
            self.writer.release()
            self.writer = None
            os.replace(self.partial, self.path)

    def discard(self) -> None:
        """Drop what was written: ``path`` stays as it was."""
        if self.writer is not None:
            self.writer.release()
            self.writer = None
            if os.path.exists(self.partial):
                os.remove(self.partial)

    def __enter__(self) -> 'AtomicVideoWriter':
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()
