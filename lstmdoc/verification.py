"""Every gradient of a pass, compared with central finite differences.

The ladder: for each quantity, write the rest of the pass as a function of it
(perturb the intermediate, rerun what follows, read the loss) and compare the
analytic gradient with central differences. The site's build runs
:func:`~lstmdoc.verify` on both examples and refuses to build if any check fails.
"""

import dataclasses

import numpy as np

from .bptt import hidden_states
from .every_step import sequence_cross_entropy, weights
from .example import Example
from .gradcheck import check_jobs
from .model import check_inputs, loss_from, run
from .output import cross_entropy
from .step_checks import NORM_STEP_NAMES, STEP_NAMES, columns, output_jobs, step_jobs, tiled

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


def verify(params, X=None, target=None, h0=None, c0=None, *, dropout_mask=None, target_mask=None,
           tol=1e-6, eps=1e-6, sample="auto", seed=0, progress=True):
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
    target : ndarray of int of shape (B,) or (T, B)
        Class indices, after the last step or at every step; omitted for an Example.
    h0, c0 : ndarray of shape (H, B), optional
        Initial state; zeros when omitted.
    dropout_mask : ndarray of shape (T, H, B), optional
        Recurrent dropout's mask: every check runs the pass with it. For an
        Example, its own ``dropout_mask``.
    target_mask : ndarray of shape (T, B), optional
        With a (T, B) target, the weight of each prediction; for an Example, its own.
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
        every name in ``NORM_STEP_NAMES`` at every step. With a (T, B) target
        also ``"dh_out[k]"`` at every step, after ``"dlogits"``: what the output
        layer sends into ``h_t`` (perturbing ``h_t`` where the output layer reads it).

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
        if target_mask is None:
            target_mask = getattr(params, "target_mask", None)
        params, X, target, h0, c0 = params.params, params.X, params.target, params.h0, params.c0
    target, h0, c0 = check_inputs(params, X, target, h0, c0, dropout_mask, target_mask)
    if params.dtype != np.float64:
        raise TypeError(f"verify needs float64 parameters and inputs, got {params.dtype}: finite "
                        "differences in float32 are too coarse (use params.astype(np.float64))")
    T, D, B = X.shape
    sample = resolve_sample(sample, exhaustive_cost(T, D, params.H, B))
    r = run(params, X, target, h0, c0, dropout_mask, target_mask=target_mask)
    hs = hidden_states(r.caches)
    jobs = _totals(params, X, (target, target_mask), h0, c0, r, dropout_mask)
    if target.ndim == 2:
        jobs += output_jobs(params, hs, target, target_mask, r.dh_out)
    for k in range(T):
        jobs += step_jobs(params, X, (target, target_mask), k, r.caches[k], r.steps[k],
                          dropout_mask, hs)
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

    ``y`` is ``(target, target_mask)``. Each job is ``(name, loss as a function
    of x, x, analytic gradient, cell steps per call[, the loss at many x])``.
    """
    target, target_mask = y

    def loss(params, X, h0, c0, copies=1):
        return loss_from(params, X, target, 0, h0, c0, tiled(mask, copies),
                         target_mask=target_mask, copies=copies)

    def from_logits(z):
        if target.ndim == 1:
            return cross_entropy(z, target)[0]
        return sequence_cross_entropy(z, target, weights(target, target_mask, z.dtype))[0]

    return parameter_jobs(p, X, h0, c0, r.grads, loss, widen=True) + [
        ("dlogits", from_logits, r.logits, r.dlogits, 1)]


def parameter_jobs(p, X, h0, c0, grads, loss, widen=False):
    """The jobs checking ``grads`` of every parameter, of ``X`` and of the initial state.

    ``loss(params, X, h0, c0)`` is the pass whose gradients ``grads`` claims to be
    (the readable one here; :func:`lstmdoc.fastcheck.check` passes the public, fast one). Each
    job is ``(name, loss as a function of x, x, analytic gradient, cell steps per call)``.
    With ``widen``, ``loss(params, X, h0, c0, copies)`` also takes ``copies`` of the
    batch side by side and returns a loss per copy: the jobs of ``X``, ``h0``
    and ``c0`` then carry the loss at many points at once (one run for all of them).
    """
    T = len(X)

    def with_param(name):  # the loss as a function of one parameter array
        return lambda value: loss(dataclasses.replace(p, **{name: value}), X, h0, c0)

    def side_by_side(k):  # the loss at a stack of values of X, h0 or c0 (argument k), at once
        def many(values):
            args = [tiled(a, len(values)) for a in (X, h0, c0)]
            args[k] = columns(values)
            return loss(p, *args, copies=len(values))
        return (many,) if widen else ()

    names = ("W", "b", "Wy", "by") + (("norm_gain", "norm_shift") if p.layer_norm else ())
    return [(name, with_param(name), getattr(p, name), grads[name],
             1 if name in ("Wy", "by") else T) for name in names] + [
        ("X", lambda a: loss(p, a, h0, c0), X, grads["X"], T, *side_by_side(0)),
        ("h0", lambda a: loss(p, X, a, c0), h0, grads["h0"], T, *side_by_side(1)),
        ("c0", lambda a: loss(p, X, h0, a), c0, grads["c0"], T, *side_by_side(2)),
    ]
