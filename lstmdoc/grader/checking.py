"""``check``: find the functions in a file, a module or a namespace, and grade each one."""

import importlib.util
import inspect
import os
import sys
import tokenize
from functools import partial
from pathlib import Path

from .. import example as examples
from .. import layouts
from . import own
from .detect import detect, known_names
from .grading import Graded, grade, trimmed
from .learner import NoCache, calls
from .reference import parts
from .report import GradeWarning, Report, Result
from .source import compilable
from .styles import STYLES

NEEDS = {"step_backward": "step_forward", "backward": "forward"}


class NotPythonError(ValueError):
    """A file given to the grader that Python cannot import as a module (not ``.py``)."""


def load(path):
    """Import the learner's file ``path`` as a module (its folder on ``sys.path`` meanwhile).

    A top-level definition that does not compile is left out, and the rest
    imported (:func:`~lstmdoc.grader.source.compilable`; :func:`check` warns of it).

    Raises
    ------
    FileNotFoundError, SyntaxError, Exception
        Whatever importing the file raises.
    NotPythonError
        A :class:`ValueError`, if ``path`` is not a Python file (``.py``): Python imports no other.
    """
    return _load(path)[0]


def _load(path):
    """:func:`load`, and the definitions it left out: ``(module, [Skipped, ...])``."""
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    name = "_lstmdoc_learner_" + Path(path).stem.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        hint = (" (a notebook: save its code as a .py file first, e.g. "
                "`jupyter nbconvert --to script`)" if path.endswith(".ipynb") else "")
        raise NotPythonError(f"path must be a Python file ending in .py, got {os.path.basename(path)}{hint}")
    with tokenize.open(path) as f:  # in the encoding the file declares (PEP 263), as import does
        text, skipped = compilable(f.read(), path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, os.path.dirname(path))
    try:
        exec(compile(text, path, "exec"), vars(module))  # noqa: S102  (the learner's own file)
    finally:
        sys.path.remove(os.path.dirname(path))
        sys.modules.pop(name, None)
    return module, skipped


def _namespace(module_or_dict):
    """``(namespace, label, source, problem, warnings)``: where to look for the functions, and what."""
    if isinstance(module_or_dict, (str, os.PathLike)):
        source = os.path.abspath(module_or_dict)
        label = os.path.basename(module_or_dict)
        try:
            module, skipped = _load(source)
            return vars(module), label, source, None, [
                GradeWarning(s.name, "not-compiled",
                             f"left out, from line {s.line}: it does not compile ({s.error})")
                for s in skipped]
        except FileNotFoundError:
            return {}, label, source, f"the file was not found: {source}", []
        except NotPythonError as exc:  # not what the file raises: it was never run
            return {}, label, source, str(exc), []
        except Exception as exc:  # noqa: BLE001  (a syntax error or anything the file raises)
            tb = trimmed(exc, source).rstrip()
            return {}, label, source, f"the file cannot be imported: {tb.splitlines()[-1]}\n{tb}", []
    if isinstance(module_or_dict, dict):
        return module_or_dict, "(your functions)", None, None, []
    if inspect.ismodule(module_or_dict):
        source = getattr(module_or_dict, "__file__", None)
        source = source and os.path.abspath(source)
        return vars(module_or_dict), module_or_dict.__name__, source, None, []
    raise TypeError("module_or_dict must be a module, a dict of functions or a file path, "
                    f"got {type(module_or_dict).__name__}")


def _forward_of(style, found, kind):
    """``(name, function, Spec)`` of the learner's function of ``kind``, or None."""
    for name, specs in style.functions.items():
        for spec in specs:
            if spec.kind == kind and name in found:
                return name, found[name], spec
    return None


def _learner_plan(style, found, exs, source):
    """``([(Graded, [Call]) or Result], warnings)`` for a learner's layout."""
    lt = layouts.get(style.name)
    items, warnings = [], []
    for name, fn in found.items():
        specs, cs, item = style.functions[name], [], None
        for spec in specs:
            forward = _forward_of(style, found, NEEDS.get(spec.kind))
            if spec.kind in NEEDS and forward is None:
                want = next(n for n, ss in style.functions.items()
                            if any(s.kind == NEEDS[spec.kind] for s in ss))
                warnings.append(GradeWarning(name, "needs-forward", f"not graded: its cache "
                                             f"comes from {want}, which is not defined"))
                item = False
                break
            try:
                cs += [c for ex in exs for c in calls(lt, spec, ex, forward, source)]
            except NoCache as exc:
                item = Result(name, False, error=str(exc))
                break
        if item is None:
            item = (Graded(name, fn, tuple(n for n in specs[0].returns if n),
                           partial(parts, name, names=specs[0].returns),
                           f"{style.title} takes {specs[0].params}", lt.sequence.index("T")), cs)
        if item is not False:
            items.append(item)
    return items, warnings


