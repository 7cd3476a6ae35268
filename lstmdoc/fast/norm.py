"""Layer norm in the fast pass: the five norms of a step on rows, and their gradients.

The same operations as :mod:`lstmdoc.layernorm` (population variance,
``ε = 1e-12``), on rows instead of columns, and for the four gates' norms at
once: a step's pre-activation ``(B, 4H)`` viewed as ``(B, 4, H)`` is normalised
over its last axis in one pass per operation. The statistics of every step
(``x̂`` and ``1/σ`` of the five norms) are kept for the backward pass; the
gradients of the gains and shifts, sums over every step and example, are two
reductions after the loop (:func:`param_grads`), not two per step.

With ``γ dy`` written ``u``, a norm's backward pass is
``dx = (u − mean(u) − x̂ mean(u ⊙ x̂)) / σ`` (means over the H units).
"""

import functools
from typing import NamedTuple

import numpy as np

from ..layernorm import EPSILON
from .buffers import workspace


@functools.lru_cache(maxsize=None)
def halving(H, dtype):
    """``(scale, shift)`` of shape (4H,): ``σ(a) = tanh(a·scale)·scale + shift`` in the sigmoid blocks.

    1/2 and 1/2 for f, i, o; 1 and 0 for cproj (tanh itself). Constants,
    made once per size (read-only).
    """
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H:3 * H] = 1
    shift = 1 - scale
    scale.flags.writeable = shift.flags.writeable = False
    return scale, shift


class NormWeights(NamedTuple):
    """Layer norm's gains and shifts as the fast pass uses them."""

    gain: np.ndarray         # (4, H)  the gates' gains times the halving (see halving)
    shift: np.ndarray        # (4, H)  (the gates' shifts + forget bias in f) times the halving
    gates_gain: np.ndarray   # (4, H)  the gates' gains themselves, for the backward pass
    state_gain: np.ndarray   # (H,)
    state_shift: np.ndarray  # (H,)


def norm_weights(norm_gain, norm_shift, forget_bias, scale):
    """The gains and shifts of :class:`NormWeights` from ``(5H, 1)`` arrays (blocks f, i, cproj, o, state)."""
    H = norm_gain.shape[0] // 5
    gates_gain, state_gain = norm_gain[:4 * H, 0].reshape(4, H), norm_gain[4 * H:, 0]
    shift = norm_shift[:4 * H, 0].copy()
    shift[:H] += forget_bias  # σ(LN_f(a_f) + forget_bias)
    scale = scale.reshape(4, H)
    return NormWeights(gates_gain * scale, shift.reshape(4, H) * scale, gates_gain,
                       state_gain, norm_shift[4 * H:, 0])


class NormCache(NamedTuple):
    """The five norms of every step: statistics (forward) and output gradients (backward)."""

    XH: np.ndarray  # (T, B, 5, H)  x̂ of the norms f, i, cproj, o, state
    IS: np.ndarray  # (T, B, 5, 1)  1/σ, one per example and norm
    DY: np.ndarray  # (T, B, 5, H)  ∂L/∂(each norm's output), filled by the backward pass


def cache(slot, T, B, H, dtype):
    """A :class:`NormCache` in kept buffers."""
    ws = workspace(slot, {"XH": (T, B, 5, H), "IS": (T, B, 5, 1), "DY": (T, B, 5, H)}, dtype)
    return NormCache(ws["XH"], ws["IS"], ws["DY"])


def steps(cache, reverse):
    """The cache in processing order (reversed views for a layer that runs backwards in time)."""
    return NormCache(*(a[::-1] if reverse else a for a in cache))


def at(cache, t):
    """Step ``t``'s slice of the cache: ``XH``, ``DY`` (B, 5, H), ``IS`` (B, 5, 1)."""
    return NormCache(cache.XH[t], cache.IS[t], cache.DY[t])


