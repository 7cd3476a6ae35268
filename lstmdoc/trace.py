"""The article's ``backpassdebug``: every intermediate of a pass, by its article name.

:func:`trace` turns a :class:`lstmdoc.Run` into text. First the output layer
(the article's Step 1), then every time step in the order the backward pass
visits them, t = T, ..., 1 (Step 2); each block lists its forward quantities,
then its backward ones, every array with its shape and values. It prints what
:func:`lstmdoc.run` computed, so the numbers are the pages' numbers; the few
values a :class:`~lstmdoc.Run` does not keep (``a``, ``c``, ``h`` of each step,
and ``dh_out``) are recomputed by the very functions the pass calls.
"""

import difflib
import numbers
import textwrap

import numpy as np

from .cell import cell_from_preactivation, preactivation
from .model import Run
from .output import dh_output
from .params import LSTMParams
from .verification import STEP_NAMES

OUTPUT_FORWARD = {
    "logits": "W_y h_T + b_y",
    "probs": "softmax of the logits, y-hat",
}
OUTPUT_BACKWARD = {
    "dlogits": "(y-hat - y) / B",
    "dWy": "output weights: dlogits h_T^T",
    "dBy": "output biases: dlogits summed over the batch",
    "dh_out": "into h_T: W_y^T dlogits",
}
FORWARD = {
    "x": "the step's input x_t",
    "z": "[x_t; h_(t-1)]",
    "a": "W z_t + b, row blocks f, i, cproj, o",
    "f": "forget gate",
    "i": "input gate",
    "cproj": "candidate c~_t",
    "o": "output gate",
    "c": "cell state c_t",
    "h": "hidden state h_t",
}
BACKWARD = dict(zip(STEP_NAMES, (
    "hidden state: dh_out + dh_next",
    "output gate, pre-activation",
    "cell state: through h_t, plus dc_next",
    "candidate, pre-activation",
    "forget gate, pre-activation",
    "input gate, pre-activation",
    "this step's share of dW: da z_t^T",
    "this step's share of db",
    "the input x_t (DHX)",
    "h_(t-1) through this step (DHX); step t-1's dh_next",
    "c_(t-1) through c_t (dC_next, the article's DCt_recur); step t-1's dc_next",
)))
QUANTITIES = {**OUTPUT_FORWARD, **OUTPUT_BACKWARD, **FORWARD, **BACKWARD}
"""Every name :func:`trace` knows, in the order it prints them, with a short description."""
ALIASES = {
    **{"D" + n[1:]: (n,) for n in ("dHt", "dOt", "dCt", "dCprojt", "dFt", "dIt", "dWy", "dBy")},
    **dict.fromkeys(("DHX", "Dhx", "dHX"), ("dx", "dh_prev")),
    "dxt": ("dx",), "Dh_next": ("dh_prev",), "DCt_recur": ("dc_prev",), "dC_next": ("dc_prev",)}
"""The article's names (``DCt``, ``DHX``, ``DCt_recur``, ...) and lstmdoc's step functions
(``dHX``, ``dC_next``) that :func:`trace` accepts, with the quantities they show."""
ARTICLE_NAMES = {
    "dx": "(DHX's x part: the article's dxt)",
    "dh_prev": "(DHX's h part: the article's Dh_next)",
    "dc_prev": "(the article's DCt_recur, made by dC_next)",
}
"""The article's names of the quantities whose lstmdoc name differs, printed below them."""
RECEIVED = {"dh_next": "dh_prev", "dc_next": "dc_prev"}
"""What step t receives from step t + 1 is not a quantity of its own: it is step t + 1's."""

# Weight gradients print as matrices; every other array prints one column (one example) a line.
MATRICES = ("dWy", "dW")
INDENT = "    "


def trace(r, params, steps=None, quantities=None, linewidth=78):
    """Every intermediate of a pass, forward then backward, as text.

    Parameters
    ----------
    r : Run
        From :func:`lstmdoc.run` with ``params``.
    params : LSTMParams
    steps : sequence of int, optional
        Time steps to show, **counted from 1** as in the equations (``t``, not
        the index ``t - 1``). All by default. The output layer is shown with
        the last step, where the backward pass starts.
    quantities : sequence of str, optional
        Names from :data:`QUANTITIES` to show, or the article's names of them
        (:data:`ALIASES`: ``DCt``, ``DHX``, ``DCt_recur``, ...); all by default.
    linewidth : int, default 78
        Where numpy wraps a long row.

    Returns
    -------
    str
        One line per vector (a line per column when ``B > 1``); the weight
        gradients ``dWy`` and ``dW`` as matrices.

    Raises
    ------
    TypeError, ValueError
        A step outside ``1..T``, an unknown quantity (with the closest names
        known), or a run that does not belong to ``params``.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.trace import trace
    >>> ex = lstmdoc.example.article()
    >>> r = lstmdoc.run(ex.params, ex.X, ex.target)
    >>> print(trace(r, ex.params, steps=[3], quantities=["f", "dCt"]))
    T=3 D=10 H=5 V=10 B=1, loss 1.634319
    <BLANKLINE>
    t = 3
      forward
        f       (5, 1)    [0.7786 0.7786 0.7786 0.7786 0.7786]
      backward
        dCt     (5, 1)    [-0.2224 -0.2963 -0.2623  0.1321  0.1321]
    """
    check_run(r, params)
    T = len(r.caches)
    B = r.dlogits.shape[1]
    steps = check_steps(steps, T)
    wanted = check_quantities(quantities)

    lines = [f"T={T} D={params.D} H={params.H} V={params.V} B={B}, loss {r.loss:.6f}"]
    with np.printoptions(precision=4, suppress=True, linewidth=linewidth):
        for t in steps:
            if t == T:
                lines += block("Step 1, the output layer (after t = T)",
                               output_values(r, params), OUTPUT_FORWARD, wanted)
            lines += block(f"t = {t}", step_values(r, params, t - 1), FORWARD, wanted)
    return "\n".join(lines)


