"""The forward pass of one LSTM cell step, split where the backward pass needs it.

.. math::

    z_t = [x_t; h_{t-1}], \\qquad a_t = W z_t + b

    f_t = \\sigma(a_f + \\mathrm{forget\\_bias}), \\quad i_t = \\sigma(a_i), \\quad
    \\tilde c_t = \\tanh(a_c), \\quad o_t = \\sigma(a_o)

    c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t, \\qquad h_t = o_t \\odot \\tanh(c_t)
"""

from typing import NamedTuple

import numpy as np

from ._records import field_docs
from ._validate import shapes
from .params import split_gates


def sigmoid(x):
    """The logistic function, computed without overflow for large ``|x|``."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@field_docs
class CellCache(NamedTuple):
    """What one step's backward pass needs from its forward pass (from :func:`cell_forward`).

    Attributes
    ----------
    z : ndarray of shape (D+H, B)
        ``z_t = [x_t; h_{t−1}]``, the input and the previous hidden state stacked.
    c_prev : ndarray of shape (H, B)
        The previous cell state c_{t−1}.
    f : ndarray of shape (H, B)
        Forget gate f_t = σ(a_f + forget_bias).
    i : ndarray of shape (H, B)
        Input gate i_t, after its sigmoid.
    cproj : ndarray of shape (H, B)
        Candidate cell state c̃_t, after its tanh.
    o : ndarray of shape (H, B)
        Output gate o_t, after its sigmoid.
    tanh_c : ndarray of shape (H, B)
        tanh(c_t), so that ``h_t = o * tanh_c``.
    """

    z: np.ndarray       # (D+H, B)  [x_t; h_{t-1}]
    c_prev: np.ndarray  # (H, B)    c_{t-1}
    f: np.ndarray       # (H, B)    forget gate
    i: np.ndarray       # (H, B)    input gate
    cproj: np.ndarray   # (H, B)    candidate cell state  c~_t
    o: np.ndarray       # (H, B)    output gate
    tanh_c: np.ndarray  # (H, B)    tanh(c_t)


@shapes(params="Cell", x="D,B", h_prev="H,B")
def preactivation(params, x, h_prev):
    """Stack input and state, one matrix product for all four gates.

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.Cell
    x : ndarray of shape (D, B)
    h_prev : ndarray of shape (H, B)

    Returns
    -------
    a : ndarray of shape (4H, B)
        ``W @ z + b``, row blocks f, i, cproj, o.
    z : ndarray of shape (D+H, B)
        ``[x; h_prev]``.
    """
    z = np.concatenate([x, h_prev], axis=0)
    return params.W @ z + params.b, z


@shapes(a="4H,B", c_prev="H,B")
def cell_from_preactivation(a, c_prev, forget_bias):
    """The gates and the new state from the pre-activation ``a``.

    Parameters
    ----------
    a : ndarray of shape (4H, B)
    c_prev : ndarray of shape (H, B)
    forget_bias : float

    Returns
    -------
    h, c : ndarray of shape (H, B)
    gates : Gates of four ndarrays of shape (H, B)
        f, i, cproj, o after their nonlinearities.
    """
    a_f, a_i, a_c, a_o = split_gates(a)
    f = sigmoid(a_f + forget_bias)
    i = sigmoid(a_i)
    cproj = np.tanh(a_c)
    o = sigmoid(a_o)
    c = f * c_prev + i * cproj
    h = o * np.tanh(c)
    return h, c, (f, i, cproj, o)


@shapes(params="Cell", x="D,B", h_prev="H,B", c_prev="H,B")
def cell_forward(params, x, h_prev, c_prev):
    """One time step of the cell.

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.Cell
    x : ndarray of shape (D, B)
    h_prev, c_prev : ndarray of shape (H, B)

    Returns
    -------
    h, c : ndarray of shape (H, B)
    cache : CellCache
    """
    a, z = preactivation(params, x, h_prev)
    h, c, (f, i, cproj, o) = cell_from_preactivation(a, c_prev, params.forget_bias)
    return h, c, CellCache(z, c_prev, f, i, cproj, o, np.tanh(c))
