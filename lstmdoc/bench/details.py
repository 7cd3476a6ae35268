"""Measurements behind the page's explanations, taken on the plain cell with one thread.

- :func:`block_sizes`: the fast backward pass with other block sizes for its
  local derivatives (``BLOCK_BYTES``);
- :func:`page_faults`: the fast pass with its buffers kept between calls, and
  with fresh ones at every call, and the page faults of each;
- :func:`where_run_spends`: where :func:`lstmdoc.run`'s time goes (a profile),
  and how long the same steps take at sizes where they are nothing but calls;
- :func:`layouts`: the input projection as one product or T, and the recurrent
  product with a contiguous ``W_hᵀ`` or a transposed view of ``W``.
"""

import cProfile
import pstats
import resource
import statistics

import numpy as np

from .. import example, model
from ..fast import bptt, release
from .cases import lstmdoc_step, shape, single
from .timing import interleaved

BLOCKS = (2**14, 2**16, 2**18, 2**20, 2**40)
"""Block sizes tried, in bytes of ``DA`` (2**40: every step in one block)."""


def block_sizes(case, repeat):
    """Seconds per fast step with each block size of :data:`BLOCKS`, interleaved."""
    step = lstmdoc_step(single(case.size, case.dtype))

    def with_block(n):
        def run():
            saved, bptt.BLOCK_BYTES = bptt.BLOCK_BYTES, n
            try:
                step()
            finally:
                bptt.BLOCK_BYTES = saved
        return run
    return interleaved({str(n): with_block(n) for n in BLOCKS}, repeat)


def page_faults(case, repeat):
    """Seconds per step and minor page faults per step, buffers kept (the default) or fresh at every call."""
    step = lstmdoc_step(single(case.size, case.dtype))

    def fresh():
        release()
        step()
    steps = {"kept": step, "fresh": fresh}
    faults = {}
    for name, f in steps.items():
        f()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(5):
            f()
        faults[name] = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5
    return {"times": interleaved(steps, repeat), "faults": faults}


def where_run_spends(case, repeat=5, top=6):
    """:func:`lstmdoc.run` at the case's size: its time, a profile, and the same steps as pure calls.

    Returns
    -------
    dict
        ``seconds``: median time of ``run``; ``profile``: ``[function, share of
        run's time]`` for the ``top`` functions by own time (cProfile);
        ``calls_only``: median time of ``run`` with the same T at D = H = V = B = 1,
        where every step is nothing but Python calling numpy.
    """
    T = shape(case)[0]
    ex = single(case.size, case.dtype)
    tiny = example.random(T=T, D=1, H=1, V=2, B=1, dtype=ex.X.dtype.type)

    def run(e):
        return lambda: model.run(e.params, e.X, e.target, e.h0, e.c0)
    times = interleaved({"run": run(ex), "calls only": run(tiny)}, repeat)
    profiler = cProfile.Profile()
    profiler.runcall(run(ex))
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    total = sum(s[2] for s in stats.values())
    own = sorted(((f"{key[0].rsplit('/', 1)[-1]}:{key[2]}", s[2] / total)
                  for key, s in stats.items()), key=lambda e: -e[1])
    return {"seconds": statistics.median(times["run"]), "profile": [list(e) for e in own[:top]],
            "calls_only": statistics.median(times["calls only"])}


def layouts(case, repeat):
    """Seconds of the fast pass's products laid out two ways each, interleaved.

    ``one product`` / ``T products``: every step's input projection as one
    (T·B, D) × (D, 4H) product, or one (B, D) × (D, 4H) per step.
    ``contiguous`` / ``view``: one step's (B, H) × (H, 4H) recurrent product
    with ``W_hᵀ`` copied contiguous, or as the transposed view ``W[:, D:].T``.
    """
    T, D, H, V, B = shape(case)
    rng = np.random.default_rng(0)
    X, W, h = (rng.standard_normal(s).astype(case.dtype) for s in ((T, B, D), (4 * H, D + H), (B, H)))
    WxT, WhT = np.ascontiguousarray(W[:, :D].T), np.ascontiguousarray(W[:, D:].T)
    G, g = np.empty((T, B, 4 * H), dtype=X.dtype), np.empty((B, 4 * H), dtype=X.dtype)

    def per_step():
        for t in range(T):
            np.matmul(X[t], WxT, out=G[t])
    return interleaved({"one product": lambda: np.matmul(X.reshape(T * B, D), WxT,
                                                         out=G.reshape(T * B, 4 * H)),
                        "T products": per_step,
                        "contiguous": lambda: np.matmul(h, WhT, out=g),
                        "view": lambda: np.matmul(h, W[:, D:].T, out=g)}, repeat)
