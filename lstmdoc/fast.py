"""The whole pass again, fast: the same loss and gradients as :func:`lstmdoc.run`, to round-off.

:func:`lstmdoc.run` calls one short function per equation and keeps a cache per
step; that is the version to read. This module computes the same numbers the
way a framework does (the page *Making it fast* explains each trick):

- inputs checked once per call (by the caller, :func:`lstmdoc.loss_and_grads`),
  never per step;
- the input projection ``W_x x_t`` of all T steps as **one** matrix product
  before the loop; only the recurrent product ``W_h h_{t-1}`` inside it;
- all four gates with one ``tanh`` (``σ(a) = (1 + tanh(a/2))/2``, the sigmoid
  gates' weights halved once per call);
- the backward pass's local derivatives for all T steps at once; inside its
  loop only what depends on the gradients flowing back;
- ``dW = DA Zᵀ`` and ``dX`` as one product each after the loop;
- examples as rows inside (the transpose of the public layout), so that each
  of those products reads and writes whole buffers, with no copies;
- every intermediate in a buffer, written in place (``out=``), in the
  parameters' dtype (float32 stays float32); the large buffers are kept for
  the next call with the same sizes (:func:`workspace`).

Internal layout (rows are examples; the public functions' columns): ``Z`` (T, B, D+H)
holds ``z_tᵀ = [x_t; h_{t-1}]ᵀ``, ``G`` (T, B, 4H) the gates after their
nonlinearities, ``C`` (T+1, B, H) the cell states from ``c_0``, ``TC`` (T, B, H)
``tanh(c_t)``, and ``DA`` (T, B, 4H) the gradients of the pre-activations.
Gate blocks (columns of ``G`` and ``DA``) keep the public order f, i, cproj, o.
"""

import threading
from typing import NamedTuple

import numpy as np

from . import output
from .gradcheck import Check, check_gradient, relative_error


class Weights(NamedTuple):
    """The cell's parameters as the fast pass uses them."""

    WxT: np.ndarray    # (D, 4H)  (S W[:, :D])ᵀ, acts on x_t; contiguous
    WhT: np.ndarray    # (H, 4H)  (S W[:, D:])ᵀ, acts on h_{t-1}; contiguous
    b: np.ndarray      # (4H,)    S (b + forget bias in the f block)
    scale: np.ndarray  # (4H,)    the diagonal of S: 1/2 for f, i, o; 1 for cproj
    Wx: np.ndarray     # (4H, D)  W[:, :D], for dX; contiguous
    Wh: np.ndarray     # (4H, H)  W[:, D:], for dh_prev


def weights(params):
    """The pre-activation's weights, halved in the rows of the sigmoid gates.

    ``σ(a) = (1 + tanh(a/2)) / 2``: with the rows of f, i and o halved once per
    call (exactly: a power of 2), one ``tanh`` over all four gates, a multiply
    and an add give every gate: three ufunc calls per step instead of nine.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    Weights
    """
    D, H, dtype = params.D, params.H, params.dtype
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H:3 * H] = 1  # cproj: tanh itself
    b = params.b[:, 0].copy()
    b[:H] += params.forget_bias  # σ(a_f + forget_bias): added once per call, not per step
    b *= scale
    # Contiguous copies, made once per call anyway: OpenBLAS multiplied (B, H) × (H, 4H)
    # faster by a contiguous right factor than by a transposed view of W.
    WxT = np.multiply(params.W[:, :D].T, scale, order="C")
    WhT = np.multiply(params.W[:, D:].T, scale, order="C")
    return Weights(WxT, WhT, b, scale, np.ascontiguousarray(params.W[:, :D]), params.W[:, D:])


_kept = threading.local()  # one workspace per thread: concurrent calls never share buffers


def workspace(T, B, D, H, dtype):
    """The large buffers of a pass, kept from the previous call in this thread when the sizes match.

    A training loop calls :func:`lstmdoc.loss_and_grads` with the same sizes
    again and again. Fresh megabyte-sized buffers on every call cost the
    operating system's page faults (the memory is returned and mapped anew each
    time), a noticeable share of the step at the benchmark's larger sizes;
    kept, they cost nothing. Nothing returned to the caller is a view of them. :func:`release`
    frees them.

    Returns
    -------
    dict of ndarray
        ``Z`` (T, B, D+H), ``G`` and ``DA`` (T, B, 4H), ``C`` (T+1, B, H), ``TC`` (T, B, H).
    """
    key = (T, B, D, H, np.dtype(dtype))
    if getattr(_kept, "key", None) != key:
        shapes = {"Z": (T, B, D + H), "G": (T, B, 4 * H), "DA": (T, B, 4 * H),
                  "C": (T + 1, B, H), "TC": (T, B, H)}
        _kept.buffers = None  # free the old set before allocating the new one
        _kept.buffers = {name: np.empty(shape, dtype=dtype) for name, shape in shapes.items()}
        _kept.key = key
    return _kept.buffers


