"""The deep many-to-one model: stacked cells, one or two directions, logits from the top at T.

Same contract as :mod:`lstmdoc.model`: :func:`run` keeps every intermediate,
:func:`loss_and_grads` returns the loss and the gradients. Initial states and
the per-cell gradients are tuples in the order of :attr:`DeepParams.cells`
(forward layers bottom to top, then backward layers).
"""

from typing import NamedTuple

import numpy as np

from .. import _validate as check
from .. import fast
from ..output import cross_entropy, dBy, dh_output, dlogits, dWy, output_forward
from .bidirectional import at_last_step, backward_entry, backward_read, flip_time, split_rows
from .params import DeepParams
from .stacked import stack_backward, stack_forward


class DeepRun(NamedTuple):
    """A forward and backward pass of a deep model, with every intermediate."""

    loss: float
    logits: np.ndarray     # (V, B)
    probs: np.ndarray      # (V, B)
    h: np.ndarray          # (H_fw [+ H_bw], B)  what the output layer reads (top_states)
    dlogits: np.ndarray    # (V, B)
    dh: np.ndarray         # (H_fw [+ H_bw], B)  Wyᵀ dlogits, the gradient of h
    forward: tuple         # L x LayerPass, layer 1 first
    forward_grads: tuple   # L x LayerGrads
    backward: tuple        # L x LayerPass in processing order (step 0 reads x_T); () for one direction
    backward_grads: tuple  # L x LayerGrads, processing order; ()
    grads: dict            # "forward"/"backward": per layer {"W", "b"}; "Wy", "by", "X"; "h0", "c0" per cell


def check_inputs(params, X, target, h0=None, c0=None):
    """Validate the inputs; return ``(target, h0, c0)``, the states as tuples (zeros for None).

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,)
    h0, c0 : sequence of ndarray of shape (H_l, B), or None for zeros
        One per cell, in the order of ``params.cells``.

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
    target = check.targets("target", target, B, params.V)
    n, names = len(params.cells), params.names
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


def forward(params, X, h0, c0):
    """The forward pass of both stacks (no checks): ``(fw, bw)`` tuples of LayerPass."""
    L = params.layers
    fw = stack_forward(params.forward, X, h0[:L], c0[:L])
    bw = () if params.backward is None else \
        stack_forward(params.backward, flip_time(X), h0[L:], c0[L:])
    return fw, bw


def loss_of(params, X, target, h0, c0):
    """The loss alone (no checks): the function the finite differences perturb."""
    h = top_states(params, *forward(params, X, h0, c0))
    return cross_entropy(output_forward(h, params.Wy, params.by), target)[0]


def run(params, X, target, h0=None, c0=None):
    """Forward pass, loss and whole backward pass of a deep model, with every intermediate.

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,)
    h0, c0 : sequence of ndarray of shape (H_l, B), optional
        One initial state per cell (order of ``params.cells``); zeros when omitted.

    Returns
    -------
    DeepRun
    """
    target, h0, c0 = check_inputs(params, X, target, h0, c0)
    T = X.shape[0]
    fw, bw = forward(params, X, h0, c0)
    h = top_states(params, fw, bw)
    logits = output_forward(h, params.Wy, params.by)
    loss, probs = cross_entropy(logits, target)
    # Step 1: the output layer; its gradient splits between the directions.
    d_logits = dlogits(probs, target)
    dh = dh_output(d_logits, params.Wy)
    dh_fw, dh_bw = split_rows(dh, params.forward[-1].H)
    # Step 2: each stack from its top layer down, each half entering where it was read:
    # the forward's at t = T, the backward's where params.readout read it.
    fw_grads = stack_backward(at_last_step(dh_fw, T), fw, params.forward)
    dX = fw_grads[0].dX
    bw_grads = ()
    if bw:
        dh_steps = backward_entry(dh_bw, params.readout, T)  # processing order
        bw_grads = stack_backward(dh_steps, bw, params.backward)
        dX = dX + flip_time(bw_grads[0].dX)  # both stacks read x_t
    cells = fw_grads + bw_grads
    grads = {"forward": cell_grads(fw_grads), "Wy": dWy(d_logits, h),
             "by": dBy(d_logits), "X": dX, "h0": tuple(g.dh0 for g in cells),
             "c0": tuple(g.dc0 for g in cells)}
    if bw:
        grads["backward"] = cell_grads(bw_grads)
    return DeepRun(loss, logits, probs, h, d_logits, dh, fw, fw_grads, bw, bw_grads, grads)


def cell_grads(layers):
    """``({"W": dW, "b": db}, ...)``, one dict per layer: the gradients of a stack's cells."""
    return tuple({"W": g.dW, "b": g.db} for g in layers)


def loss_and_grads(params, X, target, h0=None, c0=None):
    """The loss and its gradient with respect to every parameter and input of a deep model.

    Parameters
    ----------
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : array of int of shape (B,)
    h0, c0 : sequence of ndarray of shape (H_l, B), optional
        One initial state per cell, in the order of ``params.cells``; zeros when omitted.

    Returns
    -------
    loss : float
        Mean cross-entropy over the batch.
    grads : dict
        Shaped like the parameters and the inputs: ``"forward"`` (and, for two
        directions, ``"backward"``) a tuple with one dict ``{"W": dW, "b": db}``
        per layer, layer 1 first; ``"Wy"``, ``"by"``, ``"X"`` arrays; ``"h0"``,
        ``"c0"`` tuples with one array per cell, as the initial states are given.

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
    target, h0, c0 = check_inputs(params, X, target, h0, c0)  # once; then the fast pass
    return fast.deep_loss_and_grads(params, X, target, h0, c0)
