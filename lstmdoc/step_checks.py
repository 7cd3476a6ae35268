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
from typing import NamedTuple

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
    funcs = step_functions(Rerun(p, X, *y, mask, hs, t, cache))
    names = STEP_NAMES + (NORM_STEP_NAMES if p.layer_norm else ())
    steps = len(X) - t
    return [(f"{name}[{t}]", *funcs[name], getattr(grads, name), steps) for name in names]


def step_functions(r):
    """Every quantity of step ``r.t`` by name: the loss as a function of it, and its value."""
    p, cache, t = r.p, r.cache, r.t
    H, h_prev, c_prev = p.H, cache.z[p.D:], cache.c_prev
    a = p.W @ cache.z + p.b
    # c is what dCt differentiates: the state before its norm (c_t itself without layer norm).
    h, c = cache.o * cache.tanh_c, cache.f * c_prev + cache.i * cache.cproj_kept
    blocks = {"dFt": 0, "dIt": 1, "dCprojt": 2, "dOt": 3}  # the row order of W
    funcs = {
        "dHt": (lambda h2: r.after(h2, r.state(c)), h),
        "dCt": (lambda c2: r.after(cache.o * np.tanh(r.state(c2)), r.state(c2)), c),
        "dW": (lambda W: r.from_a(W @ cache.z + p.b), p.W),
        "db": (lambda b: r.from_a(p.W @ cache.z + b), p.b),
        "dx": (r.from_x, r.X[t]),
        "dh_prev": (lambda h2: r.tail(t, h2, c_prev), h_prev),  # through the recurrence only
        "dc_prev": (lambda c2: r.tail(t, h_prev, c2), c_prev),
    }
    funcs.update({name: (r.from_block(a, k), a[k * H:(k + 1) * H]) for name, k in blocks.items()})
    if p.layer_norm:
        funcs["dnorm_gain"] = (lambda g: r.from_step_params(norm_gain=g), p.norm_gain)
        funcs["dnorm_shift"] = (lambda s: r.from_step_params(norm_shift=s), p.norm_shift)
    return funcs


class Rerun(NamedTuple):
    """The rest of a pass from time step ``t`` on, rerun from a changed quantity of step t.

    Each method returns the loss; the output layer reads the hidden states of
    the steps before the change as the pass computed them (``hs``).
    """

    p: object                # LSTMParams
    X: np.ndarray            # (T, D, B)
    target: np.ndarray       # (B,) or (T, B)
    target_mask: np.ndarray  # (T, B), or None
    mask: np.ndarray         # (T, H, B) recurrent dropout's mask, or None
    hs: np.ndarray           # (T, H, B) the pass's hidden states
    t: int                   # the time step (from 0)
    cache: object            # CellCache of step t

    def tail(self, start, h, c, X=None, outputs=None):
        """Steps ``start``, ... run from ``(h, c)``; the outputs before ``start`` are fixed."""
        X = self.X if X is None else X
        outputs = self.hs if outputs is None else outputs
        return loss_from(self.p, X, self.target, start, h, c, self.mask,
                         target_mask=self.target_mask, outputs=outputs[:start])

    def after(self, h, c):
        """Given the state at the end of step t (``h`` also predicts at t)."""
        return self.tail(self.t + 1, h, c, outputs=np.concatenate([self.hs[:self.t], h[None]]))

    def state(self, c):
        """The state carried to step t+1, from the state before its norm."""
        p = self.p
        if not p.layer_norm:
            return c
        return layernorm_forward(c, p.norm_gain[4 * p.H:], p.norm_shift[4 * p.H:])[0]

    def from_a(self, a):
        """Given step t's pre-activation."""
        p, cache = self.p, self.cache
        return self.after(*cell_from_preactivation(a, cache.c_prev, p.forget_bias, p.norm_gain,
                                                   p.norm_shift, cache.mask)[:2])

    def from_block(self, a, k):
        """The loss as a function of the ``k``-th gate block (W's row order) of ``a``."""
        H = self.p.H

        def f(block):
            a2 = a.copy()
            a2[k * H:(k + 1) * H] = block
            return self.from_a(a2)
        return f

    def from_x(self, x):
        """Given step t's input."""
        X = self.X.copy()
        X[self.t] = x
        return self.tail(self.t, self.cache.z[self.p.D:], self.cache.c_prev, X=X)

    def from_step_params(self, **change):
        """With other parameters in step t only."""
        cache = self.cache
        h, c, _ = cell_forward(dataclasses.replace(self.p, **change), self.X[self.t],
                               cache.z[self.p.D:], cache.c_prev, cache.mask)
        return self.after(h, c)
