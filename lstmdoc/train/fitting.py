"""General training: any text, any ``T``, ``H``, batch size and float dtype, seeded."""

import numpy as np

from .. import model
from ..deep import Cell, DeepParams
from ..dropout import check_keep_prob, with_dropout
from ..params import LSTMParams
from .data import Windows, make_windows, positive_float, positive_int, tokenize
from .loop import train


def init_params(V, H, *, D=None, seed=0, dtype=np.float64, forget_bias=1.0, layer_norm=False,
                layers=1):
    """Random starting weights for a word (or character) model.

    Gate and output weights are normal with standard deviation
    ``1/sqrt(fan-in)`` (asymmetric, unlike the article's constant 0.1, so the
    hidden units can learn different things); biases start at zero.

    Parameters
    ----------
    V : int
        Vocabulary size (classes).
    H : int
        Hidden size.
    D : int, optional
        Input size; ``V`` (one-hot words) when omitted.
    seed : int
    dtype : float32 or float64
    forget_bias : float
    layer_norm : bool, optional
        When true, with layer norm: gains 1 and shifts 0, as TensorFlow starts them.
    layers : int, default 1
        Above 1, a stack of that many cells of hidden size ``H`` (:mod:`lstmdoc.deep`).

    Returns
    -------
    LSTMParams, or DeepParams for ``layers > 1``

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.train import init_params
    >>> p = init_params(V=7, H=3, dtype=np.float32)
    >>> p.D, p.H, p.V, p.dtype
    (7, 3, 7, dtype('float32'))
    """
    V, H = positive_int("V", V), positive_int("H", H)
    D = V if D is None else positive_int("D", D)
    rng = np.random.default_rng(seed)

    def normal(*shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[1])).astype(dtype)

    norm = dict(norm_gain=np.ones((5 * H, 1), dtype), norm_shift=np.zeros((5 * H, 1), dtype)) \
        if layer_norm else {}
    if positive_int("layers", layers) > 1:
        cells = [Cell(normal(4 * H, d + H), np.zeros((4 * H, 1), dtype), forget_bias, **norm)
                 for d in [D] + [H] * (layers - 1)]
        return DeepParams(forward=cells, Wy=normal(V, H), by=np.zeros((V, 1), dtype))
    return LSTMParams(W=normal(4 * H, D + H), b=np.zeros((4 * H, 1), dtype),
                      Wy=normal(V, H), by=np.zeros((V, 1), dtype), forget_bias=forget_bias, **norm)


def sample_windows(windows, batch_size, iterations, seed=0):
    """Draw one batch of distinct windows per iteration, uniformly, reproducibly.

    Parameters
    ----------
    windows : Windows
        All the windows to draw from, e.g. :func:`make_windows` of a text.
    batch_size : int
        Windows per batch (columns), at most the number of windows.
    iterations : int
    seed : int
        Seed of a ``numpy.random.default_rng``: same seed, same batches.

    Returns
    -------
    tuple of Windows
        ``iterations`` batches, ``inputs`` of shape (T, batch_size).
    """
    if not isinstance(windows, Windows):
        raise TypeError(f"windows must be a Windows (see make_windows), got {type(windows).__name__}")
    batch_size, iterations = positive_int("batch_size", batch_size), positive_int("iterations", iterations)
    N = windows.target.shape[0]
    if batch_size > N:
        raise ValueError(f"batch_size = {batch_size} is more than the {N} windows of the text")
    rng = np.random.default_rng(seed)
    picks = (rng.choice(N, size=batch_size, replace=False) for _ in range(iterations))
    return tuple(Windows(windows.inputs[:, k], windows.target[k]) for k in picks)


def fit(params, windows, lr, iterations, *, batch_size=1, seed=0, progress=None,
        loss_and_grads=None, keep_prob=None):
    """Train on random batches of windows with plain SGD.

    Parameters
    ----------
    params : LSTMParams
        Starting weights, float32 or float64 (kept: float32 trains in float32).
        ``params.D`` and ``params.V`` must cover the word indices.
    windows : Windows
        The windows to draw batches from (:func:`make_windows`).
    lr : float
        Learning rate, > 0.
    iterations : int
        Number of updates, >= 1.
    batch_size : int, default 1
        Windows per update; the loss is their mean.
    seed : int, default 0
        Seed of the batch draws: same arguments, same run, bit for bit.
    progress : callable, optional
        Called as ``progress(iteration, loss)`` after every update.
    loss_and_grads : callable, optional
        As in :func:`train`.
    keep_prob : float in (0, 1], optional
        Train with recurrent dropout: a fresh mask every iteration, drawn from
        a generator seeded with ``seed`` (see :func:`lstmdoc.dropout.with_dropout`).

    Returns
    -------
    TrainRun

    Raises
    ------
    TrainingDiverged
        On a NaN or infinite loss or update, naming the iteration and the last
        finite loss.

    Examples
    --------
    >>> from lstmdoc.train import fit, init_params, make_windows, tokenize
    >>> tokens, vocab = tokenize("the cat sat on the mat and the cat ran")
    >>> p = init_params(V=len(vocab), H=8, seed=1)
    >>> run = fit(p, make_windows(tokens, T=2), lr=0.5, iterations=300, batch_size=4)
    >>> bool(run.losses[-20:].mean() < run.losses[:20].mean() / 2)
    True
    """
    lr = positive_float("lr", lr)  # checked before any work
    if keep_prob is not None:
        loss_and_grads = with_dropout(loss_and_grads or model.loss_and_grads,
                                      check_keep_prob(keep_prob), seed)
    batches = sample_windows(windows, batch_size, iterations, seed)
    return train(params, batches, lr, loss_and_grads=loss_and_grads, progress=progress)


def fit_text(text, H, T, lr, iterations, *, batch_size=1, seed=0, dtype=np.float64,
             progress=None):
    """Train a word model on ``text`` from random weights.

    :func:`tokenize`, :func:`make_windows`, :func:`init_params`, then :func:`fit`.

    Parameters
    ----------
    text : str
    H : int
        Hidden size.
    T : int
        Words read before each prediction.
    lr, iterations, batch_size, progress
        As in :func:`fit`.
    seed : int, default 0
        Seed of the starting weights and of the batch draws.
    dtype : float32 or float64

    Returns
    -------
    run : TrainRun
    vocab : tuple of str
        The words the model's classes stand for.
    """
    tokens, vocab = tokenize(text)
    windows = make_windows(tokens, T)
    params = init_params(V=len(vocab), H=H, seed=seed, dtype=dtype)
    return fit(params, windows, lr, iterations, batch_size=batch_size, seed=seed,
               progress=progress), vocab
