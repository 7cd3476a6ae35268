"""PyTorch's gradient converters checked without torch (what the build runs; the tests add torch).

``grads_to_torch`` is numpy: its result must equal the central differences of
the loss written in torch's names (for one cell, a stack, both directions).
``grads_from_torch`` reads ``.grad`` from modules and tensors; here it reads
them from stand-ins that hold the same arrays (:class:`StandIn`), so the
round trip lstmdoc → torch's layout → lstmdoc must give lstmdoc's gradients back.
"""

from types import SimpleNamespace

import numpy as np

from .. import deep, example, layouts, model
from ..layouts.verification import directional, exact, layout_loss
from . import torch_grads
from .torch import torch_names


class StandIn:
    """What the converters read of a torch tensor or parameter: ``.grad``, ``.dtype``, values."""

    def __init__(self, value, grad=None):
        self.value, self.grad = value, None if grad is None else StandIn(grad)
        self.dtype = f"torch.{value.dtype}"

    def detach(self):
        return self

    cpu = detach

    def numpy(self):
        return self.value


def stand_in_modules(cells, output, H, D, directions=1):
    """An ``nn.LSTM`` and ``nn.Linear`` stand-in: ``cells`` a list of ``{name: (value, grad)}``
    in lstmdoc's order with torch's ``_l0`` names, ``output`` ``{"weight", "bias"}`` likewise."""
    L = len(cells) // directions
    params = {}
    for k, cell in enumerate(cells):
        params.update({p: StandIn(*cell[n]) for n, p in torch_names(k % L, k // L).items()})
    lstm = SimpleNamespace(mode="LSTM", num_layers=L, bidirectional=directions == 2, proj_size=0,
                           hidden_size=H, input_size=D, batch_first=False, bias=True, **params)
    lstm.parameters = lambda: list(params.values())
    linear = SimpleNamespace(in_features=directions * H, out_features=len(output["bias"][0]),
                             **{n: StandIn(*v) for n, v in output.items()})
    linear.parameters = lambda: [linear.weight, linear.bias]
    return lstm, linear


def _single(tol):
    """One cell: grads_to_torch against finite differences; grads_from_torch's round trip."""
    ex = example.random()
    _, g = model.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    arrays, loss = layout_loss("torch", ex)
    lstm_g, linear_g = torch_grads.grads_to_torch(g)
    checks = directional(arrays, loss, {**lstm_g, **linear_g}, tol, "grads_to_torch ")
    t = layouts.grads_to("torch", g)  # checked against finite differences by layouts.verification
    lstm, linear = stand_in_modules([{n: (arrays[n], t[n]) for n in lstm_g}],
                                    {n: (arrays[n], t[n]) for n in linear_g},
                                    ex.params.H, ex.params.D)
    x = StandIn(arrays["input"], t["input"])
    state = (StandIn(arrays["h_0"], t["h_0"]), StandIn(arrays["c_0"], t["c_0"]))
    back = torch_grads.grads_from_torch(lstm, linear, x, state)
    return checks + [exact(f"grads_from_torch {k}", back[k], g[k]) for k in g]


def _deep_arrays(params):
    """Each cell's arrays in torch's layout (``_l0`` names), and the output layer's."""
    cells = [layouts.weights_to("torch", cell) for cell in params.cells]
    return cells, layouts.convert.output_to("torch", params.Wy, params.by)


def _deep(ex, tol):
    """A stack or both directions: grads_to_torch against finite differences, and the round trip."""
    p = ex.params
    _, g = deep.loss_and_grads(p, ex.X, ex.target, ex.h0, ex.c0)
    cells, output = _deep_arrays(p)
    L = p.layers
    names = [{n: q for n, q in torch_names(k % L, k // L).items()} for k in range(len(cells))]
    arrays = {q: cells[k][n] for k in range(len(cells)) for n, q in names[k].items()}
    arrays.update(output)

    def loss(a):
        cs = [layouts.weights_from("torch", {n: a[q] for n, q in names[k].items()})
              for k in range(len(cells))]
        q = deep.DeepParams(forward=cs[:L], backward=cs[L:] or None, Wy=a["weight"],
                            by=a["bias"][:, None])
        return deep.model.loss_of(q, ex.X, ex.target, ex.h0, ex.c0)
    lstm_g, linear_g = torch_grads.grads_to_torch(g)
    checks = directional(arrays, loss, {**lstm_g, **linear_g}, tol, f"{ex.name} grads_to_torch ")
    cell_g = [layouts.grads_to("torch", c) for c in (*g["forward"], *g.get("backward", ()))]
    lstm, linear = stand_in_modules(
        [{n: (cells[k][n], cell_g[k][n]) for n in names[k]} for k in range(len(cells))],
        {"weight": (output["weight"], g["Wy"]), "bias": (output["bias"], g["by"][:, 0])},
        p.cells[0].H, p.D, p.directions)
    x = StandIn(ex.X.transpose(0, 2, 1), g["X"].transpose(0, 2, 1))   # torch's (T, B, D)
    state = tuple(StandIn(np.stack([s.T for s in ex_s]), np.stack([d.T for d in g[r]]))
                  for r, ex_s in (("h0", ex.h0), ("c0", ex.c0)))           # (cells, B, H)
    back = torch_grads.grads_from_torch(lstm, linear, x, state)
    flat = [(f"{d}[{k}] {n}", c[n], g[d][k][n]) for d in ("forward", "backward") if d in back
            for k, c in enumerate(back[d]) for n in ("W", "b")]
    flat += [(f"{r}[{k}]", a, g[r][k]) for r in ("h0", "c0") for k, a in enumerate(back[r])]
    flat += [(n, back[n], g[n]) for n in ("X", "Wy", "by")]
    return checks + [exact(f"{ex.name} grads_from_torch {name}", a, b) for name, a, b in flat]


def verify(tol=1e-6):
    """PyTorch's gradient converters on the random examples: one cell, a stack, both directions.

    Returns
    -------
    list of Check
        All must pass.
    """
    stack = deep.example.random("stacked", seed=31, T=4, D=3, H=(4, 4), V=5, B=2)
    both_ways = deep.example.random("bidirectional", seed=32, T=4, D=3, H=(4,), H_bw=(4,), V=5, B=2)
    return _single(tol) + _deep(stack, tol) + _deep(both_ways, tol)
