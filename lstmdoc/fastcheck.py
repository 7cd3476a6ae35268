"""What users call, verified: the public ``loss_and_grads`` against ``run`` and finite differences.

:func:`lstmdoc.loss_and_grads` computes with the fast kernels of
:mod:`lstmdoc.fast`; :func:`lstmdoc.run` with one short function per equation.
:func:`check` holds the first to the second to round-off (relative difference
at most ``same``), and every gradient of the first to central finite
differences of its own loss. It calls the dispatcher itself, looked up in
``lstmdoc.model`` at call time, so what it checks is what a user and the
training loop call. The site's build runs it on every worked example: a wrong
fast gradient stops the build.
"""

import dataclasses

import numpy as np

from . import model
from .deep import model as deep_model
from .gradcheck import Check, check_gradient, relative_error
from .verification import parameter_jobs


def same(name, a, b, tol):
    """A :class:`~lstmdoc.gradcheck.Check` that ``a`` equals ``b`` to round-off (no noise allowance).

    A missing value (None) or a shape that differs fails with an infinite error.
    """
    if a is None or b is None or np.shape(a) != np.shape(b):
        return Check(name, np.inf, tol, np.inf, 0.0, 0, np.size(b))
    a, b = np.asarray(a), np.asarray(b)
    return Check(name, relative_error(a, b), tol, abs_error=float(np.linalg.norm(a - b)),
                 noise=0.0, entries=a.size, size=a.size)


def check(example, tol=1e-6, same_tol=1e-12, finite_differences=True):
    """Verify :func:`lstmdoc.loss_and_grads` on ``example``: equal to :func:`lstmdoc.run`, and against finite differences.

    Parameters
    ----------
    example : Example
        In float64; its ``dropout_mask``, when it has one, is passed to both.
    tol : float
        Largest accepted relative error against central finite differences.
    same_tol : float
        Largest accepted relative difference from :func:`lstmdoc.run`.
    finite_differences : bool
        Also check every gradient against central finite differences (the
        costly half: two passes per entry).

    Returns
    -------
    list of Check
        ``"fast == run: <key>"`` for the loss and every gradient, then
        ``"fast: <key>"`` for every gradient against finite differences (with
        ``finite_differences``).

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.fastcheck import check
    >>> checks = check(lstmdoc.example.random(T=2, layer_norm=True))
    >>> len(checks), all(c.ok for c in checks)
    (19, True)
    """
    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    mask = getattr(example, "dropout_mask", None)

    def fast_loss(params, X, h0, c0):
        return model.loss_and_grads(params, X, y, h0, c0, dropout_mask=mask)[0]

    loss, grads = model.loss_and_grads(p, X, y, h0, c0, dropout_mask=mask)
    r = model.run(p, X, y, h0, c0, mask)
    checks = [same("fast == run: loss", loss, r.loss, same_tol)]
    checks += [same(f"fast == run: {k}", grads.get(k), r.grads.get(k), same_tol)
               for k in dict.fromkeys([*r.grads, *grads])]  # a key missing on either side fails
    if not finite_differences:
        return checks
    claimed = {k: grads.get(k, np.full_like(g, np.nan)) for k, g in r.grads.items()}  # missing: fails
    return checks + [check_gradient(f"fast: {name}", f, x, analytic, tol)
                     for name, f, x, analytic, _ in parameter_jobs(p, X, h0, c0, claimed, fast_loss)]


def flat(grads):
    """``{name: array}`` of a deep model's gradients: ``"forward[0].W"``, ..., ``"Wy"``, ``"h0[2]"``."""
    out = {}
    for key, value in grads.items():
        if key in ("forward", "backward"):
            out.update({f"{key}[{l}].{k}": g for l, cell in enumerate(value) for k, g in cell.items()})
        elif isinstance(value, tuple):
            out.update({f"{key}[{k}]": g for k, g in enumerate(value)})
        else:
            out[key] = value
    return out


def deep_jobs(p, X, y, h0, c0, grads):
    """``(name, loss as a function of x, x, claimed gradient)`` for every parameter and input of a deep model."""
    def loss(params=p, X=X, h0=h0, c0=c0):
        return deep_model.loss_and_grads(params, X, y, h0, c0)[0]

    def with_cell(stack, l, name):
        def f(value):
            cells = list(getattr(p, stack))
            cells[l] = dataclasses.replace(cells[l], **{name: value})
            return loss(params=dataclasses.replace(p, **{stack: tuple(cells)}))
        return f

    def with_state(which, k):
        def f(value):
            states = list(h0 if which == "h0" else c0)
            states[k] = value
            return loss(**{which: tuple(states)})
        return f

    jobs = [(f"{stack}[{l}].{name}", with_cell(stack, l, name), getattr(cell, name))
            for stack in ("forward", "backward") for l, cell in enumerate(getattr(p, stack) or ())
            for name in ("W", "b")]
    jobs += [("Wy", lambda a: loss(params=dataclasses.replace(p, Wy=a)), p.Wy),
             ("by", lambda a: loss(params=dataclasses.replace(p, by=a)), p.by),
             ("X", lambda a: loss(X=a), X)]
    jobs += [(f"{which}[{k}]", with_state(which, k), s) for which, states in (("h0", h0), ("c0", c0))
             for k, s in enumerate(states)]
    return [(name, f, x, grads.get(name, np.full_like(x, np.nan))) for name, f, x in jobs]


def check_deep(example, tol=1e-6, same_tol=1e-12, sample=6, seed=0):
    """:func:`check` for a deep model: ``lstmdoc.deep.loss_and_grads`` against ``deep.run`` and finite differences.

    Every entry of every gradient is held to ``deep.run``'s to round-off; a
    seeded sample of ``sample`` entries of each (None: every entry) is held to
    central finite differences of the dispatcher's own loss.

    Returns
    -------
    list of Check
        Named as in :func:`check`, with the gradients' names of :func:`flat`.

    Examples
    --------
    >>> from lstmdoc import deep
    >>> from lstmdoc.fastcheck import check_deep
    >>> checks = check_deep(deep.example.both())
    >>> len(checks), all(c.ok for c in checks)
    (39, True)
    """
    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    loss, grads = deep_model.loss_and_grads(p, X, y, h0, c0)
    r = deep_model.run(p, X, y, h0, c0)
    ours, theirs = flat(grads), flat(r.grads)
    checks = [same("fast == run: loss", loss, r.loss, same_tol)]
    checks += [same(f"fast == run: {k}", ours.get(k), theirs.get(k), same_tol)
               for k in dict.fromkeys([*theirs, *ours])]
    rng = np.random.default_rng(seed)
    for name, f, x, analytic in deep_jobs(p, X, y, h0, c0, ours):
        entries = None if sample is None or x.size <= sample else \
            np.sort(rng.choice(x.size, sample, replace=False))
        checks.append(check_gradient(f"fast: {name}", f, x, analytic, tol, entries=entries))
    return checks