def release():
    """Free the buffers :func:`workspace` keeps for this thread."""
    _kept.key = _kept.buffers = None


class Forward(NamedTuple):
    """Everything the backward pass needs, one buffer per quantity (rows are examples)."""

    Z: np.ndarray   # (T, B, D+H)  [x_t; h_{t-1}]ᵀ
    G: np.ndarray   # (T, B, 4H)   f, i, cproj, o after their nonlinearities
    C: np.ndarray   # (T+1, B, H)  c_0, c_1, ..., c_T
    TC: np.ndarray  # (T, B, H)    tanh(c_t)
    h: np.ndarray   # (B, H)       h_T


def forward(w, X, h0, c0):
    """The forward pass over all T steps into preallocated buffers.

    Parameters
    ----------
    w : Weights
    X : ndarray of shape (T, D, B)
    h0, c0 : ndarray of shape (H, B)

    Returns
    -------
    Forward
    """
    T, D, B = X.shape
    H = w.WhT.shape[0]
    ws = workspace(T, B, D, H, X.dtype)
    Z, G, C, TC = ws["Z"], ws["G"], ws["C"], ws["TC"]
    h = np.empty((B, H), dtype=X.dtype)
    tmp = np.empty((B, 4 * H), dtype=X.dtype)
    Z[:, :, :D] = X.transpose(0, 2, 1)
    Z[0, :, D:] = h0.T
    C[0] = c0.T
    # The input projection of every step at once: one (T·B, D) × (D, 4H) product.
    np.matmul(Z[:, :, :D].reshape(T * B, D), w.WxT, out=G.reshape(T * B, 4 * H))
    G += w.b
    shift = 1 - w.scale  # σ = tanh/2 + 1/2 in the sigmoid gates; tanh itself in cproj
    for t in range(T):
        g = G[t]  # (B, 4H): the pre-activation, replaced by the gates in place
        np.matmul(Z[t, :, D:], w.WhT, out=tmp)  # the only product inside the loop
        g += tmp
        np.tanh(g, out=g)  # all four gates, one pass
        g *= w.scale
        g += shift
        f, i, cproj, o = g[:, :H], g[:, H:2 * H], g[:, 2 * H:3 * H], g[:, 3 * H:]
        c = C[t + 1]
        np.multiply(f, C[t], out=c)  # c_t = f ⊙ c_{t-1} + i ⊙ c̃
        np.multiply(i, cproj, out=tmp[:, :H])
        c += tmp[:, :H]
        np.tanh(c, out=TC[t])
        np.multiply(o, TC[t], out=Z[t + 1, :, D:] if t + 1 < T else h)  # h_t is in z_{t+1}
    return Forward(Z, G, C, TC, h)


def local_derivatives(G, C_prev, TC, K):
    """What the backward pass multiplies ``dh`` and ``dc`` by, for a block of time steps at once.

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
        ``tanh(c_t) σ'_o``: ``dFt``, ``dIt``, ``dCprojt`` are ``dc`` times the
        first three, ``dOt`` is ``dh`` times the last.

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
    k4[:, :, 3] *= TC  # o: tanh(c_t)
    K_c = TC
    K_c *= TC
    np.subtract(1, K_c, out=K_c)
    K_c *= g4[:, :, 3]
    return K_c


BLOCK_BYTES = 2**18
"""About how much of ``DA`` :func:`backward` fills with local derivatives at a time.

