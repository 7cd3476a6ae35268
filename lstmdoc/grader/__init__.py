"""Grade your own backward pass: which step is wrong, and how.

Write any of lstmdoc's step functions, with the same names and signatures, in
a file of your own, then run ``python -m lstmdoc check FILE.py`` (the same as
``python -m lstmdoc.grader FILE.py``; in a notebook:
``lstmdoc.check(globals())``). Each function found is called with the inputs
lstmdoc's own gets, at every time step of the random example (every size
different, non-zero initial state) and of the article's example, and its
result is compared with lstmdoc's. A wrong result is also compared with known
wrong variants (the ``dc_next`` term forgotten, a derivative taken at the wrong
place, a transposed matrix, the gate blocks in another framework's order, ...),
which names the likely mistake.

Time steps are numbered t = 1..T as on the pages; the "first" one that differs
is the first the backward pass reaches (it runs t = T, ..., 1).

One idea per module: ``reference`` (where lstmdoc calls each step and what it
answers), ``variants`` (the known wrong versions), ``grading`` (the
comparison), ``report`` (what you read) and ``command`` (what you type).
"""

from .command import add_arguments, main, run
from .grading import TOL, check, grade, load
from .reference import PARTS, REFERENCE, STEP1, Call, calls, signature
from .report import Report, Result
from .variants import GATE_ORDERS, GENERIC, wrong_variants

__all__ = ["check", "Report", "Result", "wrong_variants", "signature", "main", "add_arguments",
           "run", "REFERENCE", "TOL", "STEP1", "PARTS", "GATE_ORDERS", "GENERIC", "Call",
           "calls", "grade", "load"]
