"""How good a model is on a text: its mean loss over the text's windows.

A training run's own losses are those of whichever batch each iteration drew,
so its first and last losses belong to different windows; the mean loss over
the same windows before and after training is what tells whether it learned.
"""

import numpy as np

from .. import model
from .data import Windows, one_hot, positive_int

CHUNK = 128
"""Windows evaluated at once: the one-hot inputs of a chunk are (T, D, CHUNK)."""


def mean_loss(params, windows, *, h0=None, c0=None, loss_and_grads=None, chunk=CHUNK):
    """The mean loss of ``params`` over ``windows``, every window counted once.

    Parameters
    ----------
    params : LSTMParams
        Or any parameters ``loss_and_grads`` takes (a :class:`lstmdoc.deep.DeepParams`).
    windows : Windows
        ``inputs`` of shape (T, N), ``target`` of shape (N,), e.g.
        :func:`make_windows` of a text.
    h0, c0 : ndarray of shape (H, 1), optional
        The state every window starts from (a tuple of them, one per cell, for
        a model of several cells); zeros when omitted.
    loss_and_grads : callable, optional
        As in :func:`train`; :func:`lstmdoc.loss_and_grads` when omitted.
    chunk : int, default 128
        Windows per call of ``loss_and_grads``: the result does not depend on it
        beyond rounding.

    Returns
    -------
    float

    Examples
    --------
    The article's text has eight windows of three words. Its 200 iterations
    lower their mean loss a little:

    >>> import lstmdoc
    >>> from lstmdoc.train import article, make_windows, mean_loss, tokenize
    >>> windows = make_windows(tokenize(lstmdoc.example.TEXT).tokens, 3)
    >>> before = mean_loss(lstmdoc.example.article().params, windows)
    >>> after = mean_loss(article().params, windows)
    >>> print(f"{windows.target.shape[0]} windows: {before:.4f} before, {after:.4f} after")
    8 windows: 2.7143 before, 2.5802 after
    """
    if not isinstance(windows, Windows):
        raise TypeError(f"windows must be a Windows (see make_windows), "
                        f"got {type(windows).__name__}")
    chunk = positive_int("chunk", chunk)
    loss_and_grads = loss_and_grads or model.loss_and_grads
    N = windows.target.shape[0]
    total = 0.0
    for start in range(0, N, chunk):
        inputs, target = windows.inputs[:, start:start + chunk], windows.target[start:start + chunk]
        B = target.shape[0]
        loss, _ = loss_and_grads(params, one_hot(inputs, params.D, params.dtype), target,
                                 tiled("h0", h0, B), tiled("c0", c0, B))
        total += float(loss) * B  # the loss of a chunk is its mean
    return total / N


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
