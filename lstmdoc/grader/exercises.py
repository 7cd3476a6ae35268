"""Grading in the exercise notebooks: each function the learner writes, graded on the spot.

An exercise notebook (the site's Exercises page) gives the learner a step function to
write, its body ``raise NotImplementedError``, and under it a cell ``grade(dOt)``.
:func:`grade` hands the step functions to :func:`lstmdoc.check <lstmdoc.grader.check>`
(layer norm's backward to :mod:`lstmdoc.grader.layer_norm`) and says plainly which
functions are still to be written: run as shipped, a notebook prints that, and nothing
raises.

>>> from lstmdoc.grader.exercises import grade
>>> def dOt(dh, cache):
...     raise NotImplementedError
>>> grade(dOt)
Still to be written: dOt (its body is still `raise NotImplementedError`).
>>> def dOt(dh, cache):
...     return dh * cache.tanh_c            # the sigmoid's derivative forgotten
>>> report = grade(dOt)
>>> report.ok, "likely mistake sigmoid-prime-missing" in report.text()
(False, True)
"""

import functools
from dataclasses import dataclass

from . import layer_norm
from .checking import check
from .reference import REFERENCE

GRADED = (*REFERENCE, layer_norm.NAME)
"""The functions :func:`grade` knows, by name."""


@dataclass(frozen=True)
class ExerciseReport:
    """What :func:`grade` found; shown as its text in a notebook (and by ``print``).

    Attributes
    ----------
    todo : tuple of str
        The functions whose body still raises ``NotImplementedError``.
    lines : tuple of str
        The grader's lines for the others (and its summary).
    ok : bool
        Every function is written and matches lstmdoc's.
    """

    todo: tuple
    lines: tuple
    ok: bool

    def text(self):
        todo = [f"Still to be written: {', '.join(self.todo)} (its body is still "
                "`raise NotImplementedError`)."] if self.todo else []
        return "\n".join([*self.lines, *todo])

    __repr__ = __str__ = text


def _watched(fn, todo):
    """``fn``, noting in ``todo`` when it raises NotImplementedError (signature kept)."""
    @functools.wraps(fn)
    def watched(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            todo.add(fn.__name__)
            raise
    return watched


def _step_lines(functions, todo):
    """The step functions' lines from :func:`~lstmdoc.grader.check`, but the still-to-write."""
    report = check({f.__name__: _watched(f, todo) for f in functions})
    if report.problem:
        return [str(report)], False
    results = [r for r in report.results if r.name not in todo]
    return [r.line() for r in results], all(r.matches for r in results)


def grade(*functions):
    """Grade the learner's functions, each known by its name (``dOt``, ``layernorm_backward``, ...).

    Parameters
    ----------
    *functions : callable
        Step functions named as lstmdoc's (:data:`GRADED`).

    Returns
    -------
    ExerciseReport
        Shown as one line per function; ``.ok`` when all are written and right.

    Raises
    ------
    TypeError
        When an argument is not a function of one of lstmdoc's names.
    """
    for f in functions:
        if not callable(f) or getattr(f, "__name__", None) not in GRADED:
            raise TypeError(f"grade() takes your functions named as lstmdoc's "
                            f"({', '.join(GRADED)}), "
                            f"got {getattr(f, '__name__', None) or type(f).__name__!r}")
    todo = set()
    steps = [f for f in functions if f.__name__ in REFERENCE]
    lines, ok = _step_lines(steps, todo) if steps else ([], True)
    for f in functions:
        if f.__name__ == layer_norm.NAME:
            result = layer_norm.grade(_watched(f, todo))
            if f.__name__ not in todo:
                lines.append(result.line())
                ok = ok and result.matches
    ordered = tuple(f.__name__ for f in functions if f.__name__ in todo)
    return ExerciseReport(ordered, tuple(lines), ok and not todo)
