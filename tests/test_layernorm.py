"""The whole cell: layer norm and recurrent dropout, each piece and the whole pass.

Rung 1, layer norm alone against finite differences; rung 3, every gradient of
the pass with layer norm and/or dropout; TensorFlow's own unit-test vector; and
the plain cell, bit for bit as it was before layer norm was added.
"""

import hashlib

import numpy as np
import pytest

import lstmdoc
from lstmdoc import LSTMParams
from lstmdoc.cell import cell_forward
from lstmdoc.dropout import dropout_mask
from lstmdoc.example import article, random
from lstmdoc.gradcheck import numerical_gradient, relative_error
from lstmdoc.layernorm import layernorm_backward, layernorm_forward
from lstmdoc.verification import NORM_STEP_NAMES, STEP_NAMES


@pytest.mark.parametrize("H, B", [(1, 1), (1, 3), (3, 1), (4, 3), (7, 2)])
def test_layernorm_backward_against_finite_differences(H, B):
    rng = np.random.default_rng(H * 10 + B)
    x, dy = rng.standard_normal((H, B)), rng.standard_normal((H, B))
    gain, shift = 1 + 0.3 * rng.standard_normal((H, 1)), rng.standard_normal((H, 1))
    _, cache = layernorm_forward(x, gain, shift)
    dx, dgain, dshift = layernorm_backward(dy, cache)

    def loss(x=x, gain=gain, shift=shift):
        return float(np.sum(dy * layernorm_forward(x, gain, shift)[0]))

    for name, analytic, f, at in [("dx", dx, lambda v: loss(x=v), x),
                                  ("dgain", dgain, lambda v: loss(gain=v), gain),
                                  ("dshift", dshift, lambda v: loss(shift=v), shift)]:
        err = relative_error(analytic, numerical_gradient(f, at))
        assert err < 1e-8, f"{name}: relative error {err:.1e}"


def test_layernorm_forward_normalises_each_column():
    x = np.random.default_rng(0).standard_normal((5, 3)) * 4 + 2
    y, cache = layernorm_forward(x, np.ones((5, 1)), np.zeros((5, 1)))
    assert np.allclose(y.mean(axis=0), 0) and np.allclose(y.var(axis=0), 1)
    assert np.allclose(cache.inv_std, 1 / x.std(axis=0, keepdims=True))


def test_one_unit_has_variance_zero_and_a_finite_zero_gradient():
    """H = 1: x − mean is 0, so the output is the shift and dx is exactly 0."""
    y, cache = layernorm_forward(np.array([[3.0, -2.0]]), np.array([[1.5]]), np.array([[0.25]]))
    assert np.array_equal(y, [[0.25, 0.25]])
    assert np.array_equal(cache.inv_std, [[1e6, 1e6]])  # 1 / sqrt(0 + 1e-12)
    dx, dgain, dshift = layernorm_backward(np.array([[0.7, -0.4]]), cache)
    assert np.array_equal(dx, [[0.0, 0.0]])
    assert np.array_equal(dgain, [[0.0]]) and np.allclose(dshift, [[0.3]])


def test_two_units_normalise_to_minus_one_and_one_whatever_the_input():
    """H = 2: x̂ = ±1 for any two different values, so x̂ does not move with x (dx ≈ 0)."""
    x = np.array([[0.3, 5.0], [-1.2, 7.5]])
    y, cache = layernorm_forward(x, np.ones((2, 1)), np.zeros((2, 1)))
    assert np.allclose(y, [[1, -1], [-1, 1]])
    dx, _, _ = layernorm_backward(np.array([[0.7, -0.4], [0.1, 0.9]]), cache)
    assert np.abs(dx).max() < 1e-9


def tf_unit_test_vector():
    """TensorFlow's LayerNormBasicLSTMCell test: H=2, D=3, every weight 0.5, gains 1, shifts 0."""
    H, D = 2, 3
    params = LSTMParams(np.full((4 * H, D + H), 0.5), np.zeros((4 * H, 1)),
                        np.ones((1, H)), np.zeros((1, 1)),
                        norm_gain=np.ones((5 * H, 1)), norm_shift=np.zeros((5 * H, 1)))
    x, c, h = np.ones((D, 1)), np.array([[0.0], [0.1]]), np.array([[0.2], [0.3]])
    return params, x, h, c


def test_tensorflows_unit_test_vector():
    params, x, h_prev, c_prev = tf_unit_test_vector()
    h, c, cache = cell_forward(params, x, h_prev, c_prev)
    assert np.allclose(h.ravel(), [-0.38079708, 0.38079708], rtol=0, atol=1e-8)
    assert np.allclose(c.ravel(), [-1.0, 1.0], rtol=0, atol=1e-8)  # TF's expected_c
    # Every unit of a block has the same pre-activation, 2.5: the norm maps it to 0.
    for ln in cache.norms[:4]:
        assert np.array_equal(ln.xhat, np.zeros((2, 1)))
    assert np.allclose(cache.f, 1 / (1 + np.exp(-1.0))) and np.array_equal(cache.cproj, 0 * cache.cproj)


