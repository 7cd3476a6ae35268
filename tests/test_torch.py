"""loss_and_grads against PyTorch autograd through torch.nn.LSTM, in float64.

An independent implementation: torch's own LSTM cell (gate order i, f, g, o,
rows are examples) with lstmdoc's weights mapped onto it.
"""

import os

import numpy as np
import pytest

import lstmdoc
from lstmdoc.example import article, random

if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
    import torch  # CI: a missing torch is a failure, not a skip
else:
    torch = pytest.importorskip("torch", reason="torch not installed: autograd cross-check skipped "
                                "(install with `make test TEST_EXTRAS=test,browser,torch`)")

TORCH_ORDER = [1, 0, 2, 3]  # torch's blocks i, f, g, o as indices into lstmdoc's f, i, cproj, o


def to_torch_rows(a):
    """Reorder the gate blocks of a (4H, ...) array from lstmdoc's order to torch's."""
    return np.concatenate([lstmdoc.split_gates(a)[k] for k in TORCH_ORDER])


def from_torch_rows(a):
    blocks = lstmdoc.split_gates(a)
    return np.concatenate([blocks[TORCH_ORDER.index(k)] for k in range(4)])


def torch_loss_and_grads(ex):
    p, (T, D, B) = ex.params, ex.X.shape
    lstm = torch.nn.LSTM(D, p.H, dtype=torch.float64)
    forget = np.zeros((4 * p.H, 1))
    forget[:p.H] = p.forget_bias  # torch has no forget bias: fold it into the f block's bias
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(to_torch_rows(p.W[:, :D])))
        lstm.weight_hh_l0.copy_(torch.from_numpy(to_torch_rows(p.W[:, D:])))
        lstm.bias_ih_l0.copy_(torch.from_numpy(to_torch_rows(p.b + forget)[:, 0]))
        lstm.bias_hh_l0.zero_()
    leaf = lambda a: torch.tensor(a, requires_grad=True)  # noqa: E731
    X, h0, c0 = leaf(ex.X.transpose(0, 2, 1)), leaf(ex.h0.T[None]), leaf(ex.c0.T[None])
    Wy, by = leaf(p.Wy), leaf(p.by[:, 0])
    out, _ = lstm(X, (h0, c0))
    logits = out[-1] @ Wy.T + by
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(ex.target))
    loss.backward()
    dW = np.concatenate([lstm.weight_ih_l0.grad.numpy(), lstm.weight_hh_l0.grad.numpy()], axis=1)
    grads = {"W": from_torch_rows(dW), "b": from_torch_rows(lstm.bias_ih_l0.grad.numpy()[:, None]),
             "Wy": Wy.grad.numpy(), "by": by.grad.numpy()[:, None],
             "X": X.grad.numpy().transpose(0, 2, 1), "h0": h0.grad.numpy()[0].T,
             "c0": c0.grad.numpy()[0].T}
    return loss.item(), grads


@pytest.mark.parametrize("ex", [article(), random(), random(seed=3, T=1, D=2, H=3, V=4, B=1),
                                random(seed=4, T=9, D=6, H=5, V=7, B=8)],
                         ids=["article", "random", "T1-B1", "larger"])
def test_loss_and_grads_match_torch_autograd(ex):
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    t_loss, t_grads = torch_loss_and_grads(ex)
    assert abs(loss - t_loss) <= 1e-12 * abs(t_loss)
    for key in grads:
        err = lstmdoc.gradcheck.relative_error(grads[key], t_grads[key])
        assert err < 1e-10, f"{key}: relative error {err:.1e}"
