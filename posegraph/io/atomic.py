"""Files written whole or not at all, so an interrupted run never leaves a truncated one."""
import contextlib
import os
import uuid
from typing import IO, Iterator, Union

PathLike = Union[str, os.PathLike]


class OutputPathError(OSError):
    """A place to write to that cannot be made or written (a file where a folder belongs,
    no permission)."""


def make_folder(path: PathLike, what: str) -> str:
    """Make folder ``path`` (and its parents) for ``what``, before any work that would be
    written there is done.

    Raises:
        OutputPathError: naming the folder, what it is for and why it cannot be written.
    """
    path = os.fspath(path)
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        raise OutputPathError(f'{path}: a file is in the way of the folder for {what}') from None
    except OSError as e:
        raise OutputPathError(f'{path}: cannot make the folder for {what} '
                              f'({e.strerror}: {e.filename})') from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputPathError(f'{path}: cannot write {what} there (permission denied)')
    return path


def make_folder_for(path: PathLike, what: str) -> str:
    """Make the folder that the file ``path`` goes in, for ``what``: :func:`make_folder`
    on its parent."""
    return make_folder(os.path.dirname(os.path.abspath(path)), what)


@contextlib.contextmanager
def atomic_open(path: PathLike, mode: str = 'wb') -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; it replaces ``path`` when the block
    ends cleanly and is removed when it raises, leaving ``path`` as it was.

    The file gets the permissions ``open`` would give it (``tempfile.mkstemp`` makes
    owner-only files, which would hide an annotation file or a model from other users).

    Args:
        path (str): the file to write; its folder is created if missing.
        mode (str): ``'wb'`` or ``'w'``.

    Raises:
        OutputPathError: the folder cannot be made or written.
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f"atomic_open writes a new file: mode 'w' or 'wb', not {mode!r}")
    if os.path.isdir(path):
        raise OutputPathError(f'{os.fspath(path)}: is a folder; give the name of a file to '
                              'write')
    folder = make_folder_for(path, os.path.basename(path))
    # No suffix: a half-written temporary must never look like a finished file.
    tmp = os.path.join(folder, f'.tmp-{uuid.uuid4().hex}')
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
    fd = os.open(tmp, flags, 0o666)  # the umask applies, as for open()
    try:
        with os.fdopen(fd, mode) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
