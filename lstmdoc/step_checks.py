"""The checks of every time step: each intermediate gradient against finite differences.

For each quantity of step ``t`` (``STEP_NAMES``), write the rest of the pass as
a function of it (perturb it, rerun the steps that follow, read the loss);
:func:`lstmdoc.verify` compares those functions' central differences with the
analytic gradients of :func:`lstmdoc.run`. When every step predicts, a hidden
state is read twice, by the output layer and by the next step: ``dHt``
perturbs it in both places, ``dh_out`` in the output layer only, ``dh_prev``
in the recurrence only.
"""

import dataclasses

import numpy as np

from .cell import cell_forward, cell_from_preactivation
from .every_step import loss_of
from .layernorm import layernorm_forward
from .model import loss_from

STEP_NAMES = ("dHt", "dOt", "dCt", "dCprojt", "dFt", "dIt", "dW", "db", "dx", "dh_prev", "dc_prev")
"""The per-time-step quantities, in the article's order: the fields of
:class:`~lstmdoc.cell_backward.CellGrads`, checked by :func:`~lstmdoc.verify` as
``"<name>[k]"`` for time step t = k + 1."""

NORM_STEP_NAMES = ("dnorm_gain", "dnorm_shift")
"""The per-time-step quantities added by layer norm: this step's share of the
gains' and shifts' gradients (:func:`~lstmdoc.cell_backward.dNorm`)."""


def output_jobs(p, hs, target, target_mask, dh_out):
    """Every step's ``dh_out``: the loss as a function of the h_t the output layer reads, alone."""
    def from_output(k):
        def f(h):
            changed = hs.copy()
            changed[k] = h
            return loss_of(changed, p.Wy, p.by, target, target_mask)
        return f

    return [(f"dh_out[{k}]", from_output(k), hs[k], dh_out[k], 0) for k in range(len(hs))]


def step_jobs(p, X, y, t, cache, grads, mask, hs):
    """The checks of time step ``t``; every function reruns the pass from that step on.

    ``y`` is ``(target, target_mask)``; ``hs`` the hidden states, which the
    output layer reads at every step when every step predicts.
    """
    D, H = p.D, p.H
    target, target_mask = y

    def tail(start, h, c, X=X, outputs=hs):  # steps start.. from (h, c); earlier outputs fixed
        return loss_from(p, X, target, start, h, c, mask, target_mask=target_mask,
                         outputs=outputs[:start])
    h_prev, c_prev = cache.z[D:], cache.c_prev
    a = p.W @ cache.z + p.b
    # c is what dCt differentiates: the state before its norm (c_t itself without layer norm).
    h, c = cache.o * cache.tanh_c, cache.f * c_prev + cache.i * cache.cproj_kept

    def after(h, c):  # the loss, given the state at the end of step t (h also predicts at t)
        return tail(t + 1, h, c, outputs=np.concatenate([hs[:t], h[None]]))

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
        return tail(t, h_prev, c_prev, X=X2)

    blocks = {"dFt": 0, "dIt": 1, "dCprojt": 2, "dOt": 3}  # the row order of W
    funcs = {
        "dHt": (lambda h2: after(h2, state(c)), h),
        "dCt": (lambda c2: after(cache.o * np.tanh(state(c2)), state(c2)), c),
        "dW": (lambda W: from_a(W @ cache.z + p.b), p.W),
        "db": (lambda b: from_a(p.W @ cache.z + b), p.b),
        "dx": (from_x, X[t]),
        "dh_prev": (lambda h2: tail(t, h2, c_prev), h_prev),  # through the recurrence only
        "dc_prev": (lambda c2: tail(t, h_prev, c2), c_prev),
    }
    funcs.update({name: (from_block(k), a[k * H:(k + 1) * H]) for name, k in blocks.items()})
    names = STEP_NAMES
    if p.layer_norm:
        names += NORM_STEP_NAMES
        funcs["dnorm_gain"] = (lambda g: from_step_params(norm_gain=g), p.norm_gain)
        funcs["dnorm_shift"] = (lambda s: from_step_params(norm_shift=s), p.norm_shift)
    steps = len(X) - t
    return [(f"{name}[{t}]", *funcs[name], getattr(grads, name), steps) for name in names]
