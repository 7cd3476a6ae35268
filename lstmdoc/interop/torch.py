"""PyTorch's ``nn.LSTM`` and ``nn.Linear`` as lstmdoc's models, both ways (torch loaded lazily).

One layer, one direction is :class:`~lstmdoc.LSTMParams`. A unidirectional
stack ``nn.LSTM(num_layers=L)`` is :class:`lstmdoc.deep.DeepParams` with L
forward layers (TensorFlow's ``MultiRNNCell``). A one-layer
``nn.LSTM(bidirectional=True)`` whose ``out[-1]`` feeds the ``Linear`` is
lstmdoc's bidirectional model: ``out[-1]`` is ``[h_fw(T); h_bw(T)]``, the
backward direction's state after its first step. The arrays of each cell move
as :data:`lstmdoc.layouts.spec.LAYOUTS` ``["torch"]`` declares.
"""

import numpy as np

from .. import layouts
from ..deep.params import DeepParams
from ..params import LSTMParams
from .layout import check_params

BIDIRECTIONAL_STACK = (
    "torch's bidirectional stacks are not lstmdoc's: in nn.LSTM(bidirectional=True, num_layers=L), "
    "layer 2 reads both directions' outputs [h_fw; h_bw], while lstmdoc's two directions "
    "(TensorFlow's bidirectional_dynamic_rnn over a MultiRNNCell) are independent stacks, "
    "joined only at the output layer; a unidirectional stack or a one-layer bidirectional LSTM "
    "converts")


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover  (depends on the environment)
        raise ImportError("this function needs PyTorch: pip install torch") from exc
    return torch


def check_torch_modules(lstm, linear):
    """Raise a clear error for anything lstmdoc's models cannot express; return (L, directions).

    ``lstm`` is recognised by what ``nn.LSTM`` has (its ``mode`` is ``"LSTM"``),
    ``linear`` by ``nn.Linear``'s attributes: no torch import is needed to check them.
    """
    if getattr(lstm, "mode", None) != "LSTM" or not hasattr(lstm, "num_layers"):
        raise TypeError(f"lstm must be a torch.nn.LSTM, got {type(lstm).__name__}")
    if not all(hasattr(linear, a) for a in ("in_features", "out_features", "weight")):
        raise TypeError(f"linear must be a torch.nn.Linear, got {type(linear).__name__}")
    if lstm.proj_size:
        raise ValueError(f"lstm has proj_size={lstm.proj_size}: an LSTM with projections is "
                         "not supported")
    if lstm.bidirectional and lstm.num_layers > 1:
        raise ValueError(f"lstm is bidirectional with num_layers={lstm.num_layers}: "
                         + BIDIRECTIONAL_STACK)
    directions = 2 if lstm.bidirectional else 1
    if linear.in_features != directions * lstm.hidden_size:
        what = "2H (both directions at out[-1])" if directions == 2 else "H"
        raise ValueError(f"linear must be nn.Linear({what}, V) with H = {lstm.hidden_size} "
                         f"(lstm's hidden_size), got in_features={linear.in_features}")
    dtypes = {str(p.dtype) for p in [*lstm.parameters(), *linear.parameters()]}
    if not dtypes <= {"torch.float32", "torch.float64"} or len(dtypes) != 1:
        raise TypeError("lstm and linear must share one dtype, float32 or float64, got "
                        + ", ".join(sorted(dtypes)))
    return lstm.num_layers, directions


def np_of(t):
    """A tensor's values as a new numpy array."""
    return t.detach().cpu().numpy().copy()


def suffix(layer, direction):
    """The suffix of a cell's parameters in ``nn.LSTM``: ``_l0``, ``_l1_reverse``, ..."""
    return f"_l{layer}" + ("_reverse" if direction else "")


def cells_of(lstm):
    """``(layer, direction)`` of each cell, in lstmdoc's order (forward layers, then backward)."""
    directions = 2 if lstm.bidirectional else 1
    return [(l, d) for d in range(directions) for l in range(lstm.num_layers)]


