"""The training loop: windows → one-hot inputs → ``loss_and_grads`` → an SGD update.

The loop knows nothing about the model beyond three things, so a different
model (a stack of cells, a cell with layer norm) trains with the same loop:
its parameters are a dataclass with ``D`` and ``dtype`` properties, its
``loss_and_grads(params, X, target, h0, c0)`` returns ``(loss, grads)``, and
every entry of ``grads`` named like a field of the parameters is that
field's gradient.
"""

import dataclasses
from typing import NamedTuple

import numpy as np

from .. import model
from .data import one_hot, positive_float


class TrainRun(NamedTuple):
    """What a training run leaves behind."""

    losses: np.ndarray  # (iterations,) float64, the loss *before* each iteration's update
    params: object      # LSTMParams after the last update
    windows: tuple      # iterations x Windows, the batch each iteration trained on


class TrainingDiverged(FloatingPointError):
    """Training produced NaN or infinity; nothing after that iteration is kept.

    Attributes
    ----------
    iteration : int
        The iteration (from 0) whose loss or update was not finite.
    last_loss : float or None
        The last finite loss, ``None`` if there was none.
    """

    def __init__(self, iteration, last_loss, what):
        self.iteration, self.last_loss = iteration, last_loss
        last = "there was no finite loss before it" if last_loss is None else \
            f"the last finite loss was {last_loss:.6g}"
        super().__init__(f"training diverged at iteration {iteration}: {what}; {last} "
                         "(try a smaller learning rate)")


def sgd_step(params, grads, lr):
    """Plain gradient descent, ``p - lr * g``, for every parameter that has a gradient.

    Parameters
    ----------
    params : LSTMParams, or any frozen dataclass of arrays
    grads : dict of ndarray
        Keys naming fields of ``params`` are applied; the others (``"X"``,
        ``"h0"``, ``"c0"``: gradients of inputs, not parameters) are ignored.
        A field holding a tuple of dataclasses (the cells of a
        :class:`lstmdoc.deep.DeepParams`) takes a tuple of such dicts.
    lr : float
        Learning rate.

    Returns
    -------
    LSTMParams
        New parameters (the old ones are not modified), same dtype.

    Raises
    ------
    FloatingPointError
        If an updated parameter is not finite.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.train import sgd_step
    >>> p = lstmdoc.example.article().params
    >>> grads = {"by": p.by, "X": None}
    >>> sgd_step(p, grads, 0.5).by[:2, 0] == p.by[:2, 0] / 2
    array([ True,  True])
    """
    updated = {}
    for field in dataclasses.fields(params):
        if field.name in grads:
            value = getattr(params, field.name)
            if isinstance(value, tuple):  # cells (lstmdoc.deep): one dict of gradients per cell
                updated[field.name] = tuple(sgd_step(cell, g, lr)
                                            for cell, g in zip(value, grads[field.name], strict=True))
                continue
            p = value - lr * grads[field.name]
            if not np.all(np.isfinite(p)):
                raise FloatingPointError(f"the update made {field.name} NaN or infinite")
            updated[field.name] = p
    return dataclasses.replace(params, **updated)


def train(params, windows, lr, *, h0=None, c0=None, loss_and_grads=None, progress=None):
    """One SGD update per batch of windows, in order.

    Parameters
    ----------
    params : LSTMParams
        The starting point (not modified).
    windows : sequence of Windows
        One batch per iteration; word indices below ``params.D``.
    lr : float
        Learning rate, > 0.
    h0, c0 : ndarray of shape (H, B), optional
        The state every window starts from (a constant, not trained); zeros
        when omitted.
    loss_and_grads : callable, optional
        ``loss_and_grads(params, X, target, h0, c0) -> (loss, grads)``;
        :func:`lstmdoc.loss_and_grads` when omitted. Wrap it to pass more per
        iteration (a fresh dropout mask, say).
    progress : callable, optional
        Called as ``progress(iteration, loss)`` after every update.

    Returns
    -------
    TrainRun

    Raises
    ------
    TrainingDiverged
        When a loss or an updated parameter is NaN or infinite, naming the
        iteration and the last finite loss.
    """
    lr = positive_float("lr", lr)
    windows = tuple(windows)
    if not windows:
        raise ValueError("windows must hold at least one batch: one per iteration")
    loss_and_grads = loss_and_grads or model.loss_and_grads
    losses = np.empty(len(windows))
    last = None
    for k, w in enumerate(windows):
        X = one_hot(w.inputs, params.D, params.dtype)
        # Overflow on the way to a NaN is not warned about: the NaN is caught and reported.
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = loss_and_grads(params, X, w.target, h0, c0)
            if not np.isfinite(loss):
                raise TrainingDiverged(k, last, f"the loss is {loss}")
            try:
                params = sgd_step(params, grads, lr)
            except FloatingPointError as e:
                raise TrainingDiverged(k, loss, str(e)) from None
        losses[k] = last = loss
        if progress is not None:
            progress(k, loss)
    return TrainRun(losses, params, windows)
