"""Every step predicts: (T, B) targets, the mask, the many-to-one model unchanged, bad input."""

import numpy as np
import pytest

import lstmdoc
from lstmdoc.bptt import lstm_backward, lstm_forward
from lstmdoc.example import random
from lstmdoc.gradcheck import relative_error
from lstmdoc.output import cross_entropy, dBy, dh_output, dlogits, dWy, output_forward


def passes(ex, **kw):
    return lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, ex.dropout_mask,
                       target_mask=ex.target_mask, **kw)


@pytest.mark.parametrize("ex", [lstmdoc.example.article(), random(), random(layer_norm=True),
                                random(keep_prob=0.75), random(seed=3, T=1, B=1)],
                         ids=["article", "random", "layer-norm", "dropout", "T1-B1"])
def test_a_last_step_target_is_the_articles_model_bit_for_bit(ex):
    """The (B,) path computes exactly what the article's functions compute, in the same order."""
    p = ex.params
    h, c, caches = lstm_forward(p, ex.X, ex.h0, ex.c0, dropout_mask=ex.dropout_mask)
    logits = output_forward(h, p.Wy, p.by)
    loss, probs = cross_entropy(logits, ex.target)
    d = dlogits(probs, ex.target)
    steps, dW, db, dX, dh0, dc0, *_ = lstm_backward(dh_output(d, p.Wy), caches, p.W)
    r = passes(ex)
    assert r.loss == loss
    for name, ours, theirs in [("logits", r.logits, logits), ("probs", r.probs, probs),
                               ("dlogits", r.dlogits, d), ("h", r.h, h), ("c", r.cs[-1], c),
                               ("W", r.grads["W"], dW), ("b", r.grads["b"], db),
                               ("Wy", r.grads["Wy"], dWy(d, h)), ("by", r.grads["by"], dBy(d)),
                               ("X", r.grads["X"], dX), ("h0", r.grads["h0"], dh0),
                               ("c0", r.grads["c0"], dc0)]:
        assert np.array_equal(ours, theirs), name
    assert r.dh_out.shape == (len(ex.X), p.H, ex.X.shape[2]) and not r.dh_out[:-1].any()


def test_one_step_every_step_is_the_many_to_one_model():
    ex = random(seed=1, T=1, B=3)
    one = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    every = lstmdoc.run(ex.params, ex.X, ex.target[None], ex.h0, ex.c0)
    assert abs(one.loss - every.loss) <= 1e-15 * one.loss
    assert np.allclose(every.logits[0], one.logits, rtol=0, atol=0)
    for key in one.grads:
        assert relative_error(one.grads[key], every.grads[key]) < 1e-15, key


def test_the_loss_is_the_masked_mean_of_every_steps_cross_entropy():
    ex = random(every_step=True, T=5, B=3, seed=2)
    r = passes(ex)
    ce = np.array([[cross_entropy(r.logits[t][:, [n]], ex.target[t, [n]])[0] for n in range(3)]
                   for t in range(5)])
    m = ex.target_mask
    assert np.isclose(r.loss, (m * ce).sum() / m.sum(), rtol=1e-14)
    # Each step's logits are the article's output layer on that step's h.
    hs = np.stack([cache.o * cache.tanh_c for cache in r.caches])
    assert all(np.array_equal(r.logits[t], output_forward(hs[t], ex.params.Wy, ex.params.by))
               for t in range(5))


def test_masked_predictions_change_nothing():
    ex = random(every_step=True, T=5, B=3, seed=2)
    assert (ex.target_mask == 0).any()
    other = ex.target.copy()
    other[ex.target_mask == 0] = (other[ex.target_mask == 0] + 1) % ex.params.V
    a, b = passes(ex), lstmdoc.run(ex.params, ex.X, other, ex.h0, ex.c0,
                                   target_mask=ex.target_mask)
    assert a.loss == b.loss and all(np.array_equal(a.grads[k], b.grads[k]) for k in a.grads)
    assert not a.dlogits.transpose(0, 2, 1)[ex.target_mask == 0].any()  # (T, B, V) rows


def test_a_mask_scaled_is_the_same_loss_and_the_default_mask_is_ones():
    ex = random(every_step=True, seed=4)
    twice = lstmdoc.run(ex.params, ex.X, ex.target, target_mask=2 * ex.target_mask)
    once = lstmdoc.run(ex.params, ex.X, ex.target, target_mask=ex.target_mask)
    assert np.isclose(twice.loss, once.loss, rtol=1e-15)
    ones = lstmdoc.run(ex.params, ex.X, ex.target, target_mask=np.ones_like(ex.target_mask))
    default = lstmdoc.run(ex.params, ex.X, ex.target)
    assert ones.loss == default.loss


