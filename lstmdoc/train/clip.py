"""Gradient clipping by the global norm, torch's ``clip_grad_norm_`` for a dict of gradients."""

import numpy as np

from .data import positive_float
from .named import INPUTS


def clip_grad_norm(grads, max_norm):
    """Scale the parameters' gradients so that their joint norm is at most ``max_norm``.

    torch's ``clip_grad_norm_``: ``total_norm = √(Σ ‖g‖²)`` over every parameter
    gradient, then every one is multiplied by ``min(1, max_norm / (total_norm +
    1e-6))``. The gradients of the inputs (``"X"``, ``"h0"``, ``"c0"``) are not
    counted and are returned unchanged.

    Parameters
    ----------
    grads : dict
        As :func:`lstmdoc.loss_and_grads` (or :func:`lstmdoc.deep.loss_and_grads`) returns it.
    max_norm : float
        Positive.

    Returns
    -------
    clipped : dict
        Shaped like ``grads``; new arrays (``grads`` is not modified).
    total_norm : float
        The norm before clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.train import clip_grad_norm
    >>> clipped, norm = clip_grad_norm({"W": np.array([[3.0, 4.0]]), "X": np.ones(2)}, 1.0)
    >>> norm, clipped["W"].round(6), clipped["X"]
    (5.0, array([[0.6, 0.8]]), array([1., 1.]))
    """
    max_norm = positive_float("max_norm", max_norm)
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in _grad_leaves(grads))))
    scale = min(1.0, max_norm / (total + 1e-6))
    return _scaled(grads, scale), total


def _grad_leaves(grads):
    for key, g in grads.items():
        if key in INPUTS:
            continue
        if isinstance(g, tuple):
            for cell in g:
                yield from _grad_leaves(cell)
        else:
            yield g


def _scaled(grads, scale):
    return {key: g if key in INPUTS else
            tuple(_scaled(cell, scale) for cell in g) if isinstance(g, tuple) else g * scale
            for key, g in grads.items()}
