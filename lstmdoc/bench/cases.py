"""The benchmark's rows: each model, the lstmdoc step timed, and what it is compared with.

A row's *target* is the largest ratio ``lstmdoc / reference`` (of the median
times) that meets the goal set for it: ``≤ 1.1×`` means at most 10 % slower
than the reference, ``≤ 0.3×`` at least 3.3 times faster.
"""

import dataclasses
from typing import NamedTuple

import numpy as np

from .. import deep, example
from ..model import loss_and_grads

SIZES = {"article": None, "large": dict(T=35, D=128, H=256, V=1000, B=32),
         "bigger": dict(T=100, D=256, H=512, V=1000, B=64)}
"""The sizes (T, D, H, V, B) by name; ``article`` is the article's example (3, 10, 5, 10, 1)."""


class Case(NamedTuple):
    """One row of the benchmark (for each thread count)."""

    model: str        # "plain", "stacked", "bidirectional", "layer norm", "dropout", "every step"
    size: str         # a key of SIZES
    dtype: str        # "float32" or "float64"
    target: float     # the largest ratio lstmdoc / reference that meets the goal
    reference: str    # "torch" or "lstmdoc plain": lstmdoc's plain cell at the same size


CASES = (
    Case("plain", "article", "float64", 0.3, "torch"),
    Case("plain", "article", "float32", 0.3, "torch"),
    Case("plain", "large", "float32", 1.1, "torch"),
    Case("plain", "large", "float64", 1.0, "torch"),
    Case("plain", "bigger", "float32", 1.1, "torch"),
    Case("stacked", "large", "float32", 1.1, "torch"),
    Case("bidirectional", "large", "float32", 1.1, "torch"),
    Case("layer norm", "large", "float32", 1.5, "lstmdoc plain"),
    Case("dropout", "large", "float32", 1.2, "lstmdoc plain"),
    Case("every step", "large", "float32", 1.1, "torch"),
)


def single(size, dtype, **variant):
    """The single-cell example at ``size``: the article's, or a seeded random one."""
    if size == "article":
        ex = example.article()
        return ex if dtype == "float64" else example.Example(
            ex.name, ex.params.astype(dtype), ex.X.astype(dtype), ex.target,
            ex.h0.astype(dtype), ex.c0.astype(dtype))
    return example.random(dtype=np.dtype(dtype).type, **SIZES[size], **variant)


def model_example(case):
    """The example a case's lstmdoc step runs on (an Example, or a DeepExample)."""
    if case.model in ("stacked", "bidirectional"):
        s = SIZES[case.size]
        H = (s["H"], s["H"]) if case.model == "stacked" else (s["H"],)
        H_bw = (s["H"],) if case.model == "bidirectional" else None
        return deep.example.random(case.model, 0, s["T"], s["D"], H, H_bw, s["V"], s["B"],
                                   np.dtype(case.dtype).type)
    variant = {"layer norm": dict(layer_norm=True), "dropout": dict(keep_prob=0.9)}
    ex = single(case.size, case.dtype, **variant.get(case.model, {}))
    if case.model == "every step":  # a target at every step: (T, B)
        T, _, B = ex.X.shape
        target = np.random.default_rng(1).integers(0, ex.params.V, size=(T, B))
        ex = dataclasses.replace(ex, target=target)
    return ex


def lstmdoc_step(ex):
    """One call of the public ``loss_and_grads`` that users call on ``ex``."""
    if isinstance(ex, deep.example.DeepExample):
        return lambda: deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    mask = ex.dropout_mask
    return lambda: loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=mask)


def output_rows(case):
    """How many rows the output layer reads: B, or T·B when every step predicts."""
    T, _, _, _, B = shape(case)
    return T * B if case.model == "every step" else B


def layers(case):
    """The layers of the case's model as ``(D_l, H_l)``, and the output layer's input width."""
    T, D, H, V, B = shape(case)
    if case.model == "stacked":
        return [(D, H), (H, H)], H
    if case.model == "bidirectional":
        return [(D, H), (D, H)], 2 * H
    return [(D, H)], H


def shape(case):
    """``(T, D, H, V, B)`` of a case."""
    s = SIZES[case.size]
    return (3, 10, 5, 10, 1) if s is None else (s["T"], s["D"], s["H"], s["V"], s["B"])


def cache_bytes(case):
    """Bytes of the caches that BPTT keeps in :func:`lstmdoc.run`: ``D+7H`` numbers per example, step and layer."""
    T, _, _, _, B = shape(case)
    per_step = sum(D + 7 * H for D, H in layers(case)[0])
    return T * B * per_step * np.dtype(case.dtype).itemsize
