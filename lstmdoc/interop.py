"""Weights and gradients to and from PyTorch's and TensorFlow's LSTM layouts.

Three layouts of the same cell (D input, H hidden, V classes):

- lstmdoc: ``W`` (4H, D+H), row blocks f, i, cproj, o, columns x then h;
  ``b`` (4H, 1); ``forget_bias`` added to the f block at run time.
- PyTorch ``nn.LSTM``: ``weight_ih_l0`` (4H, D) and ``weight_hh_l0`` (4H, H),
  row blocks i, f, g, o; two biases ``bias_ih_l0`` and ``bias_hh_l0`` (4H,),
  always added together; no forget bias.
- TensorFlow ``LSTMCell``/``LayerNormBasicLSTMCell``: ``kernel`` (D+H, 4H), rows
  x then h, column blocks i, j, f, o; ``bias`` (4H,); ``forget_bias`` (default
  1.0) added at run time. Keras ``LSTM``: ``kernel`` (D, 4H) and
  ``recurrent_kernel`` (H, 4H), column blocks i, f, c, o; ``bias`` (4H,); no
  forget bias at run time (``unit_forget_bias`` only initialises the bias).

The output layer: lstmdoc's ``Wy`` (V, H) is ``nn.Linear(H, V).weight``, and
the transpose of a Keras/TensorFlow ``Dense`` kernel (H, V).

Only numpy is imported here; torch is imported inside the functions that need it.
"""

import numpy as np

from . import _validate as check
from .params import LSTMParams

# For each framework, the lstmdoc block (0 f, 1 i, 2 cproj, 3 o) at each of its positions.
TORCH_ORDER = (1, 0, 2, 3)   # i, f, g, o
TF_ORDER = (1, 2, 0, 3)      # i, j, f, o
KERAS_ORDER = (1, 0, 2, 3)   # i, f, c, o


def _reorder(a, order, axis=0):
    """The gate blocks of ``a`` along ``axis`` (4H long), taken in ``order``."""
    blocks = np.split(a, 4, axis=axis)
    return np.concatenate([blocks[k] for k in order], axis=axis)


def _inverse(order):
    return tuple(int(k) for k in np.argsort(order))


def _forget_column(params):
    """``forget_bias`` on the f rows of a (4H, 1) column, zero elsewhere."""
    fold = np.zeros_like(params.b)
    fold[:params.H] = params.forget_bias
    return fold


def _gate_array(name, a, ndim, fourH=None, axis=-1, meaning=""):
    a = check.float_array(name, a, ndim)
    n = a.shape[axis]
    if n % 4 or (fourH is not None and n != fourH):
        want = f"{fourH}" if fourH is not None else "a multiple of 4"
        raise ValueError(f"{name} must have shape {meaning}; its gate axis has {n} entries, "
                         f"expected {want}")
    return a


def _dense(kernel, bias, H, dtype):
    """Check a Dense layer's kernel (H, V) and bias (V,); return lstmdoc's ``Wy``, ``by``."""
    kernel = check.float_array("dense_kernel", kernel, 2, dtype)
    if kernel.shape[0] != H:
        raise ValueError(f"dense_kernel must have shape (H, V) with H = {H}, got {kernel.shape}")
    bias = check.float_array("dense_bias", bias, 1, dtype)
    check.shape("dense_bias", bias, (kernel.shape[1],), "(V,)")
    return kernel.T.copy(), bias[:, None].copy()


# --- TensorFlow and Keras (numpy only) ---

