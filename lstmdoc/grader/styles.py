"""The learners' layouts the grader reads: CS231n's, deeplearning.ai's and Karpathy's functions.

Each function is a :class:`~.learner.Spec`: its parameters as the course
writes them, what it returns, how to call it from a step of lstmdoc's pass
(``args``), and lstmdoc's answer in its layout (``out``). ``s`` is a
:class:`~.learner.Site` (one step) or :class:`~.learner.Whole` (a sequence),
``w`` the weights in the layout, ``cache`` what the learner's forward built.
"""

from typing import Callable, NamedTuple

import numpy as np

from .. import layouts
from ..output import output_forward, softmax
from .learner import Spec


class Style(NamedTuple):
    """A layout whose functions the grader can call: its functions, and how to find them."""

    name: str        # the layout's name in lstmdoc.layouts
    title: str       # whose ("CS231n's"), for messages
    functions: dict  # name -> tuple of Spec (Karpathy's are graded per step and whole)
    find: Callable   # namespace -> {name: function}


def _seq(layout, a):
    return layouts.sequence_to(layout, a)


def _cell(layout, names, dW, db):
    """lstmdoc's ``dW``, ``db`` as the layout's gradients ``names``."""
    g = layouts.grads_to(layout, {"W": dW, "b": db})
    return tuple(g[n] for n in names)


def _yours(obj):
    """Callable, and not lstmdoc's own (``lstmdoc.bptt.lstm_forward`` is not CS231n's)."""
    return callable(obj) and not (getattr(obj, "__module__", None) or "").startswith("lstmdoc.")


def _by_name(names):
    return lambda namespace: {n: namespace[n] for n in names if _yours(namespace.get(n))}


CS_W = ("dWx", "dWh", "db")
CS231N = Style("cs231n", "CS231n's", {
    "lstm_step_forward": (Spec(
        "(x, prev_h, prev_c, Wx, Wh, b)", "step_forward", ("next_h", "next_c", None),
        lambda s, w, cache: (s.x.T, s.h_prev.T, s.c_prev.T, w["Wx"], w["Wh"], w["b"]),
        lambda r, s: (r[0].T, r[1].T), cache_at=2),),
    "lstm_step_backward": (Spec(
        "(dnext_h, dnext_c, cache)", "step_backward", ("dx", "dprev_h", "dprev_c", *CS_W),
        lambda s, w, cache: ((s.dh_out + s.dh_next).T, s.dc_next.T, cache),
        lambda g, s: (g.dx.T, g.dh_prev.T, g.dc_prev.T, *_cell("cs231n", CS_W, g.dW, g.db)),
        total_dh=True),),
    "lstm_forward": (Spec(
        "(x, h0, Wx, Wh, b)", "forward", ("h", None),
        lambda s, w, cache: (_seq("cs231n", s.X), s.h0.T, w["Wx"], w["Wh"], w["b"]),
        lambda r, s: (_seq("cs231n", r[0]),), cache_at=1),),
    "lstm_backward": (Spec(
        "(dh, cache)", "backward", ("dx", "dh0", *CS_W),
        lambda s, w, cache: (_seq("cs231n", s.dh), cache),
        lambda r, s: (_seq("cs231n", r[0]), r[1].T, *_cell("cs231n", CS_W, r[3], r[4]))),),
}, _by_name(("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward")))


def _y(params, h):
    """deeplearning.ai's prediction at one step, ``softmax(Wy a + by)``: its forward makes one."""
    return softmax(output_forward(h, params.Wy, params.by))


DL = "deeplearning.ai"
DL_W = ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo")
DLAI = Style(DL, "deeplearning.ai's", {
    "lstm_cell_forward": (Spec(
        "(xt, a_prev, c_prev, parameters)", "step_forward", ("a_next", "c_next", "yt_pred", None),
        lambda s, w, cache: (s.x, s.h_prev, s.c_prev, w),
        lambda r, s: (r[0], r[1], _y(s.params, r[0])), cache_at=3),),
    "lstm_cell_backward": (Spec(
        "(da_next, dc_next, cache)", "step_backward", ("dxt", "da_prev", "dc_prev", *DL_W),
        lambda s, w, cache: (s.dh_out + s.dh_next, s.dc_next, cache),
        lambda g, s: (g.dx, g.dh_prev, g.dc_prev, *_cell(DL, DL_W, g.dW, g.db)),
        total_dh=True),),
    "lstm_forward": (Spec(
        "(x, a0, parameters)", "forward", ("a", "y", "c", None),
        lambda s, w, cache: (_seq(DL, s.X), s.h0, w),
        lambda r, s: (_seq(DL, r[0]), _seq(DL, np.stack([_y(s.params, h) for h in r[0]])),
                      _seq(DL, r[1])), cache_at=3),),
    "lstm_backward": (Spec(
        "(da, caches)", "backward", ("dx", "da0", *DL_W),
        lambda s, w, cache: (_seq(DL, s.dh), cache),
        lambda r, s: (_seq(DL, r[0]), r[1], *_cell(DL, DL_W, r[3], r[4]))),),
}, _by_name(("lstm_cell_forward", "lstm_cell_backward", "lstm_forward", "lstm_backward")))


def _karpathy(namespace):
    """``LSTM.forward`` and ``LSTM.backward`` of a class ``LSTM`` (Karpathy's static methods)."""
    cls = namespace.get("LSTM")
    return {f"LSTM.{n}": getattr(cls, n) for n in ("forward", "backward")
            if isinstance(cls, type) and _yours(getattr(cls, n, None))}


KP = "karpathy"
KP_FORWARD = ("(X, WLSTM, c0=None, h0=None)", ("Hout", "C[T-1]", "Hout[T-1]", None))
KP_BACKWARD = ("(dHout_in, cache, dcn=None, dhn=None)", ("dX", "dWLSTM", "dc0", "dh0"))
KARPATHY = Style(KP, "Karpathy's", {
    "LSTM.forward": (
        Spec(*KP_FORWARD[:1], "step_forward", KP_FORWARD[1],  # one step: X[t:t+1]
             lambda s, w, cache: (s.x.T[None], w["WLSTM"], s.c_prev.T, s.h_prev.T),
             lambda r, s: (r[0].T[None], r[1].T, r[0].T), cache_at=3),
        Spec(*KP_FORWARD[:1], "forward", KP_FORWARD[1],
             lambda s, w, cache: (_seq(KP, s.X), w["WLSTM"], s.c0.T, s.h0.T),
             lambda r, s: (_seq(KP, r[0]), r[1][-1].T, r[0][-1].T), cache_at=3)),
    "LSTM.backward": (
        Spec(*KP_BACKWARD[:1], "step_backward", KP_BACKWARD[1],
             lambda s, w, cache: (s.dh_out.T[None], cache, s.dc_next.T, s.dh_next.T),
             lambda g, s: (g.dx.T[None], *_cell(KP, ("dWLSTM",), g.dW, g.db), g.dc_prev.T,
                           g.dh_prev.T)),
        Spec(*KP_BACKWARD[:1], "backward", KP_BACKWARD[1],
             lambda s, w, cache: (_seq(KP, s.dh), cache),
             lambda r, s: (_seq(KP, r[0]), *_cell(KP, ("dWLSTM",), r[3], r[4]), r[2].T,
                           r[1].T))),
}, _karpathy)

STYLES = {s.name: s for s in (CS231N, DLAI, KARPATHY)}
"""The learners' layouts the grader reads, by layout name (lstmdoc's own steps: ``grader.own``)."""
