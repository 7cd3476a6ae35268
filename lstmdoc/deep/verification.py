"""Every gradient of a deep model's pass, compared with central finite differences.

The contract of :func:`lstmdoc.verify`: for each quantity, write the rest of
the pass as a function of it and compare the analytic gradient with central
differences, every entry or a seeded sample. The gradients of the parameters,
of ``X`` and of the initial states are the ones users get, from
:func:`~lstmdoc.deep.loss_and_grads`. Besides those, this checks what crosses
between layers and between directions, from :func:`~lstmdoc.deep.run`:

- ``dx[d,l,k]``: the ``dx`` of layer l ≥ 2 at step k, the gradient that enters
  the ``dHt`` of layer l−1 at step k (perturb layer l's input only);
- ``dHt[d,l,k]``: the whole gradient of layer l's ``h`` at step k, its own
  ``dh_next`` plus the ``dx`` from above (perturb ``h`` where both read it);
- ``dh_out[d]``: each direction's half of the output layer's gradient (with a
  (T, B) target, at every step: every step predicts).

``d`` is ``fw`` or ``bw``; ``l`` counts layers from 1; ``k`` indexes the
stack's steps in its processing order (for ``bw``, step k reads ``x_{T-k}``).
Each job carries its cost, the cell steps one evaluation of the loss reruns,
for the progress bar and for ``sample="auto"``.
"""

import numpy as np

from ..bptt import lstm_forward
from ..every_step import loss_of as readout_loss, sequence_cross_entropy, weights
from ..gradcheck import check_jobs
from ..output import cross_entropy
from ..verification import resolve_sample
from . import model
from .bidirectional import backward_read, flip_time
from .example import DeepExample
from .params import Cell
from .stacked import hidden_states, stack_forward


def verify(params, X=None, target=None, h0=None, c0=None, *, target_mask=None, tol=1e-6,
           eps=1e-6, sample="auto", seed=0, progress=True):
    """Check every gradient of a deep model's pass against central finite differences.

    Same signature and behaviour as :func:`lstmdoc.verify`: ``verify(params,
    X, target, h0, c0)`` on a model of your own (``h0``, ``c0`` tuples, one
    per cell, zeros when omitted), or ``verify(example)`` on a
    :class:`~lstmdoc.deep.example.DeepExample`; float64 only; ``tol``,
    ``eps``, ``sample`` (``"auto"``: every entry when that costs at most
    :data:`~lstmdoc.verification.EXHAUSTIVE_UP_TO` cell steps, else
    :data:`~lstmdoc.verification.SAMPLE` per quantity), ``seed`` and
    ``progress`` (a tqdm bar after 2 s) as there; ``target`` (B,) or (T, B)
    with its ``target_mask`` (:mod:`lstmdoc.every_step`; an example's own).

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
    >>> ex = deep.example.random(T=4, D=16, H=(32, 32), V=50, B=8)
    >>> checks = deep.verify(ex.params, ex.X, ex.target, sample=4, progress=False)
    >>> all(c.ok for c in checks), checks[0].entries, checks[0].size
    (True, 4, 1600)
    """
    params, X, target, h0, c0, target_mask = _arguments(params, X, target, h0, c0, target_mask)
    jobs = _jobs(params, X, target, h0, c0, target_mask)
    sample = resolve_sample(sample, sum(2 * x.size * steps for *_, x, _, steps in jobs))
    return check_jobs(jobs, tol, eps, sample, seed, progress, "lstmdoc.deep.verify")


def _arguments(params, X, target, h0, c0, mask):
    """``(params, X, target, h0, c0, mask)`` from a DeepExample or as given, checked, in float64."""
    if isinstance(params, DeepExample):
        if not all(a is None for a in (X, target, h0, c0)):
            raise TypeError("verify(example) takes the data from the example; pass tol, eps, "
                            "sample, seed and progress by keyword")
        mask = params.target_mask if mask is None else mask
        params, X, target, h0, c0 = params.params, params.X, params.target, params.h0, params.c0
    target, h0, c0 = model.check_inputs(params, X, target, h0, c0, mask)
    if any(c.layer_norm for c in params.cells):
        raise ValueError("deep.verify checks cells without layer norm (the tests check layer "
                         "norm in stacks against finite differences and torch)")
    if params.dtype != np.float64:
        raise TypeError(f"verify needs float64 parameters and inputs, got {params.dtype}: finite "
                        "differences in float32 are too coarse to verify anything")
    return params, X, target, h0, c0, mask


