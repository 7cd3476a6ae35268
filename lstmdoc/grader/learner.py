"""Grading functions written in a learner's layout: lstmdoc's pass, in their arrays.

lstmdoc runs its own pass on each example (the forget bias folded into the
bias, as these layouts have none at run time) and records every step: the
inputs, the states, the gradients flowing in. Each of the learner's functions
is called with those values in the learner's layout; a backward function gets
the cache that the learner's own forward builds from them (the cache stays
opaque). The right answer is lstmdoc's, converted to the learner's layout.
"""

from functools import partial
from typing import Callable, NamedTuple

import numpy as np

from .. import layouts
from ..bptt import lstm_backward, lstm_forward, per_step
from ..states import sequences
from ..output import dh_output, dlogits, output_forward, softmax
from .grading import trimmed
from .kinds import RIGHT, variants
from .reference import Call


class Spec(NamedTuple):
    """One of a layout's functions, as a course writes it."""

    params: str              # its parameters, e.g. "(x, prev_h, prev_c, Wx, Wh, b)"
    kind: str                # "step_forward", "step_backward", "forward" or "backward"
    returns: tuple           # the names of what it returns (None: the cache)
    args: Callable           # (site, weights, cache) -> its arguments
    out: Callable            # (lstmdoc's result of the kind, site) -> the right arrays
    cache_at: int = None     # a forward: where in its result the cache is
    total_dh: bool = False   # a step backward given dh_t whole (dh_out + dh_next), as CS231n's


class Site(NamedTuple):
    """One time step of lstmdoc's pass: what flows in and out, in lstmdoc's layout."""

    example: str
    B: int
    t: int
    params: object           # LSTMParams, the forget bias folded into b
    x: np.ndarray            # (D, B)
    h_prev: np.ndarray       # (H, B), and so on
    c_prev: np.ndarray
    h: np.ndarray
    c: np.ndarray
    cache: object            # lstmdoc's CellCache
    dh_out: np.ndarray       # the gradient from outside into h_t
    dh_next: np.ndarray      # from step t+1 into h_t
    dc_next: np.ndarray      # from step t+1 into c_t


class Whole(NamedTuple):
    """lstmdoc's pass over a whole sequence, with a gradient from outside into the h_t."""

    example: str
    B: int
    t: None
    params: object
    X: np.ndarray            # (T, D, B)
    h0: np.ndarray
    c0: np.ndarray
    caches: tuple
    hs: np.ndarray           # (T, H, B)
    cs: np.ndarray
    upstream: str            # "at every step" or "at the last step only"
    dh: np.ndarray           # (T, H, B)


def _pass(ex, c0):
    """lstmdoc's forward pass on ``ex`` from ``(ex.h0, c0)`` (the forget bias folded), and
    gradients from outside into its hidden states, at every step and at the last only."""
    p = layouts.fold_forget_bias(ex.params)
    h, c, caches = lstm_forward(p, ex.X, ex.h0, c0)
    hs, cs = sequences(caches, h, c)
    T, H, B = hs.shape
    probs = softmax(output_forward(hs[-1], p.Wy, p.by))
    upstream = {"at every step": np.random.default_rng(16).normal(size=(T, H, B)).astype(p.dtype),
                "at the last step only": per_step(dh_output(dlogits(probs, ex.target), p.Wy), T)}
    return p, caches, hs, cs, upstream


def sites(ex):
    """Every step of lstmdoc's pass on ``ex`` (t = T first), a gradient from outside at each."""
    p, caches, hs, cs, upstream = _pass(ex, ex.c0)
    dh = upstream["at every step"]
    steps = lstm_backward(dh, caches, p.W)[0]
    T, zeros = len(caches), np.zeros_like(ex.h0)
    return [Site(ex.name, ex.X.shape[2], k + 1, p, ex.X[k], hs[k - 1] if k else ex.h0,
                 cs[k - 1] if k else ex.c0, hs[k], cs[k], caches[k], dh[k],
                 steps[k + 1].dh_prev if k < T - 1 else zeros,
                 steps[k + 1].dc_prev if k < T - 1 else zeros) for k in reversed(range(T))]


def wholes(ex, zero_c0):
    """lstmdoc's whole pass on ``ex`` (from c0 = 0 if ``zero_c0``), once per upstream gradient."""
    c0 = np.zeros_like(ex.c0) if zero_c0 else ex.c0
    p, caches, hs, cs, upstream = _pass(ex, c0)
    return [Whole(ex.name, ex.X.shape[2], None, p, ex.X, ex.h0, c0, caches, hs, cs, name, dh)
            for name, dh in upstream.items()]


def ref_args(spec, s):
    """The arguments of lstmdoc's function of ``spec.kind`` at ``s``."""
    if spec.kind == "step_forward":
        return s.params, s.x, s.h_prev, s.c_prev
    if spec.kind == "step_backward":
        zeros = np.zeros_like(s.dh_out)
        return ((s.dh_out + s.dh_next, zeros) if spec.total_dh else (s.dh_out, s.dh_next)) + \
            (s.dc_next, s.cache, s.params.W)
    if spec.kind == "forward":
        return s.params, s.X, s.h0, s.c0
    return s.dh, s.caches, s.params.W


class NoCache(Exception):
    """The learner's forward could not build the cache a backward function needs."""


def learner_cache(forward, fspec, site, weights, source):
    """The cache the learner's forward ``(name, fn)`` builds at ``site`` (called on copies)."""
    name, fn = forward
    try:
        out = fn(*fspec.args(site, weights, None))
        return out[fspec.cache_at]
    except Exception as exc:  # noqa: BLE001  (the learner's code may raise anything)
        raise NoCache(f"its cache comes from your {name}, which raised "
                      f"{trimmed(exc, source).splitlines()[-1]}") from exc


def calls(lt, spec, ex, forward=None, source=None):
    """The calls of a function of ``spec`` on ``ex``; ``forward``: the learner's (name, fn, spec)."""
    is_step = spec.kind.startswith("step")
    zero_c0 = "c0" not in (forward[2] if forward else spec).params  # its forward takes no c0
    out = []
    for s in sites(ex) if is_step else wholes(ex, zero_c0):
        w = layouts.weights_to(lt, s.params)
        cache = learner_cache(forward[:2], forward[2], s, w, source) if forward else None
        ref = ref_args(spec, s)
        convert = partial(_convert, spec.out, s)
        expected = convert(RIGHT[spec.kind](*ref))
        out.append(Call(s.example, s.B, s.t, spec.args(s, w, cache), expected, ref, convert,
                        variants(spec.kind, 0.0, lt.gates), "" if is_step else s.upstream))
    return out


def _convert(out, site, result):
    return out(result, site)
