r"""Optimizers: plain SGD, SGD with momentum, and Adam, as torch.optim computes them.

Each optimizer is torch.optim's update, written out for numpy (the Optimizers
page derives them and compares every one with torch). For a parameter ``p``
with gradient ``g`` at step ``t = 1, 2, …``:

- plain SGD: ``p ← p − lr·g`` (:func:`~lstmdoc.train.sgd_step`, the article's);
- momentum: ``u ← μ·u + g`` (``u = g`` at ``t = 1``), ``p ← p − lr·u``;
- Adam: ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``, and
  ``p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)``, the bias-corrected
  moments in the order torch computes them.

``step(params, grads)`` returns new parameters and keeps the optimizer's own
state (``u``, or ``m``, ``v`` and ``t``); :meth:`Optimizer.state` and
:func:`restore` carry that state through a checkpoint, so a run resumed from
one continues exactly. Parameters are any frozen dataclass of arrays, with
nested cells (:class:`lstmdoc.deep.DeepParams`), walked by :mod:`lstmdoc.train.named`.
"""

import numpy as np

from .. import _validate as check
from .data import positive_float
from .named import every_field, parameters, replace


class Optimizer:
    """What every optimizer shares: the step count, its per-parameter state, the update loop.

    A subclass sets ``name``, ``SLOTS`` (the arrays it keeps per
    parameter) and :meth:`update`.
    """

    name = None
    SLOTS = ()

    def __init__(self, lr):
        self.lr = positive_float("lr", lr)
        self.t = 0            # steps taken
        self.slots = {}       # {parameter name: {slot: ndarray}}, filled at the first step

    def step(self, params, grads):
        """One update: new parameters from ``params`` and their gradients ``grads``.

        Parameters
        ----------
        params : LSTMParams, DeepParams, or any frozen dataclass of arrays
            Not modified.
        grads : dict
            As ``loss_and_grads`` returns it; the inputs' gradients are ignored.

        Returns
        -------
        params
            Of the same type and dtype.

        Raises
        ------
        FloatingPointError
            If an updated parameter is not finite; the optimizer's state is
            then left as it was before the call.
        """
        t, new, slots = self.t + 1, {}, {}
        for name, p, g in parameters(params, grads):
            new[name], slots[name] = self.update(p, g, self.slots.get(name), t)
            if not np.all(np.isfinite(new[name])):
                raise FloatingPointError(f"the update made {name} NaN or infinite")
        self.t, self.slots = t, slots
        return replace(params, new)

    def update(self, p, g, slots, t):
        """The new value of one parameter and its new slots (``slots`` is None at the first step)."""
        raise NotImplementedError

    def state(self):
        """The optimizer as JSON values and arrays, for a checkpoint (see :func:`restore`).

        Returns
        -------
        settings : dict
            ``{"name": ..., "t": ..., ...}``: the name, the step count and the hyper-parameters.
        arrays : dict of ndarray
            ``"<slot>/<parameter>"``, e.g. ``"m/forward[0].W"``.
        """
        settings = {"name": self.name, "t": self.t, **self.settings()}
        arrays = {f"{slot}/{name}": a for name, s in self.slots.items() for slot, a in s.items()}
        return settings, arrays

    def settings(self):
        return {"lr": self.lr}


class SGD(Optimizer):
    """torch.optim.SGD: plain (``momentum=0``, the article's update) or with momentum.

    ``u ← μ·u + g`` (``u = g`` at the first step), then ``p ← p − lr·u``;
    with ``momentum=0``, ``p ← p − lr·g``, exactly :func:`~lstmdoc.train.sgd_step`.

    Examples
    --------
    >>> import numpy as np
    >>> import lstmdoc
    >>> from lstmdoc.train import SGD
    >>> ex = lstmdoc.example.random()
    >>> _, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> p1 = opt.step(ex.params, grads)
    >>> p2 = opt.step(p1, grads)     # the same gradient again: u = 0.9 g + g
    >>> bool(np.allclose(p2.W, p1.W - 0.1 * 1.9 * grads["W"]))
    True
    """

    def __init__(self, lr, momentum=0.0):
        super().__init__(lr)
        self.momentum = _fraction("momentum", momentum)
        self.name, self.SLOTS = ("sgd", ()) if self.momentum == 0 else ("momentum", ("u",))

    def update(self, p, g, slots, t):
        if self.momentum == 0:
            return p - self.lr * g, {}
        u = g.copy() if slots is None else self.momentum * slots["u"] + g
        return p - self.lr * u, {"u": u}

    def settings(self):
        return {"lr": self.lr, "momentum": self.momentum}


