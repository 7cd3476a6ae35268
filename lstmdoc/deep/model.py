"""The deep model: stacked cells, one or two directions, logits from the top at T or at every step.

Same contract as :mod:`lstmdoc.model`: :func:`run` keeps every intermediate,
:func:`loss_and_grads` returns the loss and the gradients (the fast pass of
:mod:`lstmdoc.fast.deep`, a fast layer per layer and direction). Initial states and
the per-cell gradients are tuples in the order of :attr:`DeepParams.cells`
(forward layers bottom to top, then backward layers). A (T, B) target asks for
a prediction at every step (:mod:`lstmdoc.every_step`): the output layer reads
``[h_fw(t); h_bw(t)]`` at every t, a tagger's reading; the output layer's
quantities of :class:`DeepRun` then have a leading T axis.
"""

from typing import NamedTuple

import numpy as np

from .. import _validate as check
from .. import fast
from ..dropout import check_mask
from ..every_step import check_target, every_step, loss_of as readout_loss, readout
from .bidirectional import at_last_step, backward_entry, backward_read, flip_time, split_rows
from .params import DeepParams
from .stacked import stack_backward, stack_forward


class DeepRun(NamedTuple):
    """A forward and backward pass of a deep model, with every intermediate."""

    loss: float
    logits: np.ndarray     # (V, B), or (T, V, B) when every step predicts
    probs: np.ndarray      # (V, B), or (T, V, B)
    h: np.ndarray          # (H_fw [+ H_bw], B)  what the output layer reads (top_states); (T, ...)
    dlogits: np.ndarray    # (V, B), or (T, V, B)
    dh: np.ndarray         # (H_fw [+ H_bw], B)  Wyᵀ dlogits, the gradient of h; (T, ...)
    forward: tuple         # L x LayerPass, layer 1 first
    forward_grads: tuple   # L x LayerGrads
    backward: tuple        # L x LayerPass in processing order (step 0 reads x_T); () for one direction
    backward_grads: tuple  # L x LayerGrads, processing order; ()
    grads: dict            # "forward"/"backward": per layer {"W", "b"}; "Wy", "by", "X"; "h0", "c0" per cell


def check_inputs(params, X, target, h0=None, c0=None, target_mask=None, dropout_mask=None):
    """Validate the inputs; return ``(target, h0, c0)``, the states as tuples (zeros for None).

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,) or (T, B)
    h0, c0 : sequence of ndarray of shape (H_l, B), or None for zeros
        One per cell, in the order of ``params.cells``.
    target_mask : ndarray of shape (T, B), optional
        With a (T, B) target (:func:`~lstmdoc.every_step.check_target`).
    dropout_mask : sequence of ndarray of shape (T, H_l, B), optional
        One recurrent-dropout mask per cell, in the order of ``params.cells``.

    Raises
    ------
    TypeError, ValueError
        Naming the argument, the cell and the expected shape.
    """
    if not isinstance(params, DeepParams):
        raise TypeError(f"params must be a DeepParams, got {type(params).__name__}")
    check.float_array("X", X, 3, params.dtype)
    T, D, B = X.shape
    check.shape("X", X, (T, params.D, B), f"(T, D, B) with D = {params.D}")
    target = check_target(target, target_mask, T, B, params.V, params.dtype)
    if target.ndim == 2 and params.backward is not None and params.readout != "outputs":
        raise ValueError(f'a (T, B) target reads [h_fw(t); h_bw(t)] at every step, the outputs; '
                         f'readout={params.readout!r} reads the final states once: predict once '
                         'with a (B,) target, or use readout="outputs"')
    n, names = len(params.cells), params.names
    if dropout_mask is not None:
        if not isinstance(dropout_mask, (list, tuple)) or len(dropout_mask) != n:
            raise ValueError(f"dropout_mask must be a list or tuple of {n} arrays, one per cell "
                             f"({', '.join(names)})")
        for k, (m, cell) in enumerate(zip(dropout_mask, params.cells)):
            check_mask(f"dropout_mask[{k}] ({names[k]})", m, (T, cell.H, B), params.dtype)
    states = []
    for arg, given in (("h0", h0), ("c0", c0)):
        if given is None:
            states.append(tuple(np.zeros((c.H, B), dtype=params.dtype) for c in params.cells))
            continue
        if not isinstance(given, (list, tuple)) or len(given) != n:
            got = f"{len(given)}" if isinstance(given, (list, tuple)) else type(given).__name__
            raise ValueError(f"{arg} must be a list or tuple of {n} arrays, one per cell "
                             f"({', '.join(names)}), got {got}")
        for k, (s, cell) in enumerate(zip(given, params.cells)):
            name = f"{arg}[{k}] ({names[k]})"
            check.shape(name, check.float_array(name, s, 2, params.dtype), (cell.H, B), "(H, B)")
        states.append(tuple(given))
    return target, *states