def check_run(r, params):
    """Raise unless ``r`` is a :class:`~lstmdoc.Run` of ``params``, as far as the sizes tell."""
    if not isinstance(r, Run):
        raise TypeError(f"r must be a Run (from lstmdoc.run), got {type(r).__name__}")
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    if r.caches[0].z.shape[0] != params.D + params.H or r.dlogits.shape[0] != params.V:
        raise ValueError("r does not come from a run of params: their sizes differ")


def check_steps(steps, T):
    """The time steps to show, ``T, ..., 1`` by default; each checked to lie in ``1..T``."""
    if steps is None:
        return list(range(T, 0, -1))
    steps = list(steps)
    for t in steps:
        if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 1 <= t <= T:
            raise ValueError(f"time steps count from 1 to T = {T} (as in the equations), got {t!r}")
    return steps


def check_quantities(quantities):
    """The set of names to show: names of :data:`QUANTITIES`, or :data:`ALIASES` of them."""
    if quantities is None:
        return set(QUANTITIES)
    if isinstance(quantities, str):
        raise TypeError("quantities must be a sequence of names, not a single string")
    unknown = [q for q in quantities if q not in QUANTITIES and q not in ALIASES]
    if unknown:
        raise ValueError(unknown_quantity(unknown[0]))
    return {name for q in quantities for name in ALIASES.get(q, (q,))}


def unknown_quantity(q):
    """The error message for a name :func:`trace` does not know: the closest names it does."""
    if q in RECEIVED:
        return (f"{q!r} is what step t receives from step t + 1: the trace prints it as step "
                f"t + 1's {RECEIVED[q]}")
    known = [*QUANTITIES, *ALIASES]
    folded = [n for n in known if n.lower() == str(q).lower()]
    close = folded or difflib.get_close_matches(str(q), known, n=3, cutoff=0.6)
    shows = {}  # one name per thing shown: lstmdoc's own before the article's
    for name in close:
        shows.setdefault(ALIASES.get(name, (name,)), name)
    hint = f"did you mean {' or '.join(map(repr, shows.values()))}? " if shows else ""
    return (f"unknown quantity {q!r}; {hint}known: {', '.join(QUANTITIES)}, "
            f"and the article's names {', '.join(ALIASES)}")


def output_values(r, params):
    """The output layer's quantities: forward from the run, backward from Step 1's functions."""
    return {"logits": r.logits, "probs": r.probs, "dlogits": r.dlogits,
            "dWy": r.grads["Wy"], "dBy": r.grads["by"],
            "dh_out": dh_output(r.dlogits, params.Wy)}


def step_values(r, params, k):
    """Every quantity of time step ``t = k + 1``, by name.

    ``a``, ``c`` and ``h`` are not in the cache; they are recomputed from it by
    the forward pass's own functions, which is bit for bit what the pass did.
    """
    cache, grads = r.caches[k], r.steps[k]
    x, h_prev = cache.z[:params.D], cache.z[params.D:]
    a, _ = preactivation(params, x, h_prev)
    h, c, _ = cell_from_preactivation(a, cache.c_prev, params.forget_bias, params.norm_gain,
                                      params.norm_shift, cache.mask)
    forward = {"x": x, "z": cache.z, "a": a, "f": cache.f, "i": cache.i, "cproj": cache.cproj,
               "o": cache.o, "c": c, "h": h}
    return {**forward, **grads._asdict()}


def block(title, values, forward_names, wanted):
    """The lines of one block: a title, the forward quantities, the backward ones."""
    forward = [n for n in values if n in forward_names and n in wanted]
    backward = [n for n in values if n not in forward_names and n in wanted]
    if not forward and not backward:
        return []
    lines = ["", title]
    for part, names in (("forward", forward), ("backward", backward)):
        if names:
            lines.append(f"  {part}")
            for name in names:
                lines += array_lines(name, values[name])
    return lines


def array_lines(name, a):
    """``name  shape  values``: vectors on the name's line, matrices below it.

    A quantity the article names differently gets its article name on a line below.
    """
    head = f"{INDENT}{name:<8}{str(a.shape):<10}"
    if name in MATRICES:
        body = INDENT + "  " + np.array2string(a, prefix=INDENT + "  ")
        return [head.rstrip()] + body.splitlines()
    B = a.shape[1]
    lines = []
    for b in range(B):
        label = f"[:, {b}] " if B > 1 else ""
        prefix = head if b == 0 else " " * len(head)
        text = np.array2string(a[:, b], prefix=prefix + label)
        lines.append(prefix + label + text)
    if name in ARTICLE_NAMES:  # wrapped at the width trace gave numpy
        pad = " " * len(head)
        lines += textwrap.wrap(ARTICLE_NAMES[name], np.get_printoptions()["linewidth"],
                               initial_indent=pad, subsequent_indent=pad)
    return lines
