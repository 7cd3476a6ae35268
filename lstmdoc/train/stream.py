"""Truncated BPTT over a long text: B parallel streams, chunks of T steps, the state carried on.

char-rnn's scheme. The text is cut into ``B`` equal streams, one per column of
the batch; each update reads the next ``T`` tokens of every stream and predicts,
at every step, the token after (a (T, B) target: :mod:`lstmdoc.every_step`).
The last state ``(h_T, c_T)`` of a chunk is the initial state of the next: the
model reads on across the cut, but its gradient stops there (nothing flows into
the initial state of a chunk from the one before). The state is reset to zeros
at the start of every epoch.

The last state comes out of the same pass as the gradients
(``loss_and_grads(..., return_state=True)``), so a chunk is run once.
"""

from typing import NamedTuple

import numpy as np

from .. import deep, model
from ..dropout import check_keep_prob, dropout_mask
from .clip import clip_grad_norm
from .data import one_hot, positive_int
from .loop import TrainingDiverged


class Streams(NamedTuple):
    """A token sequence as ``B`` streams, read ``T`` tokens at a time."""

    tokens: np.ndarray  # (L, B) int: column n is tokens[n·L : (n+1)·L] of the text
    T: int

    @property
    def chunks(self):
        """Updates per epoch: every chunk has T inputs and the T tokens after them."""
        return (self.tokens.shape[0] - 1) // self.T

    def chunk(self, k):
        """Chunk ``k``: ``(inputs, target)``, both (T, B) ints; the target is the input shifted by one."""
        rows = self.tokens[k * self.T:(k + 1) * self.T + 1]
        return rows[:-1], rows[1:]


def make_streams(tokens, B, T, name="text"):
    """Cut ``tokens`` into ``B`` streams of equal length (the last ``N mod B`` tokens are dropped).

    Parameters
    ----------
    tokens : ndarray of int of shape (N,)
    B, T : int
        Streams (batch columns) and steps per chunk.
    name : str
        What the tokens are, for the error message.

    Returns
    -------
    Streams

    Raises
    ------
    ValueError
        When a stream would be shorter than one chunk: ``N // B < T + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.train.stream import make_streams
    >>> s = make_streams(np.arange(14), B=2, T=3)
    >>> s.tokens.T
    array([[ 0,  1,  2,  3,  4,  5,  6],
           [ 7,  8,  9, 10, 11, 12, 13]])
    >>> s.chunks, s.chunk(1)[0].T, s.chunk(1)[1].T
    (2, array([[ 3,  4,  5],
           [10, 11, 12]]), array([[ 4,  5,  6],
           [11, 12, 13]]))
    """
    B, T = positive_int("batch_size", B), positive_int("steps", T)
    L = len(tokens) // B
    if L < T + 1:
        raise ValueError(f"the {name} is shorter than one chunk: {B} streams of {T} steps need "
                         f"B·(T + 1) = {B * (T + 1)} tokens, it has {len(tokens)}")
    return Streams(np.ascontiguousarray(tokens[:B * L].reshape(B, L).T), T)


