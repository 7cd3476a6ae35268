"""The two worked examples used throughout the documentation.

- :func:`article`: the seed article's own example, so its readers see its numbers.
  Its constant weights make every hidden unit behave alike, which would hide a
  transposed matrix or a swapped gate: it *shows*, it does not *prove*.
- :func:`random`: seeded, float64, every size different, asymmetric weights and
  a non-zero initial state. This is the one that proves the gradients. With
  ``layer_norm=True`` and/or ``keep_prob``, the same model with random layer-norm
  gains and shifts and/or a seeded recurrent-dropout mask (the whole cell); with
  ``every_step=True``, a target at every step and a ragged mask.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from .dropout import dropout_mask
from .params import LSTMParams

TEXT = "long ago the mice had a general council to consider the"

# The article's output layer, in TensorFlow's (H, V) kernel layout.
OUT_WEIGHTS = [
    [-0.09588283, -2.2044923, -0.74828255, 0.14180686, -0.32083616, -0.9444244, 0.06826905, -0.9728962, -0.18506959, 1.0618515],
    [1.156649, 3.2738173, -1.2556943, -0.9079511, -0.82127047, -1.1448543, -0.60807484, -0.5885713, 1.0378786, -0.7088431],
    [1.006477, 0.28033388, -0.1804534, 0.8093307, -0.36991575, 0.29115433, -0.01028167, -0.7357091, 0.92254084, -0.10753923],
    [0.19266959, 0.6108299, 2.2495654, 1.5288974, 1.0172302, 1.1311738, 0.2666629, -0.30611828, -0.01412263, 0.44799015],
    [0.19266959, 0.6108299, 2.2495654, 1.5288974, 1.0172302, 1.1311738, 0.2666629, -0.30611828, -0.01412263, 0.44799015],
]  # fmt: skip
OUT_BIASES = [0.1458478, -0.3660951, -2.1647317, -1.9633691, -0.24532059, 0.14005205, -1.0961286, -0.43737876, 0.7028531, -1.8481724]  # fmt: skip


@dataclass(frozen=True)
class Example:
    """A model and one batch of data.

    Attributes
    ----------
    name : str
    params : LSTMParams
    X : ndarray of shape (T, D, B)
    target : ndarray of int of shape (B,) or (T, B)
        After the last step, or at every step.
    h0, c0 : ndarray of shape (H, B)
    vocab : tuple of str
        Class names (the article's vocabulary; ``()`` for the random example).
    words : tuple of str
        The input words of the article's window (``()`` for the random example).
    dropout_mask : ndarray of shape (T, H, B), or None
        Recurrent dropout's mask for this batch (None: no dropout).
    target_mask : ndarray of shape (T, B), or None
        The weight of each every-step prediction (None: all ones, or a (B,) target).
    """

    name: str
    params: LSTMParams
    X: np.ndarray
    target: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    vocab: tuple = ()
    words: tuple = ()
    dropout_mask: np.ndarray = None
    target_mask: np.ndarray = None

    @property
    def shape(self):
        """The sizes ``(T, D, H, V, B)``."""
        T, D, B = self.X.shape
        return T, D, self.params.H, self.params.V, B


def article():
    """The seed article's example: "the mice had" → "a".

    Returns
    -------
    Example
        T=3, D=V=10 (one-hot words), H=5, B=1; every LSTM weight and bias 0.1,
        ``forget_bias`` 1.0, the article's published output layer.

    Examples
    --------
    >>> from lstmdoc.example import article
    >>> ex = article()
    >>> ex.words, ex.vocab[ex.target[0]]
    (('the', 'mice', 'had'), 'a')
    >>> ex.shape
    (3, 10, 5, 10, 1)
    """
    tokens = TEXT.lower().split()
    vocab = tuple(sorted(set(tokens)))
    index = {w: k for k, w in enumerate(vocab)}
    words = tuple(tokens[2:5])
    T, D, H = len(words), len(vocab), 5
    X = np.zeros((T, D, 1))
    for t, w in enumerate(words):
        X[t, index[w], 0] = 1.0
    W, b = article_weights(D, H)
    params = LSTMParams(W=W, b=b, Wy=np.array(OUT_WEIGHTS).T, by=np.array(OUT_BIASES)[:, None],
                        forget_bias=1.0)
    target = np.array([index[tokens[5]]])
    zeros = np.zeros((H, 1))
    return Example("article", params, X, target, zeros, zeros.copy(), vocab, words)


def random(seed=0, T=6, D=3, H=4, V=5, B=2, dtype=np.float64, layer_norm=False,
           keep_prob=None, every_step=False):
    """A seeded random example; by default every size differs from every other.

    Parameters
    ----------
    seed : int
        Seed of the random generator: one seed, one example.
    T : int
        Time steps.
    D : int
        Input size.
    H : int
        Hidden size.
    V : int
        Number of classes.
    B : int
        Batch size (examples, the columns).
    dtype : float32 or float64
        Of every array; float64 for finite differences.
    layer_norm : bool, optional
        Add (when true) layer norm with random gains (around 1) and shifts (around 0), so
        that a gain or shift in the wrong place cannot hide.
    keep_prob : float in (0, 1], optional
        Add a recurrent-dropout mask drawn with this keep probability.
    every_step : bool, optional
        A target at every step, shape (T, B), and a ragged ``target_mask``:
        example n counts its first ``T − n`` steps (at least 1), as a batch
        of sequences of different lengths padded to T would.

    Returns
    -------
    Example
        Named ``"random"``, ``"layer-norm"``, ``"dropout"``, ``"every step"``, or a
        combination (``"layer-norm + dropout"``).
        The plain model's numbers do not depend on the two options: the
        extras are drawn after everything else.

    Examples
    --------
    >>> from lstmdoc.example import random
    >>> random().shape
    (6, 3, 4, 5, 2)
    >>> ex = random(layer_norm=True, keep_prob=0.75)
    >>> ex.name, ex.params.norm_gain.shape, ex.dropout_mask.shape
    ('layer-norm + dropout', (20, 1), (6, 4, 2))
    >>> ex = random(every_step=True)
    >>> ex.target.shape, ex.target_mask[:, 1]
    ((6, 2), array([1., 1., 1., 1., 1., 0.]))
    """
    rng = np.random.default_rng(seed)
    normal = normal_draws(rng, dtype)
    params = LSTMParams(W=normal(4 * H, D + H), b=normal(4 * H, 1, scale=0.1),
                        Wy=normal(V, H, scale=1.0), by=normal(V, 1, scale=0.1),
                        forget_bias=1.0)
    X, target = normal(T, D, B, scale=1.0), rng.integers(0, V, size=B)
    h0, c0 = normal(H, B), normal(H, B)
    names = []
    if layer_norm:
        names.append("layer-norm")
        gain = (1 + normal(5 * H, 1, scale=0.3)).astype(dtype)
        params = dataclasses.replace(params, norm_gain=gain, norm_shift=normal(5 * H, 1, scale=0.2))
    mask = None
    if keep_prob is not None:
        names.append("dropout")
        mask = dropout_mask(keep_prob, (T, H, B), seed, dtype)
    target_mask = None
    if every_step:
        names.append("every step")
        target = rng.integers(0, V, size=(T, B))
        target_mask = ragged_mask(T, B, dtype)
    return Example(" + ".join(names) or "random", params, X, target, h0, c0,
                   dropout_mask=mask, target_mask=target_mask)


def article_weights(D, H):
    """The article's gate weights and biases: every entry 0.1; ``W`` (4H, D+H), ``b`` (4H, 1)."""
    return np.full((4 * H, D + H), 0.1), np.full((4 * H, 1), 0.1)


def normal_draws(rng, dtype):
    """``normal(*shape, scale=0.5)``: the random examples' draws from ``rng``, in ``dtype``."""
    def normal(*shape, scale=0.5):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    return normal


def ragged_mask(T, B, dtype):
    """A ``target_mask`` of shape (T, B) in which example n counts its first ``T − n`` steps (at
    least 1), as a batch of sequences of different lengths padded to T would."""
    return (np.arange(T)[:, None] < np.maximum(T - np.arange(B), 1)).astype(dtype)
