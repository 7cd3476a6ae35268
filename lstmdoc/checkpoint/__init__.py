"""Checkpoints: a trained model in one ``.npz`` file, written atomically, read without pickle.

A checkpoint holds the model's arrays in their dtype (:mod:`~lstmdoc.checkpoint.model`:
a single cell, or a stacked or bidirectional model), the vocabulary (token ``k``
is class ``k``), and a JSON record ``meta`` with the format's name, its version,
the model's shape and the hyper-parameters of the run. A checkpoint written
during training also holds what a resumed run needs to continue exactly: the
optimizer's state (``optimizer/<slot>/<parameter>``, its settings in ``meta``)
and the state carried between chunks of text (``state/h``, ``state/c``).
Everything is a plain numpy array: loading never needs ``allow_pickle``, so a
checkpoint from elsewhere cannot run code.
"""

import os
from dataclasses import dataclass, field

import numpy as np

from .archive import (FORMAT, READS, VERSION, CheckpointError, check_npz, read_archive,  # noqa: F401
                      write_atomically, write_meta)
from .model import from_arrays, to_arrays

ARRAYS = ("W", "b", "Wy", "by", "forget_bias", "vocab", "meta")
"""The arrays of a single cell's checkpoint written without training state."""


@dataclass(frozen=True)
class Checkpoint:
    """A model, what it was trained with, and where its training stood.

    Attributes
    ----------
    params : LSTMParams or DeepParams
    vocab : tuple of str
        ``vocab[k]`` is the token of class ``k``; ``len(vocab) == params.V``.
    hyper : dict
        The run's hyper-parameters (JSON values: numbers, strings, booleans).
    optimizer : tuple (dict, dict of ndarray), or None
        The optimizer's settings and arrays (:meth:`lstmdoc.train.optim.Optimizer.state`),
        for :func:`lstmdoc.train.optim.restore`.
    state : tuple of ndarray, or None
        ``(h, c)`` carried into the next chunk of text (for a stack, tuples per cell).
    """

    params: object
    vocab: tuple
    hyper: dict = field(default_factory=dict)
    optimizer: tuple = None
    state: tuple = None


def save(path, params, vocab, hyper=None, *, optimizer=None, state=None):
    """Write a checkpoint atomically: a complete new file, or the old one untouched.

    The data go to a temporary file in the same folder, which is flushed to
    disk and then renamed over ``path`` (``os.replace``, atomic on POSIX and
    Windows). If anything fails or is interrupted before the rename, the
    temporary file is removed and ``path`` is as it was.

    Parameters
    ----------
    path : str or path-like
        Written as given (no ``.npz`` is appended).
    params : LSTMParams or DeepParams
    vocab : sequence of str
        One distinct, non-empty token per class: ``len(vocab) == params.V``.
    hyper : dict, optional
        Hyper-parameters to keep with the model; JSON-serialisable values.
    optimizer : lstmdoc.train.optim.SGD or lstmdoc.train.optim.Adam, optional
        Its state is kept, so that training can resume exactly.
    state : tuple, optional
        ``(h, c)`` the next chunk of text starts from (truncated BPTT).

    Examples
    --------
    >>> import os, tempfile
    >>> from lstmdoc import checkpoint, example
    >>> ex = example.article()
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> checkpoint.save(path, ex.params, ex.vocab, {"hidden": 5})
    >>> ck = checkpoint.load(path)
    >>> ck.vocab[:3], ck.hyper, ck.params.W.shape
    (('a', 'ago', 'consider'), {'hidden': 5}, (20, 15))
    """
    arrays, model = to_arrays(params)
    vocab = check_vocab(vocab, params.V)
    record = {"hyper": {} if hyper is None else hyper, "model": model}
    if optimizer is not None:
        settings, slots = optimizer.state()
        record["optimizer"] = settings
        arrays.update({f"optimizer/{k}": a for k, a in slots.items()})
    if state is not None:
        arrays.update({f"state/{k}": a for k, a in state_arrays(state).items()})
    arrays.update(vocab=np.array(vocab, dtype=str), meta=np.array(write_meta(record)))
    write_atomically(path, lambda f: np.savez(f, **arrays))


def state_arrays(state):
    """``{"h": ..., "c": ...}``, or ``{"h[0]": ..., ...}`` for the per-cell states of a stack."""
    out = {}
    for name, s in zip("hc", state):
        out.update({f"{name}[{k}]": a for k, a in enumerate(s)} if isinstance(s, tuple)
                   else {name: s})
    return out


def load(path):
    """Read a checkpoint written by :func:`save` (this version or version 1).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Checkpoint

    Raises
    ------
    CheckpointError
        The file is missing, is not an ``.npz`` archive, is truncated, is not
        an lstmdoc checkpoint, has a format version this lstmdoc does not
        read, or holds inconsistent arrays. The message names the file and the problem.
    """
    path = os.fspath(path)

    def error(problem):
        return CheckpointError(f"{path}: {problem}")

    check_npz(path, error)
    arrays, record = read_archive(path, error)
    params = from_arrays(arrays, record.get("model", {"kind": "lstm"}), error)
    vocab = arrays.get("vocab")
    if vocab is None:
        raise error("damaged checkpoint: no array 'vocab'")
    if vocab.ndim != 1 or vocab.dtype.kind != "U":
        raise error("damaged checkpoint: 'vocab' is not a list of words")
    try:
        vocab = check_vocab(tuple(str(w) for w in vocab), params.V)
    except (TypeError, ValueError) as e:
        raise error(f"damaged checkpoint: {e}") from None
    slots = {k.removeprefix("optimizer/"): a for k, a in arrays.items() if k.startswith("optimizer/")}
    optimizer = (record["optimizer"], slots) if "optimizer" in record else None
    return Checkpoint(params, vocab, record.get("hyper", {}), optimizer, read_state(arrays))


def read_state(arrays):
    """The carried state ``(h, c)`` kept by :func:`save`, or None."""
    found = {k.removeprefix("state/"): a for k, a in arrays.items() if k.startswith("state/")}
    if not found:
        return None
    if "h" in found:
        return found["h"], found.get("c")
    n = sum(k.startswith("h[") for k in found)
    return tuple(tuple(found.get(f"{s}[{k}]") for k in range(n)) for s in "hc")


def check_vocab(vocab, V):
    """``vocab`` as a tuple of ``V`` distinct, non-empty strings."""
    if isinstance(vocab, str):
        raise TypeError("vocab must be a sequence of words, not a single string")
    vocab = tuple(vocab)
    if not all(isinstance(w, str) and w for w in vocab):
        raise TypeError("vocab must hold non-empty strings")
    if len(vocab) != V:
        raise ValueError(f"vocab has {len(vocab)} words but the model has V = {V} classes")
    if len(set(vocab)) != V:
        raise ValueError("vocab has a word twice")
    return vocab
