"""Splitting an extraction over machines, and joining the pieces into one annotation file.

Shard ``i`` of ``n`` takes every ``n``-th video of the sorted index, starting at ``i``, and
writes ``OUT.shard<i>-of-<n>.pkl`` (with its own ``.parts/`` folder, so each shard resumes
on its own); :func:`merge_shards` then writes ``OUT`` from all ``n`` of them, refusing a
video found in two shards or in none.
"""
import glob
import os
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from posegraph.io.annotations import AnnotationError, dump_annotations, load_annotations


def parse_shard(text: Optional[str], env: Mapping[str, str] = os.environ) -> Tuple[int, int]:
    """``(index, count)`` from ``--shard i/n`` (0-based), else from the ``RANK`` and
    ``WORLD_SIZE`` a launcher such as torchrun sets, else ``(0, 1)``: no sharding."""
    if text:
        match = re.fullmatch(r'(\d+)/(\d+)', text.strip())
        if not match or not 0 <= int(match[1]) < int(match[2]):
            raise ValueError(f'--shard must be i/n with 0 <= i < n, got {text!r}')
        return int(match[1]), int(match[2])
    count = int(env.get('WORLD_SIZE', 1))
    index = int(env.get('RANK', 0))
    if count > 1 and not 0 <= index < count:
        raise ValueError(f'RANK={index} is outside WORLD_SIZE={count}')
    return (index, count) if count > 1 else (0, 1)


def shard_path(out: str, index: int, count: int) -> str:
    """Where shard ``index`` of ``count`` writes: ``OUT.shard<i>-of-<n><ext>``."""
    root, ext = os.path.splitext(out)
    return f'{root}.shard{index}-of-{count}{ext or ".pkl"}'


def take_shard(items: Sequence, index: int, count: int) -> List:
    """Shard ``index``'s share of ``items``: every ``count``-th, from ``index``."""
    return list(items[index::count])


def merge_shards(out: str, expected: Sequence[str], splits: Dict[str, List[str]],
                 classes: Optional[Sequence[str]] = None) -> int:
    """Join every ``OUT.shard*-of-n`` file into ``OUT``.

    Args:
        out: the merged annotation file to write (atomically).
        expected: every video's ``frame_dir``, in the order the merged file keeps.
        splits: the full splits, by ``frame_dir``.
        classes: class names to store in the file, if known. (default: ``None``)

    Returns:
        The number of records written.

    Raises:
        AnnotationError: naming the shards missing, a video found twice (and where), or the
            videos that no shard holds.
    """
    root, ext = os.path.splitext(out)
    pattern = re.compile(re.escape(root) + r'\.shard(\d+)-of-(\d+)' + re.escape(ext or '.pkl')
                         + '$')
    found = {}
    for path in glob.glob(glob.escape(root) + '.shard*-of-*' + (ext or '.pkl')):
        match = pattern.match(path)
        if match:
            found[(int(match[1]), int(match[2]))] = path
    counts = {count for _, count in found}
    if not found:
        raise AnnotationError(f'{out}: no shard files ({shard_path(out, 0, 2)}, ...) to merge')
    if len(counts) > 1:
        raise AnnotationError(f'{out}: shard files of different counts {sorted(counts)}: '
                              'remove the stale ones')
    count = counts.pop()
    absent = [shard_path(out, i, count) for i in range(count) if (i, count) not in found]
    if absent:
        raise AnnotationError(f'{out}: {len(absent)} of {count} shards are not done: '
                              f'{", ".join(absent[:3])}{" ..." if len(absent) > 3 else ""}')
    records, source = {}, {}
    for key in sorted(found):
        for record in load_annotations(found[key]):
            name = record['frame_dir']
            if name in records:
                raise AnnotationError(f"'{name}' is in two shards: {source[name]} and "
                                      f'{found[key]}')
            records[name], source[name] = record, found[key]
    missing = [name for name in expected if name not in records]
    if missing:
        raise AnnotationError(
            f'{out}: {len(missing)} video(s) are in no shard, first '
            f"{', '.join(repr(m) for m in missing[:3])}: they failed or were not extracted "
            "(each shard's .parts/failed.json says which failed); run their shards again")
    unknown = [name for name in records if name not in set(expected)]
    if unknown:
        raise AnnotationError(f"{source[unknown[0]]}: holds '{unknown[0]}', which the input "
                              'does not list: shards of another input?')
    merged = [records[name] for name in expected]
    dump_annotations(out, merged, {name: list(members) for name, members in splits.items()},
                     classes=classes)
    return len(merged)
