"""The measuring process: every case with one thread count, each result as it finishes."""

import importlib.metadata
import os
import platform
import sys

import numpy as np

from .cases import cache_bytes, lstmdoc_step, model_example, shape
from .details import block_sizes, layouts, page_faults, where_run_spends
from .products import gate_variants, matmul_libraries, products_step, recurrent_products
from .reference import reference_step, torch_kernels, without_onednn
from .timing import interleaved, peak_bytes, quartiles

DETAILS = ("plain", "large", "float32")
"""The case whose block sizes, page faults and ``run`` profile are measured (one thread)."""


def import_torch(threads):
    """torch with ``threads`` threads, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    return torch


def measure_case(case, threads, repeat, torch):
    """One row: the lstmdoc step, its reference and its floor, taking turns; with one thread, more.

    With one thread the floor is also timed in every other matmul library
    installed, in the same turns, and the row records what torch ran.
    """
    steps = {"lstmdoc": lstmdoc_step(model_example(case)), "products": products_step(case)}
    reference = reference_step(case, torch)
    if reference is not None:
        steps["reference"] = reference
        if case.reference == "torch" and case.dtype == "float32":
            steps["torch, no oneDNN"] = without_onednn(reference, torch)
    libraries = matmul_libraries(torch) if threads == 1 else {}
    steps.update({f"products, {name}": products_step(case, matmul)
                  for name, matmul in libraries.items() if name != "numpy"})
    row = dict(case=case._asdict(), shape=shape(case), threads=threads, repeats=repeat,
               times=interleaved(steps, repeat), peak=peak_bytes(steps["lstmdoc"]),
               cache=cache_bytes(case))
    if threads == 1 and reference is not None and case.reference == "torch":
        row["torch_ops"] = torch_kernels(reference, torch)
    if threads == 1 and case.model == "plain":
        with np.errstate(over="ignore"):  # exp(-x) of the sigmoid variants
            row["gates"] = interleaved(gate_variants(case), repeat)
        row["recurrent"] = interleaved(recurrent_products(case, libraries), repeat)
    return row


def details(case, repeat):
    """Block sizes, page faults and ``run``'s profile, measured first in a fresh process.

    First, because the memory allocator's state depends on what the process
    allocated before (glibc raises its threshold for mapping fresh memory
    after freeing large blocks).
    """
    return dict(page_faults=page_faults(case, repeat), blocks=block_sizes(case, repeat),
                run=where_run_spends(case), layouts=layouts(case, repeat))


def progress(row):
    """One line for stderr as a case finishes: its medians and ratio."""
    c = row["case"]
    med = {name: quartiles(t)[1] * 1e3 for name, t in row["times"].items()}
    text = f"  {c['model']}, {c['size']}, {c['dtype']}, {row['threads']} thread(s): lstmdoc {med['lstmdoc']:.3f} ms"
    if "reference" in med:
        text += (f", {c['reference']} {med['reference']:.3f} ms "
                 f"({med['lstmdoc'] / med['reference']:.3g}×, target ≤ {c['target']}×)")
    return text


def measure(threads, repeat, cases):
    """All cases with ``threads`` threads; prints each to stderr as it finishes."""
    torch = import_torch(threads)
    first = [c for c in cases if (c.model, c.size, c.dtype) == DETAILS and threads == 1]
    extra = details(first[0], repeat) if first else {}
    rows = []
    for case in cases:
        rows.append(measure_case(case, threads, repeat, torch))
        if case in first:
            rows[-1].update(extra)
        print(progress(rows[-1]), file=sys.stderr, flush=True)
    return rows


def describe():
    """numpy, its BLAS and torch versions, the BLAS kernel, and the machine."""
    parts = [f"numpy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info
        parts += [f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})"
                  for i in threadpool_info() if i["user_api"] == "blas"]
    except ImportError:
        parts.append("(threadpoolctl not installed: BLAS kernel unknown)")
    torch = import_torch(1)
    parts.append(f"torch {torch.__version__}" if torch is not None else "torch not installed")
    try:
        parts.append(f"blis {importlib.metadata.version('blis')}")
    except importlib.metadata.PackageNotFoundError:
        pass
    parts.append(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    parts.append(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                 f"Python {platform.python_version()}")
    return ", ".join(parts)
