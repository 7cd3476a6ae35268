"""What the grader tells you: one :class:`Result` per function, gathered in a :class:`Report`."""

from dataclasses import dataclass

import numpy as np

from .reference import REFERENCE


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
