"""The file: an ``.npz`` archive written atomically, read without pickle, and its ``meta`` record."""

import json
import os
import secrets
import zipfile

import numpy as np

FORMAT = "lstmdoc-checkpoint"
VERSION = 2
"""The format version this lstmdoc writes. Version 2 added stacked and bidirectional
models, the optimizer's state and the carried state of truncated BPTT."""
READS = (1, 2)
"""The format versions this lstmdoc reads (a version-1 file is a single cell's)."""
ZIP_MAGIC = b"PK"  # an .npz is a zip archive
NPY_MAGIC = b"\x93NUMPY"


class CheckpointError(ValueError):
    """A file that is not a readable lstmdoc checkpoint of this version; the message names it."""


def write_meta(record):
    """The ``meta`` record as JSON text: the format's name and version, then ``record``."""
    hyper = record.get("hyper", {})
    if not isinstance(hyper, dict):
        raise TypeError(f"hyper must be a dict, got {type(hyper).__name__}")
    try:
        return json.dumps({"format": FORMAT, "version": VERSION, **record},
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
    """Every array of the checkpoint but ``meta``, and its ``meta`` record, without pickle."""
    try:
        archive = np.load(path, allow_pickle=False)
        with archive:
            names = set(archive.files)
            if "meta" not in names:
                raise error(f"not an lstmdoc checkpoint (an .npz archive without 'meta'; it holds "
                            f"{', '.join(sorted(names)) or 'nothing'})")
            record = read_meta(archive["meta"], error)
            arrays = {n: archive[n] for n in names if n != "meta"}
    except CheckpointError:
        raise
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise error("holds pickled Python objects, which lstmdoc never loads") from None
        raise error(f"a damaged .npz archive (ValueError: {e})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as e:
        # A truncated or damaged archive, or a member holding pickled objects.
        raise error(f"a damaged or truncated .npz archive ({type(e).__name__}: {e})") from None
    return arrays, record


def read_meta(meta, error):
    """The ``meta`` record: checked for the format's name, a version this lstmdoc reads, a dict ``hyper``."""
    try:
        record = json.loads(str(meta[()]))
    except (ValueError, TypeError, IndexError):
        raise error("not an lstmdoc checkpoint ('meta' is not a JSON record)") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise error(f"not an lstmdoc checkpoint (its 'meta' does not say format {FORMAT!r})")
    version = record.get("version")
    if version not in READS:
        raise error(f"checkpoint format version {version!r}; this lstmdoc reads versions "
                    f"{' and '.join(map(str, READS))} (train the model again with this version)")
    if not isinstance(record.get("hyper", {}), dict):
        raise error("damaged checkpoint: its hyper-parameters are not a record")
    return record
