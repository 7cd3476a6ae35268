"""What the grader tells you: a :class:`Result` per function, gathered in a :class:`Report`."""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class GradeWarning(NamedTuple):
    """Something you should know that is not a wrong result (ids: :data:`~.mistakes.WARNINGS`)."""

    name: str      # the function (or file) it is about
    id: str
    message: str


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
        t = T, ..., 1); for a whole pass, the step of ``part`` that differs first.
    example : str or None
        The example of ``first_t``: ``"random"`` or ``"article"``.
    part : str or None
        For a function returning several arrays, the first that differs.
    shapes : tuple
        ``(part, yours, expected)`` for each part whose shape differs, at ``first_t``.
    mistake : str or None
        The likely mistake, "yours: …; should be: …", when the result matches a
        known wrong version.
    mistake_id : str or None
        Its stable id (:data:`~lstmdoc.grader.mistakes.MISTAKES`).
    error : str or None
        Why the function could not be graded (an exception, with the traceback
        of your own code; a signature or a return value that is not arrays).
    calls : int
        How many calls were compared.
    upstream : str or None
        For a whole pass: where the gradient from outside entered in the call
        that differs (``"at every step"`` or ``"at the last step only"``).
    wrong_parts, right_parts : tuple of str
        For a function returning several arrays: those that differ somewhere,
        and those right at every call.
    """

    name: str
    matches: bool
    rel_error: float | None = None
    first_t: int | None = None
    example: str | None = None
    part: str | None = None
    shapes: tuple = ()
    mistake: str | None = None
    mistake_id: str | None = None
    error: str | None = None
    calls: int = 0
    upstream: str | None = None
    wrong_parts: tuple = ()
    right_parts: tuple = ()

    @property
    def ok(self):
        """The same as ``matches``."""
        return self.matches

    @property
    def mistakes(self):
        """The ids of the likely mistakes (none or one)."""
        return [self.mistake_id] if self.mistake_id else []

    @property
    def where(self):
        """Where it first differs, e.g. ``"dprev_c at t = 5 of the random example"``, or None."""
        if self.matches or self.example is None:
            return None
        upstream = f", upstream gradient {self.upstream}" if self.upstream else ""
        if self.first_t:
            at = f"t = {self.first_t} of the {self.example} example{upstream}"
            return f"{self.part} at {at}" if self.part else at
        at = f"on the {self.example} example{upstream}"
        return f"{self.part}, {at}" if self.part else at

    def message(self):
        """What the line says after the function's name."""
        if self.matches:
            return (f"matches at all {self.calls} calls "
                    f"(largest relative error {self.rel_error:.1e})")
        if self.error:
            at = f" at t = {self.first_t} of the {self.example} example" if self.example else ""
            text = f"could not be graded{at}: {self.error.splitlines()[-1]}"
        else:
            err = "" if self.rel_error == np.inf else \
                f"; largest relative error {self.rel_error:.2g}"
            shapes = "; ".join(f"{p} has shape {y}, expected {e}" for p, y, e in self.shapes)
            where = self.where
            lead = "differs first in" if self.part else "differs first at" if self.first_t \
                else "differs"
            text = f"{lead} {where}{err}" + (f"; {shapes}" if shapes else "")
            if self.right_parts:
                text += f" (wrong: {', '.join(self.wrong_parts)}; right: {', '.join(self.right_parts)})"
        if self.mistake:
            which = f" {self.mistake_id}" if self.mistake_id else ""
            text += f" — likely mistake{which}: {self.mistake}"
        return text

    def line(self, width=13):
        """One line: matches, or what is wrong."""
        return f"{'ok' if self.matches else 'WRONG':5} {self.name:{width}} {self.message()}"

    def as_dict(self):
        """``{"name", "ok", "mistakes", "where", "message"}``, as ``--json`` prints it."""
        return {"name": self.name, "ok": self.ok, "mistakes": self.mistakes,
                "where": self.where, "message": self.message()}


@dataclass(frozen=True)
class Report:
    """The grade of every function found; ``str(report)`` prints it.

    Attributes
    ----------
    source : str
        Where the functions came from.
    results : tuple of Result
        One per function found, in the order of the layout's functions.
    problem : str or None
        Why nothing could be graded (no function the grader knows, a syntax
        error, an exception at import), with the traceback of your code.
    layout : str or None
        The layout the functions were read in: ``"lstmdoc"``, ``"cs231n"``,
        ``"deeplearning.ai"`` or ``"karpathy"``.
    warnings : tuple of GradeWarning
    examples : str
        What the functions were run on.
    missing : tuple of str
        The layout's functions the file does not define.
    """

    source: str
    results: tuple = ()
    problem: str | None = None
    layout: str | None = None
    warnings: tuple = ()
    examples: str = ""
    missing: tuple = ()

    @property
    def ok(self):
        """Whether something was graded and every function graded matches."""
        return self.problem is None and bool(self.results) and all(r.ok for r in self.results)

    @property
    def status(self):
        """The exit status: 0 every function right, 1 one wrong, 2 nothing could be graded."""
        if self.problem or not any(r.calls or r.example for r in self.results):
            return 2
        return 0 if self.ok else 1

    def text(self):
        """One line per function, each traceback, the warnings, then a summary."""
        head = f"lstmdoc check {self.source}"
        if self.problem:
            return "\n".join([f"{head}: {self.problem}"] + [
                f"warning [{w.id}] {w.name}: {w.message}" for w in self.warnings])
        width = max(13, *(len(r.name) for r in self.results))
        lines = [f"{head} ({self.layout} layout): {len(self.results)} function(s), "
                 f"on {self.examples}"]
        lines += [r.line(width) for r in self.results]
        for r in self.results:
            if r.error and "\n" in r.error:
                lines += ["", f"{r.name}:", r.error.rstrip()]
        lines += [f"warning [{w.id}] {w.name}: {w.message}" for w in self.warnings]
        wrong = sum(not r.ok for r in self.results)
        lines.append("All match." if not wrong else f"{wrong} of {len(self.results)} wrong.")
        if self.missing:
            lines.append("Not found (not graded): " + ", ".join(self.missing) + ".")
        return "\n".join(lines)

    __str__ = text

    def as_dict(self):
        """The report as ``--json`` prints it: ``{"layout", "functions", "warnings"}``."""
        warnings = [w._asdict() for w in self.warnings]
        if self.problem:
            warnings.insert(0, {"name": self.source, "id": "nothing-graded",
                                "message": self.problem.splitlines()[0]})
        return {"layout": self.layout, "functions": [r.as_dict() for r in self.results],
                "warnings": warnings}
