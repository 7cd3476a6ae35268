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
        hint = (f" (nothing is converted: pass np.asarray({name}, dtype=np.{dtype or 'float64'}))"
                if isinstance(a, (list, tuple)) else "")
        raise TypeError(f"{name} must be a numpy ndarray, got {type(a).__name__}{hint}")
    if a.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must have dtype float32 or float64, got {a.dtype}")
    if dtype is not None and a.dtype != dtype:
        raise TypeError(f"{name} has dtype {a.dtype} but the parameters are {dtype}; "
                        "convert one of them explicitly")
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.isfinite(a).all():  # the method: no Python-level dispatch, a third faster on small arrays
        raise ValueError(f"{name} contains NaN or infinity")
    return a


def shape(name, a, expected, meaning):
    """Check ``a.shape == expected``; ``meaning`` spells the shape, e.g. ``"(H, B)"``.

    A matrix given transposed is named as such.
    """
    expected = tuple(expected)
    if a.shape != expected:
        hint = (f"; it looks transposed: pass {name}.T"
                if a.ndim == 2 and a.shape == expected[::-1] else "")
        raise ValueError(f"{name} must have shape {meaning} = {expected}, got {a.shape}{hint}")


def finite_scalar(name, x):
    """Check that ``x`` is a finite real number (not a bool, not an array)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return float(x)


def targets(name, target, B, V):
    """Check class indices: an integer ndarray of shape ``(B,)`` with values in ``[0, V)``.

    Like every array argument it must be a numpy ndarray: nothing is converted.
    One-hot targets are refused with the ``argmax`` that turns them into indices.
    """
    if not isinstance(target, np.ndarray):
        hint = f" (pass np.array({name}))" if isinstance(target, (list, tuple)) else ""
        raise TypeError(f"{name} must be a numpy ndarray of integer class indices, "
                        f"got {type(target).__name__}{hint}")
    axis = one_hot_axis(target, B, V)
    if axis is not None:
        raise ValueError(f"{name} must hold class indices of shape (B,) = ({B},), got one-hot "
                         f"vectors of shape {target.shape}: pass {name}.argmax({axis})")
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class indices, got dtype {target.dtype}")
    shape(name, target, (B,), "(B,)")
    if target.min() < 0 or target.max() >= V:
        raise ValueError(f"{name} must lie in [0, V) = [0, {V}), "
                         f"got values from {target.min()} to {target.max()}")
    return target


def one_hot_axis(target, B, V):
    """The axis ``target`` is one-hot along: 0 for (V, B), 1 for (B, V); ``None`` if it is not."""
    if target.ndim != 2 or target.dtype.kind not in "iufb":
        return None
    for axis, layout in ((0, (V, B)), (1, (B, V))):
        if target.shape == layout and np.all((target == 0) | (target == 1)) \
                and np.all(target.sum(axis=axis) == 1):
            return axis
    return None


MODEL_KINDS = {
    # kind: the arrays it holds, as (field, shape); their sizes are bound first.
    "CellCache": (("o", "H,B"), ("z", "D+H,B")),
    "LSTMParams": (("W", "4H,D+H"), ("Wy", "V,H")),
    "Cell": (("W", "4H,D+H"),),  # any cell's parameters: LSTMParams, or one layer of lstmdoc.deep
}


def shapes(**spec):
    """Decorator: check array arguments against symbolic shapes such as ``"H,B"``.

    A letter takes its size from the first argument that has it; every later
    one must agree, and ``"4H"`` must be four times ``"H"``. An argument
    specified as ``"CellCache"``, ``"LSTMParams"`` or ``"Cell"`` binds the sizes of its
    arrays (``MODEL_KINDS``) first, so that a mismatch blames the other argument.
    The wrapped function runs unchanged; this only turns a silent broadcast or
    a numpy error deep inside into a ``ValueError`` naming the argument.
    """
    # Parse once: a list of (argument, field or None, label, letters, shape as text).
    plan = []
    for name, dims in sorted(spec.items(), key=lambda kv: kv[1] not in MODEL_KINDS):
        fields = MODEL_KINDS.get(dims, ((None, dims),))
        for field, d in fields:
            letters = tuple(int(x) if x.isdigit() else x for x in d.split(","))
            label = f"{name}.{field}" if field else name
            plan.append((name, field, label, letters, ", ".join(d.split(","))))

    def decorate(fn):
        names = list(inspect.signature(fn).parameters)
        fast = [(name, names.index(name), field, letters) for name, field, _, letters, _ in plan]

        def check(given):  # the thorough check, which finds whom to blame
            sizes = {}
            for name, field, label, letters, text in plan:
                a = given[name] if field is None else getattr(given[name], field)
                _bind(fn.__name__, label, a, letters, text, sizes)
                _derive(fn.__name__, sizes)

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            # The pass calls these functions millions of times under finite differences:
            # a quick test that everything agrees, and the thorough check only if not.
            if not _agree(fast, args, kwargs):
                check(dict(zip(names, args), **kwargs))
            return fn(*args, **kwargs)
        return checked
    return decorate


def _agree(fast, args, kwargs):
    """Whether the arguments fit the plan: the fast path of :func:`shapes`, no messages."""
    sizes = {}
    for name, pos, field, letters in fast:
        a = args[pos] if pos < len(args) else kwargs.get(name)
        if field is not None:
            a = getattr(a, field, None)
        if not isinstance(a, np.ndarray) or a.ndim != len(letters):
            return False
        for letter, n in zip(letters, a.shape):
            if (letter if isinstance(letter, int) else sizes.setdefault(letter, n)) != n:
                return False
    fourH, H, D, DH = (sizes.get(k) for k in ("4H", "H", "D", "D+H"))
    if fourH is not None:
        if fourH % 4 or (H is not None and 4 * H != fourH):
            return False
        H = fourH // 4
    return DH is None or D is None or H is None or D + H == DH


def _derive(fn, sizes):
    """The sizes that follow from others: H from 4H, D from D+H and H."""
    if "4H" in sizes:
        if sizes.setdefault("H", sizes["4H"] // 4) * 4 != sizes["4H"]:
            raise ValueError(f"{fn}: arrays of shape (4H, ...) have {sizes['4H']} rows, "
                             f"but H = {sizes['H']}")
    if "D+H" in sizes and "H" in sizes:
        sizes.setdefault("D", sizes["D+H"] - sizes["H"])


def _bind(fn, name, a, letters, text, sizes):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{fn}: {name} must be a numpy ndarray of shape ({text}), got {type(a).__name__}")
    if a.ndim != len(letters):
        raise ValueError(f"{fn}: {name} must have shape ({text}), got {a.shape}")
    for letter, n in zip(letters, a.shape):
        expected = letter if isinstance(letter, int) else sizes.setdefault(letter, n)
        if n != expected:
            raise ValueError(f"{fn}: {name} must have shape ({text}) with {letter} = {expected}, "
                             f"got {a.shape}")
