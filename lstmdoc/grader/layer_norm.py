"""Grade a learner's ``layernorm_backward(dy, cache)`` (the exercise of the layer-norm page).

The step functions' grader (:func:`lstmdoc.check`) grades the plain cell's steps;
layer norm's backward is a function of its own, so it is graded here, the same way:
called with the inputs lstmdoc's own gets and compared with
:func:`lstmdoc.layernorm.layernorm_backward`, result by result, and a wrong result
compared with the known wrong versions, which names the likely mistake.

The calls: every layer norm (f, i, cproj, o and the cell state's) at every time step of
the random example with layer norm (its caches, from the forward pass), each with a
seeded random ``dy``; then the same norms of one example alone (B = 1).
"""

import inspect
import traceback
from dataclasses import dataclass

import numpy as np

from .. import example as examples
from .. import model
from ..gradcheck import relative_error
from ..layernorm import layernorm_backward
from ..params import Norms

NAME = "layernorm_backward"
PARTS = ("dx", "dgain", "dshift")
TOL = 1e-6


def _mean(a):
    return a.mean(axis=0, keepdims=True)  # over the H units of each column


def _dx(dxhat, c, first=True, second=True):
    return c.inv_std * (dxhat - first * _mean(dxhat) - second * c.xhat * _mean(dxhat * c.xhat))


def _params(dy, c):
    return (dy * c.xhat).sum(axis=1, keepdims=True), dy.sum(axis=1, keepdims=True)


MISTAKES = (
    ("both mean terms forgotten: dx = dx̂ / σ, as if μ and σ did not depend on x",
     lambda dy, c: (_dx(dy * c.gain, c, False, False), *_params(dy, c))),
    ("the term x̂ ⊙ mean(dx̂ ⊙ x̂) forgotten: how σ depends on x",
     lambda dy, c: (_dx(dy * c.gain, c, second=False), *_params(dy, c))),
    ("the term mean(dx̂) forgotten: how μ depends on x",
     lambda dy, c: (_dx(dy * c.gain, c, first=False), *_params(dy, c))),
    ("the gain forgotten: dx̂ = dy instead of dy ⊙ γ",
     lambda dy, c: (_dx(dy, c), *_params(dy, c))),
    ("means over the batch (axis 1) instead of over the H units (axis 0)",
     lambda dy, c: (c.inv_std * (dy * c.gain - (dy * c.gain).mean(axis=1, keepdims=True)
                                 - c.xhat * (dy * c.gain * c.xhat).mean(axis=1, keepdims=True)),
                    *_params(dy, c))),
    ("dgain and dshift not summed over the batch",
     lambda dy, c: (_dx(dy * c.gain, c), dy * c.xhat, dy)),
    ("dgain = Σ dy instead of Σ dy ⊙ x̂",
     lambda dy, c: (_dx(dy * c.gain, c), *(dy.sum(axis=1, keepdims=True),) * 2)),
)


@dataclass(frozen=True)
class Result:
    """How the learner's ``layernorm_backward`` compares with lstmdoc's (see :func:`grade`)."""

    name: str
    matches: bool
    rel_error: float | None = None
    where: str | None = None
    part: str | None = None
    mistake: str | None = None
    error: str | None = None
    calls: int = 0

    def line(self):
        """One line, as the step functions' grader writes them."""
        head = f"{'ok' if self.matches else 'WRONG':5} {self.name:13}"
        if self.matches:
            return (f"{head} matches at all {self.calls} calls "
                    f"(largest relative error {self.rel_error:.1e})")
        if self.error:
            return f"{head} could not be graded at {self.where}: {self.error}"
        text = f"{head} differs ({self.part}) first at {self.where}"
        if self.rel_error != np.inf:
            text += f"; largest relative error {self.rel_error:.2g}"
        return text + (f" — likely mistake: {self.mistake}" if self.mistake else "")


def calls():
    """``[(where, dy, cache, expected)]``: every norm at every step, B = 2 then B = 1."""
    out, rng = [], np.random.default_rng(0)
    for B in (2, 1):
        ex = examples.random(layer_norm=True, B=B)
        r = model.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
        for t in range(len(r.caches), 0, -1):
            for block, cache in zip(Norms._fields, r.caches[t - 1].norms):
                dy = rng.standard_normal(cache.xhat.shape)
                where = f"t = {t}, the {block} norm, B = {B}"
                out.append((where, dy, cache, layernorm_backward(dy, cache)))
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
    """Grade ``fn``, the learner's ``layernorm_backward(dy, cache)``; return a :class:`Result`."""
    try:
        inspect.signature(fn).bind(None, None)
    except TypeError as exc:
        return Result(NAME, False, where="the first call", error=(
            f"the signature differs from lstmdoc's {NAME}(dy, cache): {exc}"))
    got, first, worst = [], None, 0.0
    todo = calls()
    for where, dy, cache, expected in todo:
        try:
            out = _returned(fn(dy.copy(), cache))
        except Exception as exc:  # noqa: BLE001  (the learner's code may raise anything)
            return Result(NAME, False, where=where,
                          error="".join(traceback.format_exception_only(exc)).strip())
        if isinstance(out, str):
            return Result(NAME, False, where=where, error=out)
        errors = _errors(out, expected)
        if max(errors) > TOL and first is None:
            first = (where, PARTS[next(k for k, e in enumerate(errors) if e > TOL)])
        worst = max(worst, *errors)
        got.append(out)
    if first is None:
        return Result(NAME, True, worst, calls=len(got))
    return Result(NAME, False, worst, *first, mistake=_diagnose(got, todo), calls=len(got))


def _diagnose(got, todo):
    """The first known mistake whose results equal the learner's at every call, or None."""
    for mistake, wrong in MISTAKES:
        if all(max(_errors(g, wrong(dy, cache))) <= TOL for g, (_, dy, cache, _) in zip(got, todo)):
            return mistake
    return None
