"""A model as named arrays and back: a single cell (:class:`~lstmdoc.LSTMParams`) or a stack.

A single cell's arrays are named as its fields, ``W``, ``b``, ``Wy``, ``by``,
``forget_bias`` (and ``norm_gain``, ``norm_shift`` with layer norm), as in
format version 1. A stacked or bidirectional model
(:class:`~lstmdoc.deep.DeepParams`) names each cell's by its stack and layer:
``forward[0].W``, ``backward[1].forget_bias``; its shape is in ``meta``.
"""

import numpy as np

from ..deep import Cell, DeepParams
from ..params import LSTMParams
from .archive import CheckpointError

CELL = ("W", "b", "forget_bias")
LAYER_NORM = ("norm_gain", "norm_shift")
"""Arrays a cell has only with layer norm."""


def cell_arrays(cell, prefix=""):
    arrays = {f"{prefix}{n}": getattr(cell, n) for n in ("W", "b")}
    arrays[f"{prefix}forget_bias"] = np.float64(cell.forget_bias)
    arrays.update({f"{prefix}{n}": getattr(cell, n) for n in LAYER_NORM
                   if getattr(cell, n, None) is not None})
    return arrays


def to_arrays(params):
    """``(arrays, description)``: the model's named arrays and what ``meta`` records of its shape."""
    if isinstance(params, LSTMParams):
        return {**cell_arrays(params), "Wy": params.Wy, "by": params.by}, {"kind": "lstm"}
    if not isinstance(params, DeepParams):
        raise TypeError(f"params must be an LSTMParams or a DeepParams, got {type(params).__name__}")
    arrays = {"Wy": params.Wy, "by": params.by}
    for stack in ("forward", "backward"):
        for k, cell in enumerate(getattr(params, stack) or ()):
            arrays.update(cell_arrays(cell, f"{stack}[{k}]."))
    return arrays, {"kind": "deep", "layers": params.layers,
                    "bidirectional": params.backward is not None}


def from_arrays(arrays, description, error):
    """The model ``to_arrays`` described; ``error(problem)`` for what is missing or damaged."""
    def need(name):
        if name not in arrays:
            raise error(f"damaged checkpoint: no array {name!r}")
        return arrays[name]

    def cell(prefix, kind):
        forget_bias = need(f"{prefix}forget_bias")
        if forget_bias.shape != () or forget_bias.dtype.kind != "f":
            raise error(f"damaged checkpoint: '{prefix}forget_bias' is not one number")
        norm = {n: arrays[f"{prefix}{n}"] for n in LAYER_NORM if f"{prefix}{n}" in arrays}
        return kind(need(f"{prefix}W"), need(f"{prefix}b"), forget_bias=float(forget_bias), **norm)

    kind = description.get("kind", "lstm") if isinstance(description, dict) else None
    try:
        if kind == "lstm":
            return cell("", lambda W, b, **kw: LSTMParams(W, b, need("Wy"), need("by"), **kw))
        if kind == "deep":
            layers, both = description.get("layers"), description.get("bidirectional")
            if isinstance(layers, bool) or not isinstance(layers, int) or layers < 1:
                raise error(f"damaged checkpoint: the model's layers are {layers!r}")
            stack = [[cell(f"{d}[{k}].", Cell) for k in range(layers)]
                     for d in (("forward", "backward") if both else ("forward",))]
            return DeepParams(forward=stack[0], backward=stack[1] if both else None,
                              Wy=need("Wy"), by=need("by"))
    except CheckpointError:
        raise
    except (TypeError, ValueError) as e:
        raise error(f"damaged checkpoint: {e}") from None
    raise error(f"damaged checkpoint: a model of unknown kind {kind!r}")
