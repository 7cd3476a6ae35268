"""A learner's file that does not compile as a whole: grade the definitions that do.

A syntax or indentation error anywhere stops Python from importing a file, so
one broken helper (say, a misindented docstring in a layer the exercise never
uses) would leave a correct LSTM ungraded. :func:`compilable` blanks out the
top-level ``def`` or ``class`` that holds each error, keeping every other
line where it was (tracebacks keep their line numbers), and says what it left out.
"""

import re
from typing import NamedTuple

DEFINITION = re.compile(r"(?:async\s+def|def|class)\s+(\w+)")
MAX_SKIPPED = 20
"""The most definitions left out before the file counts as not Python at all."""


class Skipped(NamedTuple):
    """A top-level definition left out because it does not compile."""

    name: str   # the function's or class's name
    line: int   # where it starts, 1-based
    error: str  # the compiler's message, with the line it points at


def compilable(text, filename):
    """``(text, skipped)``: ``text`` with each top-level definition that does not compile blanked out.

    Parameters
    ----------
    text : str
        The file's source.
    filename : str
        For the compiler's messages.

    Returns
    -------
    text : str
        Compiles; as many lines as before.
    skipped : list of Skipped

    Raises
    ------
    SyntaxError
        When an error lies outside every top-level definition (an import, a
        statement at module level): nothing can be left out for it.

    Examples
    --------
    >>> src = "def ok():\\n    return 1\\n\\ndef broken():\\n  '''doc\\n    '''\\n      x = 1\\n"
    >>> text, skipped = compilable(src, "mine.py")
    >>> skipped
    [Skipped(name='broken', line=4, error='IndentationError: unexpected indent (line 7)')]
    >>> namespace = {}
    >>> exec(compile(text, "mine.py", "exec"), namespace)
    >>> namespace["ok"](), "broken" in namespace
    (1, False)
    """
    lines = text.splitlines(keepends=True)
    skipped = []
    while True:
        try:
            compile("".join(lines), filename, "exec")
            return "".join(lines), skipped
        except SyntaxError as exc:
            block = _definition_around(lines, (exc.lineno or 1) - 1)
            if block is None or len(skipped) == MAX_SKIPPED:
                raise
            start, end, name = block
            skipped.append(Skipped(name, start + 1, f"{type(exc).__name__}: {exc.msg} "
                                                    f"(line {exc.lineno})"))
            lines[start:end] = ["\n"] * (end - start)


def _definition_around(lines, index):
    """``(start, end, name)`` of the top-level definition holding line ``index``, or None.

    It starts at the last unindented ``def``/``class`` (with its decorators) at
    or above the line, and ends before the next unindented line that is code
    (the next definition or its first decorator included).
    """
    head = next((i for i in range(min(index, len(lines) - 1), -1, -1)
                 if DEFINITION.match(lines[i])), None)
    if head is None:
        return None
    start = head
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    end = next((i for i in range(head + 1, len(lines))
                if lines[i][:1] not in ("", " ", "\t", "\n", "\r", "#")), len(lines))
    return (start, end, DEFINITION.match(lines[head]).group(1)) if end > index else None
