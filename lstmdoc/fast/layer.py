"""One LSTM layer over all T steps, forward and backward, the way a framework computes it.

The tricks (the page *Making it fast* explains each):

- the input projection ``W_x x_t`` of all T steps as **one** matrix product
  before the loop; only the recurrent product ``W_h h_{t-1}`` inside it;
- all four gates with one ``tanh`` (``σ(a) = (1 + tanh(a/2))/2``, the sigmoid
  gates' weights halved once per call);
- the backward pass's local derivatives for a block of steps at once; inside
  its loop only what depends on the gradients flowing back;
- ``dW``, ``db`` and the input's gradient as one product (or sum) each after the loop;
- examples as rows (the transpose of the public layout), so that those
  products read and write whole buffers, with no copies; every intermediate
  written in place (``out=``) in the parameters' dtype, in buffers kept
  between calls (:mod:`~lstmdoc.fast.buffers`).

Layout, time in its original order t = 0..T-1 (rows are examples): ``X`` (T, B, D)
the inputs ``x_tᵀ``; ``HS`` and ``CS`` (T+1, B, H) the hidden and cell states
with the initial one; ``G`` (T, B, 4H) the gates after their nonlinearities
(blocks f, i, cproj, o, as in ``W``); ``TC`` (T, B, H) ``tanh(c_t)``; ``DA``
(T, B, 4H) the gradients of the pre-activations. A layer that runs backwards
in time (``reverse``) walks the same buffers through reversed views
(:func:`steps`): its initial state sits at index T, and no array is copied to
reverse it. Recurrent dropout multiplies the candidate's factors; layer norm
adds the pieces of :mod:`~lstmdoc.fast.norm`.
"""

from typing import NamedTuple

import numpy as np

from . import norm as ln
from .buffers import workspace


class Weights(NamedTuple):
    """One cell's parameters as the fast pass uses them (``S``: halve the sigmoid gates' rows)."""

    WxT: np.ndarray    # (D, 4H)  (S W[:, :D])ᵀ, acts on x_t; contiguous
    WhT: np.ndarray    # (H, 4H)  (S W[:, D:])ᵀ, acts on h_{t-1}; contiguous
    b: np.ndarray      # (4H,)    S (b + forget bias in the f block); with layer norm b alone
    scale: np.ndarray  # (4H,)    the diagonal of S: 1/2 for f, i, o; 1 for cproj
    shift: np.ndarray  # (4H,)    1 − scale: σ = tanh/2 + 1/2, tanh itself for cproj
    Wx: np.ndarray     # (4H, D)  W[:, :D], for the input's gradient
    Wh: np.ndarray     # (4H, H)  W[:, D:], for dh_prev
    norm: ln.NormWeights = None  # layer norm's gains and shifts; None without


def weights(cell, norm_gain=None, norm_shift=None):
    """The pre-activation's weights, halved in the rows of the sigmoid gates.

    ``σ(a) = (1 + tanh(a/2)) / 2``: with the rows of f, i and o halved once per
    call (exactly: a power of 2), one ``tanh`` over all four gates, a multiply
    and an add give every gate: three ufunc calls per step instead of nine.
    With layer norm the halving moves to the norms' gains and shifts (a norm
    would undo it on ``W``), and the forget bias, added after the norm, with it.

    Parameters
    ----------
    cell : LSTMParams or lstmdoc.deep.Cell
    norm_gain, norm_shift : ndarray of shape (5H, 1), optional

    Returns
    -------
    Weights
    """
    D, H, W = cell.D, cell.H, cell.W
    scale, shift = ln.halving(H, W.dtype)
    if norm_gain is None:
        S, norm = scale, None
        b = cell.b[:, 0] * scale
        b[:H] += scale[:H] * cell.forget_bias  # σ(a_f + forget_bias): once per call, not per step
    else:
        S, b = 1, cell.b[:, 0]
        norm = ln.norm_weights(norm_gain, norm_shift, cell.forget_bias, scale)
    # One contiguous copy, made once per call anyway: OpenBLAS multiplied (B, H) × (H, 4H)
    # faster by a contiguous right factor than by a transposed view of W. Its rows
    # [:D] and [D:] are contiguous too.
    WT = np.multiply(W.T, S, order="C")
    return Weights(WT[:D], WT[D:], b, scale, shift, W[:, :D], W[:, D:], norm)


def steps(a, reverse):
    """``a`` in processing order: itself, or for a layer that runs backwards in time a reversed view."""
    return a[::-1] if reverse else a


