"""Timing shared by the benchmark scripts."""
import statistics
import time


def median_ms(fn, runs, warmup=10):
    """Median wall time of ``fn()`` in milliseconds over ``runs`` calls, after a warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)