def split(tokens, val_fraction, B, T):
    """Training and validation streams: the last ``val_fraction`` of the tokens is held out.

    The validation part uses as many streams as it can fill with one chunk each,
    at most ``B``. ``val_fraction = 0``: no validation (``None``).

    Returns
    -------
    train : Streams
    val : Streams or None
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must lie in [0, 1), got {val_fraction}")
    n_val = int(len(tokens) * val_fraction)
    train = make_streams(tokens[:len(tokens) - n_val], B, T, "training text")
    if n_val == 0:
        return train, None
    B_val = min(B, n_val // (T + 1))
    if B_val < 1:
        raise ValueError(f"the validation text ({n_val} tokens, val_fraction {val_fraction}) is "
                         f"shorter than one chunk of T + 1 = {T + 1} tokens: raise val_fraction "
                         "or lower --steps")
    return train, make_streams(tokens[len(tokens) - n_val:], B_val, T, "validation text")


def evaluate(params, streams, loss_and_grads=None):
    """The mean loss over every chunk of ``streams``, the state carried on from zeros.

    Every chunk has T·B predictions, so this is the mean cross-entropy per token;
    ``exp`` of it is the perplexity. (It runs the training pass and discards the
    gradients.)
    """
    loss_and_grads = loss_and_grads or pass_for(params)
    h = c = None
    total = 0.0
    for k in range(streams.chunks):
        inputs, target = streams.chunk(k)
        loss, _, (h, c) = loss_and_grads(params, one_hot(inputs, params.D, params.dtype), target,
                                         h, c, return_state=True)
        total += loss
    return total / streams.chunks


class Step(NamedTuple):
    """One update of :func:`tbptt`, as it yields it."""

    iteration: int     # updates done so far, this one included (from 1)
    epoch: int         # the epoch of this update (from 1)
    loss: float        # the chunk's loss before the update
    val_loss: float    # the validation loss after the epoch's last update; None otherwise
    params: object     # the parameters after the update
    state: tuple       # (h, c) the next chunk starts from; None after an epoch's last chunk


def tbptt(params, streams, optimizer, epochs, *, val=None, clip=None, keep_prob=None, seed=0,
          start=0, state=None, loss_and_grads=None):
    """Train by truncated BPTT, yielding a :class:`Step` after every update.

    Parameters
    ----------
    params : LSTMParams or DeepParams
    streams : Streams
        The training text (:func:`split`).
    optimizer : lstmdoc.train.optim.SGD or lstmdoc.train.optim.Adam
        Updated in place (its state) at every step.
    epochs : int
        Passes over the text; the run ends after ``epochs · streams.chunks`` updates.
    val : Streams, optional
        Evaluated (:func:`evaluate`) after every epoch.
    clip : float, optional
        Clip the gradients' norm to this (:func:`~lstmdoc.train.clip_grad_norm`).
    keep_prob : float in (0, 1], optional
        Recurrent dropout; update ``k``'s mask is drawn from ``default_rng([seed, k])``.
    seed : int
    start : int
        Updates already done (to resume): training goes on from update ``start``.
    state : tuple, optional
        With ``start``, the state carried into that update (None: zeros).
    loss_and_grads : callable, optional
        The model's pass; by default :func:`lstmdoc.loss_and_grads`, or
        :func:`lstmdoc.deep.loss_and_grads` for a :class:`~lstmdoc.deep.DeepParams`.

    Yields
    ------
    Step

    Raises
    ------
    TrainingDiverged
        On a NaN or infinite loss or update.
    """
    loss_and_grads = loss_and_grads or pass_for(params)
    keep_prob = None if keep_prob is None else check_keep_prob(keep_prob)
    n = streams.chunks
    last = None
    for k in range(start, positive_int("epochs", epochs) * n):
        if k % n == 0:
            state = None  # a new epoch starts from zeros
        inputs, target = streams.chunk(k % n)
        X = one_hot(inputs, params.D, params.dtype)
        mask = None if keep_prob is None else masks(params, keep_prob, X.shape, (seed, k))
        loss, params, state = update(params, X, target, state, optimizer, clip, mask,
                                     loss_and_grads, k, last)
        last = loss
        end_of_epoch = (k + 1) % n == 0
        val_loss = evaluate(params, val, loss_and_grads) if end_of_epoch and val else None
        yield Step(k + 1, k // n + 1, loss, val_loss, params, None if end_of_epoch else state)


def update(params, X, target, state, optimizer, clip, mask, loss_and_grads, k, last):
    """One chunk: the pass from the carried state, clipping, the optimizer's step.

    Returns ``(loss, params, state)``; raises :class:`~lstmdoc.train.TrainingDiverged`
    (naming update ``k`` and the ``last`` finite loss) on a NaN or infinity.
    """
    h, c = state if state is not None else (None, None)
    extra = {} if mask is None else {"dropout_mask": mask}
    with np.errstate(over="ignore", invalid="ignore"):
        loss, grads, state = loss_and_grads(params, X, target, h, c, return_state=True, **extra)
        if not np.isfinite(loss):
            raise TrainingDiverged(k, last, f"the loss is {loss}")
        if clip is not None:
            grads, _ = clip_grad_norm(grads, clip)
        try:
            return loss, optimizer.step(params, grads), state
        except FloatingPointError as e:
            raise TrainingDiverged(k, loss, str(e)) from None


def pass_for(params):
    """The model's ``loss_and_grads``: the single cell's, or a stack's (:mod:`lstmdoc.deep`)."""
    return deep.loss_and_grads if isinstance(params, deep.DeepParams) else model.loss_and_grads


def masks(params, keep_prob, shape, seed):
    """A fresh dropout mask for a chunk of ``shape`` (T, D, B): one per cell of a deep model."""
    T, _, B = shape
    rng = np.random.default_rng(seed)
    cells = getattr(params, "cells", None)
    if cells is None:
        return dropout_mask(keep_prob, (T, params.H, B), rng, params.dtype)
    return tuple(dropout_mask(keep_prob, (T, c.H, B), rng, params.dtype) for c in cells)
