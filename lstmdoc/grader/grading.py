"""The comparison: your function called where lstmdoc calls its own, result by result."""

import copy
import inspect
import os
import traceback
from typing import Callable, NamedTuple

import numpy as np

from ..gradcheck import relative_error
from .reference import WrongReturn
from .report import GradeWarning, Result
from .variants import GENERIC

TOL = 1e-6
"""Largest relative error (:func:`~lstmdoc.gradcheck.relative_error`) that still matches."""

# lstmdoc's own folder: frames there are left out of the learner's traceback.
PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Graded(NamedTuple):
    """A function to grade, and how to read what it returns."""

    name: str
    fn: Callable
    parts: tuple           # the names of the arrays compared
    extract: Callable      # its return value -> those arrays (raises WrongReturn)
    expects: str           # "lstmdoc's takes (dh, dc_next, cache)"
    time_axis: int = None  # whole passes: the time axis of the 3-D arrays


def _errors(got, expected):
    """Relative error of each part, ``inf`` where the shapes differ or a value is not finite."""
    errors = [relative_error(g.astype(np.float64), e) if g.shape == e.shape else np.inf
              for g, e in zip(got, expected)]
    return [e if np.isfinite(e) else np.inf for e in errors]


def _same(got, expected):
    return all(e <= TOL for e in _errors(got, expected))


def trimmed(exc, source):
    """The traceback of ``exc``, only the frames in ``source`` (or outside lstmdoc)."""
    tb = traceback.TracebackException.from_exception(exc)
    if source:
        frames = [f for f in tb.stack if os.path.abspath(f.filename) == source]
    else:
        frames = [f for f in tb.stack if not os.path.abspath(f.filename).startswith(PKG_DIR)]
    text = "".join(traceback.StackSummary.from_list(frames[-8:]).format())
    return ("Traceback (your code, most recent call last):\n" + text if text else "") + \
        "".join(tb.format_exception_only())


def _hint(exc):
    """``(mistake id, what it says)`` for an exception with a likely cause, or ``(None, None)``."""
    msg = str(exc)
    if isinstance(exc, ValueError) and ("matmul" in msg or "shapes" in msg and "aligned" in msg):
        return "transposed", "a matrix product with mismatched shapes: a transposed W or Wy?"
    if isinstance(exc, ValueError) and "broadcast" in msg:
        return "transposed", "arrays of different shapes combined element-wise: a transposed array?"
    if isinstance(exc, TypeError) and ("'float' object cannot be interpreted as an integer" in msg
                                       or "indices must be integers" in msg):
        return "float-size", ("yours: a size computed with / (a float in Python 3: 20 / 4 is 5.0); "
                              "should be: // (20 // 4 is 5)")
    return None, None


def _signature_problem(g, args):
    """Why ``g.fn`` cannot take ``args`` ("yours takes (dh, cache); lstmdoc's ..."), or None."""
    try:
        inspect.signature(g.fn).bind(*args)
    except TypeError:
        return f"yours takes {inspect.signature(g.fn)}; {g.expects}"
    except ValueError:  # a builtin without a signature: just call it
        pass
    return None


def _changed(before, after):
    """Whether ``after`` (what the function was given) differs from ``before`` anywhere."""
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and before.shape == after.shape
                    and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, (tuple, list)):
        return len(before) != len(after) or any(map(_changed, before, after))
    if isinstance(before, dict):
        return before.keys() != after.keys() or \
            any(_changed(v, after[k]) for k, v in before.items())
    return False


def _modified(fn, args, given):
    """The names of the arguments ``fn`` wrote into (``given`` differs from ``args``)."""
    try:
        names = list(inspect.signature(fn).bind(*args).arguments)
    except (TypeError, ValueError):
        names = [f"argument {k + 1}" for k in range(len(args))]
    return {n for n, a, b in zip(names, args, given) if _changed(a, b)}


