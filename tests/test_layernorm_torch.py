"""The whole cell against PyTorch autograd, on a torch implementation written from the semantics.

TensorFlow's ``LayerNormBasicLSTMCell`` as the issue states it, in torch with
lstmdoc's layout (columns are examples): ``a = W z + b``; each gate block and
the new cell state normalised over its H units (population variance,
ε = 1e-12), scaled by its gain, shifted; the dropout mask multiplies the
candidate. No lstmdoc code is used for the torch side: only the arrays.
"""

import os

import numpy as np
import pytest

import lstmdoc
from lstmdoc.example import random

if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
    import torch  # CI: a missing torch is a failure, not a skip
else:
    torch = pytest.importorskip("torch", reason="torch not installed: autograd cross-check skipped "
                                "(install with `make test TEST_EXTRAS=test,browser,torch`)")


def layer_norm(x, gain, shift):
    mean = x.mean(dim=0, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-12) * gain + shift


def torch_loss_and_grads(ex):
    p, mask = ex.params, ex.dropout_mask
    leaf = lambda a: torch.tensor(a, requires_grad=True)  # noqa: E731
    names = ["W", "b", "Wy", "by"] + (["norm_gain", "norm_shift"] if p.layer_norm else [])
    params = {name: leaf(getattr(p, name)) for name in names}
    X, h, c = leaf(ex.X), leaf(ex.h0), leaf(ex.c0)
    inputs = {"X": X, "h0": h, "c0": c}
    H = p.H
    hs = []
    for t in range(X.shape[0]):
        a = params["W"] @ torch.cat([X[t], h]) + params["b"]
        blocks = [a[k * H:(k + 1) * H] for k in range(4)]
        if p.layer_norm:
            g, s = params["norm_gain"], params["norm_shift"]
            blocks = [layer_norm(x, g[k * H:(k + 1) * H], s[k * H:(k + 1) * H])
                      for k, x in enumerate(blocks)]
        a_f, a_i, a_c, a_o = blocks
        cand = torch.tanh(a_c)
        if mask is not None:
            cand = cand * torch.from_numpy(mask[t])
        c = torch.sigmoid(a_f + p.forget_bias) * c + torch.sigmoid(a_i) * cand
        if p.layer_norm:
            c = layer_norm(c, g[4 * H:], s[4 * H:])
        h = torch.sigmoid(a_o) * torch.tanh(c)
        hs.append(h)
    if ex.target.ndim == 2:  # every step predicts: the masked mean over every step's cross-entropy
        m = torch.from_numpy(ex.target_mask)
        ce = torch.stack([torch.nn.functional.cross_entropy(
            (params["Wy"] @ h_t + params["by"]).T, torch.from_numpy(y_t), reduction="none")
            for h_t, y_t in zip(hs, ex.target)])
        loss = (m * ce).sum() / m.sum()
    else:
        logits = params["Wy"] @ h + params["by"]
        loss = torch.nn.functional.cross_entropy(logits.T, torch.from_numpy(ex.target))
    loss.backward()
    grads = {name: v.grad.numpy() for name, v in {**params, **inputs}.items()}
    return loss.item(), grads


CASES = [dict(layer_norm=True), dict(keep_prob=0.7), dict(layer_norm=True, keep_prob=0.7),
         dict(layer_norm=True, T=3, D=2, H=1, V=3, B=1),                 # H = 1: variance 0
         dict(layer_norm=True, keep_prob=0.5, T=4, D=5, H=3, V=4, B=1),  # B = 1
         dict(layer_norm=True, keep_prob=0.8, seed=9, T=7, D=4, H=6, V=5, B=3),
         dict(layer_norm=True, keep_prob=0.7, every_step=True),           # every step predicts
         dict(layer_norm=True, keep_prob=0.8, seed=9, T=7, D=4, H=6, V=5, B=3, every_step=True)]


@pytest.mark.parametrize("case", CASES, ids=lambda k: "-".join(f"{a}{b}" for a, b in k.items()))
def test_whole_cell_matches_torch_autograd(case):
    ex = random(**{"seed": 2, **case})
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0,
                                         dropout_mask=ex.dropout_mask, target_mask=ex.target_mask)
    t_loss, t_grads = torch_loss_and_grads(ex)
    assert set(grads) == set(t_grads)
    assert abs(loss - t_loss) <= 1e-12 * abs(t_loss)
    for key in grads:
        err = lstmdoc.gradcheck.relative_error(grads[key], t_grads[key])
        assert err < 1e-10, f"{key}: relative error {err:.1e}"


def test_one_unit_gives_zero_gate_gradients_in_both():
    """H = 1: every normalised value is 0, so nothing before the norms gets a gradient."""
    ex = random(seed=2, layer_norm=True, T=3, D=2, H=1, V=3, B=1)
    _, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    _, t_grads = torch_loss_and_grads(ex)
    for key in ("W", "b", "X", "h0", "c0"):
        assert np.array_equal(grads[key], np.zeros_like(grads[key])), key
        assert np.all(np.isfinite(t_grads[key])) and np.abs(t_grads[key]).max() < 1e-12, key


@pytest.mark.parametrize("case", CASES[:3], ids=["layernorm", "dropout", "both"])
def test_float32_matches_torch_float32(case):
    ex = random(seed=2, dtype=np.float32, **case)
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0,
                                         dropout_mask=ex.dropout_mask)
    t_loss, t_grads = torch_loss_and_grads(ex)
    assert abs(loss - t_loss) <= 1e-5 * abs(t_loss)
    for key in grads:
        assert grads[key].dtype == t_grads[key].dtype == np.float32, key
        err = lstmdoc.gradcheck.relative_error(grads[key].astype(np.float64),
                                               t_grads[key].astype(np.float64))
        assert err < 1e-5, f"{key}: relative error {err:.1e}"