@pytest.mark.parametrize("size", [(1, 1, 1, 2, 1), (2, 3, 3, 4, 1), (3, 2, 3, 3, 2), (4, 3, 5, 4, 3)],
                         ids=lambda s: "T{}-D{}-H{}-V{}-B{}".format(*s))
@pytest.mark.parametrize("layer_norm, keep_prob", [(True, None), (False, 0.6), (True, 0.6)],
                         ids=["layernorm", "dropout", "both"])
def test_every_gradient_of_the_whole_cell(size, layer_norm, keep_prob):
    T, D, H, V, B = size
    ex = random(seed=11, T=T, D=D, H=H, V=V, B=B, layer_norm=layer_norm, keep_prob=keep_prob)
    checks = lstmdoc.verify(ex)
    names = {c.name for c in checks}
    per_step = STEP_NAMES + (NORM_STEP_NAMES if layer_norm else ())
    expected = {"W", "b", "Wy", "by", "X", "h0", "c0", "dlogits"} | {
        f"{n}[{t}]" for n in per_step for t in range(T)}
    if layer_norm:
        expected |= {"norm_gain", "norm_shift"}
    assert names == expected
    bad = [c for c in checks if not c.ok]
    assert not bad, bad


def test_contract_keys_with_layer_norm():
    ex = random(layer_norm=True, keep_prob=0.5)
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0,
                                         dropout_mask=ex.dropout_mask)
    assert set(grads) == {"W", "b", "Wy", "by", "X", "h0", "c0", "norm_gain", "norm_shift"}
    assert grads["norm_gain"].shape == grads["norm_shift"].shape == (5 * ex.params.H, 1)
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=ex.dropout_mask)
    assert r.loss == loss
    # The sums over time are the steps' shares, added up.
    assert np.allclose(grads["norm_gain"], sum(g.dnorm_gain for g in r.steps))


def test_dropout_touches_only_the_candidate():
    """A zero in the mask removes that unit's candidate from c_t; f ⊙ c_{t-1} stays."""
    ex = random(keep_prob=0.5)
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=ex.dropout_mask)
    cache = r.caches[0]
    dropped = ex.dropout_mask[0] == 0
    assert dropped.any() and (~dropped).any()
    c = cache.f * cache.c_prev + cache.i * cache.cproj_kept
    assert np.array_equal(c[dropped], (cache.f * cache.c_prev)[dropped])
    assert np.array_equal(r.steps[0].dCprojt[dropped], np.zeros(dropped.sum()))
    assert np.allclose(cache.cproj_kept[~dropped], 2 * cache.cproj[~dropped])  # 1/keep_prob


def test_a_mask_of_ones_is_no_dropout():
    ex = random()
    ones = dropout_mask(1.0, ex.X.shape[:1] + ex.h0.shape, seed=0)
    assert np.array_equal(ones, np.ones_like(ones))
    with_mask = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=ones)
    without = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert with_mask.loss == without.loss
    assert all(np.array_equal(with_mask.grads[k], without.grads[k]) for k in without.grads)


def test_dropout_mask_values_and_seed():
    m = dropout_mask(0.25, (50, 8, 6), seed=3)
    assert set(np.unique(m)) == {0.0, 4.0}
    assert abs((m > 0).mean() - 0.25) < 0.03
    assert np.array_equal(m, dropout_mask(0.25, (50, 8, 6), seed=3))
    assert not np.array_equal(m, dropout_mask(0.25, (50, 8, 6), seed=4))
    assert dropout_mask(0.5, (2, 3, 4), seed=0, dtype=np.float32).dtype == np.float32


def test_float32_with_layer_norm_and_dropout_tracks_float64():
    ex64 = random(layer_norm=True, keep_prob=0.75)
    ex32 = random(layer_norm=True, keep_prob=0.75, dtype=np.float32)
    loss64, g64 = lstmdoc.loss_and_grads(ex64.params, ex64.X, ex64.target, ex64.h0, ex64.c0,
                                         dropout_mask=ex64.dropout_mask)
    loss32, g32 = lstmdoc.loss_and_grads(ex32.params, ex32.X, ex32.target, ex32.h0, ex32.c0,
                                         dropout_mask=ex32.dropout_mask)
    assert isinstance(loss32, float) and abs(loss32 - loss64) < 1e-5
    for key in g64:
        assert g32[key].dtype == np.float32, key
        assert relative_error(g32[key].astype(np.float64), g64[key]) < 1e-4, key


def test_astype_keeps_the_norm():
    p = random(layer_norm=True).params
    q = p.astype(np.float32)
    assert q.layer_norm and q.norm_gain.dtype == q.norm_shift.dtype == np.float32
    assert np.array_equal(q.norm_shift, p.norm_shift.astype(np.float32))