def grade(g, calls, source=None, prefer=()):
    """Grade ``g`` on ``calls``; return its :class:`Result` and any :class:`GradeWarning`.

    Each call gets copies of its arguments, which are compared with the
    originals afterwards (``input-modified``). ``prefer``: mistake ids to try
    first when naming the mistake.
    """
    got, first, worst, modified = [], None, None, set()
    for c in calls:
        problem = _signature_problem(g, c.args)
        if problem:
            return Result(g.name, False, error=problem), []
        given = copy.deepcopy(c.args)
        try:
            out = g.extract(g.fn(*given))
        except WrongReturn as exc:
            return Result(g.name, False, first_t=c.t, example=c.example, error=str(exc)), []
        except Exception as exc:  # noqa: BLE001  (the learner's code may raise anything)
            mistake_id, hint = _hint(exc)
            return Result(g.name, False, first_t=c.t, example=c.example,
                          error=trimmed(exc, source), mistake=hint, mistake_id=mistake_id), []
        modified |= _modified(g.fn, c.args, given)
        errors = _errors(out, c.expected)
        if first is None and max(errors) > TOL:
            first = (c, next(k for k, e in enumerate(errors) if e > TOL), out)
        worst = errors if worst is None else list(map(max, worst, errors))  # per part
        got.append(out)
    warnings = [GradeWarning(
        g.name, "input-modified", f"writes into {', '.join(sorted(modified))}, an array it was "
        "given: graded on copies, but a caller that reuses it would see it changed")] \
        if modified else []
    if first is None:
        return Result(g.name, True, max(worst), calls=len(got)), warnings
    return _wrong(g, got, calls, first, worst, prefer), warnings


def _first_step(got, expected, axis):
    """The last time step, 1-based, where the (T-long along ``axis``) arrays differ."""
    for t in reversed(range(got.shape[axis])):
        step = np.take(got, t, axis).astype(np.float64)
        if not relative_error(step, np.take(expected, t, axis)) <= TOL:  # NaN too
            return t + 1
    return None


def _wrong(g, got, calls, first, worst, prefer):
    """The :class:`Result` of a function that differs, with the likely mistake."""
    c, k, out = first
    t = c.t
    if c.t is None and g.time_axis is not None and out[k].ndim == 3 \
            and out[k].shape == c.expected[k].shape:
        t = _first_step(out[k], c.expected[k], g.time_axis)
    shapes = tuple((n, y.shape, e.shape) for n, y, e in zip(g.parts, out, c.expected)
                   if y.shape != e.shape)
    with np.errstate(all="ignore"):
        mistake = _diagnose(got, calls, prefer)
    if mistake is None and not np.all(np.isfinite(out[k])):
        mistake = ("yours holds NaN or infinity (an overflow, the log of 0, a division by 0?)",
                   None)
    many = len(g.parts) > 1
    wrong = tuple(n for n, e in zip(g.parts, worst) if not e <= TOL)
    return Result(g.name, False, max(worst), t, c.example, g.parts[k] if many else None,
                  shapes, *(mistake or (None, None)), calls=len(got), upstream=c.upstream or None,
                  wrong_parts=wrong if many else (),
                  right_parts=tuple(n for n in g.parts if n not in wrong) if many else ())


def _diagnose(got, calls, prefer):
    """``(text, id)`` of the first known mistake that ``got`` matches at every call, or None.

    A call whose kind has no such variant (a step call, for a loop's mistake) must be right.
    """
    tables = {id(c.variants): {v.text: v for v in c.variants} for c in calls}
    known = {}
    for table in tables.values():
        for text, v in table.items():
            known.setdefault(text, v)
    for text in sorted(known, key=lambda text: known[text].id not in prefer):  # stable
        if all(_matches(c, tables[id(c.variants)].get(text), out) for c, out in zip(calls, got)):
            return known[text].text, known[text].id
    for mistake, yours, transform in GENERIC:
        n = len(got[0])
        misshapen = {j for j in range(n) if got[0][j].shape != calls[0].expected[j].shape}
        # every array it applies to, those of the wrong shape, or one of them
        for k in (set(range(n)), misshapen, *({j} for j in range(n))):
            if k and _transform_matches(transform, got, calls, k):
                return f"yours: {yours}; should be: the right result", mistake
    return None


def _transform_matches(transform, got, calls, k):
    """Whether ``got`` is the right result with its parts ``k`` changed by ``transform``."""
    try:
        wrong = [_transformed(transform, c, out, k) for out, c in zip(got, calls)]
    except Exception:  # noqa: BLE001  (a transform that cannot apply here)
        return False
    # It must apply somewhere (B > 1, a matrix, ...); where it does not, the result is right.
    return any(w is not None for w in wrong) and all(
        _same(out, c.expected if w is None else w) for out, c, w in zip(got, calls, wrong))


def _matches(call, v, got):
    if v is None:
        return _same(got, call.expected)
    try:
        return _same(got, call.convert(v.fn(*call.ref_args)))
    except Exception:  # noqa: BLE001  (a variant that cannot apply here)
        return False


def _transformed(transform, call, got, k):
    """lstmdoc's result at ``call`` with the parts ``k`` made wrong by ``transform``; None
    where it cannot apply."""
    wrong = [transform(e, g, call.B) if j in k else None
             for j, (e, g) in enumerate(zip(call.expected, got))]
    if all(w is None for w in wrong):
        return None
    return tuple(e if w is None else w for e, w in zip(call.expected, wrong))
