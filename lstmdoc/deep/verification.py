"""Every gradient of a deep model's pass, compared with central finite differences.

As in :mod:`lstmdoc.verification`: for each quantity, write the rest of the pass
as a function of it, and compare the analytic gradient with central differences.
Besides every parameter of every cell, ``X`` and every initial state, this
checks what crosses between layers and between directions:

- ``dx[d,l,k]``: the ``dx`` of layer l ≥ 2 at step k, the gradient that enters
  the ``dHt`` of layer l−1 at step k (perturb layer l's input only);
- ``dHt[d,l,k]``: the whole gradient of layer l's ``h`` at step k, its own
  ``dh_next`` plus the ``dx`` from above (perturb ``h`` where both read it);
- ``dh_out[d]``: each direction's half of the output layer's gradient.

``d`` is ``fw`` or ``bw``; ``l`` counts layers from 1; ``k`` indexes the
stack's steps in its processing order (for ``bw``, step k reads ``x_{T-k}``).
"""

import numpy as np

from ..bptt import lstm_forward
from ..gradcheck import check_gradient
from ..output import cross_entropy, output_forward
from .bidirectional import flip_time
from .model import loss_of, run
from .params import Cell
from .stacked import hidden_states, stack_forward


def verify(example, tol=1e-6):
    """Check every gradient of a deep example's pass against finite differences.

    Parameters
    ----------
    example : DeepExample
        In float64.
    tol : float
        Largest accepted :func:`~lstmdoc.gradcheck.relative_error`.

    Returns
    -------
    list of Check
        ``"Wy"``, ``"by"``, ``"X"``, ``"dlogits"``, ``"dh_out[d]"``; then for
        every cell ``"W[d,l]"``, ``"b[d,l]"``, ``"h0[d,l]"``, ``"c0[d,l]"``, and
        for every step ``"dHt[d,l,k]"`` and (l ≥ 2) ``"dx[d,l,k]"``.

    Examples
    --------
    >>> from lstmdoc import deep
    >>> checks = deep.verify(deep.example.stacked())
    >>> len(checks), all(c.ok for c in checks)
    (22, True)
    """
    p, X, y, h0, c0 = example.params, example.X, example.target, example.h0, example.c0
    r = run(p, X, y, h0, c0)
    stacks = [("fw", r.forward, r.forward_grads, p.forward, X)]
    if p.backward is not None:
        stacks.append(("bw", r.backward, r.backward_grads, p.backward, flip_time(X)))
    checks = _verify_output(p, X, y, h0, c0, r, [d for d, *_ in stacks], tol)
    for k, (d, layers, grads, cells, X_in) in enumerate(stacks):
        first = k * p.layers  # this stack's first cell in p.cells
        tail = _tail_loss(p, y, r, d, cells, h0[first:first + p.layers], c0[first:first + p.layers])
        for l in range(p.layers):
            below = X_in if l == 0 else layers[l - 1].h
            j = first + l
            checks += _verify_cell(f"{d},{l + 1}", l, cells[l], below, h0[j], c0[j], grads[l],
                                   tail, tol)
            checks += _verify_steps(d, l, cells[l], below, layers[l], grads[l], tail, tol)
    return checks


def _verify_output(p, X, y, h0, c0, r, directions, tol):
    """The output layer, X, and the two halves of the gradient it sends into [h_fw(T); h_bw(T)]."""
    g = r.grads

    def output_loss(Wy, by):  # nothing before the output layer depends on Wy or by
        return cross_entropy(output_forward(r.h, Wy, by), y)[0]

    checks = [
        check_gradient("Wy", lambda Wy: output_loss(Wy, p.by), p.Wy, g["Wy"], tol),
        check_gradient("by", lambda by: output_loss(p.Wy, by), p.by, g["by"], tol),
        check_gradient("X", lambda X: loss_of(p, X, y, h0, c0), X, g["X"], tol),
        check_gradient("dlogits", lambda z: cross_entropy(z, y)[0], r.logits, r.dlogits, tol),
    ]
    H_fw = p.forward[-1].H
    for d, rows in zip(directions, (slice(0, H_fw), slice(H_fw, None))):
        def from_half(half, rows=rows):
            h = r.h.copy()
            h[rows] = half
            return cross_entropy(output_forward(h, p.Wy, p.by), y)[0]
        checks.append(check_gradient(f"dh_out[{d}]", from_half, r.h[rows], r.dh[rows], tol))
    return checks


