"""The fast pass (lstmdoc.fast, behind loss_and_grads) against the step-by-step run, and its checks."""

import concurrent.futures
import os
import sys
import types

import numpy as np
import pytest

import lstmdoc
from lstmdoc import fast
from lstmdoc.example import article, random
from lstmdoc.gradcheck import relative_error

SIZES = [(1, 1, 1, 2, 1), (1, 3, 4, 5, 2), (4, 2, 3, 6, 1), (6, 3, 4, 5, 2), (3, 5, 2, 3, 4),
         (12, 7, 9, 11, 16)]


def assert_fast_equals_run(ex, tol):
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - r.loss) <= tol * abs(r.loss)
    assert set(grads) == set(r.grads)
    for key in grads:
        assert grads[key].shape == r.grads[key].shape, key
        assert relative_error(grads[key], r.grads[key]) <= tol, key


@pytest.mark.parametrize("size", SIZES, ids=lambda s: "T{}-D{}-H{}-V{}-B{}".format(*s))
def test_fast_equals_run_at_several_sizes(size):
    T, D, H, V, B = size
    assert_fast_equals_run(random(seed=11, T=T, D=D, H=H, V=V, B=B), 1e-12)


def test_fast_equals_run_on_the_article_example_and_with_default_state():
    assert_fast_equals_run(article(), 1e-12)
    ex = random()
    zeros = np.zeros_like(ex.h0)
    a = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    b = lstmdoc.run(ex.params, ex.X, ex.target, zeros, zeros)
    assert abs(a[0] - b.loss) <= 1e-12 * b.loss


def test_saturated_gates_agree():
    """Pre-activations of ±100s: tanh and the sigmoid gates saturate, nothing overflows."""
    ex = random(seed=5)
    p = ex.params
    big = lstmdoc.LSTMParams(300 * p.W, 300 * p.b, p.Wy, p.by)
    loss, grads = lstmdoc.loss_and_grads(big, ex.X, ex.target, ex.h0, ex.c0)
    r = lstmdoc.run(big, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - r.loss) <= 1e-12 * r.loss
    for key in grads:
        assert np.all(np.isfinite(grads[key]))
        assert np.allclose(grads[key], r.grads[key], rtol=1e-10, atol=1e-14), key


def test_float32_stays_float32_and_agrees_with_float64():
    ex32, ex64 = random(T=8, dtype=np.float32), random(T=8)
    loss32, g32 = lstmdoc.loss_and_grads(ex32.params, ex32.X, ex32.target, ex32.h0, ex32.c0)
    loss64, g64 = lstmdoc.loss_and_grads(ex64.params, ex64.X, ex64.target, ex64.h0, ex64.c0)
    assert abs(loss32 - loss64) < 1e-5 * loss64
    w = fast.weights(ex32.params)
    fw = fast.forward(w, ex32.X, ex32.h0, ex32.c0)
    assert all(a.dtype == np.float32 for a in (*w, *fw)), "an internal buffer was upcast"
    for key in g64:
        assert g32[key].dtype == np.float32, key
        assert relative_error(g32[key].astype(np.float64), g64[key]) < 1e-5, key


def test_inputs_are_not_modified():
    ex = random()
    arrays = [ex.params.W, ex.params.b, ex.params.Wy, ex.params.by, ex.X, ex.target, ex.h0, ex.c0]
    before = [a.copy() for a in arrays]
    lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert all(np.array_equal(a, b) for a, b in zip(arrays, before))


def test_results_are_not_views_of_the_kept_buffers():
    ex, other = random(seed=1), random(seed=2)
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    before = {k: g.copy() for k, g in grads.items()}
    lstmdoc.loss_and_grads(other.params, other.X, other.target, other.h0, other.c0)  # same sizes
    assert all(np.array_equal(grads[k], before[k]) for k in grads)
    fast.release()
    assert lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)[0] == loss


def test_threads_do_not_share_buffers():
    examples = [random(seed=s, T=30, H=16, B=8) for s in range(4)]
    serial = [lstmdoc.loss_and_grads(e.params, e.X, e.target, e.h0, e.c0) for e in examples]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            done = list(pool.map(lambda e: lstmdoc.loss_and_grads(e.params, e.X, e.target, e.h0, e.c0),
                                 examples))
            for (loss, grads), (loss1, grads1) in zip(done, serial):
                assert loss == loss1 and all(np.array_equal(grads[k], grads1[k]) for k in grads)


