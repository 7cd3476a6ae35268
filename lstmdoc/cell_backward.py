"""Step 2 of the backward pass: back through one LSTM cell step.

One function per step of the article, in the order the article takes them.
``dOt``, ``dCprojt``, ``dFt`` and ``dIt`` are gradients with respect to the
gates' **pre-activations** (``a_o``, ``a_c``, ``a_f``, ``a_i``), i.e. the
nonlinearity's derivative is already applied. Sigmoid and tanh derivatives
are taken from the cached outputs: ``σ' = σ(1 − σ)``, ``tanh' = 1 − tanh²``.

With layer norm on, every gate's gradient passes back through that gate's
norm (:func:`~lstmdoc.layernorm.back_through_norm`), and ``dCt`` through the cell state's norm:
``dOt``, ``dCprojt``, ``dFt``, ``dIt`` stay gradients with respect to the
blocks of ``a_t = W z_t + b``, and ``dCt`` becomes the gradient with respect to
the state *before* its norm, ``s_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t`` (which is
``c_t`` itself without layer norm). With recurrent dropout, the candidate's
mask multiplies the gradients that pass the candidate (``dCprojt``, ``dIt``).
Without either, each function computes exactly the plain cell's operations.

All arrays of one step: ``(H, B)`` unless stated.
"""

import numpy as np

from ._validate import shapes
from .cell_grads import CellGrads
from .layernorm import back_through_norm, layernorm_param_grads
from .params import Norms


@shapes(dh_out="H,B", dh_next="H,B")
def dHt(dh_out, dh_next):
    """Gradient reaching ``h_t``: from the output layer and from step t+1.

    ``dHt = dh_out + dh_next``, where ``dh_out = Wyᵀ (ŷ − y)/B`` at the last step
    and 0 before it.

    Parameters
    ----------
    dh_out, dh_next : ndarray of shape (H, B)

    Returns
    -------
    dh : ndarray of shape (H, B)
    """
    return dh_out + dh_next


@shapes(dh="H,B", cache="CellCache")
def dOt(dh, cache):
    """Output gate, pre-activation: ``dOt = dh ⊙ tanh(c_t) ⊙ o_t(1 − o_t)``.

    With layer norm, then back through LN_o.

    Parameters
    ----------
    dh : ndarray of shape (H, B)
    cache : CellCache

    Returns
    -------
    do : ndarray of shape (H, B)
    """
    return back_through_norm(dh * cache.tanh_c * cache.o * (1 - cache.o), cache, "o")


@shapes(dh="H,B", dc_next="H,B", cache="CellCache")
def dCt(dh, dc_next, cache):
    """Cell state: ``dCt = dh ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next``.

    With layer norm, then back through LN_state: the result is the gradient
    with respect to the state before its norm, ``s_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t``;
    ``dc_next`` is the gradient with respect to the normalised ``c_t`` that
    step t+1 received.

    Parameters
    ----------
    dh, dc_next : ndarray of shape (H, B)
    cache : CellCache

    Returns
    -------
    dc : ndarray of shape (H, B)
    """
    return back_through_norm(dh * cache.o * (1 - cache.tanh_c**2) + dc_next, cache, "state")


@shapes(dc="H,B", cache="CellCache")
def dCprojt(dc, cache):
    """Candidate, pre-activation: ``dCprojt = dc ⊙ i_t ⊙ m_t ⊙ (1 − c̃_t²)``.

    ``m_t`` is the dropout mask; without dropout the factor is not there.
    With layer norm, then back through LN_c.

    Parameters
    ----------
    dc : ndarray of shape (H, B)
    cache : CellCache

    Returns
    -------
    dcproj : ndarray of shape (H, B)
    """
    dkept = dc * cache.i  # ∂L/∂(m_t ⊙ c̃_t)
    dcproj = dkept if cache.mask is None else dkept * cache.mask
    return back_through_norm(dcproj * (1 - cache.cproj**2), cache, "cproj")


@shapes(dc="H,B", cache="CellCache")
def dFt(dc, cache):
    """Forget gate, pre-activation: ``dFt = dc ⊙ c_{t-1} ⊙ f_t(1 − f_t)``.

    With layer norm, then back through LN_f.

    Parameters
    ----------
    dc : ndarray of shape (H, B)
    cache : CellCache

    Returns
    -------
    df : ndarray of shape (H, B)
    """
    return back_through_norm(dc * cache.c_prev * cache.f * (1 - cache.f), cache, "f")


@shapes(dc="H,B", cache="CellCache")
def dIt(dc, cache):
    """Input gate, pre-activation: ``dIt = dc ⊙ (m_t ⊙ c̃_t) ⊙ i_t(1 − i_t)``.

    ``m_t ⊙ c̃_t`` is the candidate as the state receives it (``c̃_t``
    without dropout). With layer norm, then back through LN_i.

    Parameters
    ----------
    dc : ndarray of shape (H, B)
    cache : CellCache

    Returns
    -------
    di : ndarray of shape (H, B)
    """
    return back_through_norm(dc * cache.cproj_kept * cache.i * (1 - cache.i), cache, "i")