def top_states(params, fw, bw):
    """What the output layer reads, shape (H_fw [+ H_bw], B): ``h_fw(T)``, and the backward state.

    For two directions, ``params.readout`` chooses the backward state
    (:func:`~lstmdoc.deep.bidirectional.backward_read`): ``"outputs"``,
    ``[h_fw(T); h_bw(T)]``, the backward stack's output after its *first*
    processing step (it has read ``x_T`` only); ``"states"``,
    ``[h_fw(T); h_bw(1)]``, its final state (it has read every ``x_t``).
    """
    tops = [fw[-1].h[-1]]
    if bw:
        tops.append(backward_read(bw[-1].h, params.readout))
    return np.concatenate(tops)


def step_states(fw, bw):
    """``[h_fw(t); h_bw(t)]`` at every step t, shape (T, H_fw [+ H_bw], B); at T, :func:`top_states`."""
    return np.concatenate([fw[-1].h] + ([flip_time(bw[-1].h)] if bw else []), axis=1)


def forward(params, X, h0, c0, dropout_mask=None):
    """The forward pass of both stacks (no checks): ``(fw, bw)`` tuples of LayerPass."""
    L = params.layers
    masks = dropout_mask or (None,) * len(params.cells)
    fw = stack_forward(params.forward, X, h0[:L], c0[:L], masks[:L])
    bw = () if params.backward is None else \
        stack_forward(params.backward, flip_time(X), h0[L:], c0[L:], masks[L:])
    return fw, bw


def read_states(params, target, fw, bw):
    """What the output layer reads: at every step (:func:`step_states`) for a (T, B) target,
    else once (:func:`top_states`, as a leading axis of one), shape (T or 1, H_fw [+ H_bw], B)."""
    return step_states(fw, bw) if every_step(target) else top_states(params, fw, bw)[None]


def entering(params, target, dh_out, T):
    """The output layer's gradient as each stack's BPTT takes it: ``(T, H, B)``, processing order.

    Every step predicting, ``h_fw(t)`` and ``h_bw(t)`` get theirs at every t (the
    backward stack's at its processing step T − t); predicting once, each half
    enters where the readout read it (:func:`~lstmdoc.deep.bidirectional.backward_entry`).
    """
    H_fw = params.forward[-1].H
    if every_step(target):
        dh_fw, dh_bw = split_rows(dh_out, H_fw)
        return dh_fw, flip_time(dh_bw)
    dh_fw, dh_bw = split_rows(dh_out[-1], H_fw)
    return at_last_step(dh_fw, T), backward_entry(dh_bw, params.readout, T)


def loss_of(params, X, target, h0, c0, target_mask=None, dropout_mask=None):
    """The loss alone (no checks): the function the finite differences perturb."""
    fw, bw = forward(params, X, h0, c0, dropout_mask)
    return readout_loss(read_states(params, target, fw, bw), params.Wy, params.by, target,
                        target_mask)


