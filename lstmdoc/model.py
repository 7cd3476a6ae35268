"""The article's many-to-one model: T cell steps, logits from the last ``h``, mean cross-entropy.

:func:`run` keeps everything (for pages and for inspecting a model step by
step); :func:`loss_and_grads` is the short public contract, computed by the
fast pass of :mod:`lstmdoc.fast` (the same numbers to round-off).
"""

from typing import NamedTuple

import numpy as np

from . import _validate as check
from ._records import field_docs
from . import fast
from .bptt import lstm_backward, lstm_forward
from .dropout import check_mask
from .output import cross_entropy, dBy, dh_output, dlogits, dWy, output_forward
from .params import LSTMParams
from .states import sequences


@field_docs
class Run(NamedTuple):
    """A forward and backward pass with every intermediate, from :func:`run`.

    Time steps are t = 1..T in the equations and ``k = t − 1`` here: ``caches[k]``,
    ``steps[k]`` and the states ``hs[k]`` (h_t), ``cs[k]`` (c_t) belong to time step t = k + 1.

    Attributes
    ----------
    loss : float
        Mean cross-entropy over the batch.
    logits : ndarray of shape (V, B)
        ``Wy @ h_T + by``.
    probs : ndarray of shape (V, B)
        Softmax of the logits, one column per example.
    h : ndarray of shape (H, B)
        The last hidden state h_T.
    caches : tuple of CellCache
        The forward pass: ``T`` records, ``caches[k]`` for time step t = k + 1.
    dlogits : ndarray of shape (V, B)
        ∂L/∂logits, ``(probs − onehot(target)) / B`` (Step 1).
    steps : tuple of CellGrads
        The backward pass: ``T`` records, ``steps[k]`` for time step t = k + 1.
    grads : dict of ndarray
        The gradients of the whole pass, keys ``"W"``, ``"b"``, ``"Wy"``,
        ``"by"``, ``"X"``, ``"h0"``, ``"c0"``, each shaped like what it
        differentiates (as returned by :func:`loss_and_grads`).
    hs, cs : ndarray of shape (T, H, B)
    """

    loss: float
    logits: np.ndarray   # (V, B)
    probs: np.ndarray    # (V, B)
    h: np.ndarray        # (H, B)  h_T
    caches: tuple        # T x CellCache
    dlogits: np.ndarray  # (V, B)
    steps: tuple         # T x CellGrads, indexed by time step
    grads: dict          # "W", "b", "Wy", "by", "X", "h0", "c0" (+ "norm_gain", "norm_shift")
    hs: np.ndarray       # (T, H, B)  h_1 ... h_T
    cs: np.ndarray       # (T, H, B)  c_1 ... c_T


def check_inputs(params, X, target, h0=None, c0=None, dropout_mask=None):
    """Validate the model's inputs; return ``(target, h0, c0)`` with zeros for missing states.

    Every array must be a numpy ndarray (nothing is converted): ``X``, ``h0``
    and ``c0`` in the parameters' dtype, ``target`` of integers.

    Parameters
    ----------
    params : LSTMParams
        The model; its ``W`` fixes D and H, its ``Wy`` fixes V.
    X : ndarray of shape (T, D, B)
        Inputs, time first, examples in columns.
    target : ndarray of int of shape (B,)
        Class indices in ``[0, V)``.
    h0 : ndarray of shape (H, B), or None
        Initial hidden state; None for zeros.
    c0 : ndarray of shape (H, B), or None
        Initial cell state; None for zeros.
    dropout_mask : ndarray of shape (T, H, B), or None
        Recurrent dropout's mask; None for no dropout.

    Returns
    -------
    target : ndarray of int of shape (B,)
    h0, c0 : ndarray of shape (H, B)

    Raises
    ------
    TypeError
        An argument of the wrong type or dtype (a list, an int array for
        ``X``, float32 inputs with float64 parameters), naming the argument.
    ValueError
        An array of the wrong shape, naming the argument, the axis that
        disagrees and, for a transposed array, the transpose to pass; or NaN,
        infinity, or a class index outside ``[0, V)``.

    Notes
    -----
    ``X`` laid out as ``(T, B, D)`` or ``(B, T, D)`` is recognised from its
    axis 1, which must have D entries. When ``B == D`` a ``(T, B, D)`` array
    has the right shape and cannot be told apart (nor a ``(B, T, D)`` one
    when also ``T == B``): lstmdoc then reads it as ``(T, D, B)``.

    Examples
    --------
    >>> import lstmdoc
    >>> ex = lstmdoc.example.random()    # T=6, D=3, B=2
    >>> lstmdoc.loss_and_grads(ex.params, ex.X.transpose(0, 2, 1), ex.target)
    Traceback (most recent call last):
    ...
    ValueError: X must have shape (T, D, B): axis 1 has 2 entries, but D = 3 (from params.W); if X is (T, B, D), pass X.transpose(0, 2, 1); if it is (B, T, D), X.transpose(1, 2, 0)
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    check.float_array("X", X, 3, params.dtype)
    T, D, B = X.shape
    if D != params.D:
        raise ValueError(f"X must have shape (T, D, B): axis 1 has {D} entries, but "
                         f"D = {params.D} (from params.W){_layout_hint(X.shape, params.D)}")
    target = check.targets("target", target, B, params.V)
    states = []
    for name, s in (("h0", h0), ("c0", c0)):
        if s is None:
            s = np.zeros((params.H, B), dtype=params.dtype)
        check.shape(name, check.float_array(name, s, 2, params.dtype), (params.H, B), "(H, B)")
        states.append(s)
    if dropout_mask is not None:
        check_mask("dropout_mask", dropout_mask, (T, params.H, B), params.dtype)
    return target, *states


def _layout_hint(shape, D):
    """The transpose that would bring an X of another layout to (T, D, B), if its shape tells."""
    if shape[2] == D:
        return ("; if X is (T, B, D), pass X.transpose(0, 2, 1); "
                "if it is (B, T, D), X.transpose(1, 2, 0)")
    if shape[0] == D:
        return "; if X is (D, T, B), pass X.transpose(1, 0, 2)"
    return ""


def loss_from(params, X, target, start, h, c, dropout_mask=None):
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
    dropout_mask : ndarray of shape (T, H, B), optional

    Returns
    -------
    loss : float
    """
    h, _, _ = lstm_forward(params, X, h, c, start, dropout_mask)
    return cross_entropy(output_forward(h, params.Wy, params.by), target)[0]


