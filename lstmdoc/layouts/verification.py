"""Every layout's converters checked against lstmdoc's own gradients (what the build runs).

For each layout, the loss is written as a function of that layout's own arrays
(its weights, its input, its initial state, in its axes): lstmdoc's loss of
the model the arrays hold. Central finite differences of that loss must equal
:func:`~lstmdoc.layouts.grads_to` of lstmdoc's gradients; and weights and
gradients must come back unchanged from a round trip.
"""

import numpy as np

from .. import example, model
from ..gradcheck import Check, relative_error, rounding_noise
from ..params import LSTMParams
from . import convert, models  # looked up at each call: what is checked is what users call
from .gates import fold_forget_bias
from .spec import LAYOUTS, get


def layout_loss(layout, ex):
    """``(arrays, loss)``: ``ex``'s model and inputs in ``layout``, and the loss as their function.

    ``arrays`` holds the layout's weights, its ``x``, ``h0``, ``c0`` (by the
    layout's names); a layout without an output layer uses ``ex``'s.
    """
    lt = get(layout)
    arrays = {k: v for k, v in models.weights_to(lt, ex.params).items() if k != "forget_bias"}
    fb = models.weights_to(lt, ex.params).get("forget_bias")
    arrays[lt.name_of("x")] = convert.sequence_to(lt, ex.X)
    for role, s in (("h0", ex.h0), ("c0", ex.c0)):
        arrays[lt.name_of(role)] = convert.state_to(lt, s)

    def loss(a):
        cell = models.weights_from(lt, dict(a, forget_bias=fb) if fb is not None else a)
        p = cell if isinstance(cell, LSTMParams) else \
            LSTMParams(cell.W, cell.b, ex.params.Wy, ex.params.by, forget_bias=cell.forget_bias)
        X = convert.sequence_from(lt, a[lt.name_of("x")])
        h0, c0 = (convert.state_from(lt, a[lt.name_of(r)]) for r in ("h0", "c0"))
        return model.loss_from(p, X, ex.target, 0, h0, c0)
    return arrays, loss


def directional(arrays, loss, grads, tol=1e-6, label="", eps=1e-6, seed=0):
    """Checks of ``grads`` (by name) against the central differences of ``loss(arrays)`` along a
    random direction in each array ``a = arrays[name]``: ``Σ grads[name] ⊙ v`` must equal
    ``(loss(a + εv) − loss(a − εv)) / 2ε``, a check of every entry at once."""
    rng = np.random.default_rng(seed)
    value = loss(arrays)
    checks = []
    for name in grads:
        a = arrays[name]
        v = rng.normal(size=a.shape)
        up, down = (loss(dict(arrays, **{name: a + s * eps * v})) for s in (1, -1))
        numerical = np.array([(up - down) / (2 * eps)])
        analytic = np.array([float(np.sum(grads[name] * v))])
        checks.append(Check(f"{label}{name}", relative_error(analytic, numerical), tol,
                            float(abs(analytic - numerical)[0]),
                            float(rounding_noise(value, eps, 1)), a.size, a.size))
    return checks


def exact(name, got, expected):
    """A :class:`~lstmdoc.gradcheck.Check` that passes only when ``got`` equals ``expected``."""
    same = got.shape == expected.shape
    err = relative_error(got, expected) if same else np.inf
    return Check(name, err, 0.0, float(np.linalg.norm(got - expected)) if same else np.inf, 0.0,
                 got.size, got.size)


def verify_layout(layout, ex, grads, tol=1e-6):
    """The checks of one layout: its gradients against finite differences, and round trips."""
    lt = get(layout)
    ours = models.grads_to(lt, grads)
    arrays, loss = layout_loss(lt, ex)
    checks = directional(arrays, loss, {n: ours[lt.grad_prefix + n] for n in arrays}, tol,
                         f"{lt.name} {lt.grad_prefix}")
    back = models.grads_from(lt, ours)
    checks += [exact(f"{lt.name} grads round trip {k}", back[k], grads[k]) for k in back]
    p = ex.params if lt.forget_bias else fold_forget_bias(ex.params)
    w = models.weights_from(lt, models.weights_to(lt, ex.params))
    checks += [exact(f"{lt.name} weights round trip {k}", getattr(w, k), getattr(p, k))
               for k in ("W", "b")]
    return checks


def verify(ex=None, tol=1e-6):
    """Every layout of :data:`~lstmdoc.layouts.spec.LAYOUTS`, on ``ex`` (default: the random one).

    Returns
    -------
    list of Check
        All must pass (``check.ok``).

    Examples
    --------
    >>> from lstmdoc.layouts.verification import verify
    >>> checks = verify()
    >>> len(checks) > 80, all(c.ok for c in checks)
    (True, True)
    """
    ex = ex or example.random()
    _, grads = model.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    return [c for lt in LAYOUTS for c in verify_layout(lt, ex, grads, tol)]
