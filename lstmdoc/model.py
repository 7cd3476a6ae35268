"""The article's many-to-one model: T cell steps, logits from the last ``h``, mean cross-entropy.

:func:`run` keeps everything (for pages and for inspecting a model step by
step); :func:`loss_and_grads` is the short public contract, computed by the
fast pass of :mod:`lstmdoc.fast` (the same numbers to round-off).
"""

from typing import NamedTuple

import numpy as np

from . import _validate as check
from . import fast
from .bptt import lstm_backward, lstm_forward
from .output import cross_entropy, dBy, dh_output, dlogits, dWy, output_forward
from .params import LSTMParams


class Run(NamedTuple):
    """A forward and backward pass with every intermediate."""

    loss: float
    logits: np.ndarray   # (V, B)
    probs: np.ndarray    # (V, B)
    h: np.ndarray        # (H, B)  h_T
    caches: tuple        # T x CellCache
    dlogits: np.ndarray  # (V, B)
    steps: tuple         # T x CellGrads, indexed by time step
    grads: dict          # "W", "b", "Wy", "by", "X", "h0", "c0"


def check_inputs(params, X, target, h0=None, c0=None):
    """Validate the model's inputs; return ``(target, h0, c0)`` with zeros for missing states.

    Parameters
    ----------
    params : LSTMParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,)
    h0, c0 : ndarray of shape (H, B), or None for zeros

    Raises
    ------
    TypeError, ValueError
        Naming the argument and the expected type or shape.
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    check.float_array("X", X, 3, params.dtype)
    T, D, B = X.shape
    check.shape("X", X, (T, params.D, B), f"(T, D, B) with D = {params.D}")
    target = check.targets("target", target, B, params.V)
    states = []
    for name, s in (("h0", h0), ("c0", c0)):
        if s is None:
            s = np.zeros((params.H, B), dtype=params.dtype)
        check.shape(name, check.float_array(name, s, 2, params.dtype), (params.H, B), "(H, B)")
        states.append(s)
    return target, *states


def loss_from(params, X, target, start, h, c):
    """The loss of running steps ``start..T-1`` from the state ``(h, c)`` (no checks).

    The tail of a forward pass: finite differences perturb an intermediate
    state and call this to get the loss.

    Parameters
    ----------
    params : LSTMParams
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,)
    start : int
    h, c : ndarray of shape (H, B)

    Returns
    -------
    loss : float
    """
    h, _, _ = lstm_forward(params, X, h, c, start)
    return cross_entropy(output_forward(h, params.Wy, params.by), target)[0]


def run(params, X, target, h0=None, c0=None):
    """Forward pass, loss, and the whole backward pass, keeping every intermediate.

    Parameters
    ----------
    params : LSTMParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,)
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.

    Returns
    -------
    Run
    """
    target, h0, c0 = check_inputs(params, X, target, h0, c0)
    h, _, caches = lstm_forward(params, X, h0, c0)
    logits = output_forward(h, params.Wy, params.by)
    loss, probs = cross_entropy(logits, target)
    # Step 1: the output layer.
    d_logits = dlogits(probs, target)
    # Step 2: through the cell, every time step in reverse.
    steps, dW, db, dX, dh0, dc0 = lstm_backward(dh_output(d_logits, params.Wy), caches, params.W)
    grads = {"W": dW, "b": db, "Wy": dWy(d_logits, h), "by": dBy(d_logits),
             "X": dX, "h0": dh0, "c0": dc0}
    return Run(loss, logits, probs, h, caches, d_logits, steps, grads)


def loss_and_grads(params, X, target, h0=None, c0=None):
    """The loss and its gradient with respect to every parameter and input.

    Parameters
    ----------
    params : LSTMParams
    X : ndarray of shape (T, D, B)
        Inputs, one (D, B) matrix per time step.
    target : array of int of shape (B,)
        Class index to predict after the last step, in ``[0, V)``.
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch.
    grads : dict of ndarray
        Keys ``"W", "b", "Wy", "by", "X", "h0", "c0"``, each the shape of what
        it differentiates.

    Examples
    --------
    >>> import lstmdoc
    >>> ex = lstmdoc.example.random(seed=0)
    >>> loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    >>> sorted(grads)
    ['W', 'Wy', 'X', 'b', 'by', 'c0', 'h0']
    >>> grads["W"].shape == ex.params.W.shape
    True
    """
    target, h0, c0 = check_inputs(params, X, target, h0, c0)  # once per call, not per step
    if fast.covers(params):
        return fast.loss_and_grads(params, X, target, h0, c0)
    r = run(params, X, target, h0, c0)  # what the fast pass does not cover: step by step
    return r.loss, r.grads