@shapes(da="4H,B", cache="CellCache")
def dW(da, cache):
    """This step's share of the gate weights' gradient: ``da @ z_tᵀ``.

    Row blocks are dW_f, dW_i, dW_c, dW_o; the BPTT loop sums them over time.

    Parameters
    ----------
    da : ndarray of shape (4H, B)
        ``[dFt; dIt; dCprojt; dOt]``.
    cache : CellCache

    Returns
    -------
    dW : ndarray of shape (4H, D+H)
    """
    return da @ cache.z.T


@shapes(da="4H,B")
def db(da):
    """This step's share of the gate biases' gradient: ``Σ_n da[:, n]`` over the examples n.

    Parameters
    ----------
    da : ndarray of shape (4H, B)

    Returns
    -------
    db : ndarray of shape (4H, 1)
    """
    return da.sum(axis=1, keepdims=True)


@shapes(da="4H,B", W="4H,D+H")
def dHX(da, W):
    """Gradient of ``z_t = [x_t; h_{t-1}]``: ``Wᵀ da``, split into ``dx_t`` and ``dh_prev``.

    Parameters
    ----------
    da : ndarray of shape (4H, B)
    W : ndarray of shape (4H, D+H)

    Returns
    -------
    dx : ndarray of shape (D, B)
    dh_prev : ndarray of shape (H, B)
        The part of ∂L/∂h_{t−1} that flows through step t; step t−1 receives it
        as its ``dh_next``.
    """
    dhx = W.T @ da  # the article's DHX: the gradient of z_t = [x_t; h_{t-1}]
    D = W.shape[1] - W.shape[0] // 4
    return dhx[:D], dhx[D:]


@shapes(dc="H,B", cache="CellCache")
def dC_next(dc, cache):
    """The part of ∂L/∂c_{t−1} that flows through ``c_t`` (the article's "DCt_recur"): ``dc ⊙ f_t``.

    The name is the article's step; what it returns is ``dc_prev``, which
    step t−1 receives as its ``dc_next``. It is not the whole of ∂L/∂c_{t−1}:
    c_{t−1} also reaches the loss through h_{t−1}, and step t−1's :func:`dCt`
    adds that part. With layer norm, ``dc`` has already come back through
    LN_state (see :func:`dCt`), so the formula is the same.

    Parameters
    ----------
    dc : ndarray of shape (H, B)
    cache : CellCache

    Returns
    -------
    dc_prev : ndarray of shape (H, B)
    """
    return dc * cache.f


@shapes(dh="H,B", dc_next="H,B", dc="H,B", cache="CellCache")
def dNorm(dh, dc_next, dc, cache):
    """This step's share of the layer norms' gain and shift gradients.

    Each norm's ``Σ_b dy ⊙ xhat`` and ``Σ_b dy``, where ``dy`` is the gradient
    of the norm's output: what :func:`dFt`, :func:`dIt`, :func:`dCprojt`,
    :func:`dOt` and :func:`dCt` compute before they go back through the norm.

    Parameters
    ----------
    dh, dc_next : ndarray of shape (H, B)
    dc : ndarray of shape (H, B)
        This step's :func:`dCt`: the gradient of ``s_t``, already back through LN_state.
    cache : CellCache
        With layer norm.

    Returns
    -------
    dgain, dshift : ndarray of shape (5H, 1)
        Row blocks f, i, cproj, o, state.
    """
    plain = cache._replace(norms=None)  # without norms, a step stops at the norm's output
    dy = Norms(dFt(dc, plain), dIt(dc, plain), dCprojt(dc, plain), dOt(dh, plain),
               dCt(dh, dc_next, plain))
    dgain, dshift = zip(*(layernorm_param_grads(d, ln) for d, ln in zip(dy, cache.norms)))
    return np.concatenate(dgain), np.concatenate(dshift)


@shapes(dh_out="H,B", dh_next="H,B", dc_next="H,B", cache="CellCache", W="4H,D+H")
def cell_backward(dh_out, dh_next, dc_next, cache, W):
    """One backward step, the article's Step 2 in its order.

    Parameters
    ----------
    dh_out : ndarray of shape (H, B)
        Gradient from the output layer into ``h_t`` (zeros before the last step).
    dh_next : ndarray of shape (H, B)
        Gradient from step t+1 into ``h_t``: step t+1's ``dh_prev`` (zeros at
        the last step).
    dc_next : ndarray of shape (H, B)
        Gradient from step t+1 into ``c_t``: step t+1's ``dc_prev``, the part
        that flows through c_{t+1} (zeros at the last step).
    cache : CellCache
        This step's forward cache.
    W : ndarray of shape (4H, D+H)

    Returns
    -------
    CellGrads
    """
    dh = dHt(dh_out, dh_next)
    do = dOt(dh, cache)
    dc = dCt(dh, dc_next, cache)
    dcproj = dCprojt(dc, cache)
    df = dFt(dc, cache)
    di = dIt(dc, cache)
    da = np.concatenate([df, di, dcproj, do])  # the row order of W: f, i, cproj, o
    dx, dh_prev = dHX(da, W)
    norm = () if cache.norms is None else dNorm(dh, dc_next, dc, cache)
    return CellGrads(dh, do, dc, dcproj, df, di, dW(da, cache), db(da), dx, dh_prev,
                     dC_next(dc, cache), *norm)
