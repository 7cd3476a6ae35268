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


def masks(example, *names):
    """The example's masks that it has (not None), as keyword arguments of the passes."""
    return {name: getattr(example, name) for name in names if getattr(example, name, None) is not None}


def compare(loss, grads, run_loss, run_grads, tol):
    """``"fast == run: loss"`` and ``"fast == run: <key>"`` for every key of either dict (missing: fails)."""
    return [same("fast == run: loss", loss, run_loss, tol)] + [
        same(f"fast == run: {k}", grads.get(k), run_grads.get(k), tol)
        for k in dict.fromkeys([*run_grads, *grads])]


def check(example, tol=1e-6, same_tol=1e-12, finite_differences=True):
    """:func:`lstmdoc.loss_and_grads` on ``example`` against :func:`lstmdoc.run` and finite differences.

    Parameters
    ----------
    example : Example
        In float64, with its ``dropout_mask`` if it has one.
    tol, same_tol : float
        Largest accepted relative error against finite differences, and difference from ``run``.
    finite_differences : bool
        Also check every gradient against finite differences (two passes per entry).

    Returns
    -------
    list of Check
        ``"fast == run: <key>"`` for the loss and every gradient, then (with
        ``finite_differences``) ``"fast: <key>"`` for every gradient.

    Examples
    --------
    >>> from lstmdoc import example, fastcheck
    >>> checks = fastcheck.check(example.random(T=2, layer_norm=True))
    >>> len(checks), all(c.ok for c in checks)
    (19, True)
    """
    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    kw = masks(example, "dropout_mask", "target_mask")

    def fast_loss(params, X, h0, c0):
        return model.loss_and_grads(params, X, y, h0, c0, **kw)[0]

    loss, grads = model.loss_and_grads(p, X, y, h0, c0, **kw)
    r = model.run(p, X, y, h0, c0, **kw)
    checks = compare(loss, grads, r.loss, r.grads, same_tol)
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


def check_deep(example, same_tol=1e-12):
    """:func:`check` for a deep model: ``lstmdoc.deep.loss_and_grads`` against ``deep.run``, every entry.

    Against finite differences the build checks the same function with
    :func:`lstmdoc.deep.verify`, which verifies what ``deep.loss_and_grads``
    returns (every entry of every gradient).

    Returns
    -------
    list of Check
        ``"fast == run: loss"``, then ``"fast == run: <name>"`` with the
        gradients' names of :func:`flat`.

    Examples
    --------
    >>> from lstmdoc import deep
    >>> from lstmdoc.fastcheck import check_deep
    >>> checks = check_deep(deep.example.both())
    >>> len(checks), all(c.ok for c in checks)
    (20, True)
    """
    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    kw = masks(example, "dropout_mask", "target_mask")
    loss, grads = deep_model.loss_and_grads(p, X, y, h0, c0, **kw)
    r = deep_model.run(p, X, y, h0, c0, **kw)
    return compare(loss, flat(grads), r.loss, flat(r.grads), same_tol)
