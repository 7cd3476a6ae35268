"""Rungs 2 and 3: whole steps and the whole BPTT against finite differences; the contract."""

import numpy as np
import pytest

import lstmdoc
from lstmdoc.example import article, random
from lstmdoc.verification import STEP_NAMES

SIZES = [(1, 1, 1, 2, 1), (1, 3, 4, 5, 2), (4, 2, 3, 6, 1), (6, 3, 4, 5, 2), (3, 5, 2, 3, 4)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: "T{}-D{}-H{}-V{}-B{}".format(*s))
def test_every_gradient_of_the_pass_at_several_sizes(size):
    T, D, H, V, B = size
    ex = random(seed=7, T=T, D=D, H=H, V=V, B=B)
    checks = lstmdoc.verify(ex, tol=1e-6)
    names = {c.name for c in checks}
    expected = {"W", "b", "Wy", "by", "X", "h0", "c0", "dlogits"} | {
        f"{n}[{t}]" for n in STEP_NAMES for t in range(T)}
    assert names == expected
    bad = [c for c in checks if not c.ok]
    assert not bad, bad


def test_both_worked_examples_verify():
    for ex in (article(), random()):
        checks = lstmdoc.verify(ex)
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        assert max(c.rel_error for c in checks) < 1e-7


MUTANTS = [("cell_backward", n) for n in ("dHt", "dOt", "dCt", "dCprojt", "dFt", "dIt", "dW",
                                         "db", "dHX", "dC_next")] + \
          [("every_step", n) for n in ("dlogits", "dWy", "dBy", "dh_output")]


@pytest.mark.parametrize("module, name", MUTANTS, ids=[n for _, n in MUTANTS])
def test_verify_catches_any_backward_function_scaled_by_1_001(scale_by, module, name):
    """The build relies on this: one backward function off by 0.1 % fails verification."""
    scale_by(module, name)
    failed = [c.name for c in lstmdoc.verify(random(T=3)) if not c.ok]
    assert failed, f"scaling {name} by 1.001 went unnoticed"


def test_contract_shapes_and_keys():
    ex = random()
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert isinstance(loss, float) and loss > 0
    assert set(grads) == {"W", "b", "Wy", "by", "X", "h0", "c0"}
    p = ex.params
    for key, value in [("W", p.W), ("b", p.b), ("Wy", p.Wy), ("by", p.by), ("X", ex.X),
                       ("h0", ex.h0), ("c0", ex.c0)]:
        assert grads[key].shape == value.shape, key
        assert grads[key].dtype == np.float64, key


def test_default_initial_state_is_zeros():
    ex = random()
    zeros = np.zeros_like(ex.h0)
    assert lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)[0] == \
        lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, zeros, zeros)[0]


def test_run_matches_loss_and_grads_and_keeps_every_step():
    ex = random()
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(r.loss - loss) <= 1e-12 * loss  # loss_and_grads is the fast pass: equal to round-off
    assert len(r.steps) == len(r.caches) == ex.X.shape[0]
    # The weight gradient is the sum of every step's share (the Σ_t of the equations).
    assert np.allclose(sum(g.dW for g in r.steps), grads["W"])
    assert np.allclose(np.stack([g.dx for g in r.steps]), grads["X"])


def test_inputs_are_not_modified():
    ex = random()
    arrays = [ex.params.W, ex.params.b, ex.params.Wy, ex.params.by, ex.X, ex.target, ex.h0, ex.c0]
    before = [a.copy() for a in arrays]
    lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    lstmdoc.verify(random(T=2))
    for a, b in zip(arrays, before):
        assert np.array_equal(a, b)


def test_float32_agrees_with_float64():
    ex64 = random()
    ex32 = random(dtype=np.float32)
    loss64, g64 = lstmdoc.loss_and_grads(ex64.params, ex64.X, ex64.target, ex64.h0, ex64.c0)
    loss32, g32 = lstmdoc.loss_and_grads(ex32.params, ex32.X, ex32.target, ex32.h0, ex32.c0)
    assert abs(loss32 - loss64) < 1e-5 * loss64
    for key in g64:
        assert g32[key].dtype == np.float32, key
        assert lstmdoc.gradcheck.relative_error(g32[key].astype(np.float64), g64[key]) < 1e-5, key


def test_large_logits_do_not_overflow():
    ex = random()
    p = ex.params
    big = lstmdoc.LSTMParams(p.W, p.b, 1e4 * p.Wy, p.by)
    loss, grads = lstmdoc.loss_and_grads(big, ex.X, ex.target, ex.h0, ex.c0)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_article_example_facts():
    ex = article()
    assert ex.vocab == ("a", "ago", "consider", "council", "general", "had", "long", "mice",
                        "the", "to")
    assert ex.words == ("the", "mice", "had") and ex.vocab[ex.target[0]] == "a"
    assert ex.shape == (3, 10, 5, 10, 1)
    assert np.all(ex.params.W == 0.1) and np.all(ex.params.b == 0.1)
    assert ex.params.forget_bias == 1.0
    # Wy is the transpose of the article's (H, V) kernel.
    assert ex.params.Wy[1, 0] == -2.2044923 and ex.params.Wy[0, 1] == 1.156649
    assert np.array_equal(ex.X.sum(axis=1), np.ones((3, 1)))