LN_MUTANTS = [("layernorm", "layernorm_backward"), ("cell_backward", "layernorm_param_grads"),
              ("cell_backward", "back_through_norm")]


@pytest.mark.parametrize("module, name", LN_MUTANTS, ids=[n for _, n in LN_MUTANTS])
def test_verify_catches_a_wrong_layernorm_backward(scale_by, module, name):
    scale_by(module, name)
    failed = [c.name for c in lstmdoc.verify(random(T=3, layer_norm=True)) if not c.ok]
    assert failed, f"scaling {name} by 1.001 went unnoticed"


def test_the_build_refuses_a_wrong_layernorm_backward(monkeypatch, tmp_path, verify_hook):
    """What `make html` and `make doctest` run first: the hook stops the build."""
    lstmdoc_verify, App = verify_hook
    from lstmdoc import layernorm

    def forgot_the_mean(dy, cache):  # a classic slip: dx without the mean(dxhat) term
        dxhat = dy * cache.gain
        dx = cache.inv_std * (dxhat - cache.xhat * (dxhat * cache.xhat).mean(axis=0, keepdims=True))
        return (dx, *layernorm.layernorm_param_grads(dy, cache))

    monkeypatch.setattr(layernorm, "layernorm_backward", forgot_the_mean)
    # Only the build's examples with layer norm: the others cannot catch this (and take time).
    monkeypatch.setattr(lstmdoc_verify, "EXAMPLES",
                        tuple(m for m in lstmdoc_verify.EXAMPLES if m().params.layer_norm))

    with pytest.raises(lstmdoc_verify.VerificationError):
        lstmdoc_verify.verify_all(App)
    assert not (tmp_path / "_generated").exists()


# The plain cell's pass, recorded on main before layer norm and dropout were added:
# the loss as float.hex() and a sha256 over every array of the pass (below). Not one
# bit of it may move.
PLAIN_REFERENCE = {
    "article": ("0x1.a262b5776f851p+0", "5045f2d73554c6eb6c2be0c3377e50287045a08ead84cee8ec8e5351e9aec67b"),
    "random": ("0x1.b8e993e916f78p+0", "44bc3ec39d622ee780c1041643c76ad82ccdcf851174634af51cf6475a490b99"),
    "random32": ("0x1.c65a180000000p+0", "1905dc49db42d298c060c3e0c4f13acaf10931e16c49214bf8ee477b619e57c5"),
    "B1": ("0x1.96057aa76375fp+0", "f1849d2f4be6f2eabbb6af2cc942f8d70f084604a57d94aec2454b01da51f24f"),
}
PLAIN_EXAMPLES = {"article": article, "random": random,
                  "random32": lambda: random(seed=5, dtype=np.float32),
                  "B1": lambda: random(seed=3, T=2, D=2, H=3, V=4, B=1)}
CACHE_FIELDS = ("z", "c_prev", "f", "i", "cproj", "o", "tanh_c")


def digest(arrays):
    h = hashlib.sha256()
    for name, a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{name}|{a.dtype}|{a.shape}|".encode() + a.tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("name", PLAIN_REFERENCE)
def test_the_plain_cell_is_unchanged_bit_for_bit(name):
    ex = PLAIN_EXAMPLES[name]()
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    arrays = [("loss", np.array(r.loss)), ("logits", r.logits), ("probs", r.probs), ("h", r.h),
              ("dlogits", r.dlogits)] + [(k, r.grads[k]) for k in sorted(r.grads)]
    for t, (cache, g) in enumerate(zip(r.caches, r.steps)):
        arrays += [(f"cache[{t}].{f}", getattr(cache, f)) for f in CACHE_FIELDS]
        arrays += [(f"steps[{t}].{f}", getattr(g, f)) for f in STEP_NAMES]
        assert cache.mask is None and cache.norms is None and g.dnorm_gain is None
    loss_hex, sha = PLAIN_REFERENCE[name]
    assert float(r.loss).hex() == loss_hex
    assert digest(arrays) == sha
    # loss_and_grads is the fast pass (lstmdoc.fast): equal to run to round-off, not to the bit.
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    same = 1e-12 if ex.params.dtype == np.float64 else 1e-5
    assert abs(loss - r.loss) <= same * abs(r.loss)
    assert all(relative_error(grads[k], r.grads[k]) <= same for k in r.grads)


def test_trace_recomputes_the_whole_cells_states():
    from lstmdoc.trace import step_values

    ex = random(layer_norm=True, keep_prob=0.5)
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=ex.dropout_mask)
    for k in range(len(r.caches) - 1):  # step k's h and c are step k+1's h_prev and c_prev
        values = step_values(r, ex.params, k)
        assert np.array_equal(values["h"], r.caches[k + 1].z[ex.params.D:])
        assert np.array_equal(values["c"], r.caches[k + 1].c_prev)
