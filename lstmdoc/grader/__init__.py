"""Grade your own LSTM: which function is wrong, where, and the likely mistake.

Write your LSTM as a course has you write it, or lstmdoc's step functions with
the same names and signatures, then run ``python -m lstmdoc check FILE.py``
(the same as ``python -m lstmdoc.grader FILE.py``; in a notebook:
``lstmdoc.check(globals())``). The grader recognises the layout by the
functions' names and signatures: lstmdoc's own steps (``dCt``, ...), CS231n's
``lstm_step_forward``/``lstm_step_backward``/``lstm_forward``/``lstm_backward``,
deeplearning.ai's ``lstm_cell_forward``/... and Karpathy's class ``LSTM``.
Each function is called with the values of lstmdoc's own pass, at every time
step of the random example (every size different, non-zero initial state) and
of the article's, in your layout; a backward function gets the cache that your
own forward builds. Whole-pass functions are graded with a gradient from
outside at every step and at the last step only, so that a loop's mistake is
located. A wrong result is compared with known wrong versions (the ``dc_next``
term forgotten, a loop that does not carry the gradients back, the gate blocks
in another order, ...), which names the likely mistake by a stable id
(:data:`~lstmdoc.grader.mistakes.MISTAKES`).

Time steps are numbered t = 1..T as on the pages; the "first" one that differs
is the first the backward pass reaches (it runs t = T, ..., 1).

One idea per module: ``reference`` (lstmdoc's own steps and their calls),
``variants`` and ``kinds`` (the known wrong versions), ``mistakes`` (their ids),
``learner`` and ``styles`` (the courses' layouts), ``detect`` (which layout),
``grading`` (the comparison), ``report`` (what you read), ``checking``
(``check``) and ``command`` (what you type).
"""

from .checking import check, load
from .command import add_arguments, main, run
from .grading import TOL, grade
from .mistakes import MISTAKES, WARNINGS, Variant
from .own import wrong_variants
from .reference import PARTS, REFERENCE, STEP1, Call, calls, signature
from .report import GradeWarning, Report, Result
from .styles import STYLES
from .variants import GENERIC

__all__ = ["check", "Report", "Result", "GradeWarning", "wrong_variants", "signature", "main",
           "add_arguments", "run", "REFERENCE", "TOL", "STEP1", "PARTS", "GENERIC", "Call",
           "calls", "grade", "load", "MISTAKES", "WARNINGS", "Variant", "STYLES"]
