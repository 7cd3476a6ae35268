"""PyTorch's ``nn.LSTM`` and ``nn.Linear``: weights, inputs and gradients (torch loaded lazily)."""

import numpy as np

from .. import _validate as check
from ..params import LSTMParams
from .layout import TORCH_ORDER, check_params, folded_bias, gate_array, inverse, reorder


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover  (depends on the environment)
        raise ImportError("this function needs PyTorch: pip install torch") from exc
    return torch


def _check_torch_modules(lstm, linear):
    """Raise a clear error for any nn.LSTM/nn.Linear that lstmdoc's model cannot express."""
    torch = _torch()
    if not isinstance(lstm, torch.nn.LSTM):
        raise TypeError(f"lstm must be a torch.nn.LSTM, got {type(lstm).__name__}")
    if not isinstance(linear, torch.nn.Linear):
        raise TypeError(f"linear must be a torch.nn.Linear, got {type(linear).__name__}")
    if lstm.num_layers != 1:
        raise ValueError(f"lstm has num_layers={lstm.num_layers}: only a single-layer LSTM is "
                         "supported (lstmdoc's model is one cell)")
    if lstm.bidirectional:
        raise ValueError("lstm is bidirectional: only a unidirectional LSTM is supported")
    if lstm.proj_size:
        raise ValueError(f"lstm has proj_size={lstm.proj_size}: an LSTM with projections is "
                         "not supported")
    if linear.in_features != lstm.hidden_size:
        raise ValueError(f"linear must be nn.Linear(H, V) with H = {lstm.hidden_size} "
                         f"(lstm's hidden_size), got in_features={linear.in_features}")
    dtypes = {p.dtype for p in [*lstm.parameters(), *linear.parameters()]}
    if not dtypes <= {torch.float32, torch.float64} or len(dtypes) != 1:
        raise TypeError("lstm and linear must share one dtype, float32 or float64, got "
                        + ", ".join(sorted(str(d) for d in dtypes)))


def _np(t):
    return t.detach().cpu().numpy().copy()


def _lstmdoc_W(ih, hh):
    """lstmdoc's ``W`` (4H, D+H) from torch's ``weight_ih_l0``, ``weight_hh_l0`` (or grads)."""
    return reorder(np.concatenate([_np(ih), _np(hh)], axis=1), inverse(TORCH_ORDER))


def from_torch(lstm, linear):
    """Parameters of a single-layer, unidirectional ``nn.LSTM(D, H)`` and ``nn.Linear(H, V)``.

    Gate blocks i, f, g, o become f, i, cproj, o; ``b = bias_ih + bias_hh``;
    ``forget_bias = 0`` (torch has none: whatever it learnt is in ``b``).

    Parameters
    ----------
    lstm : torch.nn.LSTM
    linear : torch.nn.Linear

    Returns
    -------
    LSTMParams
        In the modules' dtype (float32 or float64); arrays copied.

    Raises
    ------
    TypeError, ValueError
        For anything lstmdoc's model cannot express: several layers,
        bidirectional, ``proj_size``, sizes that do not chain, other dtypes.
    """
    _check_torch_modules(lstm, linear)
    W = _lstmdoc_W(lstm.weight_ih_l0, lstm.weight_hh_l0)
    b = (_np(lstm.bias_ih_l0) + _np(lstm.bias_hh_l0) if lstm.bias
         else np.zeros(4 * lstm.hidden_size, W.dtype))
    by = _np(linear.bias) if linear.bias is not None else np.zeros(linear.out_features, W.dtype)
    return LSTMParams(W, reorder(b, inverse(TORCH_ORDER))[:, None], _np(linear.weight),
                      by[:, None], forget_bias=0.0)


