"""Every gradient of a pass, compared with central finite differences.

The ladder: for each quantity, write the rest of the pass as a function of it
(perturb the intermediate, rerun what follows, read the loss) and compare the
analytic gradient with central differences. The site's build runs
:func:`~lstmdoc.verify` on both examples and refuses to build if any check fails.
"""

import dataclasses

import numpy as np

from .cell import cell_forward, cell_from_preactivation
from .example import Example
from .gradcheck import check_jobs
from .layernorm import layernorm_forward
from .model import check_inputs, loss_from, run
from .output import cross_entropy

STEP_NAMES = ("dHt", "dOt", "dCt", "dCprojt", "dFt", "dIt", "dW", "db", "dx", "dh_prev", "dc_prev")
"""The per-time-step quantities, in the article's order: the fields of
:class:`~lstmdoc.cell_backward.CellGrads`, checked by :func:`~lstmdoc.verify` as
``"<name>[k]"`` for time step t = k + 1."""

NORM_STEP_NAMES = ("dnorm_gain", "dnorm_shift")
"""The per-time-step quantities added by layer norm: this step's share of the
gains' and shifts' gradients (:func:`~lstmdoc.cell_backward.dNorm`)."""

SAMPLE = 32
"""Entries checked per quantity when :func:`~lstmdoc.verify` samples
(``sample="auto"`` on a large model)."""

EXHAUSTIVE_UP_TO = 50_000
"""``sample="auto"`` checks every entry when that costs at most this many cell steps
(:func:`exhaustive_cost`), about 2 s; beyond it, :data:`SAMPLE` entries per quantity."""


