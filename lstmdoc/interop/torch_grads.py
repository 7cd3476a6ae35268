"""Inputs and gradients between lstmdoc and PyTorch's ``nn.LSTM``: a cell, a stack, both directions.

The deep models' gradients are laid out as :func:`lstmdoc.deep.loss_and_grads`
returns them: ``"forward"`` (and ``"backward"``) a tuple of ``{"W", "b"}`` per
layer, ``"h0"`` and ``"c0"`` a tuple with one array per cell.
"""

import numpy as np

from .. import _validate as check
from .. import layouts
from .layout import gate_array
from .torch import BIDIRECTIONAL_STACK, _torch, cells_of, check_torch_modules, np_of, torch_names


def _state_array(name, s, B, dtype):
    """An initial state as torch's ``(cells, B, H)``: an (H, B) array, or one per cell."""
    many = isinstance(s, (list, tuple))
    out = []
    for k, a in enumerate(s if many else [s]):
        label = f"{name}[{k}]" if many else name
        check.float_array(label, a, 2, dtype)
        check.shape(label, a, (a.shape[0], B), f"(H, B) with B = {B}")
        out.append(a.T)
    if len({a.shape for a in out}) != 1:
        raise ValueError(f"{name} must hold arrays of one shape (H, B): nn.LSTM has one hidden "
                         f"size, got {', '.join(str(a.T.shape) for a in out)}")
    return np.stack(out)


def to_torch_inputs(X, h0=None, c0=None, batch_first=False):
    """lstmdoc's inputs as tensors for ``nn.LSTM``: ``x`` and ``(h0, c0)``, ready for autograd.

    Parameters
    ----------
    X : ndarray of shape (T, D, B)
    h0, c0 : ndarray of shape (H, B), or a list of them (one per cell), optional
        The initial state; one omitted is zeros; both omitted, the state is None
        (``lstm(x, None)`` starts from zeros too). A list, in the order of
        :attr:`lstmdoc.deep.DeepParams.cells`, for a stack or two directions.
    batch_first : bool, optional
        The ``nn.LSTM``'s (default no): ``x`` of shape (B, T, D) instead of (T, B, D).

    Returns
    -------
    x : torch.Tensor of shape (T, B, D), or (B, T, D)
    state : tuple of two torch.Tensor of shape (cells, B, H), or None
        Leaves with ``requires_grad=True``.
    """
    torch = _torch()
    check.float_array("X", X, 3)
    x = X.transpose(2, 0, 1) if batch_first else X.transpose(0, 2, 1)
    leaf = lambda a: torch.tensor(np.ascontiguousarray(a), requires_grad=True)  # noqa: E731
    given = {n: _state_array(n, s, X.shape[2], X.dtype)
             for n, s in (("h0", h0), ("c0", c0)) if s is not None}
    if not given:
        return leaf(x), None
    h, c = (given.get(n, np.zeros_like(next(iter(given.values())))) for n in ("h0", "c0"))
    if h.shape != c.shape:
        raise ValueError(f"h0 and c0 must have the same shape, got {h.shape} and {c.shape} "
                         "as (cells, B, H)")
    return leaf(x), (leaf(h), leaf(c))


def _cell_grads(lstm, layer, direction):
    """One cell's ``{"W", "b"}`` from ``.grad`` (``"b"`` left out for a module without biases)."""
    params = {n: getattr(lstm, p) for n, p in torch_names(layer, direction).items()
              if lstm.bias or "weight" in n}
    g = {n: np_of(p.grad) for n, p in params.items() if p.grad is not None}
    # bias_hh's gradient is bias_ih's (they are added); a frozen or absent one has none.
    for n in ("bias_ih_l0", "bias_hh_l0"):
        zeros = np.zeros(4 * lstm.hidden_size, g["weight_ih_l0"].dtype)
        g.setdefault(n, g.get("bias_ih_l0", zeros))
    out = layouts.grads_from("torch", g)
    return out if lstm.bias else {"W": out["W"]}


def grads_from_torch(lstm, linear, x=None, state=None):
    """The gradients torch's autograd left in ``.grad``, in lstmdoc's layout and names.

    Parameters
    ----------
    lstm : torch.nn.LSTM
        One layer; a stack; or one layer in both directions (as :func:`from_torch`).
    linear : torch.nn.Linear
    x : torch.Tensor, optional
        The input, laid out as ``lstm.batch_first`` says; its gradient becomes ``"X"``.
    state : tuple of two torch.Tensor of shape (cells, B, H), optional
        ``(h0, c0)``; their gradients become ``"h0"``, ``"c0"``.

    Returns
    -------
    dict
        As :func:`lstmdoc.loss_and_grads` returns them (gate blocks f, i,
        cproj, o): ``"W"``, ``"b"``, ``"Wy"``, ``"by"`` (and ``"X"``, ``"h0"``,
        ``"c0"``); for a stack or two directions as
        :func:`lstmdoc.deep.loss_and_grads` does. ``"b"`` is the gradient of
        ``bias_ih`` (equal to that of ``bias_hh``: they are added); ``"b"``
        and ``"by"`` are left out for modules built with ``bias=False``.
    """
    L, directions = check_torch_modules(lstm, linear)
    if lstm.weight_ih_l0.grad is None or linear.weight.grad is None:
        raise ValueError("lstm and linear have no gradients: call loss.backward() first")
    cells = [_cell_grads(lstm, l, d) for l, d in cells_of(lstm)]
    deep = len(cells) > 1
    grads = {"Wy": np_of(linear.weight.grad)}
    if linear.bias is not None:
        grads["by"] = np_of(linear.bias.grad)[:, None]
    if not deep:
        grads.update(cells[0])
    else:
        grads["forward"] = tuple(cells[:L])
        if directions == 2:
            grads["backward"] = tuple(cells[L:])
    return {**grads, **_inputs_grads(lstm, x, state, len(cells) if deep else None)}


