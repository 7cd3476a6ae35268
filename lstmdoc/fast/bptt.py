"""Backpropagation through time over the buffers of :func:`lstmdoc.fast.layer.forward`.

The backward step multiplies the gradients flowing back by factors that come
from the forward pass alone (the local derivatives ``K``); those are computed
for a block of steps at once (:func:`local_derivatives`), and the loop keeps
only what depends on the gradients: a few element-wise operations and the
recurrent product ``dh_prev = (∂L/∂a_t)ᵀ W_h``. ``dW``, ``db`` and the input's
gradient follow after the loop, one product (or sum) each over all T steps.
"""

from typing import NamedTuple

import numpy as np

from . import norm as ln
from .layer import steps

BLOCK_BYTES = 2**18
"""About how much of ``DA`` :func:`backward` fills with local derivatives at a time.

Small enough that a block is still in the processor's cache when the loop
comes to it; at small sizes every step is in one block."""


class Grads(NamedTuple):
    """One layer's gradients (rows are examples; fresh arrays, never views of kept buffers)."""

    dW: np.ndarray   # (4H, D+H)
    db: np.ndarray   # (4H, 1)
    dX: np.ndarray   # (T, B, D)  into the layer's input, time in original order
    dh0: np.ndarray  # (B, H)
    dc0: np.ndarray  # (B, H)
    dnorm_gain: np.ndarray = None   # (5H, 1)  layer norm's, summed over time; None without
    dnorm_shift: np.ndarray = None  # (5H, 1)


def local_derivatives(G, C_prev, TC, K, M=None):
    """What the backward pass multiplies ``dh`` and ``dc`` by, for a block of steps at once.

    Only the forward pass goes in: no loop over the block's steps, a few passes over whole buffers.

    Parameters
    ----------
    G : ndarray of shape (n, B, 4H)
        The gates of ``n`` consecutive steps.
    C_prev : ndarray of shape (n, B, H)
        ``c_{t-1}``.
    TC : ndarray of shape (n, B, H)
        ``tanh(c_t)``; overwritten with ``K_c``.
    K : ndarray of shape (n, B, 4H)
        Filled with ``c_{t-1} σ'_f``, ``c̃ σ'_i``, ``i (1 − c̃²)`` (those two times the mask
        ``M``, with dropout), ``tanh(c_t) σ'_o``: ``dFt``, ``dIt``, ``dCprojt`` are ``dc``
        times the first three, ``dOt`` is ``dh`` times the last (before any norm).
    M : ndarray of shape (n, B, H), optional

    Returns
    -------
    K_c : ndarray of shape (n, B, H)
        ``o (1 − tanh²(c_t))`` (in ``TC``): ``dCt = dh K_c + dc_next``.
    """
    n, B, H = TC.shape
    np.subtract(1, G, out=K)
    K *= G  # σ' = σ(1 − σ) of every gate (the cproj block is replaced below)
    g4, k4 = G.reshape(n, B, 4, H), K.reshape(n, B, 4, H)
    k4[:, :, 0] *= C_prev  # f: c_{t-1}
    k4[:, :, 1] *= g4[:, :, 2]  # i: c̃
    np.multiply(g4[:, :, 2], g4[:, :, 2], out=k4[:, :, 2])  # cproj: i (1 − c̃²)
    np.subtract(1, k4[:, :, 2], out=k4[:, :, 2])
    k4[:, :, 2] *= g4[:, :, 1]
    if M is not None:  # the candidate reaches c_t as m ⊙ c̃: both of its factors carry m
        k4[:, :, 1:3] *= M[:, :, None]
    k4[:, :, 3] *= TC  # o: tanh(c_t)
    np.multiply(TC, TC, out=TC)  # K_c, in TC: o (1 − tanh²(c_t))
    np.subtract(1, TC, out=TC)
    TC *= g4[:, :, 3]
    return TC


def step_backward(da_o, da_fic, k_c, f, dh, dc, tmp):
    """One step of BPTT, in place: the step's ``K`` in ``da_o``, ``da_fic`` becomes ``∂L/∂a_t``.

    ``da_o`` (B, H) and ``da_fic`` (B, 3, H) are the step's o block and its f,
    i, cproj blocks of ``DA``; ``dh`` (B, H) is ``dHt``; ``dc`` (B, H) comes in
    as ``dc_next`` and leaves as ``dc_prev``; ``k_c``, ``f`` and ``tmp`` are (B, H).
    """
    da_o *= dh  # dOt
    np.multiply(dh, k_c, out=tmp)  # dCt = dh K_c + dc_next
    dc += tmp
    da_fic *= dc[:, None]  # dFt, dIt, dCprojt: one pass
    dc *= f  # dC_next: dc_prev = dc ⊙ f


