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
    output layer reads at every step when every step predicts. Each job carries
    its function at many points at once (``many``, see
    :func:`~lstmdoc.gradcheck.numerical_gradient`): one rerun of the copies side by side.
    """
    funcs = step_functions(Rerun(p, X, *y, mask, hs, t, cache))
    names = STEP_NAMES + (NORM_STEP_NAMES if p.layer_norm else ())
    steps = len(X) - t
    return [(f"{name}[{t}]", f, x, getattr(grads, name), steps, many)
            for name, (f, x, many) in ((name, funcs[name]) for name in names)]


def step_functions(r):
    """Every quantity of step ``r.t`` by name: ``(loss as a function of it, its value, many)``.

    ``many`` is the same loss at a stack of values at once. For a quantity
    with a column per example, each function is written once, for a rerun of
    any width (:meth:`Rerun.widened`); a parameter's share at step t (``dW``,
    ``db``, the norms') makes each copy's pre-activation or state itself.
    """
    p, z = r.p, r.cache.z
    funcs = {name: per_example(r, fn, value) for name, (fn, value) in {
        "dHt": (lambda r, h: r.after(h, r.state(r.c())), r.h()),
        "dCt": (lambda r, c: r.after(r.cache.o * np.tanh(r.state(c)), r.state(c)), r.c()),
        "dx": (Rerun.from_x, r.X[r.t]),
        "dh_prev": (lambda r, h: r.tail(r.t, h, r.cache.c_prev), z[p.D:]),  # the recurrence only
        "dc_prev": (lambda r, c: r.tail(r.t, r.cache.z[p.D:], c), r.cache.c_prev),
    }.items()}
    a = r.a()
    for name, k in {"dFt": 0, "dIt": 1, "dCprojt": 2, "dOt": 3}.items():  # the row order of W
        funcs[name] = per_example(r, block(k), a[k * p.H:(k + 1) * p.H])
    funcs["dW"] = (lambda W: r.from_a(W @ z + p.b), p.W,
                   lambda Ws: r.widened(len(Ws)).from_a(columns(Ws @ z + p.b)))
    funcs["db"] = (lambda b: r.from_a(p.W @ z + b), p.b,
                   lambda bs: r.widened(len(bs)).from_a(columns(p.W @ z + bs)))
    if p.layer_norm:
        for name, field in (("dnorm_gain", "norm_gain"), ("dnorm_shift", "norm_shift")):
            funcs[name] = (lambda v, field=field: r.after(*r.step_with(**{field: v})),
                           getattr(p, field), lambda vs, field=field: r.widened(len(vs)).after(
                               *map(columns, zip(*(r.step_with(**{field: v}) for v in vs)))))
    return funcs


def per_example(r, fn, value):
    """``(f, value, many)`` for a quantity with a column per example: ``fn(rerun, x)`` is the loss."""
    return (lambda x: fn(r, x), value, lambda xs: fn(r.widened(len(xs)), columns(xs)))


def block(k):
    """The loss as a function of the ``k``-th gate block (W's row order) of step t's pre-activation."""
    def f(r, rows):
        a = r.a().copy()
        a[k * r.p.H:(k + 1) * r.p.H] = rows
        return r.from_a(a)
    return f


def columns(stack):
    """A stack of ``n`` arrays ``(n, ..., B)`` side by side: ``(..., n·B)``, copy m in columns m·B …"""
    return np.concatenate(list(stack), axis=-1)


def tiled(a, n):
    """``a``'s last axis repeated ``n`` times: n copies of the batch side by side (None stays None)."""
    return a if a is None or n == 1 else np.tile(a, (1,) * (a.ndim - 1) + (n,))


class Rerun(NamedTuple):
    """The rest of a pass from time step ``t`` on, rerun from a changed quantity of step t.

    Each method returns the loss; the output layer reads the hidden states of
    the steps before the change as the pass computed them (``hs``). A rerun
    :meth:`widened` to ``n`` copies of the batch returns ``n`` losses, one per copy.
    """

    p: object                # LSTMParams
    X: np.ndarray            # (T, D, B)
    target: np.ndarray       # (B,) or (T, B)
    target_mask: np.ndarray  # (T, B), or None
    mask: np.ndarray         # (T, H, B) recurrent dropout's mask, or None
    hs: np.ndarray           # (T, H, B) the pass's hidden states
    t: int                   # the time step (from 0)
    cache: object            # CellCache of step t

    @property
    def copies(self):
        """How many copies of the batch the arrays hold side by side."""
        return self.X.shape[2] // self.target.shape[-1]

    def widened(self, n):
        """The same rerun on ``n`` copies of the batch side by side: its loss is ``n`` losses.

        Every column of the pass is its own example, so perturbing copy m's
        columns changes copy m's loss alone: ``n`` points of a finite
        difference cost one rerun of ``n·B`` columns.
        """
        c = self.cache
        fields = {f: tiled(getattr(c, f), n) for f in ("z", "c_prev", "f", "i", "cproj", "o",
                                                        "tanh_c", "mask")}
        return self._replace(X=tiled(self.X, n), mask=tiled(self.mask, n), hs=tiled(self.hs, n),
                             cache=c._replace(**fields, norms=None))

    def a(self):
        """Step t's pre-activation ``W z_t + b``."""
        return self.p.W @ self.cache.z + self.p.b

    def c(self):
        """What dCt differentiates: the state before its norm (c_t itself without layer norm)."""
        return self.cache.f * self.cache.c_prev + self.cache.i * self.cache.cproj_kept

    def h(self):
        """Step t's hidden state."""
        return self.cache.o * self.cache.tanh_c

    def tail(self, start, h, c, X=None, outputs=None):
        """Steps ``start``, ... run from ``(h, c)``; the outputs before ``start`` are fixed."""
        X = self.X if X is None else X
        outputs = self.hs if outputs is None else outputs
        return loss_from(self.p, X, self.target, start, h, c, self.mask,
                         target_mask=self.target_mask, outputs=outputs[:start],
                         copies=self.copies)

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

    def from_x(self, x):
        """Given step t's input."""
        X = self.X.copy()
        X[self.t] = x
        return self.tail(self.t, self.cache.z[self.p.D:], self.cache.c_prev, X=X)

    def step_with(self, **change):
        """Step t's new state ``(h, c)`` with other parameters in this step only (one batch)."""
        cache = self.cache
        return cell_forward(dataclasses.replace(self.p, **change), self.X[self.t],
                            cache.z[self.p.D:], cache.c_prev, cache.mask)[:2]
