"""Argument checks shared by the public functions.

Every check raises a ``TypeError`` or ``ValueError`` that names the argument
and what was expected, so a caller never meets a numpy broadcast error three
frames deep. Nothing is converted: arrays come back as they went in.
"""

import functools
import inspect
import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def float_array(name, a, ndim, dtype=None):
    """Check that ``a`` is a finite float32/float64 ndarray of rank ``ndim``.

    ``dtype``, when given, is the dtype ``a`` must share (the parameters').
    """
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy ndarray, got {type(a).__name__}")
    if a.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {a.dtype}")
    if dtype is not None and a.dtype != dtype:
        raise TypeError(f"{name} has dtype {a.dtype} but the parameters are {dtype}; "
                        "convert one of them explicitly")
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinity")
    return a


def shape(name, a, expected, meaning):
    """Check ``a.shape == expected``; ``meaning`` spells the shape, e.g. ``"(H, B)"``."""
    if a.shape != tuple(expected):
        raise ValueError(f"{name} must have shape {meaning} = {tuple(expected)}, got {a.shape}")


def finite_scalar(name, x):
    """Check that ``x`` is a finite real number (not a bool, not an array)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return float(x)


def targets(name, target, B, V):
    """Check class indices: an integer array of shape ``(B,)`` with values in ``[0, V)``."""
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {target.dtype}")
    shape(name, target, (B,), "(B,)")
    if target.min() < 0 or target.max() >= V:
        raise ValueError(f"{name} must lie in [0, V) = [0, {V}), "
                         f"got values from {target.min()} to {target.max()}")
    return target


MODEL_KINDS = ("LSTMParams", "CellCache")


def shapes(**spec):
    """Decorator: check array arguments against symbolic shapes such as ``"H,B"``.

    A letter takes its size from the first argument that has it; every later
    one must agree (``"4H"`` must also be four times ``"H"``). An argument
    specified as ``"CellCache"`` binds ``H``, ``B`` and ``D+H`` from its fields,
    one specified as ``"LSTMParams"`` binds ``D`` and ``H``.
    The wrapped function runs unchanged; this only turns a silent broadcast or
    a numpy error deep inside into a ``ValueError`` naming the argument.
    """
    def decorate(fn):
        names = list(inspect.signature(fn).parameters)
        # Bind sizes from the model (params, cache) first, so a mismatch blames the gradient.
        order = sorted(spec.items(), key=lambda kv: kv[1] not in MODEL_KINDS)

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            given = dict(zip(names, args), **kwargs)
            sizes = {}
            for name, dims in order:
                value = given[name]
                if dims == "LSTMParams":
                    sizes.setdefault("H", value.H)
                    sizes.setdefault("D", value.D)
                    continue
                arrays = ([(f"{name}.o", value.o, "H,B"), (f"{name}.z", value.z, "D+H,B")]
                          if dims == "CellCache" else [(name, value, dims)])
                for label, a, a_dims in arrays:
                    _bind(fn.__name__, label, a, a_dims, sizes)
            if "4H" in sizes and "H" in sizes and sizes["4H"] != 4 * sizes["H"]:
                raise ValueError(f"{fn.__name__}: arrays of shape (4H, ...) have {sizes['4H']} rows, "
                                 f"but H = {sizes['H']}")
            return fn(*args, **kwargs)
        return checked
    return decorate


def _bind(fn, name, a, dims, sizes):
    letters = dims.split(",")
    dims = ", ".join(letters)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{fn}: {name} must be a numpy ndarray of shape ({dims}), got {type(a).__name__}")
    if a.ndim != len(letters):
        raise ValueError(f"{fn}: {name} must have shape ({dims}), got {a.shape}")
    for letter, n in zip(letters, a.shape):
        expected = int(letter) if letter.isdigit() else sizes.setdefault(letter, n)
        if n != expected:
            raise ValueError(f"{fn}: {name} must have shape ({dims}) with {letter} = {expected}, "
                             f"got {a.shape}")
