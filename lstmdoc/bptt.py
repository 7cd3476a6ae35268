"""The cell unrolled over T time steps, and backpropagation through time.

``lstm_backward`` calls ``cell_backward`` in exactly the reverse order of
``lstm_forward``; it is the only place where gradients are accumulated
(``+=``), which is the ``Σ_t`` in the equations.
"""

import numpy as np

from .cell import cell_forward
from .cell_backward import cell_backward


def lstm_forward(params, X, h0, c0, start=0, dropout_mask=None):
    """Run the cell over ``X[start:]`` from the state ``(h0, c0)``.

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.Cell
    X : ndarray of shape (T, D, B)
    h0, c0 : ndarray of shape (H, B)
        The state before step ``start``.
    start : int, default 0
        First time step to run (later steps only; used to rerun the tail of a pass).
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask, one (H, B) slice per time step (all T of
        them, also when ``start > 0``); none by default.

    Returns
    -------
    h, c : ndarray of shape (H, B)
        The last state.
    caches : tuple of CellCache
        One per step run, in time order.
    """
    h, c, caches = h0, c0, []
    for t in range(start, len(X)):
        mask = None if dropout_mask is None else dropout_mask[t]
        h, c, cache = cell_forward(params, X[t], h, c, mask)
        caches.append(cache)
    return h, c, tuple(caches)


def hidden_states(caches):
    """``h_1 … h_T`` from the caches, ``h_t = o_t ⊙ tanh(c_t)`` as the cell computed it.

    Parameters
    ----------
    caches : tuple of CellCache

    Returns
    -------
    ndarray of shape (T, H, B)
    """
    return np.stack([cache.o * cache.tanh_c for cache in caches])


def lstm_backward(dh_out, caches, W):
    """Backpropagation through time.

    Parameters
    ----------
    dh_out : ndarray of shape (H, B) or (T, H, B)
        Gradient of the loss with respect to the hidden states from outside
        the recurrence. Shape (H, B): the output layer's, into the last hidden
        state only (many-to-one). Shape (T, H, B): one per time step, the
        output layer's when every step predicts (:mod:`lstmdoc.every_step`)
        or the ``dx`` of a layer stacked above (see :mod:`lstmdoc.deep`).
    caches : tuple of CellCache
        From :func:`lstm_forward`, one per time step.
    W : ndarray of shape (4H, D+H)

    Returns
    -------
    steps : tuple of CellGrads
        Every intermediate gradient, indexed by time step.
    dW : ndarray of shape (4H, D+H)
    db : ndarray of shape (4H, 1)
    dX : ndarray of shape (T, D, B)
    dh0, dc0 : ndarray of shape (H, B)
    dnorm_gain, dnorm_shift : ndarray of shape (5H, 1), or None
        The layer norms' gradients, summed over time (None without layer norm).
    """
    T = len(caches)
    dh_out = per_step(dh_out, T)
    zeros = np.zeros_like(dh_out[0])
    dh_next, dc_next = zeros, zeros
    dW, db = np.zeros_like(W), np.zeros((W.shape[0], 1), dtype=W.dtype)
    layer_norm = caches[0].norms is not None
    if layer_norm:
        dgain = np.zeros((5 * W.shape[0] // 4, 1), dtype=W.dtype)
        dshift = np.zeros_like(dgain)
    steps = [None] * T
    for t in reversed(range(T)):
        g = cell_backward(dh_out[t], dh_next, dc_next, caches[t], W)
        dW += g.dW
        db += g.db
        if layer_norm:
            dgain += g.dnorm_gain
            dshift += g.dnorm_shift
        dh_next, dc_next = g.dh_prev, g.dc_prev
        steps[t] = g
    dX = np.stack([g.dx for g in steps])
    norm = (dgain, dshift) if layer_norm else (None, None)
    return tuple(steps), dW, db, dX, dh_next, dc_next, *norm


def per_step(dh_out, T):
    """``dh_out`` as one (H, B) gradient per time step.

    A (T, H, B) array is returned as it is. An (H, B) array is the
    many-to-one model's: the loss sees only ``h_T``, so it enters at the last
    step and every earlier step gets zeros.

    Parameters
    ----------
    dh_out : ndarray of shape (H, B) or (T, H, B)
    T : int

    Returns
    -------
    ndarray of shape (T, H, B)
    """
    if dh_out.ndim == 3:
        if dh_out.shape[0] != T:
            raise ValueError(f"dh_out must have shape (T, H, B) with T = {T} (one per cache), "
                             f"got {dh_out.shape}")
        return dh_out
    if dh_out.ndim != 2:
        raise ValueError(f"dh_out must have shape (H, B) or (T, H, B), got {dh_out.shape}")
    return np.concatenate([np.zeros((T - 1, *dh_out.shape), dtype=dh_out.dtype),
                           dh_out[None]])
