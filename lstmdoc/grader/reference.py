"""lstmdoc's own step functions: where its pass calls each one, with what, and what it answers."""

import inspect
from functools import partial
from typing import Callable, NamedTuple

import numpy as np

from .. import model
from ..cell_backward import (CellGrads, cell_backward, dC_next, dCprojt, dCt, dFt, dHt, dHX,
                             dIt, dOt, db, dW)
from ..output import dBy, dh_output, dlogits, dWy

REFERENCE = {f.__name__: f for f in (dlogits, dWy, dBy, dh_output, dHt, dOt, dCt, dCprojt, dFt,
                                     dIt, dW, db, dHX, dC_next, cell_backward)}
"""lstmdoc's own functions, by name, in the order of the backward pass."""

STEP1 = ("dlogits", "dWy", "dBy", "dh_output")
"""The output layer's functions: called once per example, at t = T."""

# The plain cell's fields: the layer-norm ones (dnorm_gain, dnorm_shift) are None here.
PARTS = {"dHX": ("dx", "dh_prev"), "cell_backward": CellGrads._fields[:11]}
"""The names of what a function returns when it returns several arrays."""


def signature(name):
    """lstmdoc's signature of the step ``name``, e.g. ``"dCt(dh, dc_next, cache)"``."""
    return f"{name}{inspect.signature(REFERENCE[name])}"


class Call(NamedTuple):
    """One call of a graded function: where, with what, the right answer, and the wrong ones'.

    ``convert(fn(*ref_args))`` is what lstmdoc's function of the same kind, or
    one of its known wrong versions ``variants``, answers here, as ``expected``.
    """

    example: str
    B: int
    t: int | None        # 1-based time step; None for a whole pass
    args: tuple          # the graded function's arguments
    expected: tuple      # the right result, one array per part
    ref_args: tuple      # the arguments of lstmdoc's function of the same kind
    convert: Callable    # lstmdoc's result -> parts, as in expected
    variants: tuple      # the known wrong versions (Variant)
    upstream: str = ""   # a whole pass: where the gradient from outside enters


def calls(ex, variants):
    """``{name: [Call]}``: every call lstmdoc's own pass makes on ``ex``, t = T first.

    ``variants(name)`` gives the known wrong versions of the step ``name``.
    """
    p = ex.params
    r = model.run(p, ex.X, ex.target, ex.h0, ex.c0)
    T, B = len(r.caches), ex.X.shape[2]
    dh_T = dh_output(r.dlogits, p.Wy)
    zeros = np.zeros_like(dh_T)
    args = {"dlogits": [(T, (r.probs, ex.target))], "dWy": [(T, (r.dlogits, r.h))],
            "dBy": [(T, (r.dlogits,))], "dh_output": [(T, (r.dlogits, p.Wy))]}
    for k in reversed(range(T)):
        g, cache, t = r.steps[k], r.caches[k], k + 1
        dh_out = dh_T if k == T - 1 else zeros
        dh_next, dc_next = (r.steps[k + 1].dh_prev, r.steps[k + 1].dc_prev) if k < T - 1 \
            else (zeros, zeros)
        da = np.concatenate([g.dFt, g.dIt, g.dCprojt, g.dOt])
        for name, a in (("dHt", (dh_out, dh_next)), ("dOt", (g.dHt, cache)),
                        ("dCt", (g.dHt, dc_next, cache)), ("dCprojt", (g.dCt, cache)),
                        ("dFt", (g.dCt, cache)), ("dIt", (g.dCt, cache)), ("dW", (da, cache)),
                        ("db", (da,)), ("dHX", (da, p.W)), ("dC_next", (g.dCt, cache)),
                        ("cell_backward", (dh_out, dh_next, dc_next, cache, p.W))):
            args.setdefault(name, []).append((t, a))
    convert = {name: partial(parts, name) for name in REFERENCE}
    return {name: [Call(ex.name, B, t, a, convert[name](REFERENCE[name](*a)), a, convert[name],
                        variants(name)) for t, a in ts] for name, ts in args.items()}


class WrongReturn(Exception):
    """A result that is not what the function must return (type or number of arrays)."""


def parts(name, out, names=None):
    """The arrays ``out`` holds, as a tuple in the order of ``names`` (default ``PARTS[name]``).

    ``out`` may be a tuple or list (``None`` in ``names`` skips a place, e.g. a
    cache), a dict, or a record with those attributes.
    """
    names = PARTS.get(name) if names is None else names
    if names is None:
        out = (out,)
    elif isinstance(out, dict) and {n for n in names if n} <= set(out):
        out = tuple(out[n] for n in names if n)
    elif all(hasattr(out, n) for n in names if n):  # a record, e.g. CellGrads
        out = tuple(getattr(out, n) for n in names if n)
    elif not isinstance(out, (tuple, list)) or len(out) != len(names):
        want = ", ".join(n or "cache" for n in names)
        if isinstance(out, dict):
            raise WrongReturn(f"returned a dict with the keys {', '.join(map(str, out))}, "
                              f"expected {want}")
        raise WrongReturn(f"returned {type(out).__name__}"
                          f"{f' of {len(out)}' if isinstance(out, (tuple, list)) else ''}, "
                          f"expected a tuple of {len(names)} ({want})")
    else:
        out = tuple(o for o, n in zip(out, names) if n)
    for part in out:
        if not isinstance(part, np.ndarray):
            raise WrongReturn(f"returned {type(part).__name__}, expected a numpy ndarray")
    return tuple(out)