@pytest.mark.parametrize("ex", [random(every_step=True), random(every_step=True, layer_norm=True),
                                random(every_step=True, keep_prob=0.75),
                                random(every_step=True, layer_norm=True, keep_prob=0.75),
                                random(seed=5, T=1, B=1, every_step=True),
                                random(seed=6, T=4, D=5, H=3, V=7, B=4, every_step=True)],
                         ids=["plain", "layer-norm", "dropout", "both", "T1-B1", "B4"])
def test_every_step_gradients_verify(ex):
    checks = lstmdoc.verify(ex, progress=False)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    T = ex.X.shape[0]
    assert {f"dh_out[{k}]" for k in range(T)} <= {c.name for c in checks}


def test_loss_and_grads_equals_run_and_returns_the_last_state():
    ex = random(every_step=True, layer_norm=True)
    r = passes(ex)
    loss, grads, (h, c) = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0,
                                                 target_mask=ex.target_mask, return_state=True)
    # loss_and_grads is the fast pass: equal to run to round-off, not to the bit
    assert abs(loss - r.loss) <= 1e-12 * r.loss
    assert all(relative_error(grads[k], r.grads[k]) <= 1e-12 for k in r.grads)
    h2, c2, _ = lstm_forward(ex.params, ex.X, ex.h0, ex.c0)  # a second pass, for comparison
    assert relative_error(h, h2) <= 1e-13 and relative_error(c, c2) <= 1e-13
    plain = random()
    _, _, (h, c) = lstmdoc.loss_and_grads(plain.params, plain.X, plain.target, return_state=True)
    assert relative_error(h, lstmdoc.run(plain.params, plain.X, plain.target).h) <= 1e-13


EVERY_STEP_MUTANTS = [("every_step", n) for n in ("sequence_dlogits", "dWy", "dBy", "dh_output")]


@pytest.mark.parametrize("module, name", EVERY_STEP_MUTANTS, ids=[n for _, n in EVERY_STEP_MUTANTS])
def test_verify_catches_a_wrong_every_step_gradient(scale_by, module, name):
    scale_by(module, name)
    failed = [c.name for c in lstmdoc.verify(random(every_step=True, T=3)) if not c.ok]
    assert failed, f"scaling {name} by 1.001 went unnoticed"


# --- bad input -------------------------------------------------------------------------------

def call(target, mask=None, ex=None):
    ex = ex or random(every_step=True)
    return lstmdoc.loss_and_grads(ex.params, ex.X, target, target_mask=mask)


@pytest.mark.parametrize("target, message", [
    (np.zeros((5, 2), int), r"target must have shape \(B,\) = \(2,\) .* \(T, B\) = \(6, 2\)"),
    (np.zeros((2, 6), int), r"got \(2, 6\)"),
    (np.zeros(3, int), r"target must have shape \(B,\) = \(2,\)"),
    (np.zeros((6, 2, 1), int), r"target must have shape \(B,\) = \(2,\) or \(T, B\)"),
    (np.full((6, 2), 5), r"target must lie in \[0, V\) = \[0, 5\)"),
])
def test_a_target_of_the_wrong_shape_is_named(target, message):
    with pytest.raises(ValueError, match=message):
        call(target)


@pytest.mark.parametrize("mask, error, message", [
    (np.ones((6, 3)), ValueError, r"target_mask must have shape \(T, B\) = \(6, 2\)"),
    (np.ones(2), ValueError, "target_mask must be 2-D"),
    (-np.ones((6, 2)), ValueError, "target_mask must not be negative"),
    (np.zeros((6, 2)), ValueError, "all zero"),
    (np.ones((6, 2), bool), TypeError, "target_mask must have dtype float32 or float64"),
    (np.ones((6, 2), np.float32), TypeError, "target_mask has dtype float32 but the parameters"),
    ([[1.0] * 2] * 6, TypeError, "target_mask must be a numpy ndarray"),
    (np.full((6, 2), np.nan), ValueError, "target_mask contains NaN"),
])
def test_a_bad_mask_is_named(mask, error, message):
    ex = random(every_step=True)
    with pytest.raises(error, match=message):
        call(ex.target, mask, ex)


def test_a_mask_needs_an_every_step_target():
    ex = random()
    with pytest.raises(ValueError, match="target_mask weighs a prediction at every step"):
        call(ex.target, np.ones((6, 2)), ex)


def test_the_build_refuses_a_wrong_every_step_gradient(scale_by, monkeypatch, tmp_path, verify_hook):
    """What `make html` and `make doctest` run first: the hook stops the build."""
    lstmdoc_verify, App = verify_hook

    scale_by("every_step", "sequence_dlogits")  # a many-to-one example cannot see this
    monkeypatch.setattr(lstmdoc_verify, "EXAMPLES",
                        tuple(m for m in lstmdoc_verify.EXAMPLES if m().target.ndim == 2))
    assert len(lstmdoc_verify.EXAMPLES) == 1

    with pytest.raises(lstmdoc_verify.VerificationError):
        lstmdoc_verify.verify_all(App)
    assert not (tmp_path / "_generated").exists()