def to_torch(params, batch_first=False):
    """An ``nn.LSTM(D, H)`` and ``nn.Linear(H, V)`` computing the same model.

    ``forget_bias`` is folded into the f block of ``bias_ih``; ``bias_hh`` is 0.

    Parameters
    ----------
    params : LSTMParams
    batch_first : bool, optional
        Passed to ``nn.LSTM`` (default no): inputs (B, T, D) instead of (T, B, D).

    Returns
    -------
    lstm : torch.nn.LSTM
    linear : torch.nn.Linear
        In the parameters' dtype.
    """
    check_params(params)
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first must be a bool, got {type(batch_first).__name__}")
    torch = _torch()
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[params.dtype]
    lstm = torch.nn.LSTM(params.D, params.H, batch_first=batch_first, dtype=dtype)
    linear = torch.nn.Linear(params.H, params.V, dtype=dtype)
    W = reorder(params.W, TORCH_ORDER)
    values = {lstm.weight_ih_l0: W[:, :params.D], lstm.weight_hh_l0: W[:, params.D:],
              lstm.bias_ih_l0: reorder(folded_bias(params), TORCH_ORDER)[:, 0],
              lstm.bias_hh_l0: np.zeros(4 * params.H, params.dtype),
              linear.weight: params.Wy, linear.bias: params.by[:, 0]}
    with torch.no_grad():
        for p, v in values.items():
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
    return lstm, linear


def to_torch_inputs(X, h0, c0, batch_first=False):
    """lstmdoc's inputs as tensors for ``nn.LSTM``: ``x`` and ``(h0, c0)``, ready for autograd.

    Parameters
    ----------
    X : ndarray of shape (T, D, B)
    h0, c0 : ndarray of shape (H, B)
    batch_first : bool, optional
        The ``nn.LSTM``'s (default no): ``x`` of shape (B, T, D) instead of (T, B, D).

    Returns
    -------
    x : torch.Tensor of shape (T, B, D), or (B, T, D)
    state : tuple of two torch.Tensor of shape (1, B, H)
        Leaves with ``requires_grad=True``.
    """
    torch = _torch()
    check.float_array("X", X, 3)
    x = X.transpose(2, 0, 1) if batch_first else X.transpose(0, 2, 1)
    leaf = lambda a: torch.tensor(np.ascontiguousarray(a), requires_grad=True)  # noqa: E731
    states = []
    for name, s in (("h0", h0), ("c0", c0)):
        check.shape(name, check.float_array(name, s, 2, X.dtype), (s.shape[0], X.shape[2]),
                    f"(H, B) with B = {X.shape[2]}")
        states.append(leaf(s.T[None]))
    return leaf(x), tuple(states)


def grads_from_torch(lstm, linear, x=None, state=None):
    """The gradients torch's autograd left in ``.grad``, in lstmdoc's layout and names.

    Parameters
    ----------
    lstm : torch.nn.LSTM
    linear : torch.nn.Linear
    x : torch.Tensor, optional
        The input, laid out as ``lstm.batch_first`` says; its gradient becomes ``"X"``.
    state : tuple of two torch.Tensor of shape (1, B, H), optional
        ``(h0, c0)``; their gradients become ``"h0"``, ``"c0"``.

    Returns
    -------
    dict of ndarray
        ``"W"``, ``"b"``, ``"Wy"``, ``"by"`` (and ``"X"``, ``"h0"``, ``"c0"``), as
        :func:`lstmdoc.loss_and_grads` returns them. ``"b"`` is the gradient of
        ``bias_ih`` (equal to that of ``bias_hh``: they are added); ``"b"`` and
        ``"by"`` are left out for modules built with ``bias=False``.
    """
    _check_torch_modules(lstm, linear)
    params = [lstm.weight_ih_l0, lstm.weight_hh_l0, linear.weight]
    if any(p.grad is None for p in params):
        raise ValueError("lstm and linear have no gradients: call loss.backward() first")
    grads = {"W": _lstmdoc_W(lstm.weight_ih_l0.grad, lstm.weight_hh_l0.grad),
             "Wy": _np(linear.weight.grad)}
    if lstm.bias:  # a module without biases has no gradient for them
        grads["b"] = reorder(_np(lstm.bias_ih_l0.grad), inverse(TORCH_ORDER))[:, None]
    if linear.bias is not None:
        grads["by"] = _np(linear.bias.grad)[:, None]
    if state is not None:
        grads.update(_state_grads(state, lstm.hidden_size))
    if x is not None:
        B = grads["c0"].shape[1] if state is not None else None
        grads["X"] = _input_grad(x, lstm, B)
    return grads


