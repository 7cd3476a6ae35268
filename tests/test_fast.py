"""The fast passes (lstmdoc.fast, behind loss_and_grads) against the step-by-step run, and their checks."""

import concurrent.futures

import numpy as np
import pytest

import lstmdoc
import lstmdoc.fast
from lstmdoc import fastcheck
from lstmdoc.example import article, random
from lstmdoc.fast import bptt, layer
from lstmdoc.gradcheck import relative_error

SIZES = [(1, 1, 1, 2, 1), (1, 3, 4, 5, 2), (4, 2, 3, 6, 1), (6, 3, 4, 5, 2), (3, 5, 2, 3, 4),
         (12, 7, 9, 11, 16)]
VARIANTS = {"plain": {}, "layer norm": dict(layer_norm=True), "dropout": dict(keep_prob=0.6),
            "both": dict(layer_norm=True, keep_prob=0.6)}


def call(ex, f=lstmdoc.loss_and_grads):
    return f(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=ex.dropout_mask)


def assert_fast_equals_run(ex, tol):
    loss, grads = call(ex)
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, ex.dropout_mask)
    assert abs(loss - r.loss) <= tol * abs(r.loss)
    assert set(grads) == set(r.grads)
    for key in grads:
        assert grads[key].shape == r.grads[key].shape, key
        assert relative_error(grads[key], r.grads[key]) <= tol, key


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: "T{}-D{}-H{}-V{}-B{}".format(*s))
def test_fast_equals_run_at_several_sizes(size, variant):
    T, D, H, V, B = size
    if H <= 2 and VARIANTS[variant].get("layer_norm"):
        pytest.skip("a norm over H <= 2 units outputs constants (x̂ = 0 or ±1): its gradients are round-off")
    assert_fast_equals_run(random(seed=11, T=T, D=D, H=H, V=V, B=B, **VARIANTS[variant]), 1e-12)


def test_fast_equals_run_on_the_article_example_and_with_default_state():
    assert_fast_equals_run(article(), 1e-12)
    ex = random()
    zeros = np.zeros_like(ex.h0)
    a = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    b = lstmdoc.run(ex.params, ex.X, ex.target, zeros, zeros)
    assert abs(a[0] - b.loss) <= 1e-12 * b.loss


@pytest.mark.parametrize("variant", VARIANTS)
def test_saturated_gates_agree(variant):
    """Pre-activations of ±100s: tanh and the sigmoid gates saturate, nothing overflows."""
    ex = random(seed=5, **VARIANTS[variant])
    p = ex.params
    big = lstmdoc.LSTMParams(300 * p.W, 300 * p.b, p.Wy, p.by, norm_gain=p.norm_gain,
                             norm_shift=None if p.norm_shift is None else 300 * p.norm_shift)
    loss, grads = lstmdoc.loss_and_grads(big, ex.X, ex.target, ex.h0, ex.c0,
                                         dropout_mask=ex.dropout_mask)
    r = lstmdoc.run(big, ex.X, ex.target, ex.h0, ex.c0, ex.dropout_mask)
    assert abs(loss - r.loss) <= 1e-12 * r.loss
    for key in grads:
        assert np.all(np.isfinite(grads[key]))
        assert np.allclose(grads[key], r.grads[key], rtol=1e-10, atol=1e-14), key


@pytest.mark.parametrize("variant", VARIANTS)
def test_float32_stays_float32_and_agrees_with_float64(variant):
    ex32, ex64 = (random(T=8, dtype=dtype, **VARIANTS[variant]) for dtype in (np.float32, np.float64))
    loss32, g32 = call(ex32)
    loss64, g64 = call(ex64)
    assert abs(loss32 - loss64) < 1e-5 * loss64
    p = ex32.params
    w = layer.weights(p, p.norm_gain, p.norm_shift)
    fw = layer.forward(w, np.ascontiguousarray(ex32.X.transpose(0, 2, 1)), ex32.h0.T, ex32.c0.T)
    arrays = [*w[:-1], *(w.norm or ()), *fw[:5], *(fw.norm or ())]
    assert all(a.dtype == np.float32 for a in arrays), "an internal buffer was upcast"
    for key in g64:
        assert g32[key].dtype == np.float32, key
        assert relative_error(g32[key].astype(np.float64), g64[key]) < 1e-5, key


def test_inputs_are_not_modified():
    ex = random(**VARIANTS["both"])
    p = ex.params
    arrays = [p.W, p.b, p.Wy, p.by, p.norm_gain, p.norm_shift, ex.X, ex.target, ex.h0, ex.c0,
              ex.dropout_mask]
    before = [a.copy() for a in arrays]
    call(ex)
    assert all(np.array_equal(a, b) for a, b in zip(arrays, before))