class Adam(Optimizer):
    """torch.optim.Adam (no weight decay, no AMSGrad): moments with bias correction.

    ``m ← β₁m + (1 − β₁)g``, ``v ← β₂v + (1 − β₂)g²``, then
    ``p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)``.

    Examples
    --------
    >>> import numpy as np
    >>> import lstmdoc
    >>> from lstmdoc.train import Adam
    >>> ex = lstmdoc.example.random()
    >>> _, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    >>> p = Adam(lr=0.01).step(ex.params, grads)   # step 1 moves every entry by about lr
    >>> moved = np.abs(p.W - ex.params.W)
    >>> bool(np.all(moved <= 0.01 + 1e-12)), bool(np.median(moved) > 0.0099)
    (True, True)
    """

    name = "adam"
    SLOTS = ("m", "v")

    def __init__(self, lr, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = tuple(_fraction(f"betas[{k}]", b) for k, b in enumerate(betas))
        self.eps = positive_float("eps", eps)

    def update(self, p, g, slots, t):
        beta1, beta2 = self.betas
        if slots is None:  # m_0 = v_0 = 0
            slots = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        m = beta1 * slots["m"] + (1 - beta1) * g
        v = beta2 * slots["v"] + (1 - beta2) * g * g
        step_size = self.lr / (1 - beta1 ** t)
        denom = np.sqrt(v) / (1 - beta2 ** t) ** 0.5 + self.eps
        return p - step_size * m / denom, {"m": m, "v": v}

    def settings(self):
        return {"lr": self.lr, "betas": list(self.betas), "eps": self.eps}


OPTIMIZERS = {"sgd": SGD, "momentum": SGD, "adam": Adam}
"""The optimizers by name (``"momentum"`` is :class:`SGD` with momentum)."""


def restore(settings, arrays, params):
    """The optimizer :meth:`Optimizer.state` described, with its step count and slots.

    Parameters
    ----------
    settings : dict
    arrays : dict of ndarray
        As :meth:`Optimizer.state` returns them.
    params : LSTMParams or DeepParams
        The model the optimizer updates: every slot must match one of its
        parameters in shape and dtype.

    Raises
    ------
    ValueError
        For an unknown optimizer, or a slot that does not fit ``params``, naming it.
    """
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in settings.items()
              if k not in ("name", "t")}
    name, t = settings.get("name"), settings.get("t")
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    if isinstance(t, bool) or not isinstance(t, int) or t < 0:
        raise ValueError(f"the optimizer's step count must be an int >= 0, got {t!r}")
    opt = OPTIMIZERS[name](**kwargs)
    shapes = {n: (v.shape, v.dtype) for n, v, _ in parameters(params, every_field(params))}
    for key, a in arrays.items():
        slot, _, param = key.partition("/")
        if slot not in opt.SLOTS or shapes.get(param) != (a.shape, a.dtype):
            raise ValueError(f"the {name} optimizer's array {key!r} does not fit the model")
        opt.slots.setdefault(param, {})[slot] = a
    if opt.slots and len(opt.slots) != len(shapes):
        raise ValueError(f"the {name} optimizer's state covers {len(opt.slots)} of the model's "
                         f"{len(shapes)} parameter arrays")
    opt.t = t
    return opt


def _fraction(name, x):
    """Check that ``x`` is a real number in [0, 1)."""
    x = check.finite_scalar(name, x)
    if not 0 <= x < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {x}")
    return x
