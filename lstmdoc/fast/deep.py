"""Stacked and bidirectional models on the fast layer: each layer and direction one fast pass.

A layer reads the layer below's outputs ``HS`` as its input rows, so its input
projection for all steps is one product over the layer below's whole sequence,
with no copy; on the way back, the input gradient a layer's pass returns,
(T, B, D_l) rows in original time, is the layer below's ``dh_out`` at every
step. The backward direction runs each of its layers in reverse on reversed
views (:func:`lstmdoc.fast.layer.steps`), so its inputs, outputs and
gradients stay in original time and the two directions meet without a flip.
"""

import numpy as np

from . import bptt, layer, readout as out
from .passes import columns, rows


def cell_weights(cell):
    """:func:`~lstmdoc.fast.layer.weights` of one cell (with its layer norm, if it has one)."""
    return layer.weights(cell, getattr(cell, "norm_gain", None), getattr(cell, "norm_shift", None))


def stack_forward(cells, X, h0, c0, masks, reverse, slot):
    """Every layer of one direction, bottom to top: ``(weights, passes)``, one of each per layer.

    ``X`` (T, B, D) rows; ``h0``, ``c0`` per layer (H_l, B); ``masks`` per layer
    (T, H_l, B) in the cell's processing order, or None.
    """
    ws, fws = [], []
    for l, (cell, h, c, m) in enumerate(zip(cells, h0, c0, masks)):
        ws.append(cell_weights(cell))
        if m is not None:  # (T, H, B) in processing order -> (T, B, H) rows in original time
            m = layer.steps(m, reverse).transpose(0, 2, 1)
        fws.append(layer.forward(ws[-1], X, h.T, c.T, m, reverse, slot=(slot, l)))
        X = fws[-1].outputs  # the next layer's input: this layer's h_t, no copy
    return ws, fws


def stack_backward(ws, fws, dh_last, dh_out, slot):
    """Every layer of one direction, top to bottom; returns their Grads, layer 1 first."""
    grads = [None] * len(fws)
    for l in reversed(range(len(fws))):
        grads[l] = bptt.backward(ws[l], fws[l], dh_last, dh_out, slot=(slot, l))
        dh_last, dh_out = None, grads[l].dX  # the layer below's h_t receives dx at every step
    return grads


def read(fws, reverse, readout):
    """The state of a stack's top layer the many-to-one output layer reads (B, H), and where it sits.

    Returns ``(h, t)``: ``t`` is the state's index in original time, or None
    for the state after the last step processed (``dh_last``).
    """
    top = fws[-1]
    if not reverse or readout == "states":
        return top.HS[0] if reverse else top.HS[-1], None
    T = top.G.shape[0]
    return top.outputs[T - 1], T - 1  # "outputs": h_bw(T), after its first processing step


def entry(dh, t, T):
    """``(dh_last, dh_out)`` for a stack's top layer: ``dh`` after its last step, or at original step ``t``."""
    if t is None:
        return dh, None
    dh_out = np.zeros((T, *dh.shape), dtype=dh.dtype)
    dh_out[t] = dh
    return None, dh_out


def loss_and_grads(params, X, target, h0, c0, dropout_mask=None, readout=None):
    """``lstmdoc.deep.loss_and_grads`` for inputs that are already checked (a (B,) target).

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,)
    h0, c0 : tuple of ndarray of shape (H_l, B)
        One per cell, in the order of ``params.cells``.
    dropout_mask : tuple of ndarray of shape (T, H_l, B), optional
        One per cell, in its processing order.
    readout : {"outputs", "states"}, optional
        What the output layer reads of the backward stack (default ``params.readout``,
        or ``"outputs"``).

    Returns
    -------
    loss : float
    grads : dict
        As ``lstmdoc.deep.loss_and_grads`` returns them.
    """
    readout = readout or getattr(params, "readout", "outputs")
    L, T = params.layers, X.shape[0]
    masks = dropout_mask or (None,) * len(params.cells)
    stacks = [(params.forward, False)] + ([(params.backward, True)] if params.backward else [])
    Xr = rows(X, "deep")
    passes = [stack_forward(cells, Xr, h0[k * L:(k + 1) * L], c0[k * L:(k + 1) * L],
                            masks[k * L:(k + 1) * L], reverse, ("deep", k))
              for k, (cells, reverse) in enumerate(stacks)]
    tops = [read(fws, reverse, readout) for (_, fws), (_, reverse) in zip(passes, stacks)]
    loss, dWy, dby, dh = out.output_layer(params.Wy, params.by, np.concatenate(
        [h for h, _ in tops], axis=1), target)
    widths = np.cumsum([0] + [h.shape[1] for h, _ in tops])
    grads = [stack_backward(ws, fws, *entry(dh[:, a:b], t, T), ("deep", k))
             for k, ((ws, fws), (_, t), a, b) in enumerate(zip(passes, tops, widths, widths[1:]))]
    return loss, assemble(grads, dWy, dby)


def assemble(grads, dWy, dby):
    """The public gradients from each stack's layer Grads (the public layout: columns are examples)."""
    def cell(g):
        d = {"W": g.dW, "b": g.db}
        return d if g.dnorm_gain is None else {**d, "norm_gain": g.dnorm_gain,
                                               "norm_shift": g.dnorm_shift}
    dX = grads[0][0].dX if len(grads) == 1 else grads[0][0].dX + grads[1][0].dX
    out = {"forward": tuple(cell(g) for g in grads[0]), "Wy": dWy, "by": dby, "X": columns(dX),
           "h0": tuple(columns(g.dh0) for stack in grads for g in stack),
           "c0": tuple(columns(g.dc0) for stack in grads for g in stack)}
    if len(grads) > 1:
        out["backward"] = tuple(cell(g) for g in grads[1])
    return out
