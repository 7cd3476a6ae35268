"""Every step predicts, against PyTorch autograd in float64.

torch's side: ``nn.LSTM`` over all steps, one ``Linear`` applied to every step's
output, and the masked mean of ``cross_entropy(reduction="none")`` — nothing
of lstmdoc but the arrays.
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

from test_torch import from_torch_rows, to_torch_rows  # noqa: E402  (after the torch skip)

TOL = 1e-10


def torch_lstm(p):
    """An nn.LSTM holding lstmdoc's cell: torch's gate order, the forget bias folded into bias_ih."""
    D = p.D
    lstm = torch.nn.LSTM(D, p.H, dtype=torch.float64)
    forget = np.zeros((4 * p.H, 1))
    forget[:p.H] = p.forget_bias
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(to_torch_rows(p.W[:, :D])))
        lstm.weight_hh_l0.copy_(torch.from_numpy(to_torch_rows(p.W[:, D:])))
        lstm.bias_ih_l0.copy_(torch.from_numpy(to_torch_rows(p.b + forget)[:, 0]))
        lstm.bias_hh_l0.zero_()
    lstm.bias_hh_l0.requires_grad_(False)
    return lstm


def masked_cross_entropy(logits, target, mask):
    """``Σ mask·CE / Σ mask`` over (T, B, V) logits and (T, B) targets."""
    T, B, V = logits.shape
    ce = torch.nn.functional.cross_entropy(logits.reshape(T * B, V),
                                           torch.from_numpy(target.reshape(-1)), reduction="none")
    m = torch.from_numpy(mask.reshape(-1))
    return (m * ce).sum() / m.sum()


def torch_every_step(ex):
    p, D = ex.params, ex.params.D
    lstm = torch_lstm(p)
    leaf = lambda a: torch.tensor(a, requires_grad=True)  # noqa: E731
    X, h0, c0 = leaf(ex.X.transpose(0, 2, 1)), leaf(ex.h0.T[None]), leaf(ex.c0.T[None])
    Wy, by = leaf(p.Wy), leaf(p.by[:, 0])
    out, _ = lstm(X, (h0, c0))                      # (T, B, H): every step's h
    logits = out @ Wy.T + by                         # the one output layer, at every step
    mask = np.ones(ex.target.shape) if ex.target_mask is None else ex.target_mask
    loss = masked_cross_entropy(logits, ex.target, mask)
    loss.backward()
    dW = np.concatenate([lstm.weight_ih_l0.grad.numpy(), lstm.weight_hh_l0.grad.numpy()], axis=1)
    return loss.item(), {
        "W": from_torch_rows(dW), "b": from_torch_rows(lstm.bias_ih_l0.grad.numpy()[:, None]),
        "Wy": Wy.grad.numpy(), "by": by.grad.numpy()[:, None],
        "X": X.grad.numpy().transpose(0, 2, 1), "h0": h0.grad.numpy()[0].T,
        "c0": c0.grad.numpy()[0].T}


def unmasked(ex):
    return lstmdoc.example.Example(ex.name, ex.params, ex.X, ex.target, ex.h0, ex.c0)


@pytest.mark.parametrize("ex", [random(every_step=True), unmasked(random(every_step=True, seed=7)),
                                random(seed=3, T=1, D=2, H=3, V=4, B=1, every_step=True),
                                random(seed=4, T=9, D=6, H=5, V=7, B=8, every_step=True)],
                         ids=["ragged", "no-mask", "T1-B1", "larger"])
def test_every_step_loss_and_grads_match_torch(ex):
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0,
                                         target_mask=ex.target_mask)
    t_loss, t_grads = torch_every_step(ex)
    assert abs(loss - t_loss) <= TOL * abs(t_loss)
    assert sorted(grads) == sorted(t_grads)
    for key in grads:
        err = lstmdoc.gradcheck.relative_error(grads[key], t_grads[key])
        assert err < TOL, f"{key}: relative error {err:.1e}"
