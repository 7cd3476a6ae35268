"""PyTorch's stacks and one-layer bidirectional LSTMs, both ways, against torch's autograd.

``nn.LSTM(num_layers=L)`` is lstmdoc.deep's stack (TensorFlow's MultiRNNCell);
``nn.LSTM(bidirectional=True)`` read at ``out[-1]`` is lstmdoc.deep's
bidirectional model ([h_fw(T); h_bw(T)]). Bidirectional stacks are refused.
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
    torch = pytest.importorskip("torch", reason="torch not installed: interop with torch skipped "
                                "(install with `make test TEST_EXTRAS=test,browser,torch`)")

STACK = random("stacked", seed=41, T=4, D=3, H=(5, 5, 5), V=6, B=2)
BOTH_WAYS = random("bidirectional", seed=42, T=5, D=3, H=(4,), H_bw=(4,), V=6, B=3)


def torch_pass(lstm, linear, ex, batch_first=False):
    """torch's loss and gradients (autograd) on ``ex``, reading ``out[-1]``."""
    x, state = lstmdoc.to_torch_inputs(ex.X, list(ex.h0), list(ex.c0), batch_first)
    out, _ = lstm(x, state)
    last = out[:, -1] if batch_first else out[-1]
    loss = torch.nn.functional.cross_entropy(linear(last), torch.from_numpy(ex.target))
    loss.backward()
    return loss.item(), lstmdoc.grads_from_torch(lstm, linear, x, state)


def assert_same_grads(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        if key in ("forward", "backward"):
            for a, b in zip(ours[key], theirs[key], strict=True):
                for n in ("W", "b"):
                    np.testing.assert_allclose(a[n], b[n], rtol=1e-9, atol=1e-12, err_msg=key)
        elif key in ("h0", "c0"):
            for a, b in zip(ours[key], theirs[key], strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=key)
        else:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("kwargs", [{"num_layers": 2}, {"num_layers": 3}, {"bidirectional": True}])
def test_from_torch_of_fresh_modules(kwargs):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, dtype=torch.float64, **kwargs)
    linear = torch.nn.Linear(8 if lstm.bidirectional else 4, 5, dtype=torch.float64)
    params = lstmdoc.from_torch(lstm, linear)
    assert isinstance(params, deep.DeepParams)
    assert (params.layers, params.directions) == (lstm.num_layers, 2 if lstm.bidirectional else 1)
    assert all(c.forget_bias == 0 for c in params.cells)
    ex = random(seed=5, T=4, D=3, H=(4,) * params.layers,
                H_bw=(4,) if lstm.bidirectional else None, V=5, B=2)
    t_loss, t_grads = torch_pass(lstm, linear, ex)
    loss, grads = deep.loss_and_grads(params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - t_loss) < 1e-12
    assert_same_grads(grads, t_grads)
    # ... and back: lstmdoc's gradients in torch's names are what autograd left in .grad.
    lstm_g, linear_g = lstmdoc.grads_to_torch(grads)
    assert sorted(lstm_g) == sorted(n for n, _ in lstm.named_parameters())
    for name, g in lstm_g.items():
        np.testing.assert_allclose(g, getattr(lstm, name).grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, g in linear_g.items():
        np.testing.assert_allclose(g, getattr(linear, name).grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("ex", [STACK, BOTH_WAYS], ids=lambda e: e.name)
def test_to_torch_keeps_loss_and_gradients(ex, batch_first):
    lstm, linear = lstmdoc.to_torch(ex.params, batch_first=batch_first)
    assert lstm.num_layers == ex.params.layers and lstm.bidirectional == (ex.params.directions == 2)
    loss, grads = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    t_loss, t_grads = torch_pass(lstm, linear, ex, batch_first)
    assert abs(loss - t_loss) < 1e-12
    # torch's model has the forget bias folded into bias_ih: the same model, the same gradients.
    assert_same_grads(grads, t_grads)
    back = lstmdoc.from_torch(lstm, linear)
    for ours, theirs in zip(back.cells, ex.params.cells):
        assert np.array_equal(ours.W, theirs.W)
        np.testing.assert_allclose(ours.b, lstmdoc.layouts.fold_forget_bias(theirs).b, rtol=0,
                                   atol=1e-15)


def test_bidirectional_is_read_at_the_last_output():
    """out[-1] is [h_fw(T); h_bw(T)]: the backward direction's state after its first step."""
    ex = BOTH_WAYS
    lstm, _ = lstmdoc.to_torch(ex.params)
    x, state = lstmdoc.to_torch_inputs(ex.X, list(ex.h0), list(ex.c0))
    out, _ = lstm(x, state)
    r = deep.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    np.testing.assert_allclose(out[-1].detach().numpy().T, r.h, rtol=1e-12, atol=1e-14)


def test_what_torch_cannot_hold():
    both = random(seed=6, T=3, D=2, H=(3, 3), H_bw=(3, 3), V=4, B=2)
    with pytest.raises(ValueError, match="torch's bidirectional stacks are not lstmdoc's"):
        lstmdoc.to_torch(both.params)
    with pytest.raises(ValueError, match=r"one hidden size for every cell; params has "
                       r"H = \(4, 5\)"):
        lstmdoc.to_torch(random(seed=7, H=(4, 5)).params)
    g = deep.loss_and_grads(both.params, both.X, both.target)[1]
    with pytest.raises(ValueError, match="grads has 2 layers in both directions"):
        lstmdoc.grads_to_torch(g)
    with pytest.raises(ValueError, match=r"linear must be nn.Linear\(2H \(both directions"):
        lstmdoc.from_torch(torch.nn.LSTM(3, 4, bidirectional=True), torch.nn.Linear(4, 5))


def test_inputs_without_states():
    """to_torch_inputs(X) alone: torch starts from zeros, as lstmdoc does without h0, c0."""
    ex = lstmdoc.example.random()
    lstm, linear = lstmdoc.to_torch(ex.params)
    x, state = lstmdoc.to_torch_inputs(ex.X)
    assert state is None
    out, _ = lstm(x, state)
    loss = torch.nn.functional.cross_entropy(linear(out[-1]), torch.from_numpy(ex.target))
    loss.backward()
    ours, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    assert abs(loss.item() - ours) < 1e-12
    theirs = lstmdoc.grads_from_torch(lstm, linear, x)
    np.testing.assert_allclose(theirs["X"], grads["X"], rtol=1e-9, atol=1e-12)
    _, only_h0 = lstmdoc.to_torch_inputs(ex.X, h0=ex.h0)   # c0 omitted: zeros
    assert not only_h0[1].detach().numpy().any() and only_h0[1].requires_grad


def test_the_final_states_readout_is_torchs_h_n():
    """A bidirectional model reading [h_fw(T); h_bw(1)] is torch's h_n: the same modules."""
    import dataclasses
    ex = BOTH_WAYS
    params = dataclasses.replace(ex.params, readout="states")
    lstm, linear = lstmdoc.to_torch(params)
    x, state = lstmdoc.to_torch_inputs(ex.X, list(ex.h0), list(ex.c0))
    _, (h_n, _) = lstm(x, state)
    logits = linear(torch.cat([h_n[0], h_n[1]], 1))
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(ex.target))
    loss.backward()
    ours, grads = deep.loss_and_grads(params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss.item() - ours) < 1e-12
    assert_same_grads(grads, lstmdoc.grads_from_torch(lstm, linear, x, state))
