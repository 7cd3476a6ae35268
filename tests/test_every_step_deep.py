"""Every step predicts, for stacked and bidirectional models: finite differences, state, bad input.

The finite differences here check every gradient of the pass (each cell's W, b
and layer-norm parameters, Wy, by, X and every initial state) against
``deep.model.loss_of``; torch's side is tests/test_every_step_deep_torch.py.
"""

import dataclasses

import numpy as np
import pytest

import lstmdoc
from lstmdoc import deep
from lstmdoc.deep.example import random
from lstmdoc.deep.model import loss_of
from lstmdoc.dropout import dropout_mask
from lstmdoc.gradcheck import check_gradient, relative_error


def every_step(ex, seed=0, layer_norm=False):
    """The example with a (T, B) target, a ragged mask, and (optionally) layer norm in every cell."""
    rng = np.random.default_rng(seed)
    T, _, B = ex.X.shape
    target = rng.integers(0, ex.params.V, size=(T, B))
    mask = (np.arange(T)[:, None] < np.maximum(T - np.arange(B), 1)).astype(float)
    p = ex.params
    if layer_norm:
        def normed(c):
            return deep.Cell(c.W, c.b, c.forget_bias, 1 + 0.3 * rng.standard_normal((5 * c.H, 1)),
                             0.2 * rng.standard_normal((5 * c.H, 1)))
        p = deep.DeepParams(forward=[normed(c) for c in p.forward], Wy=p.Wy, by=p.by,
                            backward=None if p.backward is None else [normed(c) for c in p.backward])
    return dataclasses.replace(ex, params=p, target=target), mask


EXAMPLES = {"stacked": random(seed=31, T=4, D=2, H=(3, 4), V=5, B=3),
            "bidirectional": random(seed=32, T=4, D=2, H=(3,), H_bw=(2,), V=5, B=3),
            "both": random(seed=33, T=3, D=2, H=(3, 2), H_bw=(2, 3), V=4, B=2)}


def gradient_checks(ex, mask, drop=None):
    p, X, y, h0, c0 = ex.params, ex.X, ex.target, ex.h0, ex.c0
    loss, grads = deep.loss_and_grads(p, X, y, h0, c0, target_mask=mask, dropout_mask=drop)

    def f(**change):
        args = {"params": p, "X": X, "h0": h0, "c0": c0, **change}
        return loss_of(args["params"], args["X"], y, args["h0"], args["c0"], mask, drop)

    checks = [check_gradient("X", lambda a: f(X=a), X, grads["X"]),
              check_gradient("Wy", lambda a: f(params=dataclasses.replace(p, Wy=a)), p.Wy, grads["Wy"]),
              check_gradient("by", lambda a: f(params=dataclasses.replace(p, by=a)), p.by, grads["by"])]
    L = p.layers
    for k, cell in enumerate(p.cells):
        stack, layer = ("forward", k) if k < L else ("backward", k - L)
        g = grads[stack][layer]
        for name in g:
            def with_field(a, k=k, name=name):
                cells = list(p.cells)
                cells[k] = dataclasses.replace(cells[k], **{name: a})
                return f(params=deep.DeepParams(forward=cells[:L], Wy=p.Wy, by=p.by,
                                                backward=cells[L:] or None))
            checks.append(check_gradient(f"{stack}[{layer}].{name}", with_field,
                                         getattr(cell, name), g[name]))
        for s, states in (("h0", h0), ("c0", c0)):
            def with_state(a, k=k, s=s, states=states):
                changed = list(states)
                changed[k] = a
                return f(**{s: tuple(changed)})
            checks.append(check_gradient(f"{s}[{k}]", with_state, states[k], grads[s][k]))
    return checks


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("layer_norm", [False, True], ids=["plain", "layer-norm"])
def test_every_gradient_against_finite_differences(name, layer_norm):
    ex, mask = every_step(EXAMPLES[name], layer_norm=layer_norm)
    bad = [c for c in gradient_checks(ex, mask) if not c.ok]
    assert not bad, bad


