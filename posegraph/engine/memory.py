"""Keeping the memory a training step frees, so the next step does not fault it in anew."""
import ctypes
import sys

# mallopt's parameter numbers (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc refuses an mmap threshold above this on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX).
MAX_MMAP_THRESHOLD = 32 * 2**20


def keep_freed_memory(mmap_threshold: int = MAX_MMAP_THRESHOLD,
                      trim_threshold: int = 2**30) -> bool:
    """Make glibc's malloc keep freed blocks for reuse instead of returning them to the
    system.

    PyTorch's CPU tensors come from ``malloc``. glibc serves blocks above its mmap
    threshold (128 KiB to start with) by mapping fresh pages and unmaps them when they are
    freed, and gives the top of its heap back beyond the trim threshold; so every training
    step, which frees its activations at the end, touches the same tens of megabytes as
    new pages again (``configs/pan_jhmdb.py``: thousands of page faults a step, 17 million
    in a run). Serving blocks up to ``mmap_threshold`` from the heap and trimming only
    beyond ``trim_threshold`` keeps them: the process holds on to its peak memory, as
    PyTorch's CUDA caching allocator does. The numbers a model computes do not change.

    Args:
        mmap_threshold: blocks up to this many bytes come from the heap. (default: 32 MiB,
            glibc's largest)
        trim_threshold: free memory kept at the top of the heap. (default: 1 GiB)

    Returns:
        ``True`` where the C library took both settings; ``False`` elsewhere (not Linux, a
        C library without glibc's ``mallopt``), where nothing changes.
    """
    if not sys.platform.startswith('linux'):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold)
                and mallopt(M_TRIM_THRESHOLD, trim_threshold))
