"""The deep models' worked examples: the article's runs, and seeded random ones that prove the gradients.

Random examples: float64, non-zero initial states, and every size different
(time steps, input, each layer's hidden size, classes, batch), so that a
layer's input read with the wrong width, or the two directions' halves of
``Wy`` swapped, cannot go unnoticed.
"""

from dataclasses import dataclass

import numpy as np

from .. import example as single
from .params import Cell, DeepParams


@dataclass(frozen=True)
class DeepExample:
    """A deep model and one batch of data.

    Attributes
    ----------
    name : str
    params : DeepParams
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,) or (T, B)
    h0, c0 : tuple of ndarray of shape (H_l, B)
        One per cell, in the order of ``params.cells``.
    vocab, words : tuple of str
        As in :class:`lstmdoc.example.Example` (``()`` for random examples).
    target_mask : ndarray of shape (T, B), or None
        With a (T, B) target, the weight of each prediction.
    """

    name: str
    params: DeepParams
    X: np.ndarray
    target: np.ndarray
    h0: tuple
    c0: tuple
    vocab: tuple = ()
    words: tuple = ()
    target_mask: np.ndarray = None


def random(name="random", seed=0, T=3, D=2, H=(4, 5), H_bw=None, V=6, B=7, dtype=np.float64,
           readout="outputs", every_step=False):
    """A seeded random deep example.

    Parameters
    ----------
    name : str
    seed : int
    T, D, V, B : int
        Time steps, input size, classes, batch.
    H : sequence of int
        Hidden size of each forward layer, layer 1 first.
    H_bw : sequence of int, optional
        Hidden sizes of the backward stack (as many layers); None: one direction.
    dtype : float32 or float64
    readout : {"outputs", "states"}
        What a two-direction model's output layer reads (:class:`~lstmdoc.deep.DeepParams`).
    every_step : bool, optional
        A target at every step, shape (T, B), and a ragged mask (example n
        counts its first ``T − n`` steps, at least 1), drawn after everything else.

    Returns
    -------
    DeepExample
    """
    rng = np.random.default_rng(seed)
    normal = single.normal_draws(rng, dtype)
    forward = random_stack(normal, D, H)
    backward = random_stack(normal, D, H_bw) if H_bw is not None else None
    width = H[-1] + (H_bw[-1] if H_bw is not None else 0)
    params = DeepParams(forward=forward, backward=backward, Wy=normal(V, width, scale=1.0),
                        by=normal(V, 1, scale=0.1), readout=readout)
    X, target = normal(T, D, B, scale=1.0), rng.integers(0, V, size=B)
    h0 = tuple(normal(c.H, B) for c in params.cells)
    c0 = tuple(normal(c.H, B) for c in params.cells)
    mask = None
    if every_step:  # drawn after everything else
        target, mask = rng.integers(0, V, size=(T, B)), single.ragged_mask(T, B, dtype)
    return DeepExample(name, params, X, target, h0, c0, target_mask=mask)


def random_stack(normal, D, sizes):
    """Cells of hidden sizes ``sizes``, the first reading D inputs, each the next one's input."""
    inputs = (D, *sizes[:-1])
    return [Cell(normal(4 * h, d + h), normal(4 * h, 1, scale=0.1)) for d, h in zip(inputs, sizes)]


def stacked(seed=1):
    """Two stacked layers: T=3, D=2, H=(4, 5), V=6, B=7.

    >>> from lstmdoc.deep.example import stacked
    >>> ex = stacked()
    >>> [c.W.shape for c in ex.params.cells], ex.params.Wy.shape
    ([(16, 6), (20, 9)], (6, 5))
    """
    return random("stacked", seed, T=3, D=2, H=(4, 5), V=6, B=7)


def bidirectional(seed=2, readout="outputs"):
    """One layer each way: T=4, D=2, H_fw=5, H_bw=3, V=6, B=7.

    ``readout="states"`` reads the final states; the example's name says so.

    >>> from lstmdoc.deep.example import bidirectional
    >>> ex = bidirectional()
    >>> [c.W.shape for c in ex.params.cells], ex.params.Wy.shape
    ([(20, 7), (12, 5)], (6, 8))
    >>> bidirectional(readout="states").name
    'bidirectional, final states'
    """
    return random(_named("bidirectional", readout), seed, T=4, D=2, H=(5,), H_bw=(3,), V=6, B=7,
                  readout=readout)


def both(seed=3, readout="outputs"):
    """Two stacked layers each way: T=3, D=2, H_fw=(4, 5), H_bw=(5, 4), V=6, B=7.

    >>> from lstmdoc.deep.example import both
    >>> ex = both()
    >>> [c.W.shape for c in ex.params.cells], ex.params.Wy.shape
    ([(16, 6), (20, 9), (20, 7), (16, 9)], (6, 9))
    """
    return random(_named("both", readout), seed, T=3, D=2, H=(4, 5), H_bw=(5, 4), V=6, B=7,
                  readout=readout)


def tagger(seed=4):
    """A tagger: two stacked layers each way, a target at every step and a ragged mask.

    T=3, D=2, H_fw=(4, 5), H_bw=(5, 4), V=6, B=7; the output layer reads
    ``[h_fw(t); h_bw(t)]`` at every step (:mod:`lstmdoc.every_step`).

    >>> from lstmdoc.deep.example import tagger
    >>> ex = tagger()
    >>> ex.target.shape, ex.target_mask.sum(axis=0)
    ((3, 7), array([3., 2., 1., 1., 1., 1., 1.]))
    """
    return random("tagger (every step)", seed, T=3, D=2, H=(4, 5), H_bw=(5, 4), V=6, B=7,
                  every_step=True)


def _named(name, readout):
    return name if readout == "outputs" else f"{name}, final states"


def article(layers=1, bidirectional=False):
    """The article's deep runs at iteration 0: "the mice had" → "a".

    Every weight and bias of every cell 0.1, ``forget_bias`` 1.0, H = 5 in
    every layer, zero initial states; the article's published output layer,
    for two directions stacked twice (``Wy`` of shape (10, 2·5), the same
    five columns for each direction).

    Parameters
    ----------
    layers : int
    bidirectional : bool

    Returns
    -------
    DeepExample

    Examples
    --------
    >>> from lstmdoc.deep.example import article
    >>> ex = article(layers=2, bidirectional=True)
    >>> ex.params.names[-1], ex.params.Wy.shape
    ('backward layer 2', (10, 10))
    """
    if isinstance(layers, bool) or not isinstance(layers, int) or layers < 1:
        raise ValueError(f"layers must be a positive integer, got {layers!r}")
    if not isinstance(bidirectional, bool):
        raise TypeError(f"bidirectional must be True or False, got {bidirectional!r}")
    ex = single.article()
    D, H = ex.params.D, ex.params.H

    def stack():
        return [Cell(*single.article_weights(d, H), forget_bias=1.0)
                for d in [D] + [H] * (layers - 1)]

    Wy = np.concatenate([ex.params.Wy] * (2 if bidirectional else 1), axis=1)
    params = DeepParams(forward=stack(), backward=stack() if bidirectional else None,
                        Wy=Wy, by=ex.params.by.copy())
    h0, c0 = (tuple(np.zeros((H, 1)) for _ in params.cells) for _ in "hc")
    name = f"article, {layers} layer{'s' if layers > 1 else ''}" + \
        (", bidirectional" if bidirectional else "")
    return DeepExample(name, params, ex.X, ex.target, h0, c0, ex.vocab, ex.words)
