"""The floor of a row: only the matrix products of lstmdoc's step, with the same shapes and library.

The fast pass's products (:mod:`lstmdoc.fast`), per layer: the input projection
of all steps, one recurrent product per step forward and one backward, ``dW``
and the input's gradient after the loop; then the output layer's three. Timed alone into preallocated outputs, they are what no
rearranging of the numpy code around them can go below. The same products can
be computed by another library: :func:`matmul_libraries` offers the ones
installed (numpy's own BLAS, ``blis``, torch's), so the floor of each can be measured.
"""

import numpy as np

from .cases import layers, output_rows, shape


def matmul_libraries(torch=None):
    """``{name: matmul(a, b, out)}`` for numpy's BLAS and, when installed, blis and torch (MKL)."""
    libraries = {"numpy": np.matmul}
    try:
        import blis.py

        libraries["blis"] = lambda a, b, out: blis.py.gemm(a, b, out=out, beta=0.0)
    except ImportError:
        pass
    if torch is not None:
        libraries["torch"] = lambda a, b, out: torch.matmul(
            torch.from_numpy(a), torch.from_numpy(b), out=torch.from_numpy(out))
    return libraries


def products_step(case, matmul=np.matmul):
    """Only the matrix products of the case's lstmdoc step, same shapes, into preallocated outputs.

    ``matmul(a, b, out)`` computes each; its operands are C-contiguous (a
    transposed factor is copied once, here, not timed).
    """
    T, _, _, V, B = shape(case)
    dims, H_out = layers(case)
    R = output_rows(case)
    rng = np.random.default_rng(0)

    def new(*s):
        return rng.standard_normal(s).astype(case.dtype)

    jobs = []  # (a, b, out, times per step)
    for D, H in dims:
        X, WxT, WhT, Wh, Wx = new(T * B, D), new(D, 4 * H), new(H, 4 * H), new(4 * H, H), new(4 * H, D)
        G, h, da = new(T * B, 4 * H), new(B, H), new(B, 4 * H)
        GT, Z = np.ascontiguousarray(G.T), new(T * B, D + H)
        jobs += [(X, WxT, G, 1), (h, WhT, new(B, 4 * H), T), (da, Wh, new(B, H), T),
                 (GT, Z, new(4 * H, D + H), 1), (G, Wx, new(T * B, D), 1)]
    Wy, h, d = new(V, H_out), new(H_out, R), new(V, R)
    jobs += [(Wy, h, new(V, R), 1), (d, new(R, H_out), new(V, H_out), 1),
             (np.ascontiguousarray(d.T), Wy, new(R, H_out), 1)]

    def step():
        for a, b, out, n in jobs:
            for _ in range(n):
                matmul(a, b, out)
    return step


def gate_variants(case):
    """The forward loop's gate nonlinearities alone, three ways, on a (T, B, 4H) buffer.

    - ``two slices``: σ on f, i and on o (W's order f, i, cproj, o), tanh on cproj;
    - ``permuted``: σ on one slice f, i, o (rows permuted to f, i, o, cproj), tanh on cproj;
    - ``one tanh`` (lstmdoc.fast): tanh on all four, then ``× scale + shift``.
    """
    T, D, H, V, B = shape(case)
    G = np.random.default_rng(0).standard_normal((T, B, 4 * H)).astype(case.dtype)
    scale = np.full(4 * H, 0.5, dtype=G.dtype)
    scale[2 * H:3 * H] = 1
    shift = 1 - scale

    def sigmoid_(x):
        np.negative(x, out=x)
        np.exp(x, out=x)
        x += 1
        np.reciprocal(x, out=x)

    def two_slices():
        for g in G:
            sigmoid_(g[:, :2 * H])
            sigmoid_(g[:, 3 * H:])
            np.tanh(g[:, 2 * H:3 * H], out=g[:, 2 * H:3 * H])

    def permuted():
        for g in G:
            sigmoid_(g[:, :3 * H])
            np.tanh(g[:, 3 * H:], out=g[:, 3 * H:])

    def one_tanh():
        for g in G:
            np.tanh(g, out=g)
            g *= scale
            g += shift
    return {"two slices": two_slices, "permuted": permuted, "one tanh": one_tanh}


def recurrent_products(case, libraries):
    """One step's recurrent products alone, forward ``(B, H) × (H, 4H)`` and backward ``(B, 4H) × (4H, H)``, in each library."""
    T, D, H, V, B = shape(case)
    rng = np.random.default_rng(0)
    h, da, WhT, Wh = (rng.standard_normal(s).astype(case.dtype)
                      for s in ((B, H), (B, 4 * H), (H, 4 * H), (4 * H, H)))
    a, dh = np.empty((B, 4 * H), dtype=h.dtype), np.empty((B, H), dtype=h.dtype)
    steps = {}
    for name, matmul in libraries.items():
        steps[f"{name} forward"] = lambda matmul=matmul: matmul(h, WhT, a)
        steps[f"{name} backward"] = lambda matmul=matmul: matmul(da, Wh, dh)
    return steps