def from_tf_cell(kernel, bias, dense_kernel, dense_bias, forget_bias=1.0):
    """Parameters from TensorFlow's ``LSTMCell``/``LayerNormBasicLSTMCell`` and a ``Dense`` layer.

    Parameters
    ----------
    kernel : ndarray of shape (D+H, 4H)
        Rows act on x then h; column blocks i, j, f, o.
    bias : ndarray of shape (4H,)
    dense_kernel : ndarray of shape (H, V)
    dense_bias : ndarray of shape (V,)
    forget_bias : float, default 1.0
        The cell's ``forget_bias`` (TensorFlow's default is 1.0).

    Returns
    -------
    LSTMParams
    """
    bias = _gate_array("bias", bias, 1, meaning="(4H,)")
    H = bias.shape[0] // 4
    kernel = _gate_array("kernel", kernel, 2, 4 * H, meaning=f"(D+H, 4H) with 4H = {4 * H}")
    if kernel.shape[0] <= H:
        raise ValueError(f"kernel must have shape (D+H, 4H) with H = {H} and D >= 1, "
                         f"got {kernel.shape}")
    check.float_array("bias", bias, 1, kernel.dtype)
    inv = _inverse(TF_ORDER)
    return LSTMParams(_reorder(kernel, inv, axis=1).T.copy(), _reorder(bias, inv)[:, None].copy(),
                      *_dense(dense_kernel, dense_bias, H, kernel.dtype), forget_bias=forget_bias)


def to_tf_cell(params):
    """TensorFlow ``LSTMCell``/``LayerNormBasicLSTMCell`` arrays, and a ``Dense`` layer's.

    The forget bias stays separate, as TensorFlow's cell keeps it.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    dict
        ``kernel`` (D+H, 4H), ``bias`` (4H,), ``dense_kernel`` (H, V),
        ``dense_bias`` (V,), ``forget_bias`` (float).
    """
    _check_params(params)
    return {"kernel": _reorder(params.W, TF_ORDER).T.copy(),
            "bias": _reorder(params.b, TF_ORDER)[:, 0].copy(),
            "dense_kernel": params.Wy.T.copy(), "dense_bias": params.by[:, 0].copy(),
            "forget_bias": params.forget_bias}


def from_keras(kernel, recurrent_kernel, bias, dense_kernel, dense_bias):
    """Parameters from a Keras ``LSTM`` layer and a ``Dense`` layer (``forget_bias`` 0).

    Parameters
    ----------
    kernel : ndarray of shape (D, 4H)
        Column blocks i, f, c, o.
    recurrent_kernel : ndarray of shape (H, 4H)
    bias : ndarray of shape (4H,)
    dense_kernel : ndarray of shape (H, V)
    dense_bias : ndarray of shape (V,)

    Returns
    -------
    LSTMParams
        With ``forget_bias = 0``: Keras has none at run time.
    """
    recurrent_kernel = _gate_array("recurrent_kernel", recurrent_kernel, 2,
                                   meaning="(H, 4H)")
    H = recurrent_kernel.shape[0]
    want = f"with H = {H} (from recurrent_kernel)"
    _gate_array("recurrent_kernel", recurrent_kernel, 2, 4 * H, meaning=f"(H, 4H) {want}")
    kernel = _gate_array("kernel", kernel, 2, 4 * H, meaning=f"(D, 4H) {want}")
    bias = _gate_array("bias", bias, 1, 4 * H, meaning=f"(4H,) {want}")
    for name, a in (("recurrent_kernel", recurrent_kernel), ("bias", bias)):
        check.float_array(name, a, a.ndim, kernel.dtype)
    inv = _inverse(KERAS_ORDER)
    W = _reorder(np.concatenate([kernel, recurrent_kernel]), inv, axis=1).T.copy()
    return LSTMParams(W, _reorder(bias, inv)[:, None].copy(),
                      *_dense(dense_kernel, dense_bias, H, kernel.dtype), forget_bias=0.0)


def to_keras(params):
    """Keras ``LSTM`` and ``Dense`` arrays; ``forget_bias`` is folded into the f block of ``bias``.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    dict
        ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,),
        ``dense_kernel`` (H, V), ``dense_bias`` (V,).
    """
    _check_params(params)
    K = _reorder(params.W, KERAS_ORDER).T
    return {"kernel": K[:params.D].copy(), "recurrent_kernel": K[params.D:].copy(),
            "bias": _reorder(params.b + _forget_column(params), KERAS_ORDER)[:, 0].copy(),
            "dense_kernel": params.Wy.T.copy(), "dense_bias": params.by[:, 0].copy()}


def _check_params(params):
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    if params.layer_norm:  # dropping the norms silently would change the model
        raise ValueError("params has layer norm (norm_gain, norm_shift), which these layouts "
                         "cannot hold: only the cell without layer norm converts")


