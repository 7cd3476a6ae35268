"""lstmdoc's arrays in any layout and back, read from the layout's description alone.

Every function here takes a :class:`~lstmdoc.layouts.spec.Layout` (or its
name) and moves arrays without changing a number: it reorders the gate blocks,
transposes, splits and joins. lstmdoc's side: the cell's ``W`` (4H, D+H) and
``b`` (4H, 1), rows f, i, cproj, o, columns x then h; the output layer's
``Wy`` (V, H) and ``by`` (V, 1); inputs ``(T, D, B)`` and states ``(H, B)``.
"""

import numpy as np

from .. import _validate as check
from .gates import LSTMDOC_ORDER, reorder
from .spec import get, shapes


def cell_roles(lt):
    """The roles of a cell's arrays in layout ``lt``: ``("W", "b")``, ``("Wx", "Wh", "b")``, ..."""
    roles = ("W",) if lt.weights == "joint" else ("Wx", "Wh")
    if lt.bias != "first row":
        roles += ("b",)
    return roles + (("b2",) if lt.bias == "two" else ())


def role_names(lt, role):
    """The names of the arrays holding ``role``: one, or one per gate (in ``lt.gates`` order)."""
    return [lt.name_of(role, g) for g in lt.gates] if lt.per_gate else [lt.name_of(role)]


def _named(lt, role, a):
    """``a``, a block stack with the gates along axis 0, as the layout stores and names it."""
    out = {}
    for name, piece in zip(role_names(lt, role), np.split(a, 4) if lt.per_gate else [a]):
        if role in ("W", "Wx", "Wh"):
            piece = piece.T if lt.orient == "in-out" else piece
        elif not lt.column:
            piece = piece[:, 0]
        out[name] = np.array(piece)  # a copy, C-ordered
    return out


def cell_to(layout, W, b, kind="weights"):
    """lstmdoc's ``W`` (4H, D+H) and ``b`` (4H, 1) as the layout's arrays, by name.

    ``kind="grads"`` converts gradients: where the layout adds two biases
    (PyTorch), both get ``b``; for weights the second is zero.
    """
    lt = get(layout)
    H = W.shape[0] // 4
    D = W.shape[1] - H
    W, b = reorder(W, LSTMDOC_ORDER, lt.gates, 0), reorder(b, LSTMDOC_ORDER, lt.gates, 0)
    x, h = W[:, :D], W[:, D:]
    if lt.weights == "joint":
        blocks = ([b] if lt.bias == "first row" else []) + ([x, h] if lt.z == "xh" else [h, x])
        parts = {"W": np.concatenate(blocks, axis=1)}
    else:
        parts = {"Wx": x, "Wh": h}
    if lt.bias != "first row":
        parts["b"] = b
    if lt.bias == "two":
        parts["b2"] = b if kind == "grads" else np.zeros_like(b)
    return {name: a for role, part in parts.items() for name, a in _named(lt, role, part).items()}


def cell_sizes(lt, arrays, prefix=""):
    """``(D, H)`` read from the layout's first weight array in ``arrays``."""
    role = "W" if lt.weights == "joint" else "Wx"
    name = prefix + role_names(lt, role)[0]
    a = check.float_array(name, _take(arrays, name), 2)
    gate, other = a.shape if lt.orient == "out-in" else a.shape[::-1]
    want = shapes(lt)[role]
    if not lt.per_gate and gate % 4:
        raise ValueError(f"{name} must have shape {want} in the {lt.name} layout; its gate axis "
                         f"has {gate} entries, not a multiple of 4")
    H = gate if lt.per_gate else gate // 4
    D = other - (H + (lt.bias == "first row") if role == "W" else 0)
    if D < 1:
        raise ValueError(f"{name} must have shape {want} in the {lt.name} layout with D >= 1; "
                         f"got {a.shape}, so H = {H} leaves D = {D}")
    return D, H


def _take(arrays, name):
    if not isinstance(arrays, dict):
        raise TypeError(f"the arrays must be a dict of arrays by name, got {type(arrays).__name__}")
    if name not in arrays:
        raise ValueError(f"{name} is missing (the arrays hold {', '.join(arrays) or 'nothing'})")
    return arrays[name]


def check_arrays(lt, arrays, expected, prefix, sizes, dtype=None):
    """Check each of ``expected`` (name → (role, shape)) in ``arrays``: a float array of that
    shape, all of one dtype (``dtype`` if given); return the dtype."""
    for name, (role, want) in expected.items():
        a = check.float_array(prefix + name, _take(arrays, prefix + name), len(want), dtype)
        dtype = a.dtype
        if a.shape != want:
            flipped = "; it looks transposed" if a.shape == want[::-1] and a.ndim == 2 else ""
            raise ValueError(f"{prefix}{name} must have shape {shapes(lt)[role]} = {want} in the "
                             f"{lt.name} layout ({sizes}), got {a.shape}{flipped}")
    return dtype