class Forward(NamedTuple):
    """One layer's forward pass: everything its backward pass needs (time in original order)."""

    X: np.ndarray   # (T, B, D)    x_tᵀ; not owned (the caller's buffer, or the layer below's HS)
    HS: np.ndarray  # (T+1, B, H)  h_t, and the initial state (index 0, or T when reverse)
    CS: np.ndarray  # (T+1, B, H)  c_t likewise (with layer norm: after the state's norm)
    G: np.ndarray   # (T, B, 4H)   f, i, cproj, o after their nonlinearities
    TC: np.ndarray  # (T, B, H)    tanh(c_t)
    mask: np.ndarray = None      # (T, B, H)  recurrent dropout's mask on the candidate; None
    norm: ln.NormCache = None    # layer norm's x̂ and 1/σ of every step; None
    reverse: bool = False        # runs over x_T … x_1
    DA: np.ndarray = None        # (T, B, 4H)    for the backward pass: K, then ∂L/∂a_t
    Z: np.ndarray = None         # (T·B, D+H)   for the backward pass: [x_t; h_{t-1}]ᵀ side by side

    @property
    def outputs(self):
        """``h_t`` for t = 0..T-1, shape (T, B, H): what the layer above reads."""
        return self.HS[:-1] if self.reverse else self.HS[1:]

    @property
    def h_prev(self):
        """The state each step t reads, ``h_{t-1}`` in processing order, shape (T, B, H)."""
        return self.HS[1:] if self.reverse else self.HS[:-1]


def buffers(w, X, mask, reverse, slot):
    """A :class:`Forward` of kept buffers for input rows ``X`` (T, B, D), not yet filled."""
    T, B, D = X.shape
    H = w.Wh.shape[1]
    shapes = {"HS": (T + 1, B, H), "CS": (T + 1, B, H), "G": (T, B, 4 * H), "TC": (T, B, H),
              "DA": (T, B, 4 * H), "Z": (T * B, D + H)}
    ws = workspace(("layer", slot), shapes, X.dtype)
    norm = None if w.norm is None else ln.cache(("norm", slot), T, B, H, X.dtype)
    return Forward(X, ws["HS"], ws["CS"], ws["G"], ws["TC"], mask, norm, reverse, ws["DA"], ws["Z"])


def forward(w, X, h0, c0, mask=None, reverse=False, slot=0):
    """The forward pass over all T steps into kept buffers.

    Parameters
    ----------
    w : Weights
    X : ndarray of shape (T, B, D)
        Rows ``x_tᵀ``, C-contiguous: its T·B rows are one matrix.
    h0, c0 : ndarray of shape (B, H)
    mask : ndarray of shape (T, B, H), optional
        Recurrent dropout's mask on the candidate.
    reverse : bool
        Run over ``x_T … x_1`` (the backward direction of a bidirectional layer).
    slot : hashable
        Which set of kept buffers (one per layer and direction).

    Returns
    -------
    Forward
    """
    fw = buffers(w, X, mask, reverse, slot)
    (T, B, D), H = X.shape, fw.TC.shape[2]
    G = fw.G  # the input projection of every step at once: one (T·B, D) × (D, 4H) product
    np.matmul(X.reshape(T * B, D), w.WxT, out=G.reshape(T * B, 4 * H))
    G += w.b
    Hs, Cs, Gs, TCs = steps(fw.HS, reverse), steps(fw.CS, reverse), steps(G, reverse), steps(fw.TC, reverse)
    Ms = None if mask is None else steps(mask, reverse)
    Ns = None if fw.norm is None else ln.steps(fw.norm, reverse)
    Hs[0], Cs[0] = h0, c0
    tmp = np.empty((B, 4 * H), dtype=X.dtype)
    for t in range(T):
        g = Gs[t]  # (B, 4H): the pre-activation, replaced by the gates in place
        np.matmul(Hs[t], w.WhT, out=tmp)  # the only product inside the loop
        g += tmp
        cell_step(w, g, Cs[t], Cs[t + 1], tmp, None if Ms is None else Ms[t],
                  None if Ns is None else ln.at(Ns, t))
        np.tanh(Cs[t + 1], out=TCs[t])
        np.multiply(g[:, 3 * H:], TCs[t], out=Hs[t + 1])  # h_t = o ⊙ tanh(c_t)
    return fw


def cell_step(w, g, c_prev, c, tmp, m=None, norm=None):
    """One step's gates (in place in ``g``) and new cell state (into ``c``).

    Parameters
    ----------
    w : Weights
    g : ndarray of shape (B, 4H)
        The pre-activation ``a_tᵀ``; overwritten with the gates f, i, cproj, o.
    c_prev, c : ndarray of shape (B, H)
    tmp : ndarray of shape (B, 4H)
        Scratch.
    m : ndarray of shape (B, H), optional
        Dropout's mask on the candidate.
    norm : NormCache of this step, optional
        Filled with the five norms' ``x̂`` and ``1/σ``.
    """
    H = c.shape[1]
    if norm is not None:  # the gates' norms: g ← γ x̂ + β (halved like W would be)
        ln.gates_forward(g, w.norm, norm, tmp)
    np.tanh(g, out=g)  # all four gates, one pass
    g *= w.scale
    g += w.shift
    np.multiply(g[:, :H], c_prev, out=c)  # c_t = f ⊙ c_{t-1} + i ⊙ (m ⊙ c̃)
    kept = tmp[:, :H]
    np.multiply(g[:, H:2 * H], g[:, 2 * H:3 * H], out=kept)
    if m is not None:
        kept *= m
    c += kept
    if norm is not None:
        ln.state_forward(c, w.norm, norm, tmp[:, :H])
