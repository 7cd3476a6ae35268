"""Stacked layers (TensorFlow's ``MultiRNNCell``): layer l reads the ``h_t`` of layer l−1.

Forward, layer by layer: layer 1 runs over ``x_1 … x_T``, layer 2 over layer
1's ``h_1 … h_T``, and so on; only the top layer's states reach the output layer.

Backward, from the top layer down. A layer's input at step t is the layer
below's ``h_t``, so the ``dx`` that :func:`~lstmdoc.cell_backward.dHX` returns
at step t is a gradient *into the layer below's* ``h_t``. It is that layer's
``dh_out`` at step t: its ``dHt`` is ``dh_out + dh_next`` at every step, where a
single layer has ``dh_out`` at the last step only. That is the one new road a
gradient takes; everything else is each layer's own BPTT (:mod:`lstmdoc.bptt`).
"""

from typing import NamedTuple

import numpy as np

from ..bptt import hidden_states, lstm_backward, lstm_forward


class LayerPass(NamedTuple):
    """One layer's forward pass."""

    caches: tuple   # T x CellCache
    h: np.ndarray   # (T, H, B)  h_1 … h_T: what the layer above reads
    c: np.ndarray = None  # (H, B)  c_T, the last cell state


class LayerGrads(NamedTuple):
    """One layer's backward pass (what :func:`lstmdoc.bptt.lstm_backward` returns)."""

    steps: tuple     # T x CellGrads
    dW: np.ndarray   # (4H, D+H)
    db: np.ndarray   # (4H, 1)
    dX: np.ndarray   # (T, D, B)  into its input: the layer below's dh_out, or X's gradient
    dh0: np.ndarray  # (H, B)
    dc0: np.ndarray  # (H, B)
    dnorm_gain: np.ndarray = None   # (5H, 1) layer norm's, summed over time; None without
    dnorm_shift: np.ndarray = None


def stack_forward(cells, X, h0, c0, masks=None):
    """Run the layers bottom to top, each over the whole sequence.

    Parameters
    ----------
    cells : sequence of Cell
        Layer 1 first.
    X : ndarray of shape (T, D, B)
    h0, c0 : sequence of ndarray of shape (H_l, B)
        One initial state per layer.
    masks : sequence of ndarray of shape (T, H_l, B), optional
        Recurrent dropout's mask of each layer (:mod:`lstmdoc.dropout`).

    Returns
    -------
    tuple of LayerPass
        One per layer, layer 1 first; the last one's ``h`` is the stack's
        output.
    """
    layers = []
    for cell, h, c, mask in zip(cells, h0, c0, masks or [None] * len(cells)):
        _, c, caches = lstm_forward(cell, X, h, c, dropout_mask=mask)
        X = hidden_states(caches)  # the next layer's input
        layers.append(LayerPass(caches, X, c))
    return tuple(layers)


def stack_backward(dh_out, layers, cells):
    """BPTT through every layer, from the top layer down.

    Parameters
    ----------
    dh_out : ndarray of shape (H_top, B) or (T, H_top, B)
        Gradient from outside into the top layer's states: (H, B) into ``h_T``
        only, as :func:`lstmdoc.bptt.lstm_backward` takes it.
    layers : tuple of LayerPass
        From :func:`stack_forward`.
    cells : sequence of Cell

    Returns
    -------
    tuple of LayerGrads
        One per layer, layer 1 first; layer 1's ``dX`` is the gradient of
        ``X``.
    """
    grads = [None] * len(cells)
    for l in reversed(range(len(cells))):
        grads[l] = LayerGrads(*lstm_backward(dh_out, layers[l].caches,
                                             cells[l].W))
        dh_out = grads[l].dX  # the layer below receives this dx, every step
    return tuple(grads)