def _jobs(p, X, target, h0, c0, mask=None):
    """Every check as a job ``(name, f, x, analytic, cell steps per call of f)``."""
    y = (target, mask)
    _, grads = model.loss_and_grads(p, X, target, h0, c0, target_mask=mask)  # what users call
    r = model.run(p, X, target, h0, c0, target_mask=mask)  # the crossings inside it
    jobs = _output_jobs(p, X, y, h0, c0, r, grads)
    stacks = [("fw", "forward", r.forward, r.forward_grads, p.forward, X)]
    if p.backward is not None:
        stacks.append(("bw", "backward", r.backward, r.backward_grads, p.backward, flip_time(X)))
    for k, (d, key, layers, layer_grads, cells, X_in) in enumerate(stacks):
        first, L = k * p.layers, p.layers  # this stack's first cell in p.cells
        tail = _Tail(p, y, r, d, cells, layers)
        for l in range(L):
            below = X_in if l == 0 else layers[l - 1].h
            g, j = grads[key][l], first + l
            jobs += _cell_jobs(f"{d},{l + 1}", l, cells[l], below, tail,
                               (g["W"], g["b"], grads["h0"][j], grads["c0"][j]), h0[j], c0[j])
            jobs += _step_jobs(d, l, cells[l], below, layers[l], layer_grads[l], tail)
    return jobs


def _output_jobs(p, X, y, h0, c0, r, grads):
    """The output layer, X, and the two halves of the gradient it sends into the stacks."""
    target, mask = y
    every = target.ndim == 2
    read = r.h if every else r.h[None]  # what the output layer reads, one (H, B) per reading

    def output_loss(h=read, Wy=p.Wy, by=p.by):  # nothing before the output layer depends on Wy, by
        return readout_loss(h, Wy, by, target, mask)

    def from_logits(z):
        if not every:
            return cross_entropy(z, target)[0]
        return sequence_cross_entropy(z, target, weights(target, mask, z.dtype))[0]

    jobs = [("Wy", lambda Wy: output_loss(Wy=Wy), p.Wy, grads["Wy"], 1),
            ("by", lambda by: output_loss(by=by), p.by, grads["by"], 1),
            ("X", lambda X: model.loss_of(p, X, target, h0, c0, mask), X, grads["X"],
             p.directions * p.layers * len(X)),
            ("dlogits", from_logits, r.logits, r.dlogits, 1)]
    H_fw = p.forward[-1].H
    for d, rows in zip(("fw", "bw")[:p.directions], (slice(0, H_fw), slice(H_fw, None))):
        def from_half(half, rows=rows):
            h = read.copy()
            h[:, rows] = half if every else half[None]
            return output_loss(h)
        jobs.append((f"dh_out[{d}]", from_half, r.h[..., rows, :], r.dh[..., rows, :], 1))
    return jobs


