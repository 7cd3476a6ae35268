"""Grade a learner's ``layernorm_backward(dy, cache)`` (the exercise of the layer-norm page).

:func:`lstmdoc.check <lstmdoc.grader.check>` grades the plain cell's steps and the
courses' LSTMs; layer norm's backward is a function of its own, graded here the same
way: called with the inputs lstmdoc's own gets, compared with
:func:`lstmdoc.layernorm.layernorm_backward` result by result, and a wrong result
compared with the known wrong versions, which names the likely mistake by an id
(:data:`MISTAKES`, in the grader's convention "yours: …; should be: …"). The answer is
the grader's :class:`~lstmdoc.grader.Result`.

The calls: every layer norm (f, i, cproj, o and the cell state's) at every time step of
the random example with layer norm (its caches, from the forward pass), each with a
seeded random ``dy``, then the same with one example (B = 1).
"""

import inspect
import traceback

import numpy as np

from .. import example as examples
from .. import model
from ..gradcheck import relative_error
from ..layernorm import layernorm_backward
from .mistakes import Variant
from .report import Result

NAME = "layernorm_backward"
PARTS = ("dx", "dgain", "dshift")
TOL = 1e-6
EXAMPLES = {2: "layer-norm", 1: "one-column layer-norm"}  # by batch size

MISTAKES = {
    "ln-means-missing": "layer norm's dx without its two mean terms, as if μ and σ did not "
                        "depend on x",
    "ln-mean-term-missing": "layer norm's dx without mean(dx̂): how μ depends on x",
    "ln-variance-term-missing": "layer norm's dx without x̂ ⊙ mean(dx̂ ⊙ x̂): how σ "
                                "depends on x",
    "ln-gain-missing": "layer norm's backward without the gain: dx̂ = dy for dy ⊙ γ",
    "ln-means-over-batch": "layer norm's means taken over the batch (axis 1), not over the H "
                           "units (axis 0)",
    "ln-not-summed": "dgain and dshift not summed over the batch",
}
"""The ids of layer norm's own mistakes, with what they mean (the others are the grader's)."""


def _mean(a, axis=0):
    return a.mean(axis=axis, keepdims=True)  # over the H units of each column


def _dx(dxhat, c, first=True, second=True, axis=0):
    return c.inv_std * (dxhat - first * _mean(dxhat, axis)
                        - second * c.xhat * _mean(dxhat * c.xhat, axis))


def _params(dy, c):
    return (dy * c.xhat).sum(axis=1, keepdims=True), dy.sum(axis=1, keepdims=True)


RIGHT_DX = "dx = (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ"
VARIANTS = (
    Variant("ln-means-missing", f"yours: dx = dx̂ / σ; should be: {RIGHT_DX}",
            lambda dy, c: (_dx(dy * c.gain, c, False, False), *_params(dy, c))),
    Variant("ln-variance-term-missing",
            f"yours: dx = (dx̂ − mean(dx̂)) / σ; should be: {RIGHT_DX}",
            lambda dy, c: (_dx(dy * c.gain, c, second=False), *_params(dy, c))),
    Variant("ln-mean-term-missing",
            f"yours: dx = (dx̂ − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ; should be: {RIGHT_DX}",
            lambda dy, c: (_dx(dy * c.gain, c, first=False), *_params(dy, c))),
    Variant("ln-gain-missing", "yours: dx̂ = dy; should be: dx̂ = dy ⊙ γ",
            lambda dy, c: (_dx(dy, c), *_params(dy, c))),
    Variant("ln-means-over-batch", "yours: means over axis 1 (the batch); should be: over "
            "axis 0 (the H units)", lambda dy, c: (_dx(dy * c.gain, c, axis=1), *_params(dy, c))),
    Variant("ln-not-summed", "yours: dγ = dy ⊙ x̂, dβ = dy, shape (H, B); should be: summed "
            "over the batch, shape (H, 1)", lambda dy, c: (_dx(dy * c.gain, c), dy * c.xhat, dy)),
    Variant("factor-missing", "yours: dγ = Σ_b dy; should be: dγ = Σ_b dy ⊙ x̂",
            lambda dy, c: (_dx(dy * c.gain, c), *(dy.sum(axis=1, keepdims=True),) * 2)),
    Variant("sign-flipped", "yours: the right results with the opposite sign",
            lambda dy, c: tuple(-a for a in layernorm_backward(dy, c))),
)


def calls():
    """``[(example, t, dy, cache, expected)]``: the five norms at every step, t = T first."""
    out, rng = [], np.random.default_rng(0)
    for B, name in EXAMPLES.items():
        ex = examples.random(layer_norm=True, B=B)
        r = model.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
        for t in range(len(r.caches), 0, -1):
            for cache in r.caches[t - 1].norms:
                dy = rng.standard_normal(cache.xhat.shape)
                out.append((name, t, dy, cache, layernorm_backward(dy, cache)))
    return out


def _errors(got, expected):
    return [relative_error(np.asarray(g, dtype=np.float64), e) if np.shape(g) == e.shape
            else np.inf for g, e in zip(got, expected)]


def _returned(out):
    """The three arrays of a result, or a sentence saying why it is not that."""
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        return f"returned {type(out).__name__}, expected a tuple of 3 arrays (dx, dgain, dshift)"
    if not all(isinstance(a, np.ndarray) for a in out):
        return "returned something that is not three numpy arrays (dx, dgain, dshift)"
    return tuple(out)


def grade(fn):
    """Grade ``fn``, the learner's ``layernorm_backward(dy, cache)``: a grader's Result."""
    try:
        inspect.signature(fn).bind(None, None)
    except TypeError:
        yours = str(inspect.signature(fn))
        return Result(NAME, False, error=f"yours takes {yours}; lstmdoc's takes (dy, cache)")
    got, first, worst = [], None, 0.0
    todo = calls()
    for example, t, dy, cache, expected in todo:
        try:
            out = _returned(fn(dy.copy(), cache))
        except Exception as exc:  # noqa: BLE001  (the learner's code may raise anything)
            error = "".join(traceback.format_exception_only(exc)).strip()
            return Result(NAME, False, first_t=t, example=example, error=error)
        if isinstance(out, str):
            return Result(NAME, False, first_t=t, example=example, error=out)
        errors = _errors(out, expected)
        if max(errors) > TOL and first is None:
            k = next(k for k, e in enumerate(errors) if e > TOL)
            shapes = tuple((p, np.shape(g), e.shape) for p, g, e in zip(PARTS, out, expected)
                           if np.shape(g) != e.shape)
            first = (t, example, PARTS[k], shapes)
        worst = max(worst, *errors)
        got.append(out)
    if first is None:
        return Result(NAME, True, worst, calls=len(got))
    mistake = _diagnose(got, todo)
    return Result(NAME, False, worst, *first, mistake=mistake and mistake.text,
                  mistake_id=mistake and mistake.id, calls=len(got))


def _diagnose(got, todo):
    """The first known wrong version whose results equal the learner's at every call."""
    for v in VARIANTS:
        if all(max(_errors(g, v.fn(dy, c))) <= TOL for g, (_, _, dy, c, _) in zip(got, todo)):
            return v
    return None
