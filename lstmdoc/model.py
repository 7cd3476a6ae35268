"""The model: T cell steps, then the output layer after the last step or at every step.

A (B,) target is the article's many-to-one model (logits from the last ``h``,
mean cross-entropy); a (T, B) target asks for a prediction at every step
(:mod:`lstmdoc.every_step`). :func:`run` keeps everything (for pages and for
inspecting a model step by step); :func:`loss_and_grads` is the short public
contract, computed by the fast passes of :mod:`lstmdoc.fast` for every model
(the same numbers to round-off).
"""

from typing import NamedTuple

import numpy as np

from . import fast
from ._records import field_docs
from .bptt import hidden_states, lstm_backward, lstm_forward
from .every_step import loss_of, readout
from .inputs import check_inputs
from .states import sequences


@field_docs
class Run(NamedTuple):
    """A forward and backward pass with every intermediate, from :func:`run`.

    Time steps are t = 1..T in the equations and ``k = t − 1`` here: ``caches[k]``,
    ``steps[k]`` and the states ``hs[k]`` (h_t), ``cs[k]`` (c_t) belong to time step t = k + 1.
    The output layer's quantities have a leading T axis when every step predicts
    (a (T, B) target).

    Attributes
    ----------
    loss : float
        Mean cross-entropy over the batch (with a (T, B) target: the masked
        mean over every step and example).
    logits : ndarray of shape (V, B) or (T, V, B)
        ``Wy @ h_T + by``; with a (T, B) target, ``Wy @ h_t + by`` at every step.
    probs : ndarray of shape (V, B) or (T, V, B)
        Softmax of the logits, one column per example.
    h : ndarray of shape (H, B)
        The last hidden state h_T.
    caches : tuple of CellCache
        The forward pass: ``T`` records, ``caches[k]`` for time step t = k + 1.
    dlogits : ndarray of shape (V, B) or (T, V, B)
        ∂L/∂logits, ``(probs − onehot(target)) / B`` (Step 1), at every step
        ``mask ⊙ (probs − onehot(target)) / Σ mask``.
    steps : tuple of CellGrads
        The backward pass: ``T`` records, ``steps[k]`` for time step t = k + 1.
    grads : dict of ndarray
        The gradients of the whole pass, keys ``"W"``, ``"b"``, ``"Wy"``,
        ``"by"``, ``"X"``, ``"h0"``, ``"c0"``, each shaped like what it
        differentiates (as returned by :func:`loss_and_grads`).
    hs, cs : ndarray of shape (T, H, B)
        Every hidden and cell state, h_1 … h_T and c_1 … c_T: ``(hs[-1], cs[-1])``
        is the state a next chunk of text starts from.
    dh_out : ndarray of shape (T, H, B)
        What the output layer sends into each h_t (zeros before T for a (B,) target).
    """

    loss: float
    logits: np.ndarray   # (V, B) or (T, V, B)
    probs: np.ndarray    # (V, B) or (T, V, B)
    h: np.ndarray        # (H, B)  h_T
    caches: tuple        # T x CellCache
    dlogits: np.ndarray  # (V, B) or (T, V, B)
    steps: tuple         # T x CellGrads, indexed by time step
    grads: dict          # "W", "b", "Wy", "by", "X", "h0", "c0" (+ "norm_gain", "norm_shift")
    hs: np.ndarray       # (T, H, B)  h_1 ... h_T
    cs: np.ndarray       # (T, H, B)  c_1 ... c_T
    dh_out: np.ndarray   # (T, H, B)  the output layer's gradient into each h_t