def run(params, X, target, h0=None, c0=None, dropout_mask=None):
    """Forward pass, loss, and the whole backward pass, keeping every intermediate.

    Parameters
    ----------
    params : LSTMParams
        The model.
    X : ndarray of shape (T, D, B)
        Inputs, one (D, B) matrix per time step.
    target : ndarray of int of shape (B,)
        Class indices in ``[0, V)``.
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask on the candidate (see :mod:`lstmdoc.dropout`).

    Returns
    -------
    Run
    """
    target, h0, c0 = check_inputs(params, X, target, h0, c0, dropout_mask)
    h, c, caches = lstm_forward(params, X, h0, c0, dropout_mask=dropout_mask)
    logits = output_forward(h, params.Wy, params.by)
    loss, probs = cross_entropy(logits, target)
    # Step 1: the output layer.
    d_logits = dlogits(probs, target)
    # Step 2: through the cell, every time step in reverse.
    steps, dW, db, dX, dh0, dc0, dgain, dshift = lstm_backward(
        dh_output(d_logits, params.Wy), caches, params.W)
    grads = {"W": dW, "b": db, "Wy": dWy(d_logits, h), "by": dBy(d_logits),
             "X": dX, "h0": dh0, "c0": dc0}
    if params.layer_norm:
        grads.update(norm_gain=dgain, norm_shift=dshift)
    return Run(loss, logits, probs, h, caches, d_logits, steps, grads, *sequences(caches, h, c))


def loss_and_grads(params, X, target, h0=None, c0=None, dropout_mask=None):
    """The loss and its gradient with respect to every parameter and input.

    Every array argument must be a numpy ndarray, lists included: lstmdoc
    converts nothing (no silent copy, no silent float32 → float64), so ``X``,
    ``h0`` and ``c0`` have the parameters' dtype and ``target`` is an integer
    ndarray (``np.array([3, 1])``, not ``[3, 1]``). Bad input raises a
    ``TypeError`` or ``ValueError`` naming the argument
    (:func:`~lstmdoc.model.check_inputs`).

    Parameters
    ----------
    params : LSTMParams
        The model.
    X : ndarray of shape (T, D, B)
        Inputs, one (D, B) matrix per time step.
    target : ndarray of int of shape (B,)
        Class index to predict after the last step, in ``[0, V)``.
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask on the candidate (see :mod:`lstmdoc.dropout`).

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch.
    grads : dict of ndarray
        Keys ``"W", "b", "Wy", "by", "X", "h0", "c0"``, and ``"norm_gain"``,
        ``"norm_shift"`` with layer norm; each the shape of what it differentiates.

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
    # Checked once, never per step; then the fast pass, which covers every variant.
    target, h0, c0 = check_inputs(params, X, target, h0, c0, dropout_mask)
    return fast.loss_and_grads(params, X, target, h0, c0, dropout_mask)
