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


def loss_and_grads(params, X, target, h0, c0, dropout_mask=None, target_mask=None,
                   return_state=False):
    """:func:`lstmdoc.loss_and_grads` for inputs that are already checked.

    Parameters
    ----------
    params : LSTMParams
        With or without layer norm.
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,) or (T, B)
        After the last step, or at every step.
    h0, c0 : ndarray of shape (H, B)
    dropout_mask : ndarray of shape (T, H, B), optional
    target_mask : ndarray of shape (T, B), optional
        With a (T, B) target, each prediction's weight.
    return_state : bool
        Also return ``(h_T, c_T)``, each (H, B).

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
    loss, dWy, dby, entry = output(params, fw.outputs, target, target_mask)
    g = bptt.backward(w, fw, **entry)
    grads = {"W": g.dW, "b": g.db, "Wy": dWy, "by": dby, "X": columns(g.dX),
             "h0": columns(g.dh0), "c0": columns(g.dc0)}
    if params.layer_norm:
        grads.update(norm_gain=g.dnorm_gain, norm_shift=g.dnorm_shift)
    if return_state:
        return loss, grads, (columns(fw.HS[-1]), columns(fw.CS[-1]))
    return loss, grads


def output(params, outputs, target, target_mask=None):
    """The output layer on a layer's outputs (T, B, H): after the last step, or at every step.

    Returns ``(loss, dWy, dby, entry)``; ``entry`` is where its gradient enters
    the layer, the keyword arguments of :func:`~lstmdoc.fast.bptt.backward`:
    ``dh_last`` (B, H) into ``h_T`` for a (B,) target, or ``dh_out`` (T, B, H)
    into every ``h_t`` for a (T, B) target, whose T·B rows are one product each.
    """
    if target.ndim == 1:
        loss, dWy, dby, dh = readout.last_step(params.Wy, params.by, outputs[-1], target)
        return loss, dWy, dby, {"dh_last": dh}
    T, B, H = outputs.shape
    weight = None if target_mask is None else target_mask.reshape(T * B)
    loss, dWy, dby, dh = readout.output_layer(params.Wy, params.by, outputs.reshape(T * B, H),
                                              target.reshape(T * B), weight)
    return loss, dWy, dby, {"dh_out": dh.reshape(T, B, H)}
