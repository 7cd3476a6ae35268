"""Every step predicts, stacked and bidirectional, against PyTorch autograd in float64.

torch's side: each stack an ``nn.LSTM(num_layers=L)`` (the backward one fed
x_T … x_1 and flipped back), one output layer over every step's
[h_fw(t); h_bw(t)], the masked mean cross-entropy; and a one-layer tagger as
torch's own ``nn.LSTM(bidirectional=True)``.
"""

import os

import numpy as np
import pytest

import lstmdoc
from lstmdoc import deep
from lstmdoc.deep.example import random

if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
    import torch  # CI: a missing torch is a failure, not a skip
else:
    torch = pytest.importorskip("torch", reason="torch not installed: autograd cross-check skipped")

from test_every_step_deep import every_step  # noqa: E402
from test_deep_torch import TorchDeep, pairs  # noqa: E402
from test_torch import from_torch_rows  # noqa: E402
from test_every_step_torch import masked_cross_entropy  # noqa: E402


def torch_every_step(ex, mask):
    """Each stack an nn.LSTM(num_layers=L) (the backward one fed x_T … x_1 and flipped back),
    one Linear over [h_fw(t); h_bw(t)] at every t, the masked mean cross-entropy."""
    p = ex.params
    model = TorchDeep(p)
    X, h0, c0 = model.leaves(ex)
    outs = [model.stacks[0](X, (h0[0], c0[0]))[0]]  # (T, B, H_fw)
    if p.backward is not None:
        outs.append(torch.flip(model.stacks[1](torch.flip(X, [0]), (h0[1], c0[1]))[0], [0]))
    loss = masked_cross_entropy(torch.cat(outs, dim=2) @ model.Wy.T + model.by, ex.target, mask)
    loss.backward()
    return loss.item(), model.grads(X, h0, c0)


TORCH_EXAMPLES = {"stacked": random(seed=41, T=4, D=2, H=(4, 4), V=5, B=3),
                  "bidirectional": random(seed=42, T=4, D=2, H=(3,), H_bw=(2,), V=5, B=3),
                  "both": random(seed=43, T=5, D=3, H=(3, 3), H_bw=(2, 2), V=4, B=2)}


@pytest.mark.parametrize("name", TORCH_EXAMPLES)
def test_every_step_matches_torch(name):
    ex, mask = every_step(TORCH_EXAMPLES[name], seed=5)
    loss, grads = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0, target_mask=mask)
    t_loss, t_grads = torch_every_step(ex, mask)
    assert abs(loss - t_loss) <= 1e-10 * abs(t_loss)
    for key, a, b in pairs(grads, t_grads):
        err = lstmdoc.gradcheck.relative_error(a, b)
        assert err < 1e-10, f"{key}: relative error {err:.1e}"


def test_a_one_layer_tagger_is_torchs_bidirectional_lstm():
    """One layer each way: torch's own nn.LSTM(bidirectional=True), out[t] = [h_fw(t); h_bw(t)]."""
    ex, mask = every_step(random(seed=44, T=4, D=2, H=(3,), H_bw=(3,), V=5, B=3), seed=6)
    p = ex.params
    fw, bw = TorchDeep(p).stacks  # each direction as torch holds it (gate order, forget bias)
    lstm = torch.nn.LSTM(p.D, 3, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, f"{name}_l0").copy_(getattr(fw, f"{name}_l0"))
            getattr(lstm, f"{name}_l0_reverse").copy_(getattr(bw, f"{name}_l0"))
    Wy = torch.tensor(p.Wy, requires_grad=True)
    by = torch.tensor(p.by[:, 0], requires_grad=True)
    X = torch.tensor(ex.X.transpose(0, 2, 1), requires_grad=True)
    h0 = torch.tensor(np.stack([h.T for h in ex.h0]))
    c0 = torch.tensor(np.stack([c.T for c in ex.c0]))
    out, _ = lstm(X, (h0, c0))  # (T, B, 2H): [h_fw(t); h_bw(t)]
    loss_t = masked_cross_entropy(out @ Wy.T + by, ex.target, mask)
    loss_t.backward()
    loss, grads = deep.loss_and_grads(p, ex.X, ex.target, ex.h0, ex.c0, target_mask=mask)
    assert abs(loss - loss_t.item()) <= 1e-10 * loss
    dW_bw = np.concatenate([lstm.weight_ih_l0_reverse.grad.numpy(),
                            lstm.weight_hh_l0_reverse.grad.numpy()], axis=1)
    for ours, theirs in [(grads["Wy"], Wy.grad.numpy()), (grads["X"], X.grad.numpy().transpose(0, 2, 1)),
                         (grads["backward"][0]["W"], from_torch_rows(dW_bw))]:
        assert lstmdoc.gradcheck.relative_error(ours, theirs) < 1e-10