def cell_from(layout, arrays, kind="weights", prefix=""):
    """The layout's cell arrays (named ``prefix + name``) as lstmdoc's ``W``, ``b``.

    Every array is checked against the shape the layout gives it (its sizes read
    from the first weight array). For PyTorch's two biases, weights are added;
    gradients (``kind="grads"``) are equal, and the first is taken.
    """
    lt = get(layout)
    D, H = cell_sizes(lt, arrays, prefix)
    zeros = cell_to(lt, np.zeros((4 * H, D + H)), np.zeros((4 * H, 1)), kind)
    expected = {n: (r, zeros[n].shape) for r in cell_roles(lt) for n in role_names(lt, r)}
    check_arrays(lt, arrays, expected, prefix, f"D = {D}, H = {H}")

    def gather(role):
        pieces = [arrays[prefix + n] for n in role_names(lt, role)]
        if role in ("W", "Wx", "Wh"):
            pieces = [p.T if lt.orient == "in-out" else p for p in pieces]
        return np.concatenate([p.reshape(len(p), -1) for p in pieces])

    if lt.weights == "joint":
        M = gather("W")
        b = M[:, :1] if lt.bias == "first row" else gather("b")
        M = M[:, 1:] if lt.bias == "first row" else M
        x, h = (M[:, :D], M[:, D:]) if lt.z == "xh" else (M[:, H:], M[:, :H])
    else:
        x, h, b = gather("Wx"), gather("Wh"), gather("b")
    if lt.bias == "two" and kind == "weights":
        b = b + gather("b2")
    W = np.concatenate([x, h], axis=1)
    return reorder(W, lt.gates, LSTMDOC_ORDER, 0), reorder(b, lt.gates, LSTMDOC_ORDER, 0)


def output_to(layout, Wy, by):
    """lstmdoc's ``Wy`` (V, H) and ``by`` (V, 1) as the layout's output layer, by name."""
    lt = get(layout)
    return {lt.name_of("Wy"): np.array(Wy.T if lt.output == "HV" else Wy),
            lt.name_of("by"): np.array(by if lt.column else by[:, 0])}


def output_from(layout, arrays, H, prefix="", dtype=None):
    """The layout's output layer as lstmdoc's ``Wy`` (V, H), ``by`` (V, 1) (of ``dtype``)."""
    lt = get(layout)
    wy, by = prefix + lt.name_of("Wy"), prefix + lt.name_of("by")
    a = check.float_array(wy, _take(arrays, wy), 2, dtype)
    h_axis = 0 if lt.output == "HV" else 1
    if a.shape[h_axis] != H:
        flipped = "; it looks transposed" if a.shape[1 - h_axis] == H else ""
        raise ValueError(f"{wy} must have shape {shapes(lt)['Wy']} with H = {H} in the "
                         f"{lt.name} layout, got {a.shape}{flipped}")
    V = a.shape[1 - h_axis]
    shape = (H, V) if lt.output == "HV" else (V, H)
    check_arrays(lt, arrays, {lt.name_of("Wy"): ("Wy", shape),
                              lt.name_of("by"): ("by", (V, 1) if lt.column else (V,))},
                 prefix, f"H = {H}", dtype)
    Wy = arrays[wy].T if lt.output == "HV" else arrays[wy]
    return np.array(Wy), np.array(arrays[by]).reshape(V, 1)


def sequence_to(layout, X):
    """lstmdoc's ``X`` (T, D, B), or states over time (T, H, B), in the layout's axes."""
    lt = get(layout)
    return np.array(np.transpose(X, ["TDB".index(a) for a in lt.sequence]))


def sequence_from(layout, x, name="x"):
    """A sequence in the layout's axes as lstmdoc's (T, D, B) (or (T, H, B))."""
    lt = get(layout)
    check.float_array(name, x, 3)
    return np.array(np.transpose(x, [lt.sequence.index(a) for a in "TDB"]))


def state_to(layout, s):
    """lstmdoc's state ``(H, B)`` in the layout's axes: ``(H, B)``, ``(B, H)`` or ``(1, B, H)``."""
    lt = get(layout)
    return np.array({"HB": s, "BH": s.T, "LBH": s.T[None]}[lt.state])


def state_from(layout, s, name="h0"):
    """A state in the layout's axes as lstmdoc's ``(H, B)``."""
    lt = get(layout)
    check.float_array(name, s, len(lt.state))
    if lt.state == "LBH" and s.shape[0] != 1:
        raise ValueError(f"{name} must have shape (1, B, H) for one layer, got {s.shape}")
    return np.array({"HB": s, "BH": s.T, "LBH": s[0].T if s.ndim == 3 else s}[lt.state])


def step_to(layout, a):
    """One time step's ``(n, B)`` array as the layout holds it: ``(n, B)`` or ``(B, n)``."""
    return np.array(a if get(layout).state == "HB" else a.T)
