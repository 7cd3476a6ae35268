r"""Every step predicts: the output layer at every time step, a mask, and the mean it weighs.

A ``target`` of shape (T, B) asks for a prediction at every step, through the
one output layer of the article: ``logits_t = Wy h_t + by``. A ``target_mask``
``m`` of shape (T, B) weighs each prediction (0 for padding, so that sequences
of different lengths share a batch; ones by default), and the loss is the
weighted mean

.. math::

    L = \frac{\sum_{t,n} m_{tn}\, \mathrm{CE}_{tn}}{\sum_{t,n} m_{tn}}, \qquad
    \mathrm{CE}_{tn} = -\log \hat y_t[y_{tn}, n].

Differentiated: ``dlogits_t = m_t ⊙ (ŷ_t − y_t) / Σm`` (Step 1 at every step),
the output layer's gradients are sums over the steps, ``dWy = Σ_t dlogits_t h_tᵀ``
and ``dBy = Σ_t Σ_n dlogits_t``, and every ``h_t`` receives its own
``dh_out_t = Wyᵀ dlogits_t``: the ``dh_out`` of ``dHt = dh_out + dh_next``,
no longer zero before T.

A ``target`` of shape (B,) is the article's many-to-one model: one prediction
from ``h_T``, the mean over the batch, computed by exactly the article's
functions (:mod:`lstmdoc.output`). With T = 1 the two are one model.
"""

from typing import NamedTuple

import numpy as np

from . import _validate as check
from ._records import field_docs
from .bptt import per_step
from .output import cross_entropy, dBy, dh_output, dlogits, dWy, output_forward


@field_docs
class Readout(NamedTuple):
    """The output layer's pass over the hidden states, forward and backward (:func:`readout`).

    Attributes
    ----------
    loss : float
        The mean cross-entropy: over the batch (a (B,) target), or the masked
        mean over every step and example (a (T, B) target).
    logits : ndarray of shape (V, B) or (T, V, B)
        From ``h_T`` only, or one (V, B) matrix per step.
    probs : ndarray of shape (V, B) or (T, V, B)
        Their softmax, column by column.
    dlogits : ndarray of shape (V, B) or (T, V, B)
        ∂L/∂logits: ``(ŷ − y) / B``, or ``m_t ⊙ (ŷ_t − y_t) / Σm`` at every step.
    dh_out : ndarray of shape (T, H, B)
        What the output layer sends into each ``h_t``; zeros before T for a (B,) target.
    dWy : ndarray of shape (V, H)
    dBy : ndarray of shape (V, 1)
    """

    loss: float
    logits: np.ndarray   # (V, B) or (T, V, B)
    probs: np.ndarray    # (V, B) or (T, V, B)
    dlogits: np.ndarray  # (V, B) or (T, V, B)
    dh_out: np.ndarray   # (T, H, B)
    dWy: np.ndarray      # (V, H)
    dBy: np.ndarray      # (V, 1)


def check_target(target, target_mask, T, B, V, dtype):
    """Check a (B,) or (T, B) target and its mask; return the target unchanged.

    Parameters
    ----------
    target : ndarray of int of shape (B,) or (T, B)
        Class indices in ``[0, V)``, at padded positions too (their mask is 0).
    target_mask : ndarray of shape (T, B), or None
        Non-negative weights in the parameters' dtype, not all zero; only with
        a (T, B) target. None: every prediction counts once.
    T, B, V : int
    dtype : numpy dtype
        The parameters'.

    Raises
    ------
    TypeError, ValueError
        Naming the argument and the shape or values expected.
    """
    if isinstance(target, np.ndarray) and target.ndim == 2:
        if target.shape != (T, B):
            if check.one_hot_axis(target, B, V) is not None:
                check.targets("target", target, B, V)  # names the argmax that fixes it
            raise ValueError(f"target must have shape (B,) = ({B},) for one prediction after "
                             f"the last step, or (T, B) = ({T}, {B}) for one at every step; "
                             f"got {target.shape}")
        check.targets("target", target.reshape(-1), T * B, V)
    else:
        if target_mask is not None:
            raise ValueError("target_mask weighs a prediction at every step: it needs a (T, B) "
                             "target; a (B,) target predicts once, after the last step")
        if isinstance(target, np.ndarray) and target.ndim != 1:
            raise ValueError(f"target must have shape (B,) = ({B},) or (T, B) = ({T}, {B}), "
                             f"got {target.shape}")
        return check.targets("target", target, B, V)
    if target_mask is not None:
        check_target_mask(target_mask, T, B, dtype)
    return target


