"""Timing: steps taking turns, medians and quartiles, peak memory."""

import statistics
import time
import tracemalloc

from ..fast import release


def interleaved(steps, repeat, block=0.02):
    """Seconds per call of each step, the steps taking turns in every repeat.

    A busy machine then slows every step alike. A step faster than ``block``
    seconds is called several times in a row per turn (as a training loop
    calls it), and the time divided by the count.

    Parameters
    ----------
    steps : dict of str to callable
    repeat : int

    Returns
    -------
    dict of str to list of float
    """
    counts = {}
    for name, step in steps.items():
        step()  # warm up: first-call allocations, imports, thread start
        start = time.perf_counter()
        step()
        counts[name] = max(1, min(1000, round(block / (time.perf_counter() - start))))
    times = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            n = counts[name]
            start = time.perf_counter()
            for _ in range(n):
                step()
            times[name].append((time.perf_counter() - start) / n)
    return times


def quartiles(times):
    """``(q1, median, q3)`` of a list of times."""
    if len(times) == 1:
        return times[0], times[0], times[0]
    q1, _, q3 = statistics.quantiles(times, n=4)
    return q1, statistics.median(times), q3


def peak_bytes(step):
    """Peak memory that numpy allocates during one call of ``step`` (tracemalloc).

    The buffers :mod:`lstmdoc.fast` keeps between calls are released first,
    so that the peak includes them.
    """
    release()
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