class Walk(NamedTuple):
    """A layer's buffers in processing order (views; reversed for a layer that runs backwards)."""

    G: np.ndarray       # (T, B, 4H)  the gates
    C: np.ndarray       # (T+1, B, H) C[t] = c_{t-1} of step t
    TC: np.ndarray      # (T, B, H)   tanh(c_t), becoming K_c
    DA: np.ndarray      # (T, B, 4H)  K, becoming ∂L/∂a_t
    DA_o: np.ndarray    # (T, B, H)   its o block
    DA_fic: np.ndarray  # (T, B, 3, H) its f, i, cproj blocks
    M: np.ndarray       # (T, B, H)   dropout's mask, or None
    dH: np.ndarray      # (T, B, H)   dh_out, or None
    norm: ln.NormCache  # or None


def walk(fw, DA, dh_out):
    """The :class:`Walk` of a layer's forward pass, its ``DA`` buffer and its ``dh_out``."""
    T, B, H = fw.TC.shape
    r = fw.reverse
    DA4 = steps(DA, r).reshape(T, B, 4, H)  # views, made once: the loop only indexes them
    return Walk(*(steps(a, r) for a in (fw.G, fw.CS, fw.TC, DA)), DA4[:, :, 3], DA4[:, :, :3],
                *(None if a is None else steps(a, r) for a in (fw.mask, dh_out)),
                None if fw.norm is None else ln.steps(fw.norm, r))


def backward(w, fw, dh_last=None, dh_out=None):
    """Backpropagation through time over one layer (``fw`` is consumed: its buffers are reused).

    ``dh_last`` (B, H), optional: the gradient into the state after the last
    step processed (``h_T``, or for a layer that runs backwards ``h_1``), the
    many-to-one output layer's. ``dh_out`` (T, B, H), optional: the gradient
    into every ``h_t`` from outside the recurrence, time in original order (the
    layer above's input gradient, or every step's output layer). Returns :class:`Grads`.
    """
    T, B, H = fw.TC.shape
    DA = fw.DA
    dh = np.zeros((B, H), dtype=DA.dtype) if dh_last is None else dh_last.copy()
    dc = np.zeros_like(dh)  # dc_next: nothing after the last step
    v = walk(fw, DA, dh_out)
    n = max(1, BLOCK_BYTES // DA[0].nbytes)  # time steps per block
    for end in range(T, 0, -n):
        start = max(0, end - n)
        K_c = local_derivatives(v.G[start:end], v.C[start:end], v.TC[start:end],
                                v.DA[start:end], None if v.M is None else v.M[start:end])
        through_steps(w, v, K_c, start, end, dh, dc)
    return totals(w, fw, DA, dh, dc)


def through_steps(w, v, K_c, start, end, dh, dc):
    """Steps ``end-1`` down to ``start`` of a :class:`Walk`; ``dh`` and ``dc`` carried in place."""
    H = dh.shape[1]
    tmp = np.empty((dh.shape[0], 4 * H), dtype=dh.dtype)
    tmp_h = tmp[:, :H]
    for t in reversed(range(start, end)):
        if v.dH is not None:
            dh += v.dH[t]  # dHt = dh_out + dh_next
        f = v.G[t, :, :H]  # the forget gate
        if v.norm is None:
            step_backward(v.DA_o[t], v.DA_fic[t], K_c[t - start], f, dh, dc, tmp_h)
        else:
            ln.step_backward(v.DA[t], K_c[t - start], f, dh, dc, w.norm, ln.at(v.norm, t), tmp)
        np.matmul(v.DA[t], w.Wh, out=dh)  # DHX, recurrent part: step t−1's dh_next


def totals(w, fw, DA, dh0, dc0):
    """Every time step at once: ``dW = DAᵀ Z`` with ``Z = [X, H_prev]``, ``db``, the input's gradient, the norms'.

    ``Z``, the T·B rows ``z_tᵀ = [x_t; h_{t-1}]ᵀ`` side by side, is gathered
    into a kept buffer (one pass over it), so that ``dW`` is one product.
    """
    T, B, fourH = DA.shape
    D, H = fw.X.shape[2], fourH // 4
    DA2 = DA.reshape(T * B, fourH)
    Z = fw.Z
    Z[:, :D], Z[:, D:] = fw.X.reshape(T * B, D), fw.h_prev.reshape(T * B, H)
    dW = DA2.T @ Z
    dX = (DA2 @ w.Wx).reshape(T, B, D)
    norms = () if fw.norm is None else ln.param_grads(fw.norm)
    return Grads(dW, np.add.reduce(DA2, axis=0)[:, None], dX, dh0, dc0, *norms)
