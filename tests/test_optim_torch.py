"""Optimizers and clipping against torch.optim and torch.nn.utils.clip_grad_norm_, float64.

Both sides train the same model from the same weights on the same batches, each
with its own gradients (torch's autograd, lstmdoc's pass): 40 iterations of
clipping and an update, then every parameter compared.
"""

import os

import numpy as np
import pytest

import lstmdoc
from lstmdoc import train
from lstmdoc.example import random

if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
    import torch  # CI: a missing torch is a failure, not a skip
else:
    torch = pytest.importorskip("torch", reason="torch not installed: optimizer cross-check skipped "
                                "(install with `make test TEST_EXTRAS=test,browser,torch`)")

from test_every_step_torch import masked_cross_entropy, torch_lstm  # noqa: E402
from test_torch import from_torch_rows  # noqa: E402

ITERATIONS = 40


def batches(ex, n, seed=0):
    """``n`` batches of every-step targets with ragged masks, over the example's sizes."""
    rng = np.random.default_rng(seed)
    T, D, B = ex.X.shape
    for _ in range(n):
        X = rng.standard_normal((T, D, B))
        target = rng.integers(0, ex.params.V, size=(T, B))
        mask = (np.arange(T)[:, None] < rng.integers(1, T + 1, size=B)).astype(float)
        yield X, target, mask


def lstmdoc_params(lstm, out, forget_bias, H):
    forget = np.zeros((4 * H, 1))
    forget[:H] = forget_bias
    W = np.concatenate([lstm.weight_ih_l0.detach().numpy(), lstm.weight_hh_l0.detach().numpy()], 1)
    return {"W": from_torch_rows(W), "b": from_torch_rows(lstm.bias_ih_l0.detach().numpy()[:, None]) - forget,
            "Wy": out[0].detach().numpy(), "by": out[1].detach().numpy()[:, None]}


def run_both(make_torch, make_ours, clip):
    ex = random(seed=11, T=5, D=3, H=4, V=6, B=3)
    p = ex.params
    lstm = torch_lstm(p)
    Wy, by = torch.tensor(p.Wy, requires_grad=True), torch.tensor(p.by[:, 0], requires_grad=True)
    trained = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, Wy, by]
    opt_t, opt = make_torch(trained), make_ours()
    norms = []
    for X, target, mask in batches(ex, ITERATIONS):
        opt_t.zero_grad()
        out, _ = lstm(torch.from_numpy(X.transpose(0, 2, 1)))
        loss_t = masked_cross_entropy(out @ Wy.T + by, target, mask)
        loss_t.backward()
        loss, grads = lstmdoc.loss_and_grads(p, X, target, target_mask=mask)
        assert abs(loss - loss_t.item()) <= 1e-8 * loss
        if clip is not None:
            norm_t = torch.nn.utils.clip_grad_norm_(trained, clip).item()
            grads, norm = train.clip_grad_norm(grads, clip)
            assert abs(norm - norm_t) <= 1e-8 * norm_t
            norms.append(norm)
        opt_t.step()
        p = opt.step(p, grads)
    theirs = lstmdoc_params(lstm, (Wy, by), p.forget_bias, p.H)
    for key, value in theirs.items():
        err = lstmdoc.gradcheck.relative_error(getattr(p, key), value)
        assert err < 1e-8, f"{key} after {ITERATIONS} iterations: relative error {err:.1e}"
    return norms


def test_40_iterations_of_clip_and_adam_equal_torch():
    norms = run_both(lambda ps: torch.optim.Adam(ps, lr=0.01), lambda: train.Adam(lr=0.01), clip=0.5)
    assert sum(n > 0.5 for n in norms) >= 10  # the clip did act, on many iterations


def test_adam_with_other_betas_equals_torch():
    run_both(lambda ps: torch.optim.Adam(ps, lr=0.003, betas=(0.8, 0.99), eps=1e-6),
             lambda: train.Adam(lr=0.003, betas=(0.8, 0.99), eps=1e-6), clip=None)


def test_momentum_equals_torch():
    run_both(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
             lambda: train.SGD(lr=0.1, momentum=0.9), clip=1.0)


def test_plain_sgd_equals_torch():
    run_both(lambda ps: torch.optim.SGD(ps, lr=0.5), lambda: train.SGD(lr=0.5), clip=None)
