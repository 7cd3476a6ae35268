"""The forward pass of one LSTM cell step, split where the backward pass needs it.

.. math::

    z_t = [x_t; h_{t-1}], \\qquad a_t = W z_t + b

    f_t = \\sigma(a_f + \\mathrm{forget\\_bias}), \\quad i_t = \\sigma(a_i), \\quad
    \\tilde c_t = \\tanh(a_c), \\quad o_t = \\sigma(a_o)

    c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t, \\qquad h_t = o_t \\odot \\tanh(c_t)

With layer norm on (``params.norm_gain`` given), each gate's block of ``a_t``
and the new cell state pass through their own :mod:`~lstmdoc.layernorm` first:
``f_t = σ(LN_f(a_f) + forget_bias)``, ..., ``c_t = LN_state(f_t ⊙ c_{t-1} + i_t ⊙ c̃_t)``.
With recurrent dropout, a mask ``m_t`` multiplies the candidate: ``i_t ⊙ (m_t ⊙ c̃_t)``.
Without either, the code takes exactly the plain cell's operations.
"""

from typing import NamedTuple

import numpy as np

from . import _validate as check
from ._records import field_docs
from ._validate import shapes
from .layernorm import layernorm_forward
from .params import Norms, split_gates, split_norms


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
    mask : ndarray of shape (H, B), or None
        Recurrent dropout's mask on the candidate; None without dropout.
    norms : Norms of LayerNormCache, or None
        The five layer norms' caches (f, i, cproj, o, state); None without layer norm.
    """

    z: np.ndarray       # (D+H, B)  [x_t; h_{t-1}]
    c_prev: np.ndarray  # (H, B)    c_{t-1}
    f: np.ndarray       # (H, B)    forget gate
    i: np.ndarray       # (H, B)    input gate
    cproj: np.ndarray   # (H, B)    candidate cell state  c~_t
    o: np.ndarray       # (H, B)    output gate
    tanh_c: np.ndarray  # (H, B)    tanh(c_t)
    mask: np.ndarray = None  # (H, B)  dropout mask on cproj; None without dropout
    norms: Norms = None      # five LayerNormCache (f, i, cproj, o, state); None without layer norm

    @property
    def cproj_kept(self):
        """The candidate as the cell state receives it: ``mask ⊙ c̃_t`` (``c̃_t`` without dropout)."""
        return self.cproj if self.mask is None else self.mask * self.cproj


class CellParts(NamedTuple):
    """The gates of one step, and the layer norms' caches (None without layer norm)."""

    f: np.ndarray       # (H, B)
    i: np.ndarray       # (H, B)
    cproj: np.ndarray   # (H, B)  before the dropout mask
    o: np.ndarray       # (H, B)
    norms: Norms = None


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
def cell_from_preactivation(a, c_prev, forget_bias, norm_gain=None, norm_shift=None, mask=None):
    """The gates and the new state from the pre-activation ``a``.

    Parameters
    ----------
    a : ndarray of shape (4H, B)
    c_prev : ndarray of shape (H, B)
    forget_bias : float
    norm_gain, norm_shift : ndarray of shape (5H, 1), optional
        Layer norm's gains and shifts (blocks f, i, cproj, o, state); both or neither.
    mask : ndarray of shape (H, B), optional
        Recurrent dropout's mask on the candidate (0 or 1/keep_prob).

    Returns
    -------
    h, c : ndarray of shape (H, B)
    parts : CellParts
        f, i, cproj, o after their nonlinearities (cproj before the mask), and
        the five layer norms' caches (None without layer norm).
    """
    if mask is not None:
        check.shape("mask", mask, c_prev.shape, "(H, B)")
    a_f, a_i, a_c, a_o = split_gates(a)
    norms = None
    if norm_gain is not None:  # from here on a_f, ... are the normalised blocks
        gain, shift = split_norms(norm_gain), split_norms(norm_shift)
        blocks = (a_f, a_i, a_c, a_o)
        (a_f, ln_f), (a_i, ln_i), (a_c, ln_c), (a_o, ln_o) = (
            layernorm_forward(x, g, s) for x, g, s in zip(blocks, gain, shift))
    f = sigmoid(a_f + forget_bias)
    i = sigmoid(a_i)
    cproj = np.tanh(a_c)
    o = sigmoid(a_o)
    c = f * c_prev + i * (cproj if mask is None else mask * cproj)
    if norm_gain is not None:
        c, ln_state = layernorm_forward(c, gain.state, shift.state)
        norms = Norms(ln_f, ln_i, ln_c, ln_o, ln_state)
    h = o * np.tanh(c)
    return h, c, CellParts(f, i, cproj, o, norms)


@shapes(params="Cell", x="D,B", h_prev="H,B", c_prev="H,B")
def cell_forward(params, x, h_prev, c_prev, mask=None):
    """One time step of the cell.

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.Cell
        With ``norm_gain`` and ``norm_shift`` (LSTMParams only), layer norm is on.
    x : ndarray of shape (D, B)
    h_prev, c_prev : ndarray of shape (H, B)
    mask : ndarray of shape (H, B), optional
        Recurrent dropout's mask on the candidate; none by default.

    Returns
    -------
    h, c : ndarray of shape (H, B)
    cache : CellCache
    """
    a, z = preactivation(params, x, h_prev)
    norm = (getattr(params, "norm_gain", None), getattr(params, "norm_shift", None))  # deep.Cell: none
    h, c, (f, i, cproj, o, norms) = cell_from_preactivation(
        a, c_prev, params.forget_bias, *norm, mask)
    return h, c, CellCache(z, c_prev, f, i, cproj, o, np.tanh(c), mask, norms)