def check_target_mask(target_mask, T, B, dtype):
    """A (T, B) float array of ``dtype``, finite, not negative, not all zero."""
    check.shape("target_mask", check.float_array("target_mask", target_mask, 2, dtype),
                (T, B), "(T, B)")
    if np.any(target_mask < 0):
        raise ValueError(f"target_mask must not be negative, got a minimum of {target_mask.min()}")
    if not np.any(target_mask > 0):
        raise ValueError("target_mask must keep at least one prediction: it is all zero")


def every_step(target):
    """Whether ``target`` asks for a prediction at every step (shape (T, B)), not once (B,)."""
    return target.ndim == 2


def weights(target, target_mask, dtype):
    """``m / Σm``, the weight of each step's and example's cross-entropy, shape (T, B)."""
    mask = np.ones(target.shape, dtype=dtype) if target_mask is None else target_mask
    return mask / mask.sum()


def sequence_cross_entropy(logits, target, w):
    """``Σ_t Σ_n w_tn CE_tn``: the weighted cross-entropy of every step, via a stable log-sum-exp.

    Parameters
    ----------
    logits : ndarray of shape (T, V, B)
    target : ndarray of int of shape (T, B)
    w : ndarray of shape (T, B)
        :func:`weights`, summing to 1.

    Returns
    -------
    loss : float
    probs : ndarray of shape (T, V, B)
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    T, _, B = logits.shape
    picked = log_probs[np.arange(T)[:, None], target, np.arange(B)[None, :]]  # (T, B)
    return float(-(w * picked).sum()), np.exp(log_probs)


def sequence_dlogits(probs, target, w):
    """``w_t ⊙ (ŷ_t − y_t)`` at every step: Step 1's ``(ŷ − y)/B`` with the weights for ``1/B``.

    Parameters
    ----------
    probs : ndarray of shape (T, V, B)
    target : ndarray of int of shape (T, B)
    w : ndarray of shape (T, B)

    Returns
    -------
    dlogits : ndarray of shape (T, V, B)
    """
    T, _, B = probs.shape
    d = probs.copy()
    d[np.arange(T)[:, None], target, np.arange(B)[None, :]] -= 1
    return d * w[:, None, :]


def loss_of(hs, Wy, by, target, target_mask=None, copies=1):
    """The loss alone from the hidden states ``h_1 … h_T`` (for finite differences).

    Parameters
    ----------
    hs : ndarray of shape (T, H, copies·B)
    Wy : ndarray of shape (V, H)
    by : ndarray of shape (V, 1)
    target : ndarray of int of shape (B,) or (T, B)
    target_mask : ndarray of shape (T, B), optional
    copies : int, default 1
        ``hs`` holds this many copies of the batch side by side (copy m in
        columns ``m·B … (m+1)·B − 1``), each with its own loss.

    Returns
    -------
    float, or ndarray of shape (copies,) when ``copies > 1``
    """
    B = target.shape[-1]
    if not every_step(target):
        logits = output_forward(hs[-1], Wy, by)
        losses = [cross_entropy(logits[:, m * B:(m + 1) * B], target)[0] for m in range(copies)]
    else:
        logits = np.stack([output_forward(h, Wy, by) for h in hs])
        w = weights(target, target_mask, hs.dtype)
        losses = [sequence_cross_entropy(logits[..., m * B:(m + 1) * B], target, w)[0]
                  for m in range(copies)]
    return losses[0] if copies == 1 else np.array(losses)


def readout(hs, Wy, by, target, target_mask=None):
    """The output layer over the hidden states: loss, Step 1, and ``dh_out`` for every step.

    Parameters
    ----------
    hs : ndarray of shape (T, H, B)
        ``h_1 … h_T`` (for a bidirectional model, ``[h_fw(t); h_bw(t)]``).
    Wy : ndarray of shape (V, H)
    by : ndarray of shape (V, 1)
    target : ndarray of int of shape (B,) or (T, B)
        Checked already (:func:`check_target`).
    target_mask : ndarray of shape (T, B), optional

    Returns
    -------
    Readout
    """
    if not every_step(target):  # the article's model, by the article's functions
        logits = output_forward(hs[-1], Wy, by)
        loss, probs = cross_entropy(logits, target)
        d = dlogits(probs, target)
        return Readout(loss, logits, probs, d, per_step(dh_output(d, Wy), len(hs)),
                       dWy(d, hs[-1]), dBy(d))
    logits = np.stack([output_forward(h, Wy, by) for h in hs])  # the same layer at every step
    w = weights(target, target_mask, hs.dtype)
    loss, probs = sequence_cross_entropy(logits, target, w)
    d = sequence_dlogits(probs, target, w)
    # The output layer's gradients: Step 1's, summed over the steps.
    return Readout(loss, logits, probs, d, np.stack([dh_output(d_t, Wy) for d_t in d]),
                   sum(dWy(d_t, h) for d_t, h in zip(d, hs)), sum(dBy(d_t) for d_t in d))