class _Tail:
    """The loss as a function of what enters layer ``l`` of one stack, everything else as computed.

    Calling it, ``tail(l, inputs, start=0, cell=None, h=None, c=None)``, reruns
    layers ``l, l+1, …`` (0-based) of the stack on ``inputs`` (T, D_l, B), in
    processing order, from step ``start`` to the step the output layer reads
    (:attr:`read`), optionally with layer l's cell or initial state replaced.
    Everything else is kept from the forward pass: the layers below, the steps
    before ``start`` (which cannot see a change at ``start``), those after
    ``read`` (which the loss cannot see), and the other direction. ``l = L``
    takes ``inputs`` as the top layer's outputs.
    """

    def __init__(self, p, y, r, d, cells, layers):
        self.p, self.r, self.cells, self.layers = p, r, cells, layers
        (self.target, self.mask), self.d = y, d
        T, H_fw = len(layers[0].caches), p.forward[-1].H
        self.rows = slice(0, H_fw) if d == "fw" else slice(H_fw, None)
        self.every = self.target.ndim == 2  # every step predicts: the loss reads every step
        # Processing order: the backward stack's h_bw(T) is its step 0 (backward_read).
        self.read = T - 1 if d == "fw" or p.readout == "states" or self.every else 0

    def __call__(self, l, inputs, start=0, cell=None, h=None, c=None):
        if start > self.read:
            return self.r.loss  # a change after the state the loss reads
        for m in range(l, len(self.cells)):
            h_m, c_m = self.state_before(m, start)
            cell_m = self.cells[m]
            if m == l:  # the layer that receives the change
                cell_m, h_m, c_m = cell or cell_m, h_m if h is None else h, c_m if c is None else c
            caches = lstm_forward(cell_m, inputs[:self.read + 1], h_m, c_m, start)[2]
            inputs = np.concatenate([self.layers[m].h[:start], hidden_states(caches)])
        if self.every:  # every step's [h_fw(t); h_bw(t)], this stack's rows replaced
            out = self.r.h.copy()
            out[:, self.rows] = inputs if self.d == "fw" else flip_time(inputs)
        else:
            out = self.r.h.copy()[None]
            out[0, self.rows] = inputs[self.read]
        return readout_loss(out, self.p.Wy, self.p.by, self.target, self.mask)

    def state_before(self, m, start):
        """Layer ``m``'s ``(h, c)`` before step ``start``, as the forward pass had them."""
        cache = self.layers[m].caches[start]
        return cache.z[self.cells[m].D:], cache.c_prev

    def cost(self, l, start=0):
        """Cell steps one call reruns (at least 1, for the output layer)."""
        return max(1, (len(self.cells) - l) * (self.read + 1 - start))


def _cell_jobs(tag, l, cell, inputs, tail, analytic, h0, c0):
    """One cell's W, b and initial state (only this layer and those above are rerun)."""
    dW, db, dh0, dc0 = analytic
    steps = tail.cost(l)

    def with_W(W):
        return tail(l, inputs, cell=Cell(W, cell.b, cell.forget_bias))

    def with_b(b):
        return tail(l, inputs, cell=Cell(cell.W, b, cell.forget_bias))

    return [(f"W[{tag}]", with_W, cell.W, dW, steps), (f"b[{tag}]", with_b, cell.b, db, steps),
            (f"h0[{tag}]", lambda h: tail(l, inputs, h=h), h0, dh0, steps),
            (f"c0[{tag}]", lambda c: tail(l, inputs, c=c), c0, dc0, steps)]


def _step_jobs(d, l, cell, inputs, layer, grads, tail):
    """Layer ``l``'s checks at every step ``k``: its whole dHt, and (above layer 1) its dx."""
    jobs = []
    for k, (cache, g) in enumerate(zip(layer.caches, grads.steps)):
        c_k = cache.f * cache.c_prev + cache.i * cache.cproj

        def from_h(h, k=k, c_k=c_k):  # h_k replaced where both step k+1 and the layer above read it
            later = lstm_forward(cell, inputs[:tail.read + 1], h, c_k, k + 1)[2]
            outputs = [layer.h[:k], h[None]] + ([hidden_states(later)] if later else [])
            return tail(l + 1, np.concatenate(outputs), start=k)

        jobs.append((f"dHt[{d},{l + 1},{k}]", from_h, layer.h[k], g.dHt,
                     max(0, tail.read - k) + tail.cost(l + 1, k)))
        if l > 0:
            def from_input(x, k=k):  # layer l's input at step k replaced, the layer below unchanged
                changed = inputs.copy()
                changed[k] = x
                return tail(l, changed, start=k)
            jobs.append((f"dx[{d},{l + 1},{k}]", from_input, inputs[k], g.dx, tail.cost(l, k)))
    return jobs
