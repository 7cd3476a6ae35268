"""Did a run learn? Its model's mean loss over the same windows before and after.

A training run's own losses are those of whichever batch each iteration drew,
so its first and last losses belong to different windows; the mean loss over
the same windows before and after training is what tells whether it learned.
"""

import numpy as np

from .. import model
from .data import Windows, one_hot, positive_int

CHUNK = 128
"""Windows evaluated at once: the one-hot inputs of a chunk are (T, D, CHUNK)."""
FAR_WORSE = 2
"""A run whose mean loss ends more than this many times as high as it started is a failure.

Slightly worse is not: a short run can end a little above its start on its way to learning."""


def mean_loss(params, windows, *, h0=None, c0=None, loss_and_grads=None, chunk=CHUNK):
    """The mean loss of ``params`` over ``windows``, every window counted once.

    Parameters
    ----------
    params : LSTMParams, or a :class:`lstmdoc.deep.DeepParams`
    windows : Windows
        ``inputs`` of shape (T, N), ``target`` of shape (N,).
    h0, c0 : ndarray of shape (H, 1), optional
        The state every window starts from (a tuple of them, one per cell, for
        a model of several cells); zeros when omitted.
    loss_and_grads : callable, optional
        As in :func:`train`.
    chunk : int, default 128
        Windows per call of ``loss_and_grads`` (it changes only the rounding).

    Returns
    -------
    float

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.train import article, make_windows, mean_loss, tokenize
    >>> windows = make_windows(tokenize(lstmdoc.example.TEXT).tokens, 3)
    >>> before = mean_loss(lstmdoc.example.article().params, windows)
    >>> after = mean_loss(article().params, windows)
    >>> print(f"{before:.4f} before training, {after:.4f} after")  # the article's 8 windows
    2.7143 before training, 2.5802 after
    """
    if not isinstance(windows, Windows):
        raise TypeError(f"windows must be a Windows, got {type(windows).__name__}")
    chunk, loss_and_grads = positive_int("chunk", chunk), loss_and_grads or model.loss_and_grads
    total = 0.0
    for k in range(0, windows.target.shape[0], chunk):
        inputs, target = windows.inputs[:, k:k + chunk], windows.target[k:k + chunk]
        loss, _ = loss_and_grads(params, one_hot(inputs, params.D, params.dtype), target,
                                 tiled("h0", h0, len(target)), tiled("c0", c0, len(target)))
        total += float(loss) * len(target)  # the loss of a chunk is its mean
    return total / windows.target.shape[0]


def tiled(name, state, B):
    """A per-window state of shape (H, 1), or a tuple of them, repeated for ``B`` windows."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(tiled(name, s, B) for s in state)
    if not isinstance(state, np.ndarray) or state.ndim != 2 or state.shape[1] != 1:
        got = state.shape if isinstance(state, np.ndarray) else type(state).__name__
        raise ValueError(f"{name} must have shape (H, 1), the one column every window starts "
                         f"from, got {got}")
    return np.repeat(state, B, axis=1)


def evenly_spaced(windows, n):
    """At most ``n`` of the windows, evenly spaced through the text (all of them if fewer).

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.train import evenly_spaced, make_windows
    >>> evenly_spaced(make_windows(np.arange(12), T=2), 4).target
    array([ 2,  5,  8, 11])
    """
    N = windows.target.shape[0]
    if N <= positive_int("n", n):
        return windows
    k = np.linspace(0, N - 1, n).round().astype(int)
    return Windows(windows.inputs[:, k], windows.target[k])

