"""Every gradient of a pass, compared with central finite differences.

The ladder: for each quantity, write the rest of the pass as a function of it
(perturb the intermediate, rerun what follows, read the loss) and compare the
analytic gradient with central differences. The site's build runs
:func:`verify` on both examples and refuses to build if any check fails.
"""

import dataclasses

import numpy as np

from .cell import cell_forward, cell_from_preactivation
from .gradcheck import check_gradient
from .layernorm import layernorm_forward
from .model import loss_from, run
from .output import cross_entropy

STEP_NAMES = ("dHt", "dOt", "dCt", "dCprojt", "dFt", "dIt", "dW", "db", "dx", "dh_prev", "dc_prev")
"""The per-time-step quantities, in the article's order."""

NORM_STEP_NAMES = ("dnorm_gain", "dnorm_shift")
"""The per-time-step quantities added by layer norm: this step's share of its gains' and shifts' gradients."""


def verify(example, tol=1e-6):
    """Check every gradient of ``example``'s pass against finite differences.

    Parameters
    ----------
    example : Example
        In float64; with layer norm and a dropout mask when it has them.
    tol : float
        Largest accepted :func:`~lstmdoc.gradcheck.relative_error`.

    Returns
    -------
    list of Check
        Names ``"W"``, ``"b"``, ``"Wy"``, ``"by"``, ``"X"``, ``"h0"``, ``"c0"``,
        ``"dlogits"``, then ``"<step>[k]"`` for every name in ``STEP_NAMES``
        and every index ``k = 0, ..., T-1`` (time step ``t = k + 1``). With
        layer norm also ``"norm_gain"``, ``"norm_shift"`` after ``"by"``, and
        every name in ``NORM_STEP_NAMES`` at every step. With dropout, every
        check runs the pass with the example's mask.

    Examples
    --------
    >>> import lstmdoc
    >>> checks = lstmdoc.verify(lstmdoc.example.random(T=2))
    >>> len(checks), all(c.ok for c in checks)
    (30, True)
    """
    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    mask = getattr(example, "dropout_mask", None)
    r = run(p, X, y, h0, c0, mask)
    checks = _verify_totals(p, X, y, h0, c0, r, tol, mask)
    for t in range(len(r.caches)):
        checks += _verify_step(p, X, y, t, r.caches[t], r.steps[t], tol, mask)
    return checks


def _verify_totals(p, X, y, h0, c0, r, tol, mask=None):
    """The checks of the whole pass: parameters, inputs, initial state, logits."""
    g = r.grads

    def loss(params=p, X=X, h0=h0, c0=c0):
        return loss_from(params, X, y, 0, h0, c0, mask)

    def with_param(name):  # the loss as a function of one parameter array
        return lambda value: loss(dataclasses.replace(p, **{name: value}))

    names = ("W", "b", "Wy", "by") + (("norm_gain", "norm_shift") if p.layer_norm else ())
    checks = [check_gradient(name, with_param(name), getattr(p, name), g[name], tol)
              for name in names]
    return checks + [
        check_gradient("X", lambda X: loss(X=X), X, g["X"], tol),
        check_gradient("h0", lambda h: loss(h0=h), h0, g["h0"], tol),
        check_gradient("c0", lambda c: loss(c0=c), c0, g["c0"], tol),
        check_gradient("dlogits", lambda z: cross_entropy(z, y)[0], r.logits, r.dlogits, tol),
    ]


def _verify_step(p, X, y, t, cache, grads, tol, mask=None):
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
    return [check_gradient(f"{name}[{t}]", *funcs[name], getattr(grads, name), tol)
            for name in names]
