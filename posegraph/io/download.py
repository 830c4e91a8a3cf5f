"""Files downloaded once into a cache: continued when a download breaks, checked before they
take the cached name, and named clearly when they cannot be had.

    path = download(url, os.path.join(cache, 'weights.pth'), check=problem_of)

A download goes to ``<file>.part``; a broken one is continued with an HTTP range request
next time, and the part becomes the file only once ``check`` finds nothing wrong with it,
so a web page served in a file's place (a moved file, a login wall) is never cached.
Files are cached by name, as torch.hub caches them; ``<file>.url`` records where a
download came from, so that another URL of the same file name (``v1/model.pth`` and
``v2/model.pth``) is refused instead of answered with the first one's file.
"""
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Optional

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from .atomic import atomic_open, make_folder_for


class DownloadError(FileNotFoundError):
    """A file that cannot be downloaded, or a download that is not the file expected."""


def url_file_name(url: str) -> str:
    """The file name a URL names: the last part of its path, without query or fragment
    (``https://host/a/b.pth?x=1`` -> ``b.pth``), as torch.hub names its cached files."""
    name = os.path.basename(urllib.parse.urlparse(url).path)
    if not name:
        raise DownloadError(f'{url}: names no file to download (its path ends in "/")')
    return name


def download(url: str, path: str, check: Optional[Callable[[str], Optional[str]]] = None,
             expected: str = 'the expected file', instead: str = '') -> str:
    """``path``, downloaded from ``url`` first if it is not there.

    Args:
        url: where the file is published.
        path: where it is kept.
        check: says what is wrong with a downloaded file (given its path), or ``None``;
            a file it finds wrong is removed, not kept.
        expected: what the file should be, for the error a failed ``check`` raises.
        instead: a way around a failed download, appended to the error's advice
            (e.g. ``', or give its path as the checkpoint'``).

    Raises:
        DownloadError: offline or refused (naming the URL and where to put the file by
            hand; what was fetched is kept and continued next time), or a download that
            ``check`` refuses.
    """
    source, where = path + '.url', _without_query(url)
    if os.path.isfile(path):
        if os.path.isfile(source):
            with open(source) as f:
                cached_from = f.read().strip()
            if cached_from != where:
                raise DownloadError(f'{path} holds the download of {cached_from}, another file '
                                    f'of the same name as {url}: move it away to download '
                                    f'this one, or give the file you want by its path')
        return path
    make_folder_for(path, 'downloads')
    partial = path + '.part'
    try:
        _fetch(url, partial)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, 'reason', e)
        fetched = os.path.getsize(partial) if os.path.isfile(partial) else 0
        kept = (f' What was fetched so far ({fetched / 2**20:.1f} MB) is kept in {partial} and '
                f'continued next time.' if fetched else '')
        raise DownloadError(f'cannot download {url} ({reason}); download it where you can and '
                            f'put it at {path}{instead}.{kept}') from None
    problem = check(partial) if check else None
    if problem:
        os.remove(partial)
        raise DownloadError(f'{url} gave a file that is not {expected} ({problem}); it was '
                            f'removed')
    with atomic_open(source, 'w') as f:
        f.write(where + '\n')
    os.replace(partial, path)
    return path


def _without_query(url: str) -> str:
    """``url`` without its query and fragment: a signed URL's token changes from one request
    to the next, the file it names does not."""
    return urllib.parse.urlparse(url)._replace(query='', fragment='').geturl()


def _fetch(url: str, partial: str, chunk: int = 1 << 20) -> None:
    """Download ``url`` into ``partial``, continuing what it already holds, with a progress
    bar."""
    have = os.path.getsize(partial) if os.path.isfile(partial) else 0
    request = urllib.request.Request(url, headers={'Range': f'bytes={have}-'} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:   # nothing left to fetch: the check decides
            return
        raise
    with response:
        resumed = have and response.status == 206
        total = response.headers.get('Content-Length')
        total = int(total) + (have if resumed else 0) if total else None
        columns = (TextColumn(os.path.basename(partial[:-5])), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn())
        with Progress(*columns) as progress, open(partial, 'ab' if resumed else 'wb') as f:
            task = progress.add_task('download', total=total, completed=have if resumed else 0)
            while True:
                data = response.read(chunk)
                if not data:
                    break
                f.write(data)
                progress.update(task, advance=len(data))
    if total is not None and os.path.getsize(partial) != total:
        raise OSError(f'the download stopped at {os.path.getsize(partial)} of {total} bytes')
