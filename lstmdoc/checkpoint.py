"""Checkpoints: a trained model in one ``.npz`` file, written atomically, read without pickle.

A checkpoint holds the parameters (``W``, ``b``, ``Wy``, ``by`` in their dtype,
``forget_bias``, and ``norm_gain``, ``norm_shift`` for a model with layer norm), the vocabulary (word ``k`` is class ``k``), and a JSON
record ``meta`` with the format's name, its version and the hyper-parameters
of the run. Everything is a plain numpy array: loading never needs
``allow_pickle``, so a checkpoint from elsewhere cannot run code.
"""

import json
import os
import secrets
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .params import LSTMParams

FORMAT = "lstmdoc-checkpoint"
VERSION = 1
"""The format version this lstmdoc writes and reads."""

ARRAYS = ("W", "b", "Wy", "by", "forget_bias", "vocab", "meta")
LAYER_NORM = ("norm_gain", "norm_shift")
"""Arrays a checkpoint holds only when the model has layer norm."""
ZIP_MAGIC = b"PK"  # an .npz is a zip archive
NPY_MAGIC = b"\x93NUMPY"


class CheckpointError(ValueError):
    """A file that is not a readable lstmdoc checkpoint of this version; the message names it."""


@dataclass(frozen=True)
class Checkpoint:
    """A model and what it was trained with.

    Attributes
    ----------
    params : LSTMParams
    vocab : tuple of str
        ``vocab[k]`` is the word of class ``k``; ``len(vocab) == params.V``.
    hyper : dict
        The run's hyper-parameters (JSON values: numbers, strings, booleans).
    """

    params: LSTMParams
    vocab: tuple
    hyper: dict = field(default_factory=dict)


def save(path, params, vocab, hyper=None):
    """Write a checkpoint atomically: a complete new file, or the old one untouched.

    The data go to a temporary file in the same folder, which is flushed to
    disk and then renamed over ``path`` (``os.replace``, atomic on POSIX and
    Windows). If anything fails or is interrupted before the rename, the
    temporary file is removed and ``path`` is as it was.

    Parameters
    ----------
    path : str or path-like
        Written as given (no ``.npz`` is appended).
    params : LSTMParams
    vocab : sequence of str
        One distinct, non-empty word per class: ``len(vocab) == params.V``.
    hyper : dict, optional
        Hyper-parameters to keep with the model; JSON-serialisable values.

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
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    vocab = check_vocab(vocab, params.V)
    meta = write_meta({} if hyper is None else hyper)
    arrays = {"W": params.W, "b": params.b, "Wy": params.Wy, "by": params.by,
              "forget_bias": np.float64(params.forget_bias), "vocab": np.array(vocab, dtype=str),
              "meta": np.array(meta)}
    arrays.update({n: getattr(params, n) for n in LAYER_NORM if getattr(params, n) is not None})
    write_atomically(path, lambda f: np.savez(f, **arrays))


def write_meta(hyper):
    """The ``meta`` record as JSON text: the format's name, its version, the hyper-parameters."""
    if not isinstance(hyper, dict):
        raise TypeError(f"hyper must be a dict, got {type(hyper).__name__}")
    try:
        return json.dumps({"format": FORMAT, "version": VERSION, "hyper": hyper},
                          sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"hyper must hold only finite JSON values (numbers, strings, "
                         f"booleans): {e}") from None


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``.

    The temporary file is created with the default permissions (the umask
    applies) and removed on any failure, including ``KeyboardInterrupt``.
    """
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as e:  # name the file the caller asked for, not the temporary one
        raise OSError(f"cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:  # pragma: no cover - replaced already, or never written
            pass
        raise


def load(path):
    """Read a checkpoint written by :func:`save`.

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
        an lstmdoc checkpoint, has another format version, or holds
        inconsistent arrays. The message names the file and the problem.
    """
    path = os.fspath(path)

    def error(problem):
        return CheckpointError(f"{path}: {problem}")

    check_npz(path, error)
    arrays, meta = read_archive(path, error)
    return from_arrays(arrays, meta, error)


def check_npz(path, error):
    """Raise ``error(problem)`` unless ``path`` is a file that starts like an ``.npz`` archive."""
    if os.path.isdir(path):
        raise error("a folder, not a checkpoint file")
    try:
        with open(path, "rb") as f:
            magic = f.read(len(NPY_MAGIC))
    except OSError as e:
        raise error(e.strerror or str(e)) from None
    if not magic:
        raise error("an empty file, not a checkpoint")
    if magic.startswith(NPY_MAGIC):
        raise error("not an lstmdoc checkpoint (a single .npy array, not an .npz archive)")
    if not magic.startswith(ZIP_MAGIC):
        raise error("not an lstmdoc checkpoint (not an .npz archive: it does not start like one)")


def read_archive(path, error):
    """The checkpoint's arrays (all but ``meta``) and its hyper-parameters, without pickle."""
    try:
        archive = np.load(path, allow_pickle=False)
        with archive:
            names = set(archive.files)
            if "meta" not in names:
                raise error(f"not an lstmdoc checkpoint (an .npz archive without 'meta'; it holds "
                            f"{', '.join(sorted(names)) or 'nothing'})")
            meta = read_meta(archive["meta"], error)
            missing = [n for n in ARRAYS if n not in names]
            if missing:
                raise error(f"damaged checkpoint: no array {missing[0]!r}")
            arrays = {n: archive[n] for n in ARRAYS if n != "meta"}
            arrays.update({n: archive[n] for n in LAYER_NORM if n in names})
    except CheckpointError:
        raise
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise error("holds pickled Python objects, which lstmdoc never loads") from None
        raise error(f"a damaged .npz archive (ValueError: {e})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as e:
        # A truncated or damaged archive, or a member holding pickled objects.
        raise error(f"a damaged or truncated .npz archive ({type(e).__name__}: {e})") from None
    return arrays, meta


def read_meta(meta, error):
    """The ``meta`` record: the format's name, its version, the hyper-parameters."""
    try:
        record = json.loads(str(meta[()]))
    except (ValueError, TypeError, IndexError):
        raise error("not an lstmdoc checkpoint ('meta' is not a JSON record)") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise error(f"not an lstmdoc checkpoint (its 'meta' does not say format {FORMAT!r})")
    version = record.get("version")
    if version != VERSION:
        raise error(f"checkpoint format version {version!r}; this lstmdoc reads version "
                    f"{VERSION} only (train the model again with this version)")
    hyper = record.get("hyper", {})
    if not isinstance(hyper, dict):
        raise error("damaged checkpoint: its hyper-parameters are not a record")
    return hyper


def from_arrays(arrays, hyper, error):
    """Rebuild and check the parameters and the vocabulary."""
    forget_bias = arrays["forget_bias"]
    vocab = arrays["vocab"]
    if forget_bias.shape != () or forget_bias.dtype.kind != "f":
        raise error("damaged checkpoint: 'forget_bias' is not one number")
    if vocab.ndim != 1 or vocab.dtype.kind != "U":
        raise error("damaged checkpoint: 'vocab' is not a list of words")
    try:
        params = LSTMParams(arrays["W"], arrays["b"], arrays["Wy"], arrays["by"],
                            forget_bias=float(forget_bias),
                            **{n: arrays[n] for n in LAYER_NORM if n in arrays})
        vocab = check_vocab(tuple(str(w) for w in vocab), params.V)
    except (TypeError, ValueError) as e:
        raise error(f"damaged checkpoint: {e}") from None
    return Checkpoint(params, vocab, hyper)


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
