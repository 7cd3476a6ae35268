"""A model's weights and gradients in any layout, both ways, by the layout's own names."""

import numpy as np

from ..deep.params import Cell
from ..params import LSTMParams
from . import convert
from .gates import fold_forget_bias
from .spec import get


def check_params(params):
    """An LSTMParams or a deep.Cell without layer norm, which every layout can hold."""
    if not isinstance(params, (LSTMParams, Cell)):
        raise TypeError(f"params must be an LSTMParams or a lstmdoc.deep.Cell, "
                        f"got {type(params).__name__}")
    if getattr(params, "norm_gain", None) is not None:  # dropping the norms would change the model
        raise ValueError("params has layer norm (norm_gain, norm_shift), which no other layout "
                         "holds: only the cell without layer norm converts")


def weights_to(layout, params):
    """lstmdoc's parameters as the arrays of ``layout``, by that layout's names.

    For a layout without a run-time forget bias, the forget bias is folded into
    the f block of the bias (:func:`~lstmdoc.layouts.fold_forget_bias`); with
    one (TensorFlow's cell, lstmdoc's), it stays apart, as ``"forget_bias"``.
    The gate blocks come in the layout's order, ``get(layout).gates``.

    Parameters
    ----------
    layout : str or Layout
        E.g. ``"cs231n"``, ``"karpathy"``, ``"deeplearning.ai"``, ``"d2l"``,
        ``"torch"``, ``"tf_cell"``, ``"keras"`` (:data:`~lstmdoc.layouts.spec.LAYOUTS`).
    params : LSTMParams or lstmdoc.deep.Cell
        Without layer norm; the output layer (``Wy``, ``by``) is converted too
        when the layout has one.

    Returns
    -------
    dict of ndarray
        Copies, e.g. ``{"Wx": (D, 4H), "Wh": (H, 4H), "b": (4H,)}`` for CS231n.

    Examples
    --------
    >>> import lstmdoc
    >>> p = lstmdoc.example.random().params          # D = 3, H = 4
    >>> w = lstmdoc.layouts.weights_to("karpathy", p)
    >>> w["WLSTM"].shape                              # (1+D+H, 4H): the bias is row 0
    (8, 16)
    """
    lt = get(layout)
    check_params(params)
    if not lt.forget_bias:
        params = fold_forget_bias(params)
    out = convert.cell_to(lt, params.W, params.b)
    if lt.output and isinstance(params, LSTMParams):
        out.update(convert.output_to(lt, params.Wy, params.by))
    if lt.forget_bias:
        out["forget_bias"] = params.forget_bias
    return out


def weights_from(layout, arrays, forget_bias=None):
    """The arrays of ``layout`` (by its names) as lstmdoc's parameters.

    Parameters
    ----------
    layout : str or Layout
    arrays : dict of ndarray
        The layout's arrays; its output layer too, if it has one, to get an
        :class:`~lstmdoc.LSTMParams`.
    forget_bias : float, optional
        For layouts that add one at run time: the layout's (default
        ``arrays["forget_bias"]`` if given, else 1.0). Others have none:
        whatever they learnt is in the bias, and the result has ``forget_bias = 0``.

    Returns
    -------
    LSTMParams or lstmdoc.deep.Cell
        An LSTMParams when the layout's output layer is in ``arrays``; the cell
        alone (a :class:`lstmdoc.deep.Cell`) otherwise. Gate blocks in
        lstmdoc's order f, i, cproj, o.
    """
    lt = get(layout)
    if not lt.forget_bias and forget_bias not in (None, 0, 0.0):
        raise ValueError(f"the {lt.name} layout has no run-time forget bias: its bias holds it, "
                         f"so forget_bias must be None, got {forget_bias!r}")
    W, b = convert.cell_from(lt, arrays)
    if forget_bias is None:
        forget_bias = arrays.get("forget_bias", 1.0) if lt.forget_bias else 0.0
    if lt.output and lt.name_of("Wy") in arrays:
        Wy, by = convert.output_from(lt, arrays, W.shape[0] // 4, dtype=W.dtype)
        return LSTMParams(W, b, Wy, by, forget_bias=forget_bias)
    return Cell(W, b, forget_bias)


_STATES = ("X", "h0", "c0")


def grads_to(layout, grads):
    """lstmdoc's gradients as the gradients of ``layout``'s arrays, by their names.

    Parameters
    ----------
    layout : str or Layout
    grads : dict of ndarray
        Any of ``"W"`` and ``"b"`` (together), ``"Wy"`` and ``"by"``, ``"X"``,
        ``"h0"``, ``"c0"``, as :func:`lstmdoc.loss_and_grads` returns them.

    Returns
    -------
    dict of ndarray
        Named as the layout names its arrays, with its gradient prefix, gate
        blocks in its order; folding the forget bias changes no gradient.

    Examples
    --------
    >>> import lstmdoc
    >>> ex = lstmdoc.example.random()
    >>> _, g = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    >>> sorted(lstmdoc.layouts.grads_to("cs231n", g))
    ['dWh', 'dWx', 'db', 'dc0', 'dh0', 'dx']
    """
    lt = get(layout)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    out = {}
    if "W" in grads or "b" in grads:
        _both(grads, "W", "b")
        out.update(convert.cell_to(lt, grads["W"], grads["b"], "grads"))
    if lt.output and ("Wy" in grads or "by" in grads):
        _both(grads, "Wy", "by")
        out.update(convert.output_to(lt, grads["Wy"], grads["by"]))
    if "X" in grads:
        out[lt.name_of("x")] = convert.sequence_to(lt, grads["X"])
    for role in ("h0", "c0"):
        if role in grads:
            out[lt.name_of(role)] = convert.state_to(lt, grads[role])
    return {lt.grad_prefix + name: a for name, a in out.items()}


def _both(grads, a, b):
    if (a in grads) != (b in grads):
        raise ValueError(f"grads must hold {a} and {b} together, got only "
                         f"{a if a in grads else b}")


def grads_from(layout, grads):
    """The gradients of ``layout``'s arrays (by name) as lstmdoc's: the inverse of :func:`grads_to`.

    Returns
    -------
    dict of ndarray
        ``"W"``, ``"b"`` (when the cell's gradients are given, gate blocks f,
        i, cproj, o), ``"Wy"``, ``"by"``, ``"X"``, ``"h0"``, ``"c0"`` (when theirs are).
    """
    lt = get(layout)
    p = lt.grad_prefix
    cell = convert.role_names(lt, "W" if lt.weights == "joint" else "Wx")[0]
    out = {}
    if p + cell in grads:
        out["W"], out["b"] = convert.cell_from(lt, grads, "grads", p)
    if lt.output and p + lt.name_of("Wy") in grads:
        H = out["W"].shape[0] // 4 if "W" in out else None
        H = H or np.shape(grads[p + lt.name_of("Wy")])[0 if lt.output == "HV" else 1]
        dtype = out["W"].dtype if "W" in out else None
        out["Wy"], out["by"] = convert.output_from(lt, grads, H, p, dtype)
    if p + lt.name_of("x") in grads:
        out["X"] = convert.sequence_from(lt, grads[p + lt.name_of("x")], p + lt.name_of("x"))
    for role in ("h0", "c0"):
        if p + lt.name_of(role) in grads:
            out[role] = convert.state_from(lt, grads[p + lt.name_of(role)], p + lt.name_of(role))
    return out