def run(params, X, target, h0=None, c0=None, *, target_mask=None, dropout_mask=None):
    """Forward pass, loss and whole backward pass of a deep model, with every intermediate.

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,) or (T, B)
        After the last step, or at every step.
    h0, c0 : sequence of ndarray of shape (H_l, B), optional
        One initial state per cell (order of ``params.cells``); zeros when omitted.
    target_mask : ndarray of shape (T, B), optional
        With a (T, B) target, each prediction's weight; ones when omitted.
    dropout_mask : sequence of ndarray of shape (T, H_l, B), optional
        Recurrent dropout's mask of each cell, indexed by its processing step.

    Returns
    -------
    DeepRun
    """
    target, h0, c0 = check_inputs(params, X, target, h0, c0, target_mask, dropout_mask)
    fw, bw = forward(params, X, h0, c0, dropout_mask)
    hs = read_states(params, target, fw, bw)
    # Step 1: the output layer, at T or at every step; its gradient splits between the directions.
    out = readout(hs, params.Wy, params.by, target, target_mask)
    dh_fw, dh_bw = entering(params, target, out.dh_out, X.shape[0])
    # Step 2: each stack from its top layer down, each half entering where it was read.
    fw_grads = stack_backward(dh_fw, fw, params.forward)
    dX = fw_grads[0].dX
    bw_grads = ()
    if bw:
        bw_grads = stack_backward(dh_bw, bw, params.backward)
        dX = dX + flip_time(bw_grads[0].dX)  # both stacks read x_t
    cells = fw_grads + bw_grads
    grads = {"forward": cell_grads(fw_grads), "Wy": out.dWy, "by": out.dBy, "X": dX,
             "h0": tuple(g.dh0 for g in cells), "c0": tuple(g.dc0 for g in cells)}
    if bw:
        grads["backward"] = cell_grads(bw_grads)
    h, dh = (hs, out.dh_out) if every_step(target) else (hs[-1], out.dh_out[-1])
    return DeepRun(out.loss, out.logits, out.probs, h, out.dlogits, dh,
                   fw, fw_grads, bw, bw_grads, grads)


def cell_grads(layers):
    """``({"W": dW, "b": db}, ...)``, one dict per layer (with layer norm also its gains and shifts)."""
    return tuple({"W": g.dW, "b": g.db} if g.dnorm_gain is None else
                 {"W": g.dW, "b": g.db, "norm_gain": g.dnorm_gain, "norm_shift": g.dnorm_shift}
                 for g in layers)


def loss_and_grads(params, X, target, h0=None, c0=None, *, target_mask=None, dropout_mask=None,
                   return_state=False):
    """The loss and its gradient with respect to every parameter and input of a deep model.

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,) or (T, B)
    h0, c0 : sequence of ndarray of shape (H_l, B), optional
        One initial state per cell, in the order of ``params.cells``; zeros when omitted.
    target_mask, dropout_mask
        As for :func:`run`.
    return_state : bool, optional
        Also return the last state of every cell, ``(h_T's, c_T's)`` (tuples
        in the order of ``params.cells``), for truncated BPTT; one direction only.

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch.
    grads : dict
        Shaped like the parameters and the inputs: ``"forward"`` (and, for two
        directions, ``"backward"``) a tuple with one dict ``{"W": dW, "b": db}``
        per layer, layer 1 first; ``"Wy"``, ``"by"``, ``"X"`` arrays; ``"h0"``,
        ``"c0"`` tuples with one array per cell, as the initial states are given.
    state : tuple
        Only with ``return_state=True``.

    Raises
    ------
    ValueError
        For ``return_state`` with a bidirectional model: its backward stack ends
        at t = 1, so its state cannot carry on into the next chunk of a text.

    Examples
    --------
    >>> from lstmdoc import deep
    >>> ex = deep.example.both()
    >>> loss, grads = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    >>> sorted(grads)
    ['Wy', 'X', 'backward', 'by', 'c0', 'forward', 'h0']
    >>> [g["W"].shape for g in grads["backward"]]
    [(20, 7), (16, 9)]
    >>> len(grads["h0"]), ex.params.names
    (4, ('forward layer 1', 'forward layer 2', 'backward layer 1', 'backward layer 2'))
    """
    if return_state and params.backward is not None:
        raise ValueError("return_state: a bidirectional model cannot carry its state into the next "
                         "chunk (its backward stack reads the chunk from its end)")
    target, h0, c0 = check_inputs(params, X, target, h0, c0, target_mask, dropout_mask)  # once
    return fast.deep_loss_and_grads(params, X, target, h0, c0, dropout_mask, target_mask,
                                    return_state)
