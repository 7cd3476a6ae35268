"""Grade your own backward pass: which step is wrong, and how.

Write any of lstmdoc's step functions, with the same names and signatures, in
a file of your own, then run ``python -m lstmdoc check FILE.py`` (the same as
``python -m lstmdoc.grader FILE.py``; in a notebook: ``lstmdoc.check(globals())``). Each function found is called with the inputs
lstmdoc's own gets, at every time step of the random example (every size
different, non-zero initial state) and of the article's example, and its
result is compared with lstmdoc's. A wrong result is also compared with known
wrong variants (the ``dc_next`` term forgotten, a derivative taken at the wrong
place, a transposed matrix, the gate blocks in another framework's order, ...),
which names the likely mistake.

Time steps are numbered t = 1..T as on the pages; the "first" one that differs
is the first the backward pass reaches (it runs t = T, ..., 1).
"""

import argparse
import importlib.util
import inspect
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import example as examples
from .cell import sigmoid
from .cell_backward import (CellGrads, cell_backward, dC_next, dCprojt, dCt, dFt, dHt, dHX,
                            dIt, dOt, db, dW)
from .gradcheck import relative_error
from . import model
from .output import dBy, dh_output, dlogits, dWy

TOL = 1e-6
"""Largest relative error (:func:`~lstmdoc.gradcheck.relative_error`) that still matches."""

REFERENCE = {f.__name__: f for f in (dlogits, dWy, dBy, dh_output, dHt, dOt, dCt, dCprojt, dFt,
                                     dIt, dW, db, dHX, dC_next, cell_backward)}
"""lstmdoc's own functions, by name, in the order of the backward pass."""

STEP1 = ("dlogits", "dWy", "dBy", "dh_output")
"""The output layer's functions: called once per example, at t = T."""

# The plain cell's fields: the layer-norm ones (dnorm_gain, dnorm_shift) are None here.
PARTS = {"dHX": ("dx", "dh_prev"), "cell_backward": CellGrads._fields[:11]}
"""The names of what a function returns when it returns several arrays."""

PKG_DIR = os.path.dirname(os.path.abspath(__file__))


def signature(name):
    """lstmdoc's signature of the step ``name``, e.g. ``"dCt(dh, dc_next, cache)"``."""
    return f"{name}{inspect.signature(REFERENCE[name])}"


# --- Known wrong variants, each with the signature of the function it imitates ---

def _logit(p):
    return np.log(p) - np.log1p(-p)


def _without_forget_bias(cache, forget_bias):
    """The forget gate as it would be without the forget bias."""
    return sigmoid(_logit(cache.f) - forget_bias)


def _onehot(probs, target):
    y = np.zeros_like(probs)
    y[target, np.arange(probs.shape[1])] = 1
    return y


def _dsig_at_value(g):
    """σ' taken at the gate's value as if it were the pre-activation."""
    return sigmoid(g) * (1 - sigmoid(g))