def _tail_loss(p, y, r, d, cells, h0, c0):
    """The loss as a function of what enters layer ``l`` of direction ``d``, everything below fixed.

    ``tail(l, inputs, cell=None, h=None, c=None)`` runs layers ``l, l+1, …``
    (0-based) of the stack on ``inputs`` (T, D_l, B), optionally with layer l's
    cell or initial state replaced, and combines the stack's new top state at
    T with the other direction's. Layers below l are not rerun; ``l = L``
    takes ``inputs`` as the top layer's outputs.
    """
    H_fw = p.forward[-1].H

    def tail(l, inputs, cell=None, h=None, c=None):
        if l == len(cells):  # above the top layer: inputs are the stack's output
            top = inputs
        else:
            run_cells = [cell or cells[l], *cells[l + 1:]]
            hs = [h if h is not None else h0[l], *h0[l + 1:]]
            cs = [c if c is not None else c0[l], *c0[l + 1:]]
            top = stack_forward(run_cells, inputs, hs, cs)[-1].h
        out = r.h.copy()
        if d == "fw":
            out[:H_fw] = top[-1]
        else:
            out[H_fw:] = flip_time(top)[-1]  # h_bw(T): the first processing step
        return cross_entropy(output_forward(out, p.Wy, p.by), y)[0]
    return tail


def _verify_cell(tag, l, cell, inputs, h0, c0, grads, tail, tol):
    """One cell's W, b and initial state (only this layer and those above are rerun)."""
    def with_W(W):
        return tail(l, inputs, cell=Cell(W, cell.b, cell.forget_bias))

    def with_b(b):
        return tail(l, inputs, cell=Cell(cell.W, b, cell.forget_bias))

    return [check_gradient(f"W[{tag}]", with_W, cell.W, grads.dW, tol),
            check_gradient(f"b[{tag}]", with_b, cell.b, grads.db, tol),
            check_gradient(f"h0[{tag}]", lambda h: tail(l, inputs, h=h), h0, grads.dh0, tol),
            check_gradient(f"c0[{tag}]", lambda c: tail(l, inputs, c=c), c0, grads.dc0, tol)]


def _verify_steps(d, l, cell, inputs, layer, grads, tail, tol):
    """Layer ``l``'s checks at every step ``k``: its whole dHt, and (above layer 1) its dx."""
    checks = []
    T = len(layer.caches)
    for k, (cache, g) in enumerate(zip(layer.caches, grads.steps)):
        c_k = cache.f * cache.c_prev + cache.i * cache.cproj

        def from_h(h, k=k, c_k=c_k):  # h_k replaced where both step k+1 and the layer above read it
            later = hidden_states(lstm_forward(cell, inputs, h, c_k, k + 1)[2]) if k + 1 < T \
                else layer.h[:0]
            return tail(l + 1, np.concatenate([layer.h[:k], h[None], later]))

        checks.append(check_gradient(f"dHt[{d},{l + 1},{k}]", from_h, layer.h[k], g.dHt, tol))
        if l > 0:
            def from_input(x, k=k):  # layer l's input at step k replaced, the layer below unchanged
                changed = inputs.copy()
                changed[k] = x
                return tail(l, changed)
            checks.append(check_gradient(f"dx[{d},{l + 1},{k}]", from_input, inputs[k], g.dx, tol))
    return checks