@pytest.mark.parametrize("variant", VARIANTS)
def test_results_are_not_views_of_the_kept_buffers(variant):
    ex, other = (random(seed=s, **VARIANTS[variant]) for s in (1, 2))
    loss, grads = call(ex)
    before = {k: g.copy() for k, g in grads.items()}
    call(other)  # same sizes: the same buffers
    assert all(np.array_equal(grads[k], before[k]) for k in grads)
    lstmdoc.fast.release()
    assert call(ex)[0] == loss


def test_threads_do_not_share_buffers():
    examples = [random(seed=s, T=30, H=16, B=8, layer_norm=s % 2 == 1) for s in range(4)]
    serial = [call(e) for e in examples]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            for (loss, grads), (loss1, grads1) in zip(pool.map(call, examples), serial):
                assert loss == loss1 and all(np.array_equal(grads[k], grads1[k]) for k in grads)


def test_bad_input_is_rejected_before_the_fast_pass():
    ex = random()
    with pytest.raises(ValueError, match="X must have shape"):
        lstmdoc.loss_and_grads(ex.params, ex.X[:, :2], ex.target)
    with pytest.raises(TypeError, match="h0 has dtype float32"):
        lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0.astype(np.float32))
    with pytest.raises(ValueError, match="dropout_mask must not be negative"):
        lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, dropout_mask=-np.ones((6, 4, 2)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_loss_and_grads_is_the_fast_pass_for_every_variant(monkeypatch, variant):
    ex = random(**VARIANTS[variant])
    calls = []
    original = lstmdoc.fast.loss_and_grads
    monkeypatch.setattr(lstmdoc.fast, "loss_and_grads",
                        lambda *args: calls.append(args) or original(*args))
    monkeypatch.setattr(lstmdoc.model, "run", None)  # would fail if called
    call(ex)
    assert len(calls) == 1


def test_a_layer_run_backwards_in_time_is_the_layer_on_reversed_input():
    """reverse=True walks the buffers through reversed views; the result is the flipped input's."""
    ex = random(seed=3, T=5, B=3)
    w = layer.weights(ex.params)
    X = np.ascontiguousarray(ex.X.transpose(0, 2, 1))
    dh_out = np.random.default_rng(0).standard_normal((5, 3, 4))
    results = []
    for reverse, inputs, dh in ((True, X, dh_out), (False, X[::-1].copy(), dh_out[::-1].copy())):
        fw = layer.forward(w, inputs, ex.h0.T, ex.c0.T, reverse=reverse, slot=reverse)
        outputs = fw.outputs.copy() if reverse else fw.outputs[::-1].copy()
        g = bptt.backward(w, fw, dh_out=dh)
        results.append((outputs, g.dW, g.db, g.dX if reverse else g.dX[::-1], g.dh0, g.dc0))
    for a, b in zip(*results):
        assert relative_error(a, b) < 1e-14


def test_check_passes_and_names_every_gradient():
    keys = ("W", "b", "Wy", "by", "X", "h0", "c0")
    for ex, extra in ((random(), ()), (random(layer_norm=True), ("norm_gain", "norm_shift"))):
        checks = fastcheck.check(ex)
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        names = {"fast == run: loss"} | {f"{kind}{k}" for k in keys + extra
                                        for kind in ("fast == run: ", "fast: ")}
        assert {c.name for c in checks} == names


def test_check_fails_on_a_missing_gradient(monkeypatch):
    original = lstmdoc.fast.loss_and_grads

    def forgetful(*args):
        loss, grads = original(*args)
        return loss, {k: g for k, g in grads.items() if k != "norm_shift"}

    monkeypatch.setattr(lstmdoc.fast, "loss_and_grads", forgetful)
    failed = [c.name for c in fastcheck.check(random(T=2, layer_norm=True)) if not c.ok]
    assert failed == ["fast == run: norm_shift", "fast: norm_shift"]


FIELDS = ["dW", "db", "dX", "dh0", "dc0", "dnorm_gain", "dnorm_shift"]
KEYS = dict(zip(FIELDS, ["W", "b", "X", "h0", "c0", "norm_gain", "norm_shift"]))


@pytest.mark.parametrize("field", FIELDS)
def test_check_catches_a_fast_gradient_off_by_1e_minus_4(monkeypatch, field):
    """A wrong fast gradient fails both halves of the check: against run and against finite differences."""
    original = bptt.totals

    def wrong(*args):
        g = original(*args)
        return g._replace(**{field: getattr(g, field) * (1 + 1e-4)})

    monkeypatch.setattr(bptt, "totals", wrong)
    failed = {c.name for c in fastcheck.check(random(T=3, layer_norm=True, keep_prob=0.6)) if not c.ok}
    assert failed == {f"fast == run: {KEYS[field]}", f"fast: {KEYS[field]}"}


@pytest.mark.parametrize("block_bytes", [1, 800, 2**30], ids=["step by step", "2 steps", "one block"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_blocks_of_local_derivatives_do_not_change_the_result(monkeypatch, block_bytes, variant):
    monkeypatch.setattr(bptt, "BLOCK_BYTES", block_bytes)
    assert_fast_equals_run(random(seed=2, T=7, B=3, **VARIANTS[variant]), 1e-12)


def test_check_catches_a_wrong_local_derivative(monkeypatch):
    original = bptt.local_derivatives

    def wrong(G, C_prev, TC, K, M=None):
        K_c = original(G, C_prev, TC, K, M)
        K[..., :1] *= 1.001  # one unit of the forget gate's block, at every step
        return K_c

    monkeypatch.setattr(bptt, "local_derivatives", wrong)
    failed = {c.name for c in fastcheck.check(random(T=3)) if not c.ok}
    assert "fast == run: W" in failed and "fast: W" in failed


WRONG = [("model", "loss_and_grads"), ("fast", "loss_and_grads"), ("fast.readout", "last_step"),
         ("fast.readout", "output_layer"), ("fast.passes", "output"),
         ("fast.layer", "weights"), ("fast.norm", "norm_weights"), ("fast.norm", "param_grads"),
         ("fast.bptt", "local_derivatives"), ("fast.bptt", "totals")]


@pytest.mark.parametrize("module, name", WRONG, ids=[f"{m}.{n}" for m, n in WRONG])
def test_the_build_refuses_a_wrong_fast_pass(verify_hook, scale_by, module, name):
    """``make html`` refuses what users call (lstmdoc.model.loss_and_grads) or a kernel scaled by 1.001."""
    hook, app = verify_hook
    hook.verify_fast(app)  # the real pass: no error
    scale_by(module, name)
    with pytest.raises(hook.VerificationError, match="fast == run"):
        hook.verify_fast(app)


@pytest.mark.parametrize("module, name", [("deep.model", "loss_and_grads"), ("fast", "deep_loss_and_grads")])
def test_the_build_refuses_a_wrong_deep_fast_pass(verify_hook, scale_by, module, name):
    hook, app = verify_hook
    scale_by(module, name)
    with pytest.raises(hook.VerificationError, match="fast == run: loss"):
        hook.verify_fast(app)


def every_step_loss(p, X, target, mask, h0, c0, dropout_mask):
    """The every-step loss written independently: run's forward, then each step's output layer."""
    from lstmdoc.bptt import lstm_forward
    from lstmdoc.output import output_forward, softmax

    _, _, caches = lstm_forward(p, X, h0, c0, dropout_mask=dropout_mask)
    ce = [-np.log(softmax(output_forward(c.o * c.tanh_c, p.Wy, p.by))[target[t], np.arange(X.shape[2])])
          for t, c in enumerate(caches)]
    return float((mask * np.array(ce)).sum() / mask.sum())


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_step_fast_pass_against_finite_differences(variant):
    """Targets of shape (T, B) with a ragged mask: the output layer over all T·B rows at once."""
    import dataclasses

    from lstmdoc.fast import passes
    from lstmdoc.gradcheck import check_gradient

    ex = random(seed=3, **VARIANTS[variant])
    T, _, B = ex.X.shape
    rng = np.random.default_rng(1)
    target, mask = rng.integers(0, ex.params.V, size=(T, B)), np.ones((T, B))
    mask[T // 2:, 0] = 0  # the first sequence ends early
    args = (target, mask, ex.h0, ex.c0, ex.dropout_mask)
    loss, grads, (h, c) = passes.loss_and_grads(ex.params, ex.X, target, ex.h0, ex.c0, ex.dropout_mask,
                                                mask, return_state=True)
    assert abs(loss - every_step_loss(ex.params, ex.X, *args)) < 1e-12 * loss
    for name in ("W", "b", "Wy", "by") + (("norm_gain", "norm_shift") if ex.params.layer_norm else ()):
        f = lambda a, name=name: every_step_loss(dataclasses.replace(ex.params, **{name: a}), ex.X, *args)
        assert check_gradient(name, f, getattr(ex.params, name), grads[name]).ok, name
    assert check_gradient("X", lambda a: every_step_loss(ex.params, a, *args), ex.X, grads["X"]).ok
    from lstmdoc.bptt import lstm_forward
    h_T, c_T, _ = lstm_forward(ex.params, ex.X, ex.h0, ex.c0, dropout_mask=ex.dropout_mask)
    assert relative_error(h, h_T) < 1e-14 and relative_error(c, c_T) < 1e-14  # return_state