def _inputs_grads(lstm, x, state, cells):
    """The gradients of ``x`` and ``state`` (if given) as lstmdoc's ``"X"``, ``"h0"``, ``"c0"``."""
    grads = _state_grads(state, lstm.hidden_size, cells) if state is not None else {}
    if x is not None:
        grads["X"] = _input_grad(x, lstm, np.shape(grads["c0"])[-1] if grads else None)
    return grads


def _state_grads(state, H, cells=None):
    """``{"h0", "c0"}``: the gradients of torch's ``(h0, c0)`` (cells, B, H), as lstmdoc's (H, B).

    One cell (``cells`` None): arrays; several: tuples, one array per cell.
    """
    grads = {}
    for name, s in zip(("h0", "c0"), state):
        g = np_of(s.grad)
        n = cells or 1
        if g.ndim != 3 or g.shape[0] != n or g.shape[2] != H:
            raise ValueError(f"{name} must have shape ({n}, B, H) with H = {H}, "
                             f"got {tuple(g.shape)}")
        per_cell = [layouts.state_from("torch", g[k:k + 1], name) for k in range(n)]
        grads[name] = per_cell[0] if cells is None else tuple(per_cell)
    return grads


def _input_grad(x, lstm, B=None):
    """The gradient of torch's input ``x`` as lstmdoc's ``X`` (T, D, B); ``B``: h0's and c0's."""
    g = np_of(x.grad)
    layout = "(B, T, D)" if lstm.batch_first else "(T, B, D)"
    if g.ndim != 3 or g.shape[2] != lstm.input_size:
        raise ValueError(f"x must have shape {layout} with D = {lstm.input_size}, "
                         f"got {tuple(g.shape)}")
    if B is not None and g.shape[0 if lstm.batch_first else 1] != B:
        raise ValueError(f"batch_first mismatch: lstm.batch_first={lstm.batch_first} reads x "
                         f"of shape {tuple(g.shape)} as {layout}, but h0 and c0 have B = {B}")
    return layouts.sequence_from("torch", g.transpose(1, 0, 2) if lstm.batch_first else g, "x")


def _checked_cells(grads):
    """The cells' ``{"W", "b"}`` in lstmdoc's order, checked, and the number of layers."""
    deep = "forward" in grads
    cells = list(grads["forward"]) + list(grads.get("backward") or ()) if deep else [grads]
    L = len(grads["forward"]) if deep else 1
    if deep and "backward" in grads and L > 1:
        raise ValueError(f"grads has {L} layers in both directions: " + BIDIRECTIONAL_STACK)
    for k, cell in enumerate(cells):
        label = f"grads['forward'][{k}]" if deep and k < L else \
            f"grads['backward'][{k - L}]" if deep else "grads"
        missing = [key for key in ("W", "b") if not isinstance(cell, dict) or key not in cell]
        if missing:
            raise ValueError(f"{label} must have the keys W, b; missing {', '.join(missing)}")
        W = gate_array(f"{label}['W']", cell["W"], 2, axis=0, meaning="(4H, D+H)")
        check.shape(f"{label}['b']", check.float_array(f"{label}['b']", cell["b"], 2),
                    (W.shape[0], 1), "(4H, 1)")
    return cells, L


def grads_to_torch(grads):
    """lstmdoc's gradients in torch's layout, keyed by ``nn.LSTM``/``nn.Linear`` parameter names.

    Numpy only; set them with ``p.grad = torch.from_numpy(...)``.

    Parameters
    ----------
    grads : dict
        At least ``"W"``, ``"b"``, ``"Wy"``, ``"by"`` (from
        :func:`lstmdoc.loss_and_grads`), or ``"forward"`` (and ``"backward"``),
        ``"Wy"``, ``"by"`` from :func:`lstmdoc.deep.loss_and_grads`.

    Returns
    -------
    lstm_grads : dict of ndarray
        ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (and
        ``_l1``, ..., ``_l0_reverse`` for more cells), gate blocks in torch's
        order i, f, g, o; both biases get ``db``: they are added in the forward pass.
    linear_grads : dict of ndarray
        ``weight``, ``bias``.
    """
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict, got {type(grads).__name__}")
    cell_keys = ("forward",) if "forward" in grads else ("W", "b")
    missing = [k for k in (*cell_keys, "Wy", "by") if k not in grads]
    if missing:
        raise ValueError(f"grads must have the keys {', '.join((*cell_keys, 'Wy', 'by'))}; "
                         f"missing {', '.join(missing)}")
    cells, L = _checked_cells(grads)
    Wy = check.float_array("grads['Wy']", grads["Wy"], 2)
    tops = [cells[L - 1]["W"].shape[0] // 4] + ([cells[-1]["W"].shape[0] // 4] if len(cells) > L
                                                 else [])
    check.shape("grads['Wy']", Wy, (Wy.shape[0], sum(tops)), f"(V, H) with H = {sum(tops)}")
    check.shape("grads['by']", check.float_array("grads['by']", grads["by"], 2),
                (Wy.shape[0], 1), "(V, 1)")
    lstm_grads = {}
    for cell, k in zip(cells, range(len(cells))):
        g = layouts.grads_to("torch", {"W": cell["W"], "b": cell["b"]})
        lstm_grads.update({p: g[n] for n, p in torch_names(k % L, k // L).items()})
    return lstm_grads, layouts.grads_to("torch", {"Wy": Wy, "by": grads["by"]})
