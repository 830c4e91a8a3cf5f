"""Decoding videos (any format OpenCV reads) and folders of frame images."""
import os

import cv2

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


class VideoReadError(RuntimeError):
    """A video that cannot be opened or decoded."""


def is_frame_folder(path):
    """Whether ``path`` is a folder holding frame images (as UCF Sports ships its clips)."""
    return os.path.isdir(path) and any(name.lower().endswith(IMAGE_EXTENSIONS)
                                       for name in os.listdir(path))


def read_video(path):
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
    if not os.path.isfile(path):
        raise VideoReadError(f'{path}: no such file')
    capture = cv2.VideoCapture(path)
    try:
        if not capture.isOpened():
            raise VideoReadError(f'{path}: OpenCV cannot open it (not a video, or corrupt)')
        frames = []
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(frame)
    finally:
        capture.release()
    if not frames:
        raise VideoReadError(f'{path}: no frame could be decoded (empty or corrupt)')
    return frames


def video_fps(path, default: float = 25.0) -> float:
    """The frame rate a video file declares (``default`` for frame folders, or a file that
    declares none)."""
    if is_frame_folder(path) or not os.path.isfile(path):
        return default
    capture = cv2.VideoCapture(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
    finally:
        capture.release()
    return float(fps) if fps and 0 < fps < 1000 else default
