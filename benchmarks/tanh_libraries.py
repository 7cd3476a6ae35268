"""float32 tanh over one large training step's gates, one thread: numpy against numba and numexpr.

Why the fast pass keeps numpy's ufuncs for its element-wise work (issue 18): the
gate nonlinearities are most of that work, and numpy computes float32 tanh with
SIMD instructions, which a fused loop compiled by numba or evaluated by numexpr
(without MKL's VML) does not. Neither library is a dependency of lstmdoc; run in
an environment that has them:

    python -m venv /tmp/nb && /tmp/nb/bin/pip install numpy numba numexpr
    OPENBLAS_NUM_THREADS=1 /tmp/nb/bin/python benchmarks/tanh_libraries.py

Measured 2026-12-03 (numpy 2.4.6, numba 0.68.1, numexpr 2.14.2, 2-core x86_64 VM with
a test run on the other core, best of 5 × 50 calls): numpy 0.423 ms, numba 20.0 ms
(fastmath 21.1 ms), numexpr 20.2 ms: about 47 times numpy's time.
"""

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import time  # noqa: E402

import numba  # noqa: E402
import numexpr  # noqa: E402
import numpy as np  # noqa: E402

T, B, H = 35, 32, 256  # the benchmark's large size


@numba.njit
def numba_tanh(x, out):
    for i in range(x.size):
        out[i] = np.tanh(x[i])


@numba.njit(fastmath=True)
def numba_tanh_fastmath(x, out):
    for i in range(x.size):
        out[i] = np.tanh(x[i])


def best_ms(f, calls=50, rounds=5):
    """The fastest of ``rounds`` rounds, in ms per call."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            f()
        best = min(best, (time.perf_counter() - start) / calls)
    return 1e3 * best


def main():
    numexpr.set_num_threads(1)
    x = np.random.default_rng(0).standard_normal(T * B * 4 * H).astype(np.float32)
    out = np.empty_like(x)
    numba_tanh(x, out)  # compile first
    numba_tanh_fastmath(x, out)
    assert np.allclose(out, np.tanh(x), atol=1e-6)
    print(f"tanh of {x.size} float32 values, one thread, "
          f"numpy {np.__version__}, numba {numba.__version__}, numexpr {numexpr.__version__}:")
    for name, f in [("numpy", lambda: np.tanh(x, out=out)),
                    ("numba", lambda: numba_tanh(x, out)),
                    ("numba fastmath", lambda: numba_tanh_fastmath(x, out)),
                    ("numexpr", lambda: numexpr.evaluate("tanh(x)", local_dict={"x": x}, out=out))]:
        print(f"  {name:15} {best_ms(f):8.3f} ms")


if __name__ == "__main__":
    main()