def check(module_or_dict, layout=None):
    """Grade every function of a module, a file, or a namespace such as ``globals()``.

    Recognised by names and signatures: lstmdoc's step functions (``REFERENCE``),
    or CS231n's, deeplearning.ai's or Karpathy's (:data:`~lstmdoc.grader.styles.STYLES`);
    a backward function gets the cache your own forward builds.

    Parameters
    ----------
    module_or_dict : module, dict, str or os.PathLike
        Where the functions are; a str or path is a Python file to import.
    layout : str, optional
        ``"lstmdoc"``, ``"cs231n"``, ``"deeplearning.ai"`` or ``"karpathy"``,
        instead of recognising it.

    Returns
    -------
    Report
        ``report.status`` (the exit status), ``report.results`` (one
        :class:`Result` per function), ``report.warnings``; ``print(report)``.

    Examples
    --------
    >>> from lstmdoc.grader import check
    >>> def dIt(dc, cache):
    ...     return dc * cache.cproj          # the sigmoid's derivative forgotten
    >>> report = check({"dIt": dIt})
    >>> report.status, report.results[0].mistake_id
    (1, 'sigmoid-prime-missing')
    """
    namespace, label, source, problem, skipped = _namespace(module_or_dict)
    if problem:
        return Report(label, problem=problem)
    try:
        layout, found, warnings = detect(namespace, layout)
    except ValueError as exc:
        return Report(label, problem=str(exc), warnings=tuple(skipped))
    items, more = _plan(layout, found, source)
    results, graded = _grade_all(items, source)
    return _report(label, layout, found, results, skipped + warnings + more + graded)


def _plan(layout, found, source):
    """What to grade, on the random example and the article's: ``(items, warnings)``."""
    exs = [examples.random(), examples.article()]
    if layout == "lstmdoc":
        return own.plan(found, exs), []
    return _learner_plan(STYLES[layout], found, exs, source)


def _grade_all(items, source):
    """Grade each item in order: ``(results, warnings)``."""
    results, warnings = [], []
    for item in items:
        if isinstance(item, Result):  # a backward whose cache could not be built
            results.append(item)
            continue
        prefer = tuple(r.mistake_id for r in results if r.mistake_id)  # a loop's own step's
        result, more = grade(*item, source, prefer=prefer)
        results.append(result)
        warnings += more
    return results, warnings


def _forward_wrong(layout, results):
    """A warning for each backward graded on the cache of a forward that is wrong."""
    if layout not in STYLES:
        return []
    by_name = {r.name: r for r in results}
    out = []
    for name, specs in STYLES[layout].functions.items():
        forward = _forward_of(STYLES[layout], by_name, NEEDS.get(specs[-1].kind))
        if name in by_name and forward and forward[0] != name and not forward[1].ok:
            out.append(GradeWarning(name, "forward-wrong", f"graded on the caches of your "
                                    f"{forward[0]}, which is wrong: fix it first"))
    return out


def _nothing_found():
    return ("no step function of your own found. Define any of lstmdoc's step functions ("
            + ", ".join(known_names("lstmdoc")) + "), or a course's: " + "; ".join(
                f"{s.title} {', '.join(s.functions)}" for s in STYLES.values()) + ".")


def _report(label, layout, found, results, warnings):
    warnings = tuple(warnings) + tuple(_forward_wrong(layout, results))
    if not results:
        why = [f"{w.name} is {w.message}" for w in warnings if w.id in ("not-compiled", "needs-forward")]
        problem = "nothing could be graded: " + "; ".join(why) if why else _nothing_found()
        return Report(label, problem=problem, layout=layout if found else None,
                      warnings=warnings)
    return Report(label, tuple(results), layout=layout, warnings=warnings,
                  examples="the random example (T = 6) and the article's (T = 3)",
                  missing=tuple(n for n in known_names(layout) if n not in found))