def exhaustive_cost(T, D, H, B):
    """Cell steps run by :func:`~lstmdoc.verify` when it checks every entry.

    Each entry costs two runs of the rest of the pass: ``T`` steps for the
    parameters, inputs and initial state, ``T − k`` for a quantity of step
    ``k``. So the cost grows with ``T²`` and with the size of ``W``:

    ``2·[T·(|W| + 4H + T·D·B + 2HB) + T(T+1)/2·(|W| + 4H + DB + 8HB)]``, ``|W| = 4H(D+H)``.

    Parameters
    ----------
    T, D, H, B : int
        Time steps, input size, hidden size, batch size.

    Returns
    -------
    int

    Examples
    --------
    >>> from lstmdoc.verification import exhaustive_cost
    >>> exhaustive_cost(T=6, D=3, H=4, B=2)     # the random example
    10476
    >>> exhaustive_cost(T=20, D=16, H=32, B=8)  # a model worth sampling
    3921920
    """
    W = 4 * H * (D + H)
    whole_pass = W + 4 * H + T * D * B + 2 * H * B
    per_step = W + 4 * H + D * B + 8 * H * B
    return 2 * (T * whole_pass + T * (T + 1) // 2 * per_step)


def verify(params, X=None, target=None, h0=None, c0=None, *, dropout_mask=None, tol=1e-6,
           eps=1e-6, sample="auto", seed=0, progress=True):
    """Check every gradient of a pass against central finite differences.

    Call it on a model of your own, ``verify(params, X, target, h0, c0)``,
    or on an :class:`~lstmdoc.example.Example`, ``verify(example)``.

    Parameters
    ----------
    params : LSTMParams or Example
        In float64: finite differences in float32 are too coarse to verify
        anything (use ``params.astype(np.float64)``).
    X : ndarray of shape (T, D, B)
        Inputs, as for :func:`~lstmdoc.loss_and_grads`; omitted for an Example.
    target : ndarray of int of shape (B,)
        Class indices; omitted for an Example.
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask: every check runs the pass with it. For an
        Example, its own ``dropout_mask``.
    tol : float, default 1e-6
        Largest accepted relative error of a quantity (over the entries checked).
    eps : float, default 1e-6
        Finite-difference step. A check also passes when its error is within
        the rounding noise of central differences, ``10·u·|L|/eps`` per entry
        (``u`` = 2.2e-16, ``L`` the loss): for a quantity whose entries are
        that small the relative error measures rounding, not the gradient.
        See :mod:`lstmdoc.gradcheck` for the error of a central difference.
    sample : "auto", int or None, default "auto"
        Entries checked per quantity. ``None``: every entry. An int ``k``: a
        seeded random sample of ``k`` entries of every quantity that has more.
        ``"auto"``: every entry when that costs at most 50 000 cell steps
        (:func:`~lstmdoc.verification.exhaustive_cost`; both worked examples, so the site's build
        checks them exhaustively), else :data:`~lstmdoc.verification.SAMPLE` = 32 per quantity. A
        sample catches any mistake that touches many entries (a wrong formula,
        a transposed matrix); a mistake in a single entry can escape it.
    seed : int, default 0
        Seed of the sample.
    progress : bool
        Show a progress bar (tqdm, on stderr) once the check has run for 2 s;
        on by default.

    Returns
    -------
    list of Check
        Names ``"W"``, ``"b"``, ``"Wy"``, ``"by"``, ``"X"``, ``"h0"``, ``"c0"``,
        ``"dlogits"``, then ``"<step>[k]"`` for every name in ``STEP_NAMES``
        and every index ``k = 0, ..., T-1`` (time step ``t = k + 1``). With
        layer norm also ``"norm_gain"``, ``"norm_shift"`` after ``"by"``, and
        every name in ``NORM_STEP_NAMES`` at every step.

    Raises
    ------
    TypeError, ValueError
        For inputs :func:`~lstmdoc.model.check_inputs` refuses, or not in float64.

    Notes
    -----
    The cost is :func:`~lstmdoc.verification.exhaustive_cost` cell steps, ``O(T²·|W|)``: every
    entry of every step's quantity reruns the rest of the pass twice. A model
    with T=20, D=16, H=32, V=50, B=8 needs 3.9 million cell steps (minutes)
    exhaustively and 0.15 million with ``sample="auto"`` (seconds).

    Examples
    --------
    >>> import lstmdoc
    >>> checks = lstmdoc.verify(lstmdoc.example.random(T=2))
    >>> len(checks), all(c.ok for c in checks)
    (30, True)
    >>> ex = lstmdoc.example.random(T=3, D=16, H=32, V=50, B=8)
    >>> checks = lstmdoc.verify(ex.params, ex.X, ex.target, sample=4, progress=False)
    >>> all(c.ok for c in checks), checks[0].entries, checks[0].size
    (True, 4, 6144)
    """
    if isinstance(params, Example):
        if not all(a is None for a in (X, target, h0, c0)):
            raise TypeError("verify(example) takes the data from the example; pass tol, eps, "
                            "sample, seed and progress by keyword")
        if dropout_mask is None:
            dropout_mask = getattr(params, "dropout_mask", None)
        params, X, target, h0, c0 = params.params, params.X, params.target, params.h0, params.c0
    target, h0, c0 = check_inputs(params, X, target, h0, c0, dropout_mask)
    if params.dtype != np.float64:
        raise TypeError(f"verify needs float64 parameters and inputs, got {params.dtype}: finite "
                        "differences in float32 are too coarse (use params.astype(np.float64))")
    T, D, B = X.shape
    sample = resolve_sample(sample, exhaustive_cost(T, D, params.H, B))
    r = run(params, X, target, h0, c0, dropout_mask)
    jobs = _totals(params, X, target, h0, c0, r, dropout_mask)
    for k in range(T):
        jobs += _step(params, X, target, k, r.caches[k], r.steps[k], dropout_mask)
    return check_jobs(jobs, tol, eps, sample, seed, progress, "lstmdoc.verify")


def resolve_sample(sample, cost):
    """``verify``'s ``sample`` argument, checked; ``"auto"`` decided by ``cost``.

    ``"auto"`` becomes None (every entry) when checking every entry costs at
    most :data:`EXHAUSTIVE_UP_TO` cell steps, :data:`SAMPLE` otherwise.
    Shared by :func:`~lstmdoc.verify` and :func:`lstmdoc.deep.verify`.
    """
    if isinstance(sample, str) and sample == "auto":
        return None if cost <= EXHAUSTIVE_UP_TO else SAMPLE
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int)
                               or sample < 1):
        raise ValueError(f'sample must be "auto", None or a positive int, got {sample!r}')
    return sample