def _state_grads(state, H):
    """``{"h0", "c0"}``: the gradients of torch's ``(h0, c0)`` (1, B, H), as lstmdoc's (H, B)."""
    grads = {}
    for name, s in zip(("h0", "c0"), state):
        g = _np(s.grad)
        if g.ndim != 3 or g.shape[0] != 1 or g.shape[2] != H:
            raise ValueError(f"{name} must have shape (1, B, H) with H = {H}, "
                             f"got {tuple(g.shape)}")
        grads[name] = g[0].T
    return grads


def _input_grad(x, lstm, B=None):
    """The gradient of torch's input ``x`` as lstmdoc's ``X`` (T, D, B); ``B``: h0's and c0's."""
    g = _np(x.grad)
    layout = "(B, T, D)" if lstm.batch_first else "(T, B, D)"
    if g.ndim != 3 or g.shape[2] != lstm.input_size:
        raise ValueError(f"x must have shape {layout} with D = {lstm.input_size}, "
                         f"got {tuple(g.shape)}")
    if B is not None and g.shape[0 if lstm.batch_first else 1] != B:
        raise ValueError(f"batch_first mismatch: lstm.batch_first={lstm.batch_first} reads x "
                         f"of shape {tuple(g.shape)} as {layout}, but h0 and c0 have B = {B}")
    return g.transpose(1, 2, 0) if lstm.batch_first else g.transpose(0, 2, 1)


def grads_to_torch(grads):
    """lstmdoc's gradients in torch's layout, keyed by ``nn.LSTM``/``nn.Linear`` parameter names.

    Numpy only; set them with ``p.grad = torch.from_numpy(...)``.

    Parameters
    ----------
    grads : dict of ndarray
        At least ``"W"``, ``"b"``, ``"Wy"``, ``"by"`` (from :func:`lstmdoc.loss_and_grads`).

    Returns
    -------
    lstm_grads : dict of ndarray
        ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (both
        biases get ``db``: they are added in the forward pass).
    linear_grads : dict of ndarray
        ``weight``, ``bias``.
    """
    missing = [k for k in ("W", "b", "Wy", "by") if k not in grads]
    if missing:
        raise ValueError(f"grads must have the keys W, b, Wy, by; missing {', '.join(missing)}")
    W = gate_array("grads['W']", grads["W"], 2, axis=0, meaning="(4H, D+H)")
    H = W.shape[0] // 4
    check.shape("grads['b']", check.float_array("grads['b']", grads["b"], 2), (4 * H, 1), "(4H, 1)")
    Wy = check.float_array("grads['Wy']", grads["Wy"], 2)
    check.shape("grads['Wy']", Wy, (Wy.shape[0], H), f"(V, H) with H = {H}")
    check.shape("grads['by']", check.float_array("grads['by']", grads["by"], 2),
                (Wy.shape[0], 1), "(V, 1)")
    D = W.shape[1] - H
    Wt, bt = reorder(W, TORCH_ORDER), reorder(grads["b"], TORCH_ORDER)[:, 0]
    return ({"weight_ih_l0": Wt[:, :D].copy(), "weight_hh_l0": Wt[:, D:].copy(),
             "bias_ih_l0": bt.copy(), "bias_hh_l0": bt.copy()},
            {"weight": Wy.copy(), "bias": grads["by"][:, 0].copy()})
