"""Time one training step (forward, loss, full backward): lstmdoc against PyTorch, side by side.

Run with ``python -m lstmdoc.bench`` (or ``make bench``). For each size and
dtype it times, in one process and with the repeats interleaved (lstmdoc,
torch, lstmdoc, torch, ...) so that a busy machine slows both alike:

- ``lstmdoc``: :func:`lstmdoc.loss_and_grads`;
- ``torch``: ``torch.nn.LSTM`` + a linear layer + cross-entropy, ``backward()``;
- ``matmul``: only the matrix products of lstmdoc's step, with the same shapes
  (the floor no numpy code can go below); its share is ``matmul / lstmdoc``.

A step that takes less than 20 ms is called several times in a row per turn,
as a training loop calls it (the article's step takes microseconds).

It reports the median and the interquartile range, the ratio of the medians
(lstmdoc / torch), the peak memory of one lstmdoc step (``tracemalloc``) and
the size of the caches that BPTT must keep (what :func:`lstmdoc.run` keeps:
one ``CellCache`` per step).

Threads: each thread count runs in its own subprocess, with
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``OMP_NUM_THREADS`` set before
numpy and torch load (OpenBLAS sizes its thread pool when it loads), and
``torch.set_num_threads`` set to the same count. ``OPENBLAS_CORETYPE``, when the
environment sets it, pins OpenBLAS to an older kernel; to measure numpy at its
best, unset it (and ``OPENBLAS_L2_SIZE``) in the benchmark's command alone:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m lstmdoc.bench``.
The kernel OpenBLAS runs is printed when ``threadpoolctl`` is installed.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

from . import example, fast
from .model import loss_and_grads

# name, sizes (None: the article's example), dtype, target (largest lstmdoc/torch ratio)
CASES = [
    ("article", None, "float64", 0.3),
    ("article", None, "float32", 0.3),
    ("large", dict(T=35, D=128, H=256, V=1000, B=32), "float32", 1.2),
    ("large", dict(T=35, D=128, H=256, V=1000, B=32), "float64", 1.0),
    ("bigger", dict(T=100, D=256, H=512, V=1000, B=64), "float32", 1.1),
]
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def make_example(sizes, dtype):
    if sizes is not None:
        return example.random(dtype=np.dtype(dtype).type, **sizes)
    ex = example.article()
    if dtype == "float64":
        return ex
    return example.Example(ex.name, ex.params.astype(dtype), ex.X.astype(dtype), ex.target,
                           ex.h0.astype(dtype), ex.c0.astype(dtype))


def lstmdoc_step(ex):
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


def matmul_step(ex):
    """Only the matrix products of :mod:`lstmdoc.fast`, same shapes, into preallocated outputs."""
    T, D, H, V, B = ex.shape
    rng = np.random.default_rng(0)

    def new(*shape):
        return rng.standard_normal(shape).astype(ex.X.dtype)

    W, Wy = ex.params.W, ex.params.Wy
    WxT, WhT, Wh = W[:, :D].T, np.ascontiguousarray(W[:, D:].T), W[:, D:]
    Z, G, h = new(T, B, D + H), new(T, B, 4 * H), new(V, B)
    a, dh = np.empty((B, 4 * H), dtype=W.dtype), np.empty((B, H), dtype=W.dtype)

    def step():
        np.matmul(Z[:, :, :D].reshape(T * B, D), WxT, out=G.reshape(T * B, 4 * H))
        for t in range(T):
            np.matmul(Z[t, :, D:], WhT, out=a)
        Wy @ Z[-1, :, D:].T  # logits
        h @ Z[-1, :, D:]  # dWy
        h.T @ Wy  # dh_T
        for t in range(T):
            np.matmul(G[t], Wh, out=dh)
        G.reshape(T * B, 4 * H).T @ Z.reshape(T * B, D + H)  # dW
        G.reshape(T * B, 4 * H) @ WxT.T  # dX
    return step


def gate_variants(ex):
    """The forward loop's gate nonlinearities alone, three ways, on a (T, B, 4H) buffer.

    - ``two slices``: σ on f, i and on o (W's order f, i, cproj, o), tanh on cproj;
    - ``permuted``: σ on one slice f, i, o (rows permuted to f, i, o, cproj), tanh on cproj;
    - ``one tanh`` (lstmdoc.fast): tanh on all four, then ``× scale + shift``.
    """
    T, D, H, V, B = ex.shape
    G = np.random.default_rng(0).standard_normal((T, B, 4 * H)).astype(ex.X.dtype)
    scale = np.full(4 * H, 0.5, dtype=G.dtype)
    scale[2 * H:3 * H] = 1
    shift = 1 - scale

    def sigmoid_(x):
        np.negative(x, out=x)
        np.exp(x, out=x)
        x += 1
        np.reciprocal(x, out=x)

    def two_slices():
        for g in G:
            sigmoid_(g[:, :2 * H])
            sigmoid_(g[:, 3 * H:])
            np.tanh(g[:, 2 * H:3 * H], out=g[:, 2 * H:3 * H])

    def permuted():
        for g in G:
            sigmoid_(g[:, :3 * H])
            np.tanh(g[:, 3 * H:], out=g[:, 3 * H:])

    def one_tanh():
        for g in G:
            np.tanh(g, out=g)
            g *= scale
            g += shift
    return {"two slices": two_slices, "permuted": permuted, "one tanh": one_tanh}


def recurrent_products(ex, torch):
    """One step's recurrent products alone, as lstmdoc.fast computes them and in torch.

    Forward ``(B, H) × (H, 4H)``, backward ``(B, 4H) × (4H, H)``, same operands
    and layouts (``torch.from_numpy`` shares numpy's memory).
    """
    T, D, H, V, B = ex.shape
    rng = np.random.default_rng(0)
    h, da = (rng.standard_normal(s).astype(ex.X.dtype) for s in ((B, H), (B, 4 * H)))
    WhT, Wh = np.ascontiguousarray(ex.params.W[:, D:].T), ex.params.W[:, D:]
    a, dh = np.empty((B, 4 * H), dtype=h.dtype), np.empty((B, H), dtype=h.dtype)
    steps = {"numpy forward": lambda: np.matmul(h, WhT, out=a),
             "numpy backward": lambda: np.matmul(da, Wh, out=dh)}
    if torch is not None:
        th, tda, tWhT, tWh = (torch.from_numpy(x) for x in (h, da, WhT, np.ascontiguousarray(Wh)))
        ta, tdh = torch.from_numpy(a), torch.from_numpy(dh)
        steps["torch forward"] = lambda: torch.matmul(th, tWhT, out=ta)
        steps["torch backward"] = lambda: torch.matmul(tda, tWh, out=tdh)
    return steps


def cache_bytes(ex):
    """Bytes of the T CellCaches: z (D+H), c_prev, f, i, cproj, o, tanh_c (H each), per example."""
    T, D, H, V, B = ex.shape
    return T * B * (D + 7 * H) * ex.X.dtype.itemsize


def peak_bytes(step):
    """Peak memory that numpy allocates during one call of ``step`` (tracemalloc).

    The buffers :mod:`lstmdoc.fast` keeps between calls are released first, so
    that the peak includes them.
    """
    fast.release()
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def interleaved(steps, repeat, block=0.02):
    """Seconds per call of each step, the steps taking turns in every repeat.

    A step faster than ``block`` seconds is called several times in a row per
    turn (as a training loop calls it), and the time divided by the count.
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


def measure(threads, repeat, cases):
    """Child process: time every case with ``threads`` threads; returns a list of result dicts."""
    try:
        import torch
        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    results = []
    for name, sizes, dtype, target in cases:
        ex = make_example(sizes, dtype)
        steps = {"lstmdoc": lstmdoc_step(ex), "matmul": matmul_step(ex)}
        if torch is not None:
            steps["torch"] = torch_step(ex, torch)
        times = interleaved(steps, repeat)
        with np.errstate(over="ignore"):  # exp(-x) of the sigmoid variants
            gates = interleaved(gate_variants(ex), repeat)
        products = interleaved(recurrent_products(ex, torch), repeat)
        results.append(dict(name=name, shape=ex.shape, dtype=dtype, target=target, threads=threads,
                            repeats=repeat, times=times, peak=peak_bytes(steps["lstmdoc"]),
                            cache=cache_bytes(ex), gates=gates, products=products))
    return results


def describe():
    """numpy, OpenBLAS and torch versions, the BLAS kernel, and the machine."""
    parts = [f"numpy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info
        parts += [f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})"
                  for i in threadpool_info() if i["user_api"] == "blas"]
    except ImportError:
        parts.append("(threadpoolctl not installed: BLAS kernel unknown)")
    try:
        import torch
        parts.append(f"torch {torch.__version__}")
    except ImportError:
        parts.append("torch not installed")
    parts.append(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    parts.append(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                 f"Python {platform.python_version()}")
    return ", ".join(parts)


def quartiles_ms(times):
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return 1e3 * statistics.median(times), 1e3 * (q[2] - q[0])


def size(n):
    """Bytes, in KiB below one MiB."""
    return f"{n / 2**10:.1f} KiB" if n < 2**20 else f"{n / 2**20:.1f} MiB"


def order(r):
    return [c[0] for c in CASES].index(r["name"]), r["dtype"], r["threads"]


def ms(x):
    """Milliseconds with three significant digits or more."""
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def sizes_line(results):
    """The sizes of the cases, once, so the tables can name them by their name alone."""
    shapes = {r["name"]: ", ".join(str(n) for n in r["shape"]) for r in sorted(results, key=order)}
    return "Sizes (T, D, H, V, B): " + "; ".join(f"{name} ({s})" for name, s in shapes.items()) + "."


def table(results):
    """The results as a Markdown table, one row per case and thread count."""
    has_torch = "torch" in results[0]["times"]
    lines = ["| size | dtype | threads | lstmdoc ms (IQR) | torch ms (IQR) | lstmdoc / torch | "
             "target | matmul share | peak memory | BPTT caches |",
             "|" + " --- |" * 10]
    for r in sorted(results, key=order):
        ours, ours_iqr = quartiles_ms(r["times"]["lstmdoc"])
        mm, _ = quartiles_ms(r["times"]["matmul"])
        target = f"≤ {r['target']}×"
        if has_torch:
            theirs, theirs_iqr = quartiles_ms(r["times"]["torch"])
            ratio = ours / theirs
            torch_cell, ratio_cell = f"{ms(theirs)} ({ms(theirs_iqr)})", f"{ratio:.2f}×"
            target += ": met" if ratio <= r["target"] else ": **not met**"
        else:
            torch_cell = ratio_cell = "–"
        lines.append(f"| {r['name']} | {r['dtype']} | {r['threads']} | {ms(ours)} ({ms(ours_iqr)}) | "
                     f"{torch_cell} | {ratio_cell} | {target} | {100 * mm / ours:.0f} % | "
                     f"{size(r['peak'])} | {size(r['cache'])} |")
    return "\n".join(lines)


def micro_table(results, key):
    """Medians in microseconds of the timings under ``key`` (gate variants, products), one thread."""
    names = list(results[0][key])
    lines = ["| size | dtype | " + " | ".join(f"{n} µs" for n in names) + " |",
             "|" + " --- |" * (2 + len(names))]
    for r in sorted(results, key=order):
        if r["threads"] == 1:
            cells = " | ".join(f"{1e6 * statistics.median(r[key][n]):.1f}" for n in names)
            lines.append(f"| {r['name']} | {r['dtype']} | {cells} |")
    return "\n".join(lines)


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file, so no half-written file is ever left."""
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False) as f:
        f.write(text)
    os.replace(f.name, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30,
                        help="timed repeats per case")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts, each measured in its own subprocess")
    parser.add_argument("--cases", nargs="+", choices=sorted({c[0] for c in CASES}),
                        help="only these sizes (default: all)")
    parser.add_argument("--markdown", metavar="PATH",
                        help="also write the table, with the machine and date, to PATH")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.threads):
        parser.error("--repeat and --threads must be at least 1")
    cases = [c for c in CASES if not args.cases or c[0] in args.cases]
    if args.child is not None:
        json.dump({"describe": describe(), "results": measure(args.child, args.repeat, cases)},
                  sys.stdout)
        return
    results, about = [], ""
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()[1]  # the machine's other work: 5-minute load average
    for n in args.threads:
        env = {**os.environ, **{var: str(n) for var in THREAD_VARS}}
        cmd = [sys.executable, "-m", "lstmdoc.bench", "--child", str(n), "--repeat", str(args.repeat)]
        if args.cases:
            cmd += ["--cases", *args.cases]
        print(f"measuring with {n} thread(s) ...", file=sys.stderr, flush=True)
        out = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True,
                                        text=True).stdout)
        results += out["results"]
        about = out["describe"]
    text = sizes_line(results) + "\n\n" + table(results)
    if any(r["threads"] == 1 for r in results):
        text += ("\n\nThe forward pass's gate nonlinearities alone (all T steps, one thread), "
                 "three ways (see `gate_variants`):\n\n" + micro_table(results, "gates"))
        text += ("\n\nOne recurrent product alone, numpy (OpenBLAS) and torch, same operands "
                 "(one thread; see `recurrent_products`):\n\n" + micro_table(results, "products"))
    header = (f"Measured {started:%Y-%m-%d %H:%M} UTC, `python -m lstmdoc.bench --repeat {args.repeat}`; "
              f"{about}; load average {load:.1f} before, {os.getloadavg()[1]:.1f} after. "
              "Median and interquartile range over interleaved repeats.")
    print(header + "\n\n" + text)
    if args.markdown:
        write_atomic(args.markdown, header + "\n\n" + text + "\n")


if __name__ == "__main__":
    main()
