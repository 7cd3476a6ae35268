"""Which layout a file is written in, recognised by its functions' names and signatures."""

import difflib
import inspect
import sys

from .. import layouts
from . import own
from .reference import REFERENCE, signature
from .report import GradeWarning
from .styles import STYLES

GRADED_LAYOUTS = ("lstmdoc", *STYLES)
"""The layouts whose functions the grader reads."""

_LIBRARIES = {"lstmdoc", "numpy", "scipy", "torch", "tensorflow", "keras", "jax"}


def expected_args(style, name):
    """The numbers of positional arguments the grader calls ``name`` with, in ``style``."""
    if style == "lstmdoc":
        return {len(inspect.signature(REFERENCE[name]).parameters)}
    counts = set()
    for spec in STYLES[style].functions[name]:
        n = spec.params.count(",") + 1
        counts.add(2 if spec.kind == "backward" and "dcn" in spec.params else n)
    return counts


def fits(fn, n):
    """Whether ``fn`` can be called with ``n`` positional arguments."""
    try:
        inspect.signature(fn).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # a builtin without a signature
        return True
    return True


def _finders():
    return {"lstmdoc": own.find, **{n: s.find for n, s in STYLES.items()}}


def known_names(style):
    """The names of the functions the grader looks for in ``style``."""
    return list(REFERENCE) if style == "lstmdoc" else list(STYLES[style].functions)


def _check_layout(layout):
    if layout in GRADED_LAYOUTS:
        return layout
    if isinstance(layout, str) and layout in layouts.LAYOUTS:
        raise ValueError(f"the grader reads functions written in the layouts "
                         f"{', '.join(GRADED_LAYOUTS)}; {layout}'s has no hand-written backward "
                         f"functions to grade (convert its arrays with lstmdoc.layouts)")
    close = difflib.get_close_matches(str(layout).lower(), GRADED_LAYOUTS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    raise ValueError(f"no layout named {layout!r} for the grader: {hint}"
                     f"(one of {', '.join(GRADED_LAYOUTS)})")


def detect(namespace, layout=None):
    """``(layout, {name: function}, warnings)``: the layout to grade and its functions found.

    Without ``layout``, the layout with most functions whose signatures fit wins.

    Raises
    ------
    ValueError
        For a ``layout`` the grader does not read.
    """
    found = {n: f(namespace) for n, f in _finders().items()}
    if layout is None:
        score = {s: (sum(any(fits(fn, k) for k in expected_args(s, n)) for n, fn in fs.items()),
                     len(fs)) for s, fs in found.items()}
        layout = max(GRADED_LAYOUTS, key=lambda s: score[s])  # ties: the first listed
    layout = _check_layout(layout)
    warnings = [GradeWarning(", ".join(sorted(set(fs) - set(found[layout]))), "other-layout",
                             f"{s} functions too: grade them with --layout {s} "
                             f"(lstmdoc.check(..., layout={s!r}))")
                for s, fs in found.items() if s != layout and set(fs) - set(found[layout])
                and any(any(fits(fn, k) for k in expected_args(s, n)) for n, fn in fs.items())]
    return layout, found[layout], warnings + near_misses(namespace, layout, found)


def _learners(obj):
    """Whether ``obj`` is a function or class the learner wrote (not a library's)."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return False
    top = (getattr(obj, "__module__", None) or "").split(".")[0]
    return top not in _LIBRARIES and top not in sys.stdlib_module_names


def near_misses(namespace, layout, found):
    """Warnings for the learner's functions whose names are close to a graded one's."""
    known = {n for s in GRADED_LAYOUTS for n in known_names(s)} | {"LSTM"}
    taken = {n.split(".")[0] for fs in found.values() for n in fs}
    lower = {n.lower(): n for n in known}
    out = []
    for name, obj in namespace.items():
        if name in known or name in taken or name.startswith("_") or not _learners(obj):
            continue
        # the same name but for case, or a typo in a name that starts the same way
        # (rnn_cell_forward, a vanilla RNN's, is no typo of lstm_cell_forward)
        close = [k for k in difflib.get_close_matches(name.lower(), lower, n=1, cutoff=0.85)
                 if k == name.lower() or k[:3] == name.lower()[:3]]
        if close:
            meant = lower[close[0]]
            sig = f" ({signature(meant)})" if meant in REFERENCE else ""
            out.append(GradeWarning(name, "near-miss-name",
                                    f"not graded: did you mean {meant}{sig}?"))
    return out
