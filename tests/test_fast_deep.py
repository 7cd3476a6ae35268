"""The deep models' fast pass (lstmdoc.fast.deep, behind deep.loss_and_grads) against deep.run."""

import numpy as np
import pytest

import lstmdoc.deep.model
from lstmdoc import deep, fastcheck
from lstmdoc.fast import deep as fast_deep
from lstmdoc.gradcheck import relative_error

MODELS = {  # name: (H, H_bw) for deep.example.random
    "one layer": ((5,), None), "stacked": ((4, 6), None), "three layers": ((3, 5, 4), None),
    "bidirectional": ((5,), (3,)), "both": ((4, 5), (5, 4)),
}
SIZES = [(1, 1, 2, 1), (2, 3, 4, 1), (5, 2, 6, 3), (9, 4, 3, 8)]  # T, D, V, B


def assert_fast_equals_run(ex, tol=1e-12):
    loss, grads = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    r = deep.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - r.loss) <= tol * r.loss
    ours, theirs = fastcheck.flat(grads), fastcheck.flat(r.grads)
    assert set(ours) == set(theirs)
    for key in theirs:
        assert ours[key].shape == theirs[key].shape, key
        assert relative_error(ours[key], theirs[key]) <= tol, key


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: "T{}-D{}-V{}-B{}".format(*s))
def test_deep_fast_equals_run(model, size):
    H, H_bw = MODELS[model]
    T, D, V, B = size
    assert_fast_equals_run(deep.example.random(model, 7, T, D, H, H_bw, V, B))


def test_the_article_deep_runs():
    for layers in (1, 2):
        for bidirectional in (False, True):
            assert_fast_equals_run(deep.example.article(layers, bidirectional))


def test_float32_stays_float32():
    ex32 = deep.example.random("both", 1, 4, 3, (4, 5), (5, 4), 6, 3, dtype=np.float32)
    ex64 = deep.example.random("both", 1, 4, 3, (4, 5), (5, 4), 6, 3)
    g32 = fastcheck.flat(deep.loss_and_grads(ex32.params, ex32.X, ex32.target, ex32.h0, ex32.c0)[1])
    g64 = fastcheck.flat(deep.loss_and_grads(ex64.params, ex64.X, ex64.target, ex64.h0, ex64.c0)[1])
    for key in g64:
        assert g32[key].dtype == np.float32, key
        assert relative_error(g32[key].astype(np.float64), g64[key]) < 1e-5, key


def test_deep_loss_and_grads_is_the_fast_pass(monkeypatch):
    ex = deep.example.both()
    monkeypatch.setattr(lstmdoc.deep.model, "run", None)  # would fail if called
    calls = []
    original = fast_deep.loss_and_grads
    monkeypatch.setattr(lstmdoc.fast, "deep_loss_and_grads",
                        lambda *args: calls.append(args) or original(*args))
    deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert len(calls) == 1


def test_results_are_not_views_of_the_kept_buffers():
    ex, other = deep.example.both(seed=3), deep.example.both(seed=4)
    loss, grads = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    before = {k: g.copy() for k, g in fastcheck.flat(grads).items()}
    deep.loss_and_grads(other.params, other.X, other.target, other.h0, other.c0)
    assert all(np.array_equal(g, before[k]) for k, g in fastcheck.flat(grads).items())


def test_check_deep_catches_a_wrong_gradient(scale_by):
    scale_by("fast.bptt", "totals")
    failed = {c.name for c in fastcheck.check_deep(deep.example.both()) if not c.ok}
    assert "fast == run: forward[0].W" in failed and "fast == run: backward[1].W" in failed


def test_deep_verify_checks_the_fast_pass(scale_by):
    """The build's finite differences (deep.verify) hold the fast deep pass itself."""
    scale_by("fast.bptt", "totals")
    failed = {c.name for c in deep.verify(deep.example.stacked(), sample=3, progress=False) if not c.ok}
    assert {"W[fw,1]", "W[fw,2]"} <= failed


@pytest.mark.parametrize("readout", ["outputs", "states"])
def test_both_readouts(readout):
    assert_fast_equals_run(deep.example.random("both", 5, 4, 3, (4, 5), (5, 4), 6, 3, readout=readout))


def with_norms_and_masks(ex, keep_prob=0.7, seed=0):
    """``ex`` with layer norm in every cell and a dropout mask per cell (processing order)."""
    import dataclasses

    from lstmdoc.dropout import dropout_mask

    rng = np.random.default_rng(seed)

    def normed(cell):
        H = cell.H
        return dataclasses.replace(cell, norm_gain=1 + 0.3 * rng.standard_normal((5 * H, 1)),
                                   norm_shift=0.2 * rng.standard_normal((5 * H, 1)))
    p = ex.params
    params = dataclasses.replace(p, forward=tuple(map(normed, p.forward)),
                                 backward=None if p.backward is None else tuple(map(normed, p.backward)))
    T, _, B = ex.X.shape
    masks = tuple(dropout_mask(keep_prob, (T, c.H, B), seed + k) for k, c in enumerate(params.cells))
    return params, masks


@pytest.mark.parametrize("model", ["stacked", "both"])
@pytest.mark.parametrize("every", [False, True], ids=["last step", "every step"])
def test_deep_fast_with_layer_norm_dropout_and_every_step_targets(model, every):
    H, H_bw = MODELS[model]
    ex = deep.example.random(model, 9, 5, 3, H, H_bw, 6, 4)
    params, masks = with_norms_and_masks(ex)
    T, _, B = ex.X.shape
    rng = np.random.default_rng(2)
    target = rng.integers(0, 6, size=(T, B)) if every else ex.target
    kw = dict(dropout_mask=masks)
    if every:
        kw["target_mask"] = (rng.random((T, B)) < 0.7) * 1.0 + np.eye(T, B)  # ragged, never all zero
    loss, grads = deep.loss_and_grads(params, ex.X, target, ex.h0, ex.c0, **kw)
    r = deep.run(params, ex.X, target, ex.h0, ex.c0, **kw)
    assert abs(loss - r.loss) <= 1e-12 * r.loss
    ours, theirs = fastcheck.flat(grads), fastcheck.flat(r.grads)
    assert set(ours) == set(theirs) and any(k.endswith("norm_gain") for k in ours)
    for key in theirs:
        assert relative_error(ours[key], theirs[key]) <= 1e-12, key


def test_deep_return_state_is_every_forward_cells_last_state():
    ex = deep.example.random("stacked", 3, 5, 3, (4, 6), None, 6, 4)
    _, _, (hs, cs) = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0, return_state=True)
    r = deep.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    for h, c, layer in zip(hs, cs, r.forward):
        assert np.array_equal(h, layer.h[-1]) or relative_error(h, layer.h[-1]) < 1e-14
        assert relative_error(c, layer.c) < 1e-14
