"""Whole models on the fast kernels: the loss and every gradient, for inputs already checked.

Each function here returns what its model's public ``loss_and_grads`` returns
(the same keys, shapes and layout: columns are examples), computed by the
layer kernels of :mod:`~lstmdoc.fast.layer` and :mod:`~lstmdoc.fast.bptt`.
"""

import numpy as np

from . import bptt, layer, readout
from .buffers import workspace


def rows(X, slot):
    """``X`` (T, D, B) as rows ``x_tᵀ`` (T, B, D), copied once into a kept buffer."""
    T, D, B = X.shape
    Xr = workspace(("input", slot), {"X": (T, B, D)}, X.dtype)["X"]
    Xr[...] = X.transpose(0, 2, 1)
    return Xr


def columns(a):
    """A rows-layout result (…, B, n) in the public layout (…, n, B): a fresh contiguous array."""
    return np.ascontiguousarray(np.swapaxes(a, -1, -2))


def loss_and_grads(params, X, target, h0, c0, dropout_mask=None):
    """:func:`lstmdoc.loss_and_grads` for inputs that are already checked.

    Parameters
    ----------
    params : LSTMParams
        With or without layer norm.
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,)
    h0, c0 : ndarray of shape (H, B)
    dropout_mask : ndarray of shape (T, H, B), optional

    Returns
    -------
    loss : float
    grads : dict of ndarray
        Keys ``"W", "b", "Wy", "by", "X", "h0", "c0"`` (and ``"norm_gain"``,
        ``"norm_shift"`` with layer norm), as :func:`lstmdoc.run` returns them.
    """
    w = layer.weights(params, params.norm_gain, params.norm_shift)
    mask = None if dropout_mask is None else dropout_mask.transpose(0, 2, 1)
    fw = layer.forward(w, rows(X, 0), h0.T, c0.T, mask)
    loss, dWy, dby, dh = readout.output_layer(params.Wy, params.by, fw.HS[-1], target)
    g = bptt.backward(w, fw, dh_last=dh)
    grads = {"W": g.dW, "b": g.db, "Wy": dWy, "by": dby, "X": columns(g.dX),
             "h0": columns(g.dh0), "c0": columns(g.dc0)}
    if params.layer_norm:
        grads.update(norm_gain=g.dnorm_gain, norm_shift=g.dnorm_shift)
    return loss, grads