def _totals(p, X, y, h0, c0, r, mask=None):
    """The checks of the whole pass: parameters, inputs, initial state, logits.

    Each job is ``(name, loss as a function of x, x, analytic gradient, cell steps per call)``.
    """
    def loss(params, X, h0, c0):
        return loss_from(params, X, y, 0, h0, c0, mask)

    return parameter_jobs(p, X, h0, c0, r.grads, loss) + [
        ("dlogits", lambda z: cross_entropy(z, y)[0], r.logits, r.dlogits, 1)]


def parameter_jobs(p, X, h0, c0, grads, loss):
    """The jobs checking ``grads`` of every parameter, of ``X`` and of the initial state.

    ``loss(params, X, h0, c0)`` is the pass whose gradients ``grads`` claims to be
    (the readable one here; :func:`lstmdoc.fastcheck.check` passes the public, fast one). Each
    job is ``(name, loss as a function of x, x, analytic gradient, cell steps per call)``.
    """
    T = len(X)

    def with_param(name):  # the loss as a function of one parameter array
        return lambda value: loss(dataclasses.replace(p, **{name: value}), X, h0, c0)

    names = ("W", "b", "Wy", "by") + (("norm_gain", "norm_shift") if p.layer_norm else ())
    return [(name, with_param(name), getattr(p, name), grads[name],
             1 if name in ("Wy", "by") else T) for name in names] + [
        ("X", lambda a: loss(p, a, h0, c0), X, grads["X"], T),
        ("h0", lambda a: loss(p, X, a, c0), h0, grads["h0"], T),
        ("c0", lambda a: loss(p, X, h0, a), c0, grads["c0"], T),
    ]


def _step(p, X, y, t, cache, grads, mask=None):
    """The checks of time step ``t``; every function reruns the pass from that step on."""
    D, H = p.D, p.H
    h_prev, c_prev = cache.z[D:], cache.c_prev
    a = p.W @ cache.z + p.b
    # c is what dCt differentiates: the state before its norm (c_t itself without layer norm).
    h, c = cache.o * cache.tanh_c, cache.f * c_prev + cache.i * cache.cproj_kept

    def after(h, c):  # the loss, given the state at the end of step t
        return loss_from(p, X, y, t + 1, h, c, mask)

    def state(c):  # the state carried to step t+1, from the state before its norm
        if not p.layer_norm:
            return c
        return layernorm_forward(c, p.norm_gain[4 * H:], p.norm_shift[4 * H:])[0]

    def from_a(a):  # the loss, given step t's pre-activation
        return after(*cell_from_preactivation(a, c_prev, p.forget_bias, p.norm_gain,
                                              p.norm_shift, cache.mask)[:2])

    def from_step_params(**change):  # the loss with other parameters in step t only
        h, c, _ = cell_forward(dataclasses.replace(p, **change), X[t], h_prev, c_prev, cache.mask)
        return after(h, c)

    def from_block(k):  # the loss as a function of one gate's block of a
        def f(block):
            a2 = a.copy()
            a2[k * H:(k + 1) * H] = block
            return from_a(a2)
        return f

    def from_x(x):
        X2 = X.copy()
        X2[t] = x
        return loss_from(p, X2, y, t, h_prev, c_prev, mask)

    blocks = {"dFt": 0, "dIt": 1, "dCprojt": 2, "dOt": 3}  # the row order of W
    funcs = {
        "dHt": (lambda h2: after(h2, state(c)), h),
        "dCt": (lambda c2: after(cache.o * np.tanh(state(c2)), state(c2)), c),
        "dW": (lambda W: from_a(W @ cache.z + p.b), p.W),
        "db": (lambda b: from_a(p.W @ cache.z + b), p.b),
        "dx": (from_x, X[t]),
        "dh_prev": (lambda h2: loss_from(p, X, y, t, h2, c_prev, mask), h_prev),
        "dc_prev": (lambda c2: loss_from(p, X, y, t, h_prev, c2, mask), c_prev),
    }
    funcs.update({name: (from_block(k), a[k * H:(k + 1) * H]) for name, k in blocks.items()})
    names = STEP_NAMES
    if p.layer_norm:
        names += NORM_STEP_NAMES
        funcs["dnorm_gain"] = (lambda g: from_step_params(norm_gain=g), p.norm_gain)
        funcs["dnorm_shift"] = (lambda s: from_step_params(norm_shift=s), p.norm_shift)
    steps = len(X) - t
    return [(f"{name}[{t}]", *funcs[name], getattr(grads, name), steps) for name in names]
