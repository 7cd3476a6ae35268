"""The seed article's training run, exactly as its scripts ran it: its text, its windows, its SGD.

Its worked example (``lstmdoc.example.article()``) is iteration 0 of this run.
"""

import numpy as np

from .. import deep, example
from .data import Windows, positive_int, tokenize
from .loop import train

T = 3
"""Words per window."""
LR = 0.001
"""The learning rate of ``p -= LR * grad``."""
START = 2
"""The first window's offset, set by the article's scripts (``offset=2``), not drawn."""
SEED = 42
"""Seed of the one ``numpy.random.RandomState`` that draws where a window restarts."""
INITIAL_STATES = ("zeros", "ones")


def article_offsets(n_tokens, T, iterations, seed=SEED):
    """The article's window schedule: where each iteration's window starts.

    As the article's scripts (``LSTMMain.py`` and its variants) ran it: the
    first window starts at ``offset = 2`` (``START``: the scripts' draw of
    it is commented out); before each iteration, if ``offset > n_tokens -
    (T + 1)`` (the window would run past the text), the window restarts at
    ``offset = rnd.randint(0, T + 1)``, drawn from one
    ``numpy.random.RandomState(seed)`` (the legacy generator: the one the
    scripts drew from); after it, ``offset += T + 1``.

    Parameters
    ----------
    n_tokens : int
        Length of the text in words.
    T : int
        Words per window.
    iterations, seed : int

    Returns
    -------
    list of int
        One offset per iteration: inputs ``tokens[offset:offset+T]``, target
        ``tokens[offset+T]``.

    Examples
    --------
    >>> from lstmdoc.train import article_offsets
    >>> article_offsets(11, 3, 8)
    [2, 6, 2, 6, 3, 7, 0, 4]
    """
    rnd = np.random.RandomState(seed)
    offset = START
    offsets = []
    for _ in range(iterations):
        if offset > n_tokens - (T + 1):
            offset = rnd.randint(0, T + 1)
        offsets.append(int(offset))
        offset += T + 1
    return offsets


def article_windows(iterations=200):
    """The windows of the article's run, one (batch of one) per iteration.

    Returns
    -------
    tuple of Windows
        Each with ``inputs`` of shape (3, 1) and ``target`` of shape (1,),
        indices into ``lstmdoc.example.article().vocab``.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.train import article_windows
    >>> vocab = lstmdoc.example.article().vocab
    >>> [w.words(vocab)[0] for w in article_windows(3)]
    ['the mice had → a', 'general council to → consider', 'the mice had → a']
    """
    tokens, _ = tokenize(example.TEXT)
    return tuple(Windows(tokens[k:k + T, None], tokens[k + T, None])
                 for k in article_offsets(len(tokens), T, positive_int("iterations", iterations)))


def article(iterations=200, layers=1, bidirectional=False, initial_state="zeros", *, lr=LR,
            progress=None):
    """Train the article's model as its scripts did: 200 iterations of plain SGD.

    The model, its starting weights and the first window are those of
    :func:`lstmdoc.example.article` (every LSTM weight 0.1, the published
    output layer, H = 5, T = 3, float64); the windows follow
    :func:`article_offsets`, the scripts' schedule; each iteration updates ``W``, ``b``, ``Wy`` and
    ``by`` by ``p -= 0.001 * grad``. With ``layers`` or ``bidirectional``, the
    model is :func:`lstmdoc.deep.example.article`'s and every cell is updated.

    Parameters
    ----------
    iterations : int, default 200
    layers : int, default 1
        Cells stacked in each direction (:mod:`lstmdoc.deep`), every one with
        weights 0.1 and H = 5.
    bidirectional : bool, optional
        Add a backward stack; the output layer's weights are the published
        ones stacked twice, ``Wy`` of shape (10, 2·5).
    initial_state : {"zeros", "ones"}
        The state every window starts from: zeros, or the article's variant
        ``h0 = c0 = ones((5, 1))`` (a constant, not trained).
    lr : float, default 0.001
        The article's learning rate (``lstmdoc train --article --lr`` changes it).
    progress : callable, optional
        As in :func:`~lstmdoc.train.train`.

    Returns
    -------
    TrainRun
        ``losses[0]`` is the worked example's loss.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.train import article
    >>> ex = lstmdoc.example.article()
    >>> run = article(iterations=2)
    >>> bool(run.losses[0] == lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)[0])
    True
    """
    if layers != 1 or bidirectional:  # the article's LSTMMainmulti, LSTMMainbi, LSTMMainbimulti
        params, loss_and_grads = deep.example.article(layers, bidirectional).params, deep.loss_and_grads
    else:
        params, loss_and_grads = example.article().params, None
    state = article_state(params, initial_state)
    return train(params, article_windows(iterations), lr, h0=state, c0=state,
                 loss_and_grads=loss_and_grads, progress=progress)


def article_state(params, initial_state):
    """The state every window starts from: None for ``"zeros"``; for ``"ones"``, ones of
    shape (H, 1), or one such array per cell of a :class:`~lstmdoc.deep.DeepParams`."""
    if initial_state not in INITIAL_STATES:
        raise ValueError(f"initial_state must be one of {INITIAL_STATES}, got {initial_state!r}")
    if initial_state == "zeros":
        return None
    cells = getattr(params, "cells", None)
    return np.ones((params.H, 1)) if cells is None else tuple(np.ones((c.H, 1)) for c in cells)