def torch_names(layer, direction):
    """``{name in the "torch" layout: the cell's parameter name}``, e.g. ``weight_ih_l1``."""
    return {n: n.replace("_l0", suffix(layer, direction)) for n in
            ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")}


def _cell(lstm, layer, direction):
    """One cell of ``lstm`` as a :class:`lstmdoc.deep.Cell` (``b = bias_ih + bias_hh``)."""
    names = torch_names(layer, direction)
    arrays = {n: np_of(getattr(lstm, p)) for n, p in names.items() if lstm.bias or "weight" in n}
    for n in ("bias_ih_l0", "bias_hh_l0"):  # a module built with bias=False has none
        arrays.setdefault(n, np.zeros(4 * lstm.hidden_size, arrays["weight_ih_l0"].dtype))
    return layouts.weights_from("torch", arrays)


def from_torch(lstm, linear):
    """lstmdoc's model of an ``nn.LSTM`` whose ``out[-1]`` feeds an ``nn.Linear(H, V)``.

    Gate blocks i, f, g, o become f, i, cproj, o; ``b = bias_ih + bias_hh``;
    ``forget_bias = 0`` (torch has none: whatever it learnt is in ``b``).

    Parameters
    ----------
    lstm : torch.nn.LSTM
        One layer; or ``num_layers=L`` (a stack); or one bidirectional layer.
    linear : torch.nn.Linear
        ``nn.Linear(H, V)``; ``nn.Linear(2H, V)`` for a bidirectional LSTM.

    Returns
    -------
    LSTMParams or lstmdoc.deep.DeepParams
        LSTMParams for one layer and one direction; otherwise a DeepParams (its
        ``forward`` the stack, its ``backward`` the reverse direction, its
        ``readout`` ``"outputs"``, what ``out[-1]`` holds). In the modules'
        dtype; arrays copied.

    Raises
    ------
    TypeError, ValueError
        For anything lstmdoc's models cannot express: a bidirectional stack,
        ``proj_size``, sizes that do not chain, other dtypes.
    """
    L, directions = check_torch_modules(lstm, linear)
    cells = [_cell(lstm, l, d) for l, d in cells_of(lstm)]
    dtype = cells[0].W.dtype
    bias = np_of(linear.bias) if linear.bias is not None else np.zeros(linear.out_features, dtype)
    Wy, by = layouts.convert.output_from("torch", {"weight": np_of(linear.weight), "bias": bias},
                                         linear.in_features, dtype=dtype)
    if L == 1 and directions == 1:
        return LSTMParams(cells[0].W, cells[0].b, Wy, by, forget_bias=0.0)
    return DeepParams(forward=cells[:L], backward=cells[L:] or None, Wy=Wy, by=by)


def _check_deep(params):
    """The ``(L, directions, H)`` of a DeepParams that one ``nn.LSTM`` can hold."""
    L, directions = params.layers, params.directions
    if directions == 2 and L > 1:
        raise ValueError(f"params has {L} layers in both directions: " + BIDIRECTIONAL_STACK)
    Hs = {cell.H for cell in params.cells}
    if len(Hs) != 1:
        raise ValueError(f"nn.LSTM has one hidden size for every cell; params has H = "
                         f"{tuple(cell.H for cell in params.cells)}")
    return L, directions, Hs.pop()


def to_torch(params, batch_first=False):
    """An ``nn.LSTM`` and ``nn.Linear`` computing the same model.

    ``forget_bias`` is folded into each ``bias_ih``'s f block, ``bias_hh`` is 0; gate
    blocks i, f, g, o. The ``Linear`` reads ``out[-1]`` (a bidirectional model with
    ``readout="states"``: ``torch.cat([h_n[0], h_n[1]], 1)``).

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.DeepParams
        A stack of cells of one hidden size (``num_layers=L``), or one layer in
        both directions (``bidirectional=True``).
    batch_first : bool, optional
        Passed to ``nn.LSTM`` (default no): inputs (B, T, D) instead of (T, B, D).

    Returns
    -------
    lstm, linear : torch.nn.LSTM, torch.nn.Linear
        In the parameters' dtype.
    """
    if isinstance(params, DeepParams):
        (L, directions, H), cells = _check_deep(params), params.cells
    else:
        check_params(params)
        (L, directions, H), cells = (1, 1, params.H), [params]
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first must be a bool, got {type(batch_first).__name__}")
    torch = _torch()
    dtype = getattr(torch, str(params.dtype))  # float32 or float64
    lstm = torch.nn.LSTM(cells[0].D, H, num_layers=L, bidirectional=directions == 2,
                         batch_first=batch_first, dtype=dtype)
    linear = torch.nn.Linear(directions * H, params.V, dtype=dtype)
    values = {linear.weight: params.Wy, linear.bias: params.by[:, 0]}
    for cell, (l, d) in zip(cells, cells_of(lstm)):
        arrays = layouts.weights_to("torch", cell)  # the forget bias folded into bias_ih
        values.update({getattr(lstm, p): arrays[n] for n, p in torch_names(l, d).items()})
    with torch.no_grad():
        for p, v in values.items():
            p.copy_(torch.from_numpy(np.ascontiguousarray(v)))
    return lstm, linear
