"""Time one training step: forward, loss and the full backward pass.

Run with ``python -m lstmdoc.bench`` (or ``make bench``). Sizes: the article's
example, and B=32, T=35, D=128, H=256, V=1000. Prints the median and the
spread (interquartile range, min, max) over repeats; the same step in PyTorch
(``torch.nn.LSTM`` + autograd) when torch is installed. Threads: whatever the
environment gives numpy (the Makefile sets ``OPENBLAS_NUM_THREADS=1``); torch
is set to the same count so the comparison is fair.
"""

import argparse
import os
import statistics
import timeit

import numpy as np

from . import example
from .model import loss_and_grads

SIZES = {"article": None, "large": dict(T=35, D=128, H=256, V=1000, B=32)}


def summary(times):
    """Median, interquartile range, min and max of ``times`` in milliseconds."""
    q = statistics.quantiles(times, n=4)
    ms = [1e3 * x for x in (statistics.median(times), q[2] - q[0], min(times), max(times))]
    return "median {:9.3f} ms   IQR {:8.3f}   min {:9.3f}   max {:9.3f}".format(*ms)


def measure(step, repeat):
    step()  # warm up: first-call allocations and imports
    return timeit.repeat(step, number=1, repeat=repeat)


def numpy_step(ex):
    return lambda: loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)


def torch_step(ex, torch):
    """The same model in torch: nn.LSTM, a linear output layer, mean cross-entropy."""
    T, D, B = ex.X.shape
    dtype = {np.float32: torch.float32, np.float64: torch.float64}[ex.X.dtype.type]
    lstm = torch.nn.LSTM(D, ex.params.H, dtype=dtype)
    out_layer = torch.nn.Linear(ex.params.H, ex.params.V, dtype=dtype)
    X = torch.tensor(ex.X.transpose(0, 2, 1), requires_grad=True)
    h0, c0 = torch.tensor(ex.h0.T[None]), torch.tensor(ex.c0.T[None])
    target = torch.from_numpy(ex.target)

    def step():
        lstm.zero_grad()
        out_layer.zero_grad()
        out, _ = lstm(X, (h0, c0))
        torch.nn.functional.cross_entropy(out_layer(out[-1]), target).backward()
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed repeats per case")
    args = parser.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", torch.get_num_threads())))
    except ImportError:
        torch = None
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
          + (f"torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else "torch: not installed"))
    for size, kwargs in SIZES.items():
        for dtype in (np.float64, np.float32):
            if kwargs is None:
                ex = example.article()
                if dtype is np.float32:
                    ex = example.Example(ex.name, ex.params.astype(dtype), ex.X.astype(dtype), ex.target,
                                         ex.h0.astype(dtype), ex.c0.astype(dtype))
            else:
                ex = example.random(dtype=dtype, **kwargs)
            T, D, H, V, B = ex.shape
            label = f"{size} (T={T} D={D} H={H} V={V} B={B}) {np.dtype(dtype).name}"
            print(f"{label:48s} lstmdoc  {summary(measure(numpy_step(ex), args.repeat))}")
            if torch:
                print(f"{label:48s} torch    {summary(measure(torch_step(ex, torch), args.repeat))}")


if __name__ == "__main__":
    main()
