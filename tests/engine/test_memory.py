"""keep_freed_memory: a process that frees and allocates the same memory again does not
fault it in anew."""
import subprocess
import sys

import pytest

# Each round allocates and frees 40 blocks of 1 MiB, as a training step does its
# activations; the page faults of five rounds after a first one are counted.
ROUNDS = """
import resource, sys
import numpy as np
from posegraph.engine.memory import keep_freed_memory
if sys.argv[1] == 'keep':
    assert keep_freed_memory()
def one_round():
    blocks = [np.ones(2**18, np.float32) for _ in range(40)]
    del blocks
one_round()
start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    one_round()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start)
"""


def page_faults(mode: str) -> int:
    return int(subprocess.run([sys.executable, '-c', ROUNDS, mode], check=True,
                              capture_output=True, text=True).stdout)


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason="glibc's mallopt")
def test_freed_memory_is_reused_without_page_faults():
    default, kept = page_faults('default'), page_faults('keep')
    # 200 MiB touched afresh is ~50 000 faults of 4 KiB pages; kept, next to none.
    assert default > 10_000 and kept < 500, (default, kept)


def test_other_platforms_are_left_alone(monkeypatch):
    from posegraph.engine import keep_freed_memory
    monkeypatch.setattr(sys, 'platform', 'darwin')
    assert keep_freed_memory() is False