def _variants(forget_bias):
    """``{name: [(mistake, function)]}``: common wrong versions of each step."""
    def f0(cache):
        return _without_forget_bias(cache, forget_bias)

    sig_missing = "σ' missing: the gradient of the gate's value, not of its pre-activation"
    sig_value = ("σ' evaluated at the gate's value as if it were the pre-activation: "
                 "σ(g)(1 − σ(g)) instead of g(1 − g)")
    tanh_value = ("tanh' evaluated at tanh's output as if it were its input: "
                  "1 − tanh²(tanh(·)) instead of 1 − tanh²(·)")
    return {
        "dlogits": [
            ("the 1/B mean forgotten: ŷ − y not divided by the batch size B",
             lambda probs, target: probs - _onehot(probs, target)),
            ("the one-hot target not subtracted: ŷ/B instead of (ŷ − y)/B",
             lambda probs, target: probs / probs.shape[1])],
        "dHt": [
            ("the dh_next term forgotten: dHt = dh_out + dh_next",
             lambda dh_out, dh_next: dh_out),
            ("the dh_out term forgotten (the output layer's gradient, non-zero at t = T)",
             lambda dh_out, dh_next: dh_next)],
        "dOt": [
            (sig_missing, lambda dh, c: dh * c.tanh_c),
            (sig_value, lambda dh, c: dh * c.tanh_c * _dsig_at_value(c.o)),
            ("the factor tanh(c_t) forgotten", lambda dh, c: dh * c.o * (1 - c.o))],
        "dCt": [
            ("the dc_next term forgotten: dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next",
             lambda dh, dc_next, c: dh * c.o * (1 - c.tanh_c**2)),
            ("tanh' applied to c̃_t instead of c_t",
             lambda dh, dc_next, c: dh * c.o * (1 - c.cproj**2) + dc_next),
            ("tanh' missing: dHt ⊙ o_t + dc_next", lambda dh, dc_next, c: dh * c.o + dc_next),
            (tanh_value,
             lambda dh, dc_next, c: dh * c.o * (1 - np.tanh(c.tanh_c)**2) + dc_next),
            ("the factor o_t forgotten",
             lambda dh, dc_next, c: dh * (1 - c.tanh_c**2) + dc_next),
            ("dc_next multiplied by f_t (dC_next at step t+1 already did that)",
             lambda dh, dc_next, c: dh * c.o * (1 - c.tanh_c**2) + dc_next * c.f)],
        "dCprojt": [
            ("tanh' applied to c_t instead of c̃_t", lambda dc, c: dc * c.i * (1 - c.tanh_c**2)),
            ("tanh' missing: the gradient of c̃_t, not of its pre-activation",
             lambda dc, c: dc * c.i),
            (tanh_value, lambda dc, c: dc * c.i * (1 - np.tanh(c.cproj)**2)),
            ("the factor i_t forgotten", lambda dc, c: dc * (1 - c.cproj**2))],
        "dFt": [
            (sig_missing, lambda dc, c: dc * c.c_prev),
            (sig_value, lambda dc, c: dc * c.c_prev * _dsig_at_value(c.f)),
            ("the forget bias left out: f_t = σ(a_f + forget_bias)",
             lambda dc, c: dc * c.c_prev * f0(c) * (1 - f0(c))),
            ("c_t used instead of c_{t−1}",
             lambda dc, c: dc * (c.f * c.c_prev + c.i * c.cproj) * c.f * (1 - c.f))],
        "dIt": [
            (sig_missing, lambda dc, c: dc * c.cproj),
            (sig_value, lambda dc, c: dc * c.cproj * _dsig_at_value(c.i)),
            ("tanh(c_t) used instead of c̃_t", lambda dc, c: dc * c.tanh_c * c.i * (1 - c.i))],
        "dW": [
            ("z stacked as [h; x] instead of [x; h]: the column blocks swapped",
             lambda da, c: np.roll(da @ c.z.T, -(c.z.shape[0] - c.o.shape[0]), axis=1))],
        "dHX": [
            ("the two results swapped: dHX returns (dx, dh_prev)",
             lambda da, W: dHX(da, W)[::-1]),
            ("z split as [h; x] instead of [x; h]",
             lambda da, W: ((W.T @ da)[W.shape[0] // 4:], (W.T @ da)[:W.shape[0] // 4]))],
        "dC_next": [
            ("the factor f_t forgotten: dc_prev = dCt ⊙ f_t", lambda dc, c: dc),
            ("(1 − f_t) instead of f_t", lambda dc, c: dc * (1 - c.f)),
            ("the forget bias left out: f_t = σ(a_f + forget_bias)", lambda dc, c: dc * f0(c))],
    }


GATE_ORDERS = {
    # Positions of lstmdoc's blocks (f, i, cproj, o) in each framework's stacking.
    "TensorFlow's (i, j, f, o)": (1, 2, 0, 3),
    "PyTorch's (i, f, g, o)": (1, 0, 2, 3),
}


def _reorder(a, order):
    H = a.shape[0] // 4
    return np.concatenate([a[k * H:(k + 1) * H] for k in order])


def _composed(steps, order=(0, 1, 2, 3)):
    """``cell_backward`` made of ``steps`` (by name), stacking ``da`` in ``order``."""
    def composed(dh_out, dh_next, dc_next, cache, W):
        dh = steps["dHt"](dh_out, dh_next)
        do = steps["dOt"](dh, cache)
        dc = steps["dCt"](dh, dc_next, cache)
        blocks = (steps["dFt"](dc, cache), steps["dIt"](dc, cache), steps["dCprojt"](dc, cache), do)
        da = np.concatenate([blocks[k] for k in order])
        dx, dh_prev = steps["dHX"](da, W)
        return CellGrads(dh, do, dc, blocks[2], blocks[0], blocks[1], steps["dW"](da, cache),
                         steps["db"](da), dx, dh_prev, steps["dC_next"](dc, cache))
    return composed


def wrong_variants(name, forget_bias=1.0):
    """The known wrong versions of step ``name``: a list of ``(mistake, function)``.

    For ``cell_backward``: lstmdoc's own with one step replaced by one of its
    wrong versions, or with the gate blocks stacked in another framework's order.
    """
    table = _variants(forget_bias)
    if name != "cell_backward":
        out = list(table.get(name, []))
        if name in ("dW", "db"):
            out += [(f"gate blocks in {fw} order instead of lstmdoc's (f, i, cproj, o)",
                     lambda *a, order=order, f=REFERENCE[name]: _reorder(f(*a), order))
                    for fw, order in GATE_ORDERS.items()]
        return out
    out = [(f"gate blocks stacked in {fw} order instead of lstmdoc's (f, i, cproj, o)",
            _composed(REFERENCE, order)) for fw, order in GATE_ORDERS.items()]
    for step, variants in table.items():
        if step in REFERENCE and step not in STEP1:
            out += [(f"in {step}: {mistake}", _composed(dict(REFERENCE, **{step: fn})))
                    for mistake, fn in variants]
    return out


# What is wrong with the whole result, whatever the function: (mistake, transform of
# lstmdoc's result into the wrong one, or None where it does not apply).
GENERIC = (
    ("the sign flipped", lambda e, got, B: -e),
    ("the transpose of the expected array (a transposed matrix in a product)",
     lambda e, got, B: e.T if e.ndim == 2 else None),
    ("the right numbers in the wrong shape (a missing keepdims=True, or a reshape)",
     lambda e, got, B: e.reshape(got.shape) if e.size == got.size and e.shape != got.shape
     else None),
    ("divided by the batch size B once too often (the 1/B is already in dlogits)",
     lambda e, got, B: e / B if B > 1 else None),
)


# --- Where lstmdoc calls each function, and with what ---

class Call(NamedTuple):
    """One call of a step function: where, with what, and lstmdoc's answer."""

    example: str
    T: int
    B: int
    t: int          # 1-based time step
    args: tuple
    expected: tuple  # lstmdoc's result, one array per part


def calls(ex):
    """``{name: [Call]}``: every call lstmdoc's own pass makes on ``ex``, t = T first."""
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
    return {name: [Call(ex.name, T, B, t, a, _parts(name, REFERENCE[name](*a))) for t, a in ts]
            for name, ts in args.items()}


def _copy(a):
    if isinstance(a, np.ndarray):
        return a.copy()
    if isinstance(a, tuple) and hasattr(a, "_fields"):  # CellCache
        return type(a)(*(_copy(x) for x in a))
    return a


class WrongReturn(Exception):
    """A result that is not what the function must return (type or number of arrays)."""


def _parts(name, out):
    """The arrays ``out`` holds, as a tuple in lstmdoc's order (``PARTS``)."""
    names = PARTS.get(name)
    if names is None:
        out = (out,)
    elif isinstance(out, dict) and set(names) <= set(out):
        out = tuple(out[f] for f in names)
    elif all(hasattr(out, f) for f in names):
        out = tuple(getattr(out, f) for f in names)
    elif not isinstance(out, (tuple, list)) or len(out) != len(names):
        raise WrongReturn(f"returned {type(out).__name__}, expected a tuple of {len(names)} "
                          f"arrays ({', '.join(names)})")
    for part in out:
        if not isinstance(part, np.ndarray):
            raise WrongReturn(f"returned {type(part).__name__}, expected a numpy ndarray")
    return tuple(out)


def _errors(got, expected):
    """Relative error of each part, ``inf`` where the shapes differ."""
    return [relative_error(g.astype(np.float64), e) if g.shape == e.shape else np.inf
            for g, e in zip(got, expected)]


def _same(got, expected):
    return all(e <= TOL for e in _errors(got, expected))


# --- The report ---

@dataclass(frozen=True)
class Result:
    """How one of your functions compares with lstmdoc's.

    Attributes
    ----------
    name : str
    matches : bool
        Equal to lstmdoc's result (relative error ≤ ``TOL``) at every call.
    rel_error : float or None
        Largest relative error over all calls (``inf`` for a wrong shape; None
        when no call returned arrays).
    first_t : int or None
        The first time step, 1-based, where it differs (the backward pass runs
        t = T, ..., 1; the random example first, then the article's).
    example : str or None
        The example of ``first_t``: ``"random"`` or ``"article"``.
    part : str or None
        For a function returning several arrays, the first that differs.
    shape, expected_shape : tuple or None
        What it returned and what lstmdoc returns at ``first_t`` (a tuple of
        shapes for several arrays).
    mistake : str or None
        The likely mistake, when the result matches a known wrong variant.
    error : str or None
        What went wrong when the function could not be graded (an exception, with
        the traceback of your own code, or a return value that is not arrays).
    calls : int
        How many calls were compared (every time step of both examples; one per
        example for the output layer's functions).
    """

    name: str
    matches: bool
    rel_error: float | None = None
    first_t: int | None = None
    example: str | None = None
    part: str | None = None
    shape: tuple | None = None
    expected_shape: tuple | None = None
    mistake: str | None = None
    error: str | None = None
    calls: int = 0

    def line(self):
        """One line: matches, or what is wrong."""
        head = f"{'ok' if self.matches else 'WRONG':5} {self.name:13}"
        if self.matches:
            return (f"{head} matches at all {self.calls} calls "
                    f"(largest relative error {self.rel_error:.1e})")
        where = f"t = {self.first_t} of the {self.example} example" if self.first_t else ""
        if self.error:
            text = f"{head} could not be graded at {where}: {self.error.splitlines()[-1]}"
        else:
            err = "" if self.rel_error == np.inf else \
                f"largest relative error {self.rel_error:.2g}; "
            part = f" ({self.part})" if self.part else ""
            text = (f"{head} differs{part} first at {where}; {err}"
                    f"shape {_shape_text(self.shape)}, expected {_shape_text(self.expected_shape)}")
        if self.mistake:
            text += f" — likely mistake: {self.mistake}"
        return text


def _shape_text(shape):
    if shape and isinstance(shape[0], tuple):
        return ", ".join(str(s) for s in shape)
    return str(shape)


@dataclass(frozen=True)
class Report:
    """The grade of every step function found; ``str(report)`` prints it.

    Attributes
    ----------
    source : str
        Where the functions came from.
    results : tuple of Result
        One per step function found, in the order of the backward pass.
    problem : str or None
        Why nothing could be graded (no step function, a syntax error, an
        exception at import), with the traceback of your code.
    """

    source: str
    results: tuple = ()
    problem: str | None = None

    @property
    def ok(self):
        """Whether something was graded and every function graded matches."""
        return self.problem is None and all(r.matches for r in self.results)

    def text(self):
        """One line per function, then each traceback, then a summary."""
        if self.problem:
            return f"lstmdoc check {self.source}: {self.problem}"
        lines = [f"lstmdoc check {self.source}: {len(self.results)} step function(s), on the "
                 "random example (T = 6) and the article's (T = 3)"]
        lines += [r.line() for r in self.results]
        for r in self.results:
            if r.error and "\n" in r.error:
                lines += ["", f"{r.name}:", r.error.rstrip()]
        wrong = sum(not r.matches for r in self.results)
        lines.append("All match." if not wrong else f"{wrong} of {len(self.results)} wrong.")
        missing = [n for n in REFERENCE if n not in {r.name for r in self.results}]
        if missing:
            lines.append("Not found (not graded): " + ", ".join(missing) + ".")
        return "\n".join(lines)

    __str__ = text


# --- Grading ---

def _trimmed(exc, source):
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
    msg = str(exc)
    if isinstance(exc, ValueError) and ("matmul" in msg or "shapes" in msg and "aligned" in msg):
        return "a matrix product with mismatched shapes: a transposed W or Wy?"
    if isinstance(exc, ValueError) and "broadcast" in msg:
        return "arrays of different shapes combined element-wise: a transposed array?"
    return None


def grade(name, fn, call_list, source=None, forget_bias=1.0):
    """Grade one function ``fn`` on ``call_list`` (from :func:`calls`); return a Result."""
    got, first, worst = [], None, 0.0
    for c in call_list:
        try:
            inspect.signature(fn).bind(*c.args)
        except TypeError as exc:
            return Result(name, False, first_t=c.t, example=c.example,
                          error=f"lstmdoc calls {signature(name)}, yours {exc}",
                          mistake=f"the signature differs from lstmdoc's {signature(name)}")
        except ValueError:  # a builtin without a signature: just call it
            pass
        try:
            out = _parts(name, fn(*map(_copy, c.args)))
        except WrongReturn as exc:
            return Result(name, False, first_t=c.t, example=c.example, error=str(exc))
        except Exception as exc:  # noqa: BLE001  (the learner's code may raise anything)
            return Result(name, False, first_t=c.t, example=c.example,
                          error=_trimmed(exc, source), mistake=_hint(exc))
        errors = _errors(out, c.expected)
        if max(errors) > TOL and first is None:
            k = next(k for k, e in enumerate(errors) if e > TOL)
            first = (c, k, out)
        worst = max(worst, *errors)
        got.append(out)
    if first is None:
        return Result(name, True, worst, calls=len(got))
    c, k, out = first
    many = len(c.expected) > 1
    return Result(name, False, worst, c.t, c.example, PARTS[name][k] if many else None,
                  tuple(a.shape for a in out) if many else out[0].shape,
                  tuple(a.shape for a in c.expected) if many else c.expected[0].shape,
                  _diagnose(name, got, call_list, forget_bias), calls=len(got))


def _diagnose(name, got, call_list, forget_bias):
    """The first known wrong variant that ``got`` matches at every call, or None."""
    with np.errstate(all="ignore"):
        return _first_variant(name, got, call_list, forget_bias)


def _first_variant(name, got, call_list, forget_bias):
    for mistake, fn in wrong_variants(name, forget_bias):
        try:
            if all(_same(g, _parts(name, fn(*c.args))) for g, c in zip(got, call_list)):
                return mistake
        except Exception:  # noqa: BLE001  (a variant that cannot apply here)
            continue
    for mistake, transform in GENERIC:
        try:
            wrong = [_transformed(transform, c, g) for g, c in zip(got, call_list)]
        except Exception:  # noqa: BLE001
            continue
        # It must apply somewhere (B > 1, a matrix, ...); where it does not, the result is right.
        if any(w is not None for w in wrong) and all(
                _same(g, c.expected if w is None else w) for g, c, w in zip(got, call_list, wrong)):
            return mistake
    return None


def _transformed(transform, call, got):
    """lstmdoc's result at ``call`` made wrong by ``transform``; None where it cannot apply."""
    parts = [transform(e, g, call.B) for e, g in zip(call.expected, got)]
    if all(p is None for p in parts):
        return None
    return tuple(e if p is None else p for e, p in zip(call.expected, parts))


def load(path):
    """Import the learner's file ``path`` as a module (its folder on ``sys.path`` meanwhile).

    Raises
    ------
    FileNotFoundError, SyntaxError, Exception
        Whatever importing the file raises.
    """
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    name = "_lstmdoc_learner_" + Path(path).stem.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(os.path.dirname(path))
        sys.modules.pop(name, None)
    return module


def check(module_or_dict):
    """Grade every step function of a module, a file, or a namespace such as ``globals()``.

    Parameters
    ----------
    module_or_dict : module, dict, str or os.PathLike
        Where to find the functions, by lstmdoc's names (see :data:`REFERENCE`);
        a str or path is a Python file to import.

    Returns
    -------
    Report
        ``report.ok``, ``report.results`` (one :class:`Result` per function
        found), and ``print(report)`` for one line per function.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.grader import check
    >>> def dC_next(dc, cache):
    ...     return dc * cache.f
    >>> def dIt(dc, cache):
    ...     return dc * cache.cproj          # the sigmoid's derivative forgotten
    >>> report = check({"dC_next": dC_next, "dIt": dIt})
    >>> report.ok, [r.matches for r in report.results]
    (False, [False, True])
    >>> report.results[0].mistake
    "σ' missing: the gradient of the gate's value, not of its pre-activation"
    """
    source = None
    if isinstance(module_or_dict, (str, os.PathLike)):
        source = os.path.abspath(module_or_dict)
        label = os.path.basename(module_or_dict)
        try:
            namespace = vars(load(source))
        except Exception as exc:  # noqa: BLE001  (a syntax error or anything the file raises)
            what = "was not found" if isinstance(exc, FileNotFoundError) else "cannot be imported"
            return Report(label, problem=f"the file {what}.\n{_trimmed(exc, source)}".rstrip())
    elif isinstance(module_or_dict, dict):
        namespace, label = module_or_dict, "(your functions)"
    elif inspect.ismodule(module_or_dict):
        namespace, label = vars(module_or_dict), module_or_dict.__name__
        source = getattr(module_or_dict, "__file__", None)
        source = source and os.path.abspath(source)
    else:
        raise TypeError("module_or_dict must be a module, a dict of functions or a file path, "
                        f"got {type(module_or_dict).__name__}")
    # lstmdoc's own functions, imported (e.g. to build a cell_backward of them), are not graded.
    found = {n: namespace[n] for n in REFERENCE
             if callable(namespace.get(n)) and namespace[n] is not REFERENCE[n]}
    if not found:
        return Report(label, problem="no step function of your own found. Define any of: "
                      + "; ".join(signature(n) for n in REFERENCE) + ".")
    exs = [examples.random(), examples.article()]
    per_example = [calls(ex) for ex in exs]
    results = tuple(grade(n, fn, [c for cs in per_example for c in cs[n]], source,
                          exs[0].params.forget_bias)
                    for n, fn in found.items())
    return Report(label, results)


def add_arguments(parser):
    """Add the grader's command-line arguments to an ``argparse`` parser (or subparser)."""
    parser.add_argument("file", help="a Python file defining any of: " + ", ".join(REFERENCE))
    return parser


def run(args):
    """Grade ``args.file`` (parsed by :func:`add_arguments`), print the report, return the status.

    Returns
    -------
    int
        0 all match, 1 some function wrong or failing, 2 nothing could be graded.
    """
    report = check(args.file)
    print(report.text())
    return 0 if report.ok else 2 if report.problem else 1


def main(argv=None, prog="python -m lstmdoc.grader"):
    """``python -m lstmdoc.grader FILE.py``: print the report; exit status 0 only if all match.

    Returns
    -------
    int
        As :func:`run`.
    """
    parser = argparse.ArgumentParser(
        prog=prog, description="Grade your own LSTM backward-pass step functions against "
        "lstmdoc's: which step is wrong, at which time step, and the likely mistake.")
    return run(add_arguments(parser).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
