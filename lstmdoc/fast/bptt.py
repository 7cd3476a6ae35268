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
from .buffers import workspace
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

    Nothing here depends on the gradients flowing back, only on the forward
    pass, so it needs no loop over the block's steps: a few passes over whole
    buffers.

    Parameters
    ----------
    G : ndarray of shape (n, B, 4H)
        The gates of ``n`` consecutive steps.
    C_prev : ndarray of shape (n, B, H)
        ``c_{t-1}`` of those steps.
    TC : ndarray of shape (n, B, H)
        ``tanh(c_t)``; overwritten with ``K_c``.
    K : ndarray of shape (n, B, 4H)
        Filled with the blocks ``c_{t-1} σ'_f``, ``c̃ σ'_i``, ``i (1 − c̃²)``,
        ``tanh(c_t) σ'_o`` (the first two times dropout's mask ``M`` when there
        is one): ``dFt``, ``dIt``, ``dCprojt`` are ``dc`` times the first three,
        ``dOt`` is ``dh`` times the last (before the norms, with layer norm).
    M : ndarray of shape (n, B, H), optional

    Returns
    -------
    K_c : ndarray of shape (n, B, H)
        ``o (1 − tanh²(c_t))`` (in ``TC``): ``dCt = dh K_c + dc_next``.
    """
    n, B, fourH = G.shape
    H = fourH // 4
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
    K_c = TC
    K_c *= TC
    np.subtract(1, K_c, out=K_c)
    K_c *= g4[:, :, 3]
    return K_c


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


def backward(w, fw, dh_last=None, dh_out=None, slot=0):
    """Backpropagation through time over one layer.

    Parameters
    ----------
    w : Weights
    fw : Forward
        Consumed: its buffers are reused.
    dh_last : ndarray of shape (B, H), optional
        Gradient into the state after the last step processed (``h_T``, or for
        a layer that runs backwards ``h_1``): the many-to-one output layer's.
    dh_out : ndarray of shape (T, B, H), optional
        Gradient into every step's ``h_t`` from outside the recurrence, time in
        original order: the layer above's input gradient, or every step's output layer.
    slot : hashable
        Which set of kept buffers.

    Returns
    -------
    Grads
    """
    T, B, H = fw.TC.shape
    DA = workspace(("grad", slot), {"DA": fw.G.shape}, fw.G.dtype)["DA"]
    dh = np.zeros((B, H), dtype=DA.dtype) if dh_last is None else dh_last.copy()
    dc = np.zeros_like(dh)  # dc_next: nothing after the last step
    r = fw.reverse
    Gs, Cs, TCs, DAs = (steps(a, r) for a in (fw.G, fw.CS, fw.TC, DA))
    Ms, dHs = (None if a is None else steps(a, r) for a in (fw.mask, dh_out))
    Ns = None if fw.norm is None else ln.steps(fw.norm, r)
    F = Gs[:, :, :H]  # the forget gates
    DA4 = DAs.reshape(T, B, 4, H)  # views, made once: the loop only indexes them
    DA_o, DA_fic = DA4[:, :, 3], DA4[:, :, :3]
    tmp = np.empty((B, 4 * H), dtype=DA.dtype)
    tmp_h = tmp[:, :H]
    n = max(1, BLOCK_BYTES // DA[0].nbytes)  # time steps per block
    for end in range(T, 0, -n):
        start = max(0, end - n)
        K_c = local_derivatives(Gs[start:end], Cs[start:end], TCs[start:end], DAs[start:end],
                                None if Ms is None else Ms[start:end])
        for t in reversed(range(start, end)):
            if dHs is not None:
                dh += dHs[t]  # dHt = dh_out + dh_next
            if Ns is None:
                step_backward(DA_o[t], DA_fic[t], K_c[t - start], F[t], dh, dc, tmp_h)
            else:
                ln.step_backward(DAs[t], K_c[t - start], F[t], dh, dc, w.norm, ln.at(Ns, t), tmp)
            np.matmul(DAs[t], w.Wh, out=dh)  # DHX, recurrent part: step t−1's dh_next
    return totals(w, fw, DA, dh, dc)


def totals(w, fw, DA, dh0, dc0):
    """Every time step at once: ``dW = DAᵀ [X, H_prev]``, ``db``, the input's gradient, the norms'."""
    T, B, fourH = DA.shape
    D, H = fw.X.shape[2], fourH // 4
    DA2 = DA.reshape(T * B, fourH)
    dW = np.empty((fourH, D + H), dtype=DA.dtype)
    np.matmul(DA2.T, fw.X.reshape(T * B, D), out=dW[:, :D])
    np.matmul(DA2.T, fw.h_prev.reshape(T * B, H), out=dW[:, D:])
    dX = (DA2 @ w.Wx).reshape(T, B, D)
    norms = () if fw.norm is None else ln.param_grads(fw.norm)
    return Grads(dW, np.add.reduce(DA2, axis=0)[:, None], dX, dh0, dc0, *norms)
