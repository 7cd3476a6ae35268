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


def stack_backward(ws, fws, dh_last=None, dh_out=None):
    """Every layer of one direction, top to bottom; returns their Grads, layer 1 first."""
    grads = [None] * len(fws)
    for l in reversed(range(len(fws))):
        grads[l] = bptt.backward(ws[l], fws[l], dh_last, dh_out)
        dh_last, dh_out = None, grads[l].dX  # the layer below's h_t receives dx at every step
    return grads


def last_step(fws, reverse, readout):
    """The many-to-one readout of a stack's top layer: its state (B, H), and where the gradient enters.

    Returns ``(h, entry)``; ``entry(dh)`` gives :func:`~lstmdoc.fast.bptt.backward`'s
    keyword arguments: ``dh_last`` for the state after the last step processed
    (the forward stack's ``h_T``; the backward stack's ``h_1`` with ``"states"``),
    or for ``"outputs"`` the backward stack's ``h_bw(T)``, its *first* step's,
    as ``dh_out`` at T.
    """
    top = fws[-1]
    if not reverse or readout == "states":
        return top.HS[0] if reverse else top.HS[-1], lambda dh: {"dh_last": dh}
    T = top.G.shape[0]

    def at_T(dh):
        dh_out = np.zeros((T, *dh.shape), dtype=dh.dtype)
        dh_out[T - 1] = dh
        return {"dh_out": dh_out}
    return top.outputs[T - 1], at_T


def output(params, tops, target, target_mask, readout):
    """The output layer on the stacks' tops: ``(loss, dWy, dby, entries)``, one entry per stack.

    ``tops`` is ``[(passes, reverse), ...]``. With a (T, B) target it reads
    ``[h_fw(t); h_bw(t)]`` at every t, all T·B rows in one product, and each
    stack's top layer gets its columns of the gradient as ``dh_out``.
    """
    if target.ndim == 1:
        read = [last_step(fws, reverse, readout) for fws, reverse in tops]
        h = np.concatenate([h for h, _ in read], axis=1)
        loss, dWy, dby, dh = out.last_step(params.Wy, params.by, h, target)
        cuts = np.cumsum([0] + [h.shape[1] for h, _ in read])
        return loss, dWy, dby, [enter(dh[:, a:b]) for (_, enter), a, b in zip(read, cuts, cuts[1:])]
    outputs = [fws[-1].outputs for fws, _ in tops]
    hs = outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=2)
    T, B, width = hs.shape
    weight = None if target_mask is None else target_mask.reshape(T * B)
    loss, dWy, dby, dh = out.output_layer(params.Wy, params.by, hs.reshape(T * B, width),
                                          target.reshape(T * B), weight)
    dh, cuts = dh.reshape(T, B, width), np.cumsum([0] + [o.shape[2] for o in outputs])
    return loss, dWy, dby, [{"dh_out": dh[:, :, a:b]} for a, b in zip(cuts, cuts[1:])]


def loss_and_grads(params, X, target, h0, c0, dropout_mask=None, target_mask=None,
                   return_state=False):
    """``lstmdoc.deep.loss_and_grads`` for inputs that are already checked.

    Parameters
    ----------
    params : DeepParams
        Its ``readout`` (``"outputs"`` when it has none) says what a (B,)
        target's output layer reads of the backward stack.
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,) or (T, B)
    h0, c0 : tuple of ndarray of shape (H_l, B)
        One per cell, in the order of ``params.cells``.
    dropout_mask : tuple of ndarray of shape (T, H_l, B), optional
        One per cell, in its processing order.
    target_mask : ndarray of shape (T, B), optional
    return_state : bool
        Also return every cell's last ``(h, c)`` (one direction only).

    Returns
    -------
    loss : float
    grads : dict
        As ``lstmdoc.deep.loss_and_grads`` returns them.
    """
    L, Xr = params.layers, rows(X, "deep")
    masks = dropout_mask or (None,) * len(params.cells)
    stacks = [(params.forward, False)] + ([(params.backward, True)] if params.backward else [])
    passes = [stack_forward(cells, Xr, h0[k * L:(k + 1) * L], c0[k * L:(k + 1) * L],
                            masks[k * L:(k + 1) * L], reverse, ("deep", k))
              for k, (cells, reverse) in enumerate(stacks)]
    loss, dWy, dby, entries = output(params, [(fws, r) for (_, fws), (_, r) in zip(passes, stacks)],
                                     target, target_mask, getattr(params, "readout", "outputs"))
    grads = [stack_backward(ws, fws, **entry) for (ws, fws), entry in zip(passes, entries)]
    if return_state:
        fws = passes[0][1]
        return loss, assemble(grads, dWy, dby), (tuple(columns(f.HS[-1]) for f in fws),
                                                 tuple(columns(f.CS[-1]) for f in fws))
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