def test_with_dropout_too():
    ex, mask = every_step(EXAMPLES["both"], layer_norm=True)
    T, _, B = ex.X.shape
    drop = tuple(dropout_mask(0.7, (T, c.H, B), k) for k, c in enumerate(ex.params.cells))
    bad = [c for c in gradient_checks(ex, mask, drop) if not c.ok]
    assert not bad, bad
    plain = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0, target_mask=mask)[0]
    assert deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0, target_mask=mask,
                               dropout_mask=drop)[0] != plain


def test_every_step_reads_every_steps_states_and_the_last_step_is_unchanged():
    ex, mask = every_step(EXAMPLES["both"])
    r = deep.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, target_mask=mask)
    T = ex.X.shape[0]
    assert r.h.shape == (T, 5, 2) and r.logits.shape == (T, 4, 2) and r.dh.shape == r.h.shape
    one = deep.run(ex.params, ex.X, ex.target[-1], ex.h0, ex.c0)
    assert np.array_equal(one.h, r.h[-1])  # [h_fw(T); h_bw(T)] is the last of them
    assert one.logits.shape == (4, 2)


def test_return_state_is_every_cells_last_state():
    ex, mask = every_step(EXAMPLES["stacked"])
    loss, grads, (h, c) = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0,
                                              target_mask=mask, return_state=True)
    r = deep.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, target_mask=mask)
    assert abs(loss - r.loss) <= 1e-12 * r.loss and len(h) == len(c) == 2  # the fast pass
    for l, layer in enumerate(r.forward):
        *_, last = lstmdoc.bptt.lstm_forward(ex.params.cells[l], ex.X if l == 0 else
                                             r.forward[0].h, ex.h0[l], ex.c0[l])
        assert relative_error(h[l], layer.h[-1]) <= 1e-13 and relative_error(c[l], layer.c) <= 1e-13
    bi, _ = every_step(EXAMPLES["bidirectional"])
    with pytest.raises(ValueError, match="a bidirectional model cannot carry its state"):
        deep.loss_and_grads(bi.params, bi.X, bi.target, return_state=True)


def test_bad_masks_are_named():
    ex, mask = every_step(EXAMPLES["stacked"])
    with pytest.raises(ValueError, match=r"target_mask must have shape \(T, B\)"):
        deep.loss_and_grads(ex.params, ex.X, ex.target, target_mask=mask[:, :2])
    with pytest.raises(ValueError, match="dropout_mask must be a list or tuple of 2 arrays"):
        deep.loss_and_grads(ex.params, ex.X, ex.target, dropout_mask=np.ones((4, 3, 3)))
    with pytest.raises(ValueError, match=r"dropout_mask\[1\] \(layer 2\) must have shape"):
        deep.loss_and_grads(ex.params, ex.X, ex.target,
                            dropout_mask=(np.ones((4, 3, 3)), np.ones((4, 3, 3))))
    with pytest.raises(ValueError, match=r"target must have shape \(B,\) = \(3,\)"):
        deep.loss_and_grads(ex.params, ex.X, ex.target[:2])


def test_deep_verify_checks_a_tagger_and_catches_a_misaligned_backward_half(monkeypatch):
    import lstmdoc.deep.model as model
    ex = deep.example.tagger()
    checks = deep.verify(ex, progress=False)
    assert all(c.ok for c in checks) and {"dh_out[fw]", "dh_out[bw]"} <= {c.name for c in checks}
    original = model.entering

    def not_flipped(params, target, dh_out, T):  # the backward half in original, not processing, order
        dh_fw, dh_bw = original(params, target, dh_out, T)
        return dh_fw, dh_bw[::-1]
    monkeypatch.setattr(model, "entering", not_flipped)
    assert [c.name for c in deep.verify(ex, progress=False) if not c.ok]