def normalise(x, xhat, inv_std, tmp):
    """``x̂ = (x − mean) / sqrt(var + ε)`` over the last axis, into ``xhat``; ``1/σ`` into ``inv_std``.

    Parameters
    ----------
    x : ndarray of shape (..., H)
    xhat, tmp : ndarray of shape (..., H)
    inv_std : ndarray of shape (..., 1)
    """
    H = x.shape[-1]
    mean = np.add.reduce(x, axis=-1, keepdims=True)
    mean /= H
    np.subtract(x, mean, out=xhat)
    np.multiply(xhat, xhat, out=tmp)
    np.add.reduce(tmp, axis=-1, keepdims=True, out=inv_std)
    inv_std /= H  # the population variance
    inv_std += EPSILON
    np.sqrt(inv_std, out=inv_std)
    np.divide(1, inv_std, out=inv_std)
    xhat *= inv_std


def gates_forward(g, w, step, tmp):
    """The four gates' norms of one step, in place: ``g ← γ x̂ + β`` (halved, see :func:`halving`).

    ``g`` and ``tmp`` are (B, 4H); ``step`` is the step's slice of the :class:`NormCache`.
    """
    B, H = g.shape[0], g.shape[1] // 4
    g4 = g.reshape(B, 4, H)
    normalise(g4, step.XH[:, :4], step.IS[:, :4], tmp.reshape(B, 4, H))
    np.multiply(step.XH[:, :4], w.gain, out=g4)
    g4 += w.shift


def state_forward(c, w, step, tmp):
    """The cell state's norm of one step, in place: ``c ← γ x̂ + β``; ``c`` and ``tmp`` are (B, H)."""
    normalise(c, step.XH[:, 4], step.IS[:, 4], tmp)
    np.multiply(step.XH[:, 4], w.state_gain, out=c)
    c += w.state_shift


def backward(u, xhat, inv_std, tmp):
    """A norm's backward pass in place: ``u = γ dy`` becomes ``dx``; shapes as in :func:`normalise`."""
    H = u.shape[-1]
    mean_u = np.add.reduce(u, axis=-1, keepdims=True)
    mean_u /= H
    np.multiply(u, xhat, out=tmp)
    mean_ux = np.add.reduce(tmp, axis=-1, keepdims=True)
    mean_ux /= H
    np.multiply(xhat, mean_ux, out=tmp)
    u -= mean_u
    u -= tmp
    u *= inv_std


def step_backward(da, k_c, f, dh, dc, w, step, tmp):
    """One step of BPTT with layer norm, in place.

    Parameters
    ----------
    da : ndarray of shape (B, 4H)
        The step's local derivatives ``K`` (see :func:`lstmdoc.fast.bptt.local_derivatives`);
        becomes ``∂L/∂a_t``.
    k_c, f : ndarray of shape (B, H)
        ``K_c`` and the forget gate.
    dh : ndarray of shape (B, H)
        ``dHt``.
    dc : ndarray of shape (B, H)
        ``dc_next`` (∂L/∂ of the normalised ``c_t`` from step t+1); becomes ``dc_prev``.
    w : NormWeights
    step : NormCache of this step
        Its ``DY`` is filled.
    tmp : ndarray of shape (B, 4H)
    """
    B, H = dh.shape
    k4, dy = da.reshape(B, 4, H), step.DY
    np.multiply(dh, k4[:, 3], out=dy[:, 3])  # o's norm output: dh ⊙ K_o
    np.multiply(dh, k_c, out=dy[:, 4])  # the normalised state c_t: dh K_c + dc_next
    dy[:, 4] += dc
    np.multiply(dy[:, 4], w.state_gain, out=dc)
    backward(dc, step.XH[:, 4], step.IS[:, 4], tmp[:, :H])  # dCt: the state before its norm
    np.multiply(k4[:, :3], dc[:, None], out=dy[:, :3])  # f, i, cproj norms' outputs
    np.multiply(dy[:, :4], w.gates_gain, out=k4)
    backward(k4, step.XH[:, :4], step.IS[:, :4], tmp.reshape(B, 4, H))  # ∂L/∂a_t
    dc *= f  # dC_next


def param_grads(cache):
    """The gains' and shifts' gradients, summed over every step and example.

    Returns
    -------
    dnorm_gain, dnorm_shift : ndarray of shape (5H, 1)
        Row blocks f, i, cproj, o, state.
    """
    T, B, _, H = cache.DY.shape
    DY, XH = cache.DY.reshape(T * B, 5 * H), cache.XH.reshape(T * B, 5 * H)
    return np.einsum("nk,nk->k", DY, XH)[:, None], DY.sum(axis=0)[:, None]