def loss_from(params, X, target, start, h, c, dropout_mask=None, *, target_mask=None,
              outputs=None, copies=1):
    """The loss of running steps ``start..T-1`` from the state ``(h, c)`` (no checks).

    The tail of a forward pass: finite differences perturb an intermediate
    state and call this to get the loss.

    Parameters
    ----------
    params : LSTMParams
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,) or (T, B)
    start : int
    h, c : ndarray of shape (H, B)
        The state step ``start`` reads.
    dropout_mask : ndarray of shape (T, H, B), optional
    target_mask : ndarray of shape (T, B), optional
    outputs : ndarray of shape (start, H, B), optional
        With a (T, B) target: the hidden states the output layer reads at the
        steps before ``start`` (they predict too); ``h`` feeds only the recurrence.
    copies : int, default 1
        ``X``, ``h``, ``c``, the masks' and ``outputs``' last axes hold this many
        copies of the batch side by side, each with its own loss (see
        :func:`~lstmdoc.every_step.loss_of`); ``target`` and ``target_mask`` are one batch's.

    Returns
    -------
    loss : float, or ndarray of shape (copies,) when ``copies > 1``
    """
    h, _, caches = lstm_forward(params, X, h, c, start, dropout_mask)
    if target.ndim == 1:
        return loss_of(h[None], params.Wy, params.by, target, copies=copies)
    hs = hidden_states(caches) if caches else np.zeros((0, *h.shape), dtype=h.dtype)
    if start:
        hs = np.concatenate([outputs, hs])
    return loss_of(hs, params.Wy, params.by, target, target_mask, copies)


def run(params, X, target, h0=None, c0=None, dropout_mask=None, *, target_mask=None):
    """Forward pass, loss, and the whole backward pass, keeping every intermediate.

    Parameters
    ----------
    params : LSTMParams
        The model.
    X : ndarray of shape (T, D, B)
        Inputs, one (D, B) matrix per time step.
    target : ndarray of int of shape (B,) or (T, B)
        Class indices in ``[0, V)``: one after the last step, or one at every step.
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask on the candidate (see :mod:`lstmdoc.dropout`).
    target_mask : ndarray of shape (T, B), optional
        With a (T, B) target, the weight of each prediction (0 for padding); ones when omitted.

    Returns
    -------
    Run
    """
    target, h0, c0 = check_inputs(params, X, target, h0, c0, dropout_mask, target_mask)
    h, c, caches = lstm_forward(params, X, h0, c0, dropout_mask=dropout_mask)
    hs, cs = sequences(caches, h, c)
    # Step 1: the output layer, after the last step or at every step.
    out = readout(hs, params.Wy, params.by, target, target_mask)
    # Step 2: through the cell, every time step in reverse.
    steps, dW, db, dX, dh0, dc0, dgain, dshift = lstm_backward(out.dh_out, caches, params.W)
    grads = {"W": dW, "b": db, "Wy": out.dWy, "by": out.dBy, "X": dX, "h0": dh0, "c0": dc0}
    if params.layer_norm:
        grads.update(norm_gain=dgain, norm_shift=dshift)
    return Run(out.loss, out.logits, out.probs, h, caches, out.dlogits, steps, grads, hs, cs,
               out.dh_out)


def loss_and_grads(params, X, target, h0=None, c0=None, dropout_mask=None, *, target_mask=None,
                   return_state=False):
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
    target : ndarray of int of shape (B,) or (T, B)
        Class index to predict after the last step, in ``[0, V)``; or one per
        step and example (every step predicts, :mod:`lstmdoc.every_step`).
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask on the candidate (see :mod:`lstmdoc.dropout`).
    target_mask : ndarray of shape (T, B), optional
        With a (T, B) target: each prediction's weight (0 for padding), ones when
        omitted; the loss is ``Σ mask·CE / Σ mask``.
    return_state : bool, optional
        Also return the last state ``(h_T, c_T)``: the next chunk's initial
        state in truncated BPTT (:mod:`lstmdoc.train.stream`), without a second pass.

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch (every step: the masked mean).
    grads : dict of ndarray
        Keys ``"W", "b", "Wy", "by", "X", "h0", "c0"``, and ``"norm_gain"``,
        ``"norm_shift"`` with layer norm; each the shape of what it differentiates.
    state : tuple of ndarray of shape (H, B)
        ``(h_T, c_T)``, only with ``return_state=True``.

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
    target, h0, c0 = check_inputs(params, X, target, h0, c0, dropout_mask, target_mask)
    return fast.loss_and_grads(params, X, target, h0, c0, dropout_mask, target_mask, return_state)
