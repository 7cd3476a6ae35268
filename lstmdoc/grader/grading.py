"""The comparison: your function called where lstmdoc calls its own, result by result."""

import importlib.util
import inspect
import os
import sys
import traceback
from pathlib import Path

import numpy as np

from .. import example as examples
from ..gradcheck import relative_error
from .reference import PARTS, REFERENCE, WrongReturn, calls, parts, signature
from .report import Report, Result
from .variants import GENERIC, wrong_variants

TOL = 1e-6
"""Largest relative error (:func:`~lstmdoc.gradcheck.relative_error`) that still matches."""

# lstmdoc's own folder: frames there are left out of the learner's traceback.
PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _copy(a):
    if isinstance(a, np.ndarray):
        return a.copy()
    if isinstance(a, tuple) and hasattr(a, "_fields"):  # CellCache
        return type(a)(*(_copy(x) for x in a))
    return a


def _errors(got, expected):
    """Relative error of each part, ``inf`` where the shapes differ."""
    return [relative_error(g.astype(np.float64), e) if g.shape == e.shape else np.inf
            for g, e in zip(got, expected)]


def _same(got, expected):
    return all(e <= TOL for e in _errors(got, expected))


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
            out = parts(name, fn(*map(_copy, c.args)))
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
            if all(_same(g, parts(name, fn(*c.args))) for g, c in zip(got, call_list)):
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
    wrong = [transform(e, g, call.B) for e, g in zip(call.expected, got)]
    if all(w is None for w in wrong):
        return None
    return tuple(e if w is None else w for e, w in zip(call.expected, wrong))


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


def _namespace(module_or_dict):
    """``(namespace, label, source, problem)``: where to look for the functions, and what."""
    if isinstance(module_or_dict, (str, os.PathLike)):
        source = os.path.abspath(module_or_dict)
        label = os.path.basename(module_or_dict)
        try:
            return vars(load(source)), label, source, None
        except Exception as exc:  # noqa: BLE001  (a syntax error or anything the file raises)
            what = "was not found" if isinstance(exc, FileNotFoundError) else "cannot be imported"
            return {}, label, source, f"the file {what}.\n{_trimmed(exc, source)}".rstrip()
    if isinstance(module_or_dict, dict):
        return module_or_dict, "(your functions)", None, None
    if inspect.ismodule(module_or_dict):
        source = getattr(module_or_dict, "__file__", None)
        source = source and os.path.abspath(source)
        return vars(module_or_dict), module_or_dict.__name__, source, None
    raise TypeError("module_or_dict must be a module, a dict of functions or a file path, "
                    f"got {type(module_or_dict).__name__}")


def check(module_or_dict):
    """Grade every step function of a module, a file, or a namespace such as ``globals()``.

    Parameters
    ----------
    module_or_dict : module, dict, str or os.PathLike
        Where to find the functions, by lstmdoc's names (see
        :data:`~lstmdoc.grader.reference.REFERENCE`); a str or path is a Python file to import.

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
    namespace, label, source, problem = _namespace(module_or_dict)
    if problem:
        return Report(label, problem=problem)
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