Small enough that a block is still in the processor's cache when the loop
comes to it; at small sizes every step is in one block."""


def backward(w, fw, dh_T):
    """Backpropagation through time over the buffers of :func:`forward`.

    Parameters
    ----------
    w : Weights
    fw : Forward
        Consumed: its buffers are reused.
    dh_T : ndarray of shape (B, H)
        The output layer's gradient into ``h_T`` (rows are examples).

    Returns
    -------
    dW : ndarray of shape (4H, D+H)
    db : ndarray of shape (4H, 1)
    dX : ndarray of shape (T, D, B)
    dh0, dc0 : ndarray of shape (H, B)
    """
    Z, G, C, TC = fw.Z, fw.G, fw.C, fw.TC
    T, B, DH = Z.shape
    H = TC.shape[2]
    D = DH - H
    DA = workspace(T, B, D, H, G.dtype)["DA"]  # K block by block; each step turns its K into ∂L/∂a_t
    DA4 = DA.reshape(T, B, 4, H)
    DA_fic, DA_o = DA4[:, :, :3], DA4[:, :, 3]  # every step's f, i, cproj blocks; its o block
    F = G.reshape(T, B, 4, H)[:, :, 0]  # the forget gates
    K_c = TC  # local_derivatives turns tanh(c_t) into K_c, block by block
    dh = dh_T.copy()  # dh_next + dh_out: h_T gets only dh_out, earlier steps only dh_next
    dc = np.zeros_like(dh)  # dc_next: nothing after the last step
    dc_fic = dc[:, None, :]  # dc for the three blocks at once (a view: follows dc)
    tmp = np.empty_like(dh)
    n = max(1, BLOCK_BYTES // DA[0].nbytes)  # time steps per block
    for end in range(T, 0, -n):
        start = max(0, end - n)
        local_derivatives(G[start:end], C[start:end], TC[start:end], DA[start:end])
        for t in reversed(range(start, end)):
            DA_o[t] *= dh  # dOt
            np.multiply(dh, K_c[t], out=tmp)  # dCt = dh K_c + dc_next
            dc += tmp
            DA_fic[t] *= dc_fic  # dFt, dIt, dCprojt: one pass
            dc *= F[t]  # dC_next: dc_prev = dc ⊙ f, step t−1's dc_next
            np.matmul(DA[t], w.Wh, out=dh)  # DHX, recurrent part: dh_prev, step t−1's dh_next
    # Every time step at once: dW = DA Zᵀ summed over t and the batch, and dX.
    DA2 = DA.reshape(T * B, 4 * H)
    dW = DA2.T @ Z.reshape(T * B, DH)
    db = DA2.sum(axis=0)[:, None]
    dX = (DA2 @ w.Wx).reshape(T, B, D).transpose(0, 2, 1)
    return dW, db, np.ascontiguousarray(dX), dh.T.copy(), dc.T.copy()


def loss_and_grads(params, X, target, h0, c0):
    """:func:`lstmdoc.loss_and_grads` for inputs that are already checked.

    Parameters
    ----------
    params : LSTMParams
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,)
    h0, c0 : ndarray of shape (H, B)

    Returns
    -------
    loss : float
    grads : dict of ndarray
        Keys ``"W", "b", "Wy", "by", "X", "h0", "c0"``.
    """
    w = weights(params)
    fw = forward(w, X, h0, c0)
    # The output layer: the verified functions of Step 1, without their per-call checks.
    h = fw.h.T  # (H, B)
    logits = output.output_forward.__wrapped__(h, params.Wy, params.by)
    loss, probs = output.cross_entropy(logits, target)
    d_logits = output.dlogits.__wrapped__(probs, target)
    dh_T = d_logits.T @ params.Wy  # (B, H): dh_output's Wyᵀ dlogits, transposed
    dW, db, dX, dh0, dc0 = backward(w, fw, dh_T)
    return loss, {"W": dW, "b": db, "Wy": output.dWy.__wrapped__(d_logits, h),
                  "by": output.dBy.__wrapped__(d_logits), "X": dX, "h0": dh0, "c0": dc0}


def covers(params):
    """Whether the fast pass computes this model (else :func:`lstmdoc.run` does).

    The plain cell only: variants (layer norm, dropout, ...) fall back to the
    step-by-step pass until they have a fast one.
    """
    return getattr(params, "norm_gain", None) is None


def _same(name, a, b, tol):
    """A :class:`~lstmdoc.gradcheck.Check` that ``a`` equals ``b`` to round-off (no noise allowance)."""
    return Check(name, relative_error(a, b), tol, abs_error=float(np.linalg.norm(a - b)),
                 noise=0.0, entries=a.size, size=a.size)


def check(example, tol=1e-6, same=1e-12):
    """Verify the fast pass on ``example``: equal to :func:`lstmdoc.run`, and against finite differences.

    Parameters
    ----------
    example : Example
        In float64.
    tol : float
        Largest accepted relative error against central finite differences.
    same : float
        Largest accepted relative difference from :func:`lstmdoc.run`.

    Returns
    -------
    list of Check
        ``"fast == run: <key>"`` for the loss and every gradient, then
        ``"fast: <key>"`` for every gradient against finite differences.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.fast import check
    >>> checks = check(lstmdoc.example.random(T=2))
    >>> len(checks), all(c.ok for c in checks)
    (15, True)
    """
    from .model import run  # model imports this module, and verification imports model
    from .verification import parameter_jobs

    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    loss, grads = loss_and_grads(p, X, y, h0, c0)
    r = run(p, X, y, h0, c0)
    checks = [_same("fast == run: loss", np.array(loss), np.array(r.loss), same)]
    checks += [_same(f"fast == run: {k}", grads[k], r.grads[k], same) for k in r.grads]

    def fast_loss(params, X, h0, c0):
        return loss_and_grads(params, X, y, h0, c0)[0]

    return checks + [check_gradient(f"fast: {name}", f, x, analytic, tol)
                     for name, f, x, analytic, _ in parameter_jobs(p, X, h0, c0, grads, fast_loss)]
