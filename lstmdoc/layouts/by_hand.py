"""lstmdoc's pass on a model in another layout, answered in that layout: to compare by hand."""

import numpy as np

from ..bptt import lstm_backward, lstm_forward, per_step
from ..states import sequences
from . import convert
from .models import grads_to, weights_from
from .spec import get, shapes


def _inputs(lt, params, x, h0, c0):
    """``X`` (T, D, B), ``h0``, ``c0`` (H, B) from the layout's axes, checked against ``params``."""
    X = convert.sequence_from(lt, x, lt.name_of("x"))
    if X.shape[1] != params.D:
        raise ValueError(f"{lt.name_of('x')} must have shape {shapes(lt)['x']} with "
                         f"D = {params.D} (from the weights), got {x.shape}")
    states = []
    for role, s in (("h0", h0), ("c0", c0)):
        if s is None:
            states.append(np.zeros((params.H, X.shape[2]), X.dtype))
            continue
        s = convert.state_from(lt, s, lt.name_of(role))
        if s.shape != (params.H, X.shape[2]):
            raise ValueError(f"{lt.name_of(role)} must have shape {shapes(lt)[role]} "
                             f"with H = {params.H}, B = {X.shape[2]}, got "
                             f"{convert.state_to(lt, s).shape}")
        states.append(s)
    return X, *states


def _upstream(lt, dh, seq_shape, state_shape):
    """``dh`` (every step, or the last only, in the layout's axes) as lstmdoc's (T, H, B)."""
    if not isinstance(dh, np.ndarray) or dh.shape not in (seq_shape, state_shape):
        got = dh.shape if isinstance(dh, np.ndarray) else type(dh).__name__
        raise ValueError(f"dh must have the shape of the hidden states over time "
                         f"{shapes(lt)['h']} = {seq_shape} or of h0 {shapes(lt)['h0']} = "
                         f"{state_shape} (the last step only), got {got}")
    if dh.shape == seq_shape:
        return convert.sequence_from(lt, dh, "dh")
    return per_step(convert.state_from(lt, dh, "dh"), seq_shape[lt.sequence.index("T")])


def results(layout, arrays, x, h0=None, c0=None, dh=None):
    """lstmdoc's results for a model written in ``layout``, in that layout: to compare by hand.

    The forward pass gives every hidden and cell state; with ``dh``, the
    gradient of a loss with respect to the hidden states, the backward pass
    gives every gradient, named as :func:`~lstmdoc.layouts.grads_to` names them.

    Parameters
    ----------
    layout : str or Layout
    arrays : dict of ndarray
        The cell's weights, as :func:`~lstmdoc.layouts.weights_to` returns them.
    x, h0, c0 : ndarray
        The inputs and the initial state (zeros when omitted) in the layout's
        axes: CS231n's x ``(N, T, D)``, h0 ``(N, H)``; :func:`~lstmdoc.layouts.shapes`.
    dh : ndarray, optional
        ∂L/∂h at every step (shaped like the hidden states over time), or at
        the last step only (shaped like ``h0``).

    Returns
    -------
    dict of ndarray
        The states over time (CS231n: ``"h"``, ``"c"``, each ``(N, T, H)``), and
        with ``dh`` the gradients (``"dx"``, ``"dh0"``, ``"dc0"``, ``"dWx"``, ...),
        gate blocks in the layout's order.
        The page "Check your own LSTM" compares them with a learner's code.
    """
    lt = get(layout)
    params = weights_from(lt, arrays)
    X, h0, c0 = _inputs(lt, params, x, h0, c0)
    h, c, caches = lstm_forward(params, X, h0, c0)
    hs, cs = sequences(caches, h, c)
    out = {lt.name_of("h"): convert.sequence_to(lt, hs),
           lt.name_of("c"): convert.sequence_to(lt, cs)}
    if dh is None:
        return out
    dh_steps = _upstream(lt, dh, out[lt.name_of("h")].shape, convert.state_to(lt, h0).shape)
    _, dW, db, dX, dh0, dc0, *_ = lstm_backward(dh_steps, caches, params.W)
    out.update(grads_to(lt, {"W": dW, "b": db, "X": dX, "h0": dh0, "c0": dc0}))
    return out