# --- PyTorch (imported lazily) ---

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
    inv = _inverse(TORCH_ORDER)
    W = np.concatenate([_np(lstm.weight_ih_l0), _np(lstm.weight_hh_l0)], axis=1)
    b = (_np(lstm.bias_ih_l0) + _np(lstm.bias_hh_l0) if lstm.bias
         else np.zeros(4 * lstm.hidden_size, W.dtype))
    by = _np(linear.bias) if linear.bias is not None else np.zeros(linear.out_features, W.dtype)
    return LSTMParams(_reorder(W, inv), _reorder(b, inv)[:, None], _np(linear.weight), by[:, None],
                      forget_bias=0.0)


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
    _check_params(params)
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first must be a bool, got {type(batch_first).__name__}")
    torch = _torch()
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[params.dtype]
    lstm = torch.nn.LSTM(params.D, params.H, batch_first=batch_first, dtype=dtype)
    linear = torch.nn.Linear(params.H, params.V, dtype=dtype)
    W = _reorder(params.W, TORCH_ORDER)
    values = {lstm.weight_ih_l0: W[:, :params.D], lstm.weight_hh_l0: W[:, params.D:],
              lstm.bias_ih_l0: _reorder(params.b + _forget_column(params), TORCH_ORDER)[:, 0],
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
    inv = _inverse(TORCH_ORDER)
    W = np.concatenate([_np(lstm.weight_ih_l0.grad), _np(lstm.weight_hh_l0.grad)], axis=1)
    grads = {"W": _reorder(W, inv), "Wy": _np(linear.weight.grad)}
    if lstm.bias:  # a module without biases has no gradient for them
        grads["b"] = _reorder(_np(lstm.bias_ih_l0.grad), inv)[:, None]
    if linear.bias is not None:
        grads["by"] = _np(linear.bias.grad)[:, None]
    B = None
    if state is not None:
        for name, s in zip(("h0", "c0"), state):
            g = _np(s.grad)
            if g.ndim != 3 or g.shape[0] != 1 or g.shape[2] != lstm.hidden_size:
                raise ValueError(f"{name} must have shape (1, B, H) with H = {lstm.hidden_size}, "
                                 f"got {tuple(g.shape)}")
            grads[name], B = g[0].T, g.shape[1]
    if x is not None:
        g = _np(x.grad)
        layout = "(B, T, D)" if lstm.batch_first else "(T, B, D)"
        if g.ndim != 3 or g.shape[2] != lstm.input_size:
            raise ValueError(f"x must have shape {layout} with D = {lstm.input_size}, "
                             f"got {tuple(g.shape)}")
        if B is not None and g.shape[0 if lstm.batch_first else 1] != B:
            raise ValueError(f"batch_first mismatch: lstm.batch_first={lstm.batch_first} reads x "
                             f"of shape {tuple(g.shape)} as {layout}, but h0 and c0 have B = {B}")
        grads["X"] = g.transpose(1, 2, 0) if lstm.batch_first else g.transpose(0, 2, 1)
    return grads


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
    W = _gate_array("grads['W']", grads["W"], 2, axis=0, meaning="(4H, D+H)")
    H = W.shape[0] // 4
    check.shape("grads['b']", check.float_array("grads['b']", grads["b"], 2), (4 * H, 1), "(4H, 1)")
    Wy = check.float_array("grads['Wy']", grads["Wy"], 2)
    check.shape("grads['Wy']", Wy, (Wy.shape[0], H), f"(V, H) with H = {H}")
    check.shape("grads['by']", check.float_array("grads['by']", grads["by"], 2),
                (Wy.shape[0], 1), "(V, 1)")
    D = W.shape[1] - H
    Wt, bt = _reorder(W, TORCH_ORDER), _reorder(grads["b"], TORCH_ORDER)[:, 0]
    return ({"weight_ih_l0": Wt[:, :D].copy(), "weight_hh_l0": Wt[:, D:].copy(),
             "bias_ih_l0": bt.copy(), "bias_hh_l0": bt.copy()},
            {"weight": Wy.copy(), "bias": grads["by"][:, 0].copy()})
