"""From text to training data: words, a vocabulary, windows, one-hot inputs.

A *window* is ``T`` consecutive words and the word after them, the one the
model must predict. Windows are stored as word indices, columns are examples
(like every array in lstmdoc): ``inputs`` of shape (T, B), ``target`` of
shape (B,).
"""

import re
from importlib import resources
from typing import NamedTuple

import numpy as np

from .. import _validate as check

WORD = re.compile(r"[a-z0-9']+")
"""What counts as a word once the text is lowercased: punctuation is dropped."""


class Corpus(NamedTuple):
    """A text as word indices, and the vocabulary they index."""

    tokens: np.ndarray  # (N,)  int, indices into vocab
    vocab: tuple        # V words, sorted


class Windows(NamedTuple):
    """``B`` windows of ``T`` words each, and the word that follows each one."""

    inputs: np.ndarray  # (T, B)  int
    target: np.ndarray  # (B,)    int

    def words(self, vocab):
        """Each window as text, ``"the mice had → a"``, one string per column."""
        return [" ".join(vocab[k] for k in self.inputs[:, b]) + " → " + vocab[self.target[b]]
                for b in range(self.target.shape[0])]


def belling_the_cat():
    """The corpus shipped with lstmdoc: Aesop's fable *Belling the Cat*.

    The public-domain translation of Joseph Jacobs (*The Fables of Aesop*,
    1894). The seed article's eleven words come from its opening.

    Returns
    -------
    str

    Examples
    --------
    >>> from lstmdoc.train import belling_the_cat
    >>> belling_the_cat()[:40]
    'Long ago, the mice had a general council'
    """
    return (resources.files("lstmdoc") / "data" / "belling_the_cat.txt").read_text(encoding="utf-8")


def tokenize(text):
    """Lowercase ``text``, split it into words, number the words.

    Parameters
    ----------
    text : str

    Returns
    -------
    Corpus
        ``tokens``, an int ndarray of shape (N,), indexes ``vocab``, the
        sorted unique words (so the article's ``a`` is 0 and ``to`` is 9).

    Raises
    ------
    ValueError
        If the text has fewer than two words (nothing to predict).

    Examples
    --------
    >>> from lstmdoc.train import tokenize
    >>> tokens, vocab = tokenize("The cat, the bell.")
    >>> tokens, vocab
    (array([2, 1, 2, 0]), ('bell', 'cat', 'the'))
    """
    return number_tokens(text, lambda text: WORD.findall(text.lower()), "words")


def number_tokens(text, split, kind):
    """The :class:`Corpus` of the tokens ``split(text)`` (``kind`` names them in errors)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    tokens = split(text)
    if len(tokens) < 2:
        raise ValueError(f"text must have at least 2 {kind} (one to read, one to predict), "
                         f"got {len(tokens)}")
    vocab = tuple(sorted(set(tokens)))
    index = {w: k for k, w in enumerate(vocab)}
    return Corpus(np.array([index[w] for w in tokens]), vocab)


def make_windows(tokens, T):
    """Every window of ``T`` words in ``tokens``, with the word after it.

    Parameters
    ----------
    tokens : ndarray of int of shape (N,)
    T : int
        Words the model reads before predicting, ``1 <= T <= N - 1``.

    Returns
    -------
    Windows
        ``N - T`` windows; column ``k`` reads ``tokens[k:k+T]`` and predicts
        ``tokens[k+T]``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.train import make_windows
    >>> w = make_windows(np.array([5, 6, 7, 8]), T=2)
    >>> w.inputs
    array([[5, 6],
           [6, 7]])
    >>> w.target
    array([7, 8])
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 1 or tokens.dtype.kind not in "iu":
        raise TypeError(f"tokens must be a 1-D array of int word indices, got dtype {tokens.dtype} "
                        f"and shape {tokens.shape}")
    T = positive_int("T", T)
    N = tokens.shape[0]
    if T > N - 1:
        raise ValueError(f"T = {T} is longer than the text allows: a window needs T + 1 words "
                         f"and the text has {N}")
    starts = np.arange(N - T)
    return Windows(tokens[starts[None, :] + np.arange(T)[:, None]], tokens[starts + T])


def one_hot(inputs, D, dtype=np.float64):
    """Word indices as one-hot input vectors.

    Parameters
    ----------
    inputs : ndarray of int of shape (T, B)
    D : int
        Input size (the vocabulary size V for a word model).
    dtype : float32 or float64

    Returns
    -------
    X : ndarray of shape (T, D, B)
        ``X[t, inputs[t, b], b] = 1``, every other entry 0.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.train import one_hot
    >>> one_hot(np.array([[2], [0]]), 3)[:, :, 0]
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    inputs = np.asarray(inputs)
    if inputs.ndim != 2 or inputs.dtype.kind not in "iu":
        raise TypeError(f"inputs must be a 2-D (T, B) array of int word indices, got dtype "
                        f"{inputs.dtype} and shape {inputs.shape}")
    if inputs.size and (inputs.min() < 0 or inputs.max() >= D):
        raise ValueError(f"inputs must lie in [0, D) = [0, {D}), "
                         f"got values from {inputs.min()} to {inputs.max()}")
    T, B = inputs.shape
    X = np.zeros((T, D, B), dtype=dtype)
    X[np.arange(T)[:, None], inputs, np.arange(B)[None, :]] = 1
    return X


def positive_int(name, n):
    """Check that ``n`` is an int >= 1 (not a bool, not a float)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1, got {n}")
    return int(n)


def positive_float(name, x):
    """Check that ``x`` is a finite real number > 0."""
    x = check.finite_scalar(name, x)
    if x <= 0:
        raise ValueError(f"{name} must be positive, got {x}")
    return x
