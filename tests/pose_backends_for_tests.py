"""A pose back-end for testing the extraction tools' orchestration without weights.

'brightest' puts one person's 17 joints around the centroid of each frame's bright pixels,
so its output follows the video's content. It can log its calls (BRIGHTEST_LOG), pause per
video (BRIGHTEST_SLEEP seconds) so that tests can stop a run part-way, fail at its
call number BRIGHTEST_FAIL_AT (counted from 1), and crash its process as a native library
would (SIGSEGV) on frames BRIGHTEST_CRASH_HEIGHT pixels high.
"""
import os
import signal
import time

import numpy as np

from posegraph.pose.backends import register_backend

OFFSETS = np.linspace(-8, 8, 34, dtype=np.float32).reshape(17, 2)


@register_backend('brightest')
class BrightestBackend:
    def __init__(self, **_):
        self.calls = 0

    def __call__(self, frames):
        self.calls += 1
        if frames[0].shape[0] == int(os.environ.get('BRIGHTEST_CRASH_HEIGHT', 0)):
            os.kill(os.getpid(), signal.SIGSEGV)
        if self.calls == int(os.environ.get('BRIGHTEST_FAIL_AT', 0)):
            raise RuntimeError(f'brightest: failing at call {self.calls}, as asked')
        if os.environ.get('BRIGHTEST_LOG'):
            with open(os.environ['BRIGHTEST_LOG'], 'a') as f:
                f.write(f'{frames[0].sum()}\n')
        time.sleep(float(os.environ.get('BRIGHTEST_SLEEP', 0)))
        results = []
        for frame in frames:
            ys, xs = np.nonzero(frame.max(axis=2) > 128)
            if len(xs) == 0:
                results.append((np.zeros((0, 17, 2), np.float32), np.zeros((0, 17), np.float32)))
                continue
            centre = np.array([xs.mean(), ys.mean()], np.float32)
            results.append(((centre + OFFSETS)[None], np.ones((1, 17), np.float32)))
        return results