def test_bad_input_is_rejected_before_the_fast_pass():
    ex = random()
    with pytest.raises(ValueError, match="X must have shape"):
        lstmdoc.loss_and_grads(ex.params, ex.X[:, :2], ex.target)
    with pytest.raises(TypeError, match="h0 has dtype float32"):
        lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0.astype(np.float32))


def test_loss_and_grads_is_the_fast_pass_for_the_plain_cell(monkeypatch):
    ex = random()
    calls = []
    original = fast.loss_and_grads
    monkeypatch.setattr(fast, "loss_and_grads", lambda *args: calls.append(args) or original(*args))
    lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert len(calls) == 1 and fast.covers(ex.params)


def test_a_model_the_fast_pass_does_not_cover_falls_back_to_run(monkeypatch):
    ex = random()
    monkeypatch.setattr(fast, "covers", lambda params: False)
    monkeypatch.setattr(fast, "loss_and_grads", None)  # would fail if called
    loss, _ = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert loss == lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0).loss


def test_check_passes_and_names_every_gradient():
    checks = fast.check(random())
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    keys = ("W", "b", "Wy", "by", "X", "h0", "c0")
    assert {c.name for c in checks} == ({"fast == run: loss"} | {f"fast == run: {k}" for k in keys}
                                        | {f"fast: {k}" for k in keys})


OUTPUTS = ["dW", "db", "dX", "dh0", "dc0"]


@pytest.mark.parametrize("index", range(len(OUTPUTS)), ids=OUTPUTS)
def test_check_catches_a_fast_gradient_off_by_1e_minus_4(monkeypatch, index):
    """A wrong fast gradient fails both halves of the check: against run and against finite differences."""
    original = fast.backward

    def wrong(*args):
        out = list(original(*args))
        out[index] = out[index] * (1 + 1e-4)
        return tuple(out)

    monkeypatch.setattr(fast, "backward", wrong)
    key = ["W", "b", "X", "h0", "c0"][index]
    failed = {c.name for c in fast.check(random(T=3)) if not c.ok}
    assert failed == {f"fast == run: {key}", f"fast: {key}"}


@pytest.mark.parametrize("block_bytes", [1, 800, 2**30], ids=["step by step", "2 steps", "one block"])
def test_blocks_of_local_derivatives_do_not_change_the_result(monkeypatch, block_bytes):
    monkeypatch.setattr(fast, "BLOCK_BYTES", block_bytes)
    assert_fast_equals_run(random(seed=2, T=7, B=3), 1e-12)


def test_check_catches_a_wrong_local_derivative(monkeypatch):
    original = fast.local_derivatives

    def wrong(G, C_prev, TC, K):
        K_c = original(G, C_prev, TC, K)
        K[..., :1] *= 1.001  # one unit of the forget gate's block, at every step
        return K_c

    monkeypatch.setattr(fast, "local_derivatives", wrong)
    failed = {c.name for c in fast.check(random(T=3)) if not c.ok}
    assert "fast == run: W" in failed and "fast: W" in failed


def test_the_build_refuses_a_wrong_fast_pass(monkeypatch):
    """The Sphinx hook itself (docs/_ext/lstmdoc_verify.py) raises on a wrong fast gradient."""
    pytest.importorskip("sphinx")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "docs", "_ext"))
    try:
        import lstmdoc_verify
    finally:
        sys.path.pop(0)
    app = types.SimpleNamespace(config=types.SimpleNamespace(lstmdoc_tolerance=1e-6))
    lstmdoc_verify.verify_fast(app)  # the real pass: no error
    original = fast.loss_and_grads

    def wrong(*args):
        loss, grads = original(*args)
        return loss, {**grads, "Wy": grads["Wy"] * 1.001}

    monkeypatch.setattr(fast, "loss_and_grads", wrong)
    with pytest.raises(lstmdoc_verify.VerificationError, match="fast == run: Wy"):
        lstmdoc_verify.verify_fast(app)
