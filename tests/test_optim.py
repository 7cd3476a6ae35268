"""lstmdoc.train's optimizers and clipping without torch: state, restore, bad input."""

import dataclasses

import numpy as np
import pytest

import lstmdoc
from lstmdoc import train
from lstmdoc.example import random
from lstmdoc.train.optim import restore


def grads_at(params, ex, seed):
    rng = np.random.default_rng(seed)
    target = rng.integers(0, params.V, size=ex.X.shape[::2])
    return lstmdoc.loss_and_grads(params, ex.X, target)[1]


@pytest.mark.parametrize("make", [lambda: train.SGD(0.1), lambda: train.SGD(0.1, momentum=0.9),
                                  lambda: train.Adam(0.01, betas=(0.8, 0.99))],
                         ids=["sgd", "momentum", "adam"])
def test_a_restored_optimizer_continues_exactly(make):
    ex = random(layer_norm=True)
    straight, p = make(), ex.params
    for k in range(6):
        p = straight.step(p, grads_at(p, ex, k))
    first, q = make(), ex.params
    for k in range(3):
        q = first.step(q, grads_at(q, ex, k))
    settings, arrays = first.state()
    resumed = restore(settings, {k: a.copy() for k, a in arrays.items()}, q)
    for k in range(3, 6):
        q = resumed.step(q, grads_at(q, ex, k))
    for field in ("W", "b", "Wy", "by", "norm_gain", "norm_shift"):
        assert np.array_equal(getattr(p, field), getattr(q, field)), field
    assert resumed.t == straight.t == 6


def test_plain_sgd_is_sgd_step():
    ex = random()
    grads = grads_at(ex.params, ex, 0)
    a, b = train.SGD(0.3).step(ex.params, grads), train.sgd_step(ex.params, grads, 0.3)
    assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("W", "b", "Wy", "by"))


def test_a_non_finite_update_leaves_the_optimizer_as_it_was():
    ex = random()
    opt = train.Adam(0.01)
    p = opt.step(ex.params, grads_at(ex.params, ex, 0))
    before = {k: a.copy() for k, a in opt.state()[1].items()}
    bad = dict(grads_at(p, ex, 1), by=np.full_like(p.by, np.inf))
    with pytest.raises(FloatingPointError, match="by NaN or infinite"), np.errstate(invalid="ignore"):
        opt.step(p, bad)
    assert opt.t == 1 and all(np.array_equal(before[k], a) for k, a in opt.state()[1].items())


def test_float32_stays_float32():
    ex = random(dtype=np.float32)
    grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)[1]
    clipped, _ = train.clip_grad_norm(grads, 0.1)
    p = train.Adam(0.01).step(ex.params, clipped)
    assert {getattr(p, f).dtype for f in ("W", "b", "Wy", "by")} == {np.dtype(np.float32)}


def test_clipping_counts_and_scales_parameters_only():
    ex = random()
    grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)[1]
    norm = np.sqrt(sum((grads[k] ** 2).sum() for k in ("W", "b", "Wy", "by")))
    clipped, total = train.clip_grad_norm(grads, norm / 4)
    assert np.isclose(total, norm, rtol=1e-15)
    assert all(clipped[k] is grads[k] for k in ("X", "h0", "c0"))
    assert np.isclose(np.sqrt(sum((clipped[k] ** 2).sum() for k in ("W", "b", "Wy", "by"))),
                      norm / 4, rtol=1e-5)
    same, _ = train.clip_grad_norm(grads, 10 * norm)
    assert all(np.allclose(same[k], grads[k], rtol=1e-6, atol=0) for k in grads)


@pytest.mark.parametrize("make, message", [
    (lambda: train.Adam(0), "lr must be positive"),
    (lambda: train.Adam(-1e-3), "lr must be positive"),
    (lambda: train.Adam(0.1, betas=(0.9,)), r"betas must be a pair"),
    (lambda: train.Adam(0.1, betas=(0.9, 1.0)), r"betas\[1\] must lie in \[0, 1\)"),
    (lambda: train.Adam(0.1, eps=0), "eps must be positive"),
    (lambda: train.SGD(0.1, momentum=1.5), r"momentum must lie in \[0, 1\)"),
    (lambda: train.SGD("0.1"), "lr must be a real number"),
    (lambda: train.clip_grad_norm({"W": np.ones(2)}, 0), "max_norm must be positive"),
    (lambda: train.clip_grad_norm({"W": np.ones(2)}, -5), "max_norm must be positive"),
    (lambda: restore({"name": "rmsprop", "t": 0, "lr": 0.1}, {}, random().params),
     "optimizer must be one of sgd, momentum, adam"),
    (lambda: restore({"name": "adam", "t": 1, "lr": 0.1}, {"m/W": np.ones((2, 2))}, random().params),
     "array 'm/W' does not fit the model"),
])
def test_bad_settings_are_named(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def test_optimizers_update_every_parameter_of_a_deep_model():
    ex = lstmdoc.deep.example.both()
    _, grads = lstmdoc.deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    opt = train.Adam(0.01)
    p = opt.step(ex.params, grads)
    assert sorted(opt.slots) == ["Wy", "backward[0].W", "backward[0].b", "backward[1].W",
                                 "backward[1].b", "by", "forward[0].W", "forward[0].b",
                                 "forward[1].W", "forward[1].b"]
    assert all(not np.array_equal(a.W, b.W) for a, b in zip(p.cells, ex.params.cells))
    clipped, norm = train.clip_grad_norm(grads, 1e-3)
    assert norm > 1e-3
    assert np.allclose(clipped["backward"][1]["W"], grads["backward"][1]["W"] * 1e-3 / (norm + 1e-6))
    assert dataclasses.is_dataclass(p)
