"""Weights and gradients to and from PyTorch and TensorFlow's layouts."""

import os
import subprocess
import sys

import numpy as np
import pytest

import lstmdoc
from lstmdoc.example import article, random
from lstmdoc.interop import from_keras, from_tf_cell, grads_to_torch, to_keras, to_tf_cell

EXAMPLES = [article(), random(), random(seed=3, T=1, D=2, H=3, V=4, B=1),
            random(seed=4, T=5, D=6, H=5, V=7, B=8)]


def test_import_lstmdoc_never_imports_torch():
    code = ("import sys, lstmdoc; lstmdoc.to_keras; lstmdoc.check; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def gates_np(params, X, h0, c0, layout):
    """The loss computed straight from a framework's arrays, its own gate order and bias rules."""
    H = params.H
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    h, c = h0.T, c0.T  # rows are examples, as in the frameworks
    for x in X.transpose(0, 2, 1):
        if layout["name"] == "tf":
            a = np.concatenate([x, h], axis=1) @ layout["kernel"] + layout["bias"]
            i, j, f, o = np.split(a, 4, axis=1)
            f = f + layout["forget_bias"]
        else:
            a = x @ layout["kernel"] + h @ layout["recurrent_kernel"] + layout["bias"]
            i, f, j, o = np.split(a, 4, axis=1)
        c = sig(f) * c + sig(i) * np.tanh(j)
        h = sig(o) * np.tanh(c)
    assert h.shape[1] == H
    return h @ layout["dense_kernel"] + layout["dense_bias"]


@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.name}{e.shape}")
def test_tensorflow_layouts_compute_the_same_logits(ex):
    p = ex.params
    r = lstmdoc.run(p, ex.X, ex.target, ex.h0, ex.c0)
    tf = dict(to_tf_cell(p), name="tf")
    keras = dict(to_keras(p), name="keras")
    assert tf["kernel"].shape == (p.D + p.H, 4 * p.H) and tf["bias"].shape == (4 * p.H,)
    assert keras["kernel"].shape == (p.D, 4 * p.H) and keras["recurrent_kernel"].shape == (p.H, 4 * p.H)
    for layout in (tf, keras):
        logits = gates_np(p, ex.X, ex.h0, ex.c0, layout)
        np.testing.assert_allclose(logits, r.logits.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.name}{e.shape}")
def test_tensorflow_layouts_round_trip(ex):
    p = ex.params
    back = from_tf_cell(**{k: v for k, v in to_tf_cell(p).items()})
    for name in ("W", "b", "Wy", "by"):
        assert np.array_equal(getattr(back, name), getattr(p, name))
    assert back.forget_bias == p.forget_bias
    k = from_keras(**to_keras(p))   # forget_bias folded into b
    assert k.forget_bias == 0
    assert np.array_equal(k.W, p.W)
    loss = lstmdoc.loss_and_grads(p, ex.X, ex.target, ex.h0, ex.c0)[0]
    assert abs(lstmdoc.loss_and_grads(k, ex.X, ex.target, ex.h0, ex.c0)[0] - loss) < 1e-12


def test_tensorflow_bad_arrays():
    t = to_tf_cell(random().params)
    with pytest.raises(ValueError, match=r"bias must have shape \(4H,\) = \(12,\) in the tf_cell "
                       r"layout \(D = 4, H = 3\), got \(16,\)"):
        from_tf_cell(**dict(t, kernel=t["kernel"][:, :12]))   # H from the kernel: 3
    with pytest.raises(ValueError, match=r"bias must have shape \(4H,\) = \(16,\)"):
        from_tf_cell(**dict(t, bias=t["bias"][:-1]))
    with pytest.raises(ValueError, match=r"dense_kernel must have shape \(H, V\) with H = 4 in "
                       r"the tf_cell layout, got \(5, 4\); it looks transposed"):
        from_tf_cell(**dict(t, dense_kernel=t["dense_kernel"].T))
    k = to_keras(random().params)
    k.pop("forget_bias", None)
    with pytest.raises(ValueError, match=r"recurrent_kernel must have shape \(H, 4H\) = \(2, 8\)"):
        from_keras(**dict(k, kernel=k["kernel"][:, :8]))
    with pytest.raises(TypeError, match="recurrent_kernel must have dtype float32 or float64"):
        from_keras(**dict(k, recurrent_kernel=k["recurrent_kernel"].astype(int)))
    with pytest.raises(TypeError, match="params must be an LSTMParams"):
        to_keras(k)
    with pytest.raises(TypeError, match="dense_kernel has dtype float32 but the parameters"):
        from_keras(**dict(k, dense_kernel=k["dense_kernel"].astype(np.float32)))


def test_grads_to_torch_layout_and_bad_input():
    ex = random()
    _, g = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    lstm_g, lin_g = grads_to_torch(g)
    assert lstm_g["weight_ih_l0"].shape == (16, 3) and lstm_g["weight_hh_l0"].shape == (16, 4)
    # torch's second block is f: lstmdoc's first.
    assert np.array_equal(lstm_g["bias_ih_l0"][4:8], g["b"][:4, 0])
    assert np.array_equal(lin_g["weight"], g["Wy"])
    with pytest.raises(ValueError, match="missing by"):
        grads_to_torch({k: v for k, v in g.items() if k != "by"})
    with pytest.raises(ValueError, match=r"grads\['Wy'\] must have shape \(V, H\) with H = 4"):
        grads_to_torch(dict(g, Wy=g["Wy"].T))


# --- PyTorch ---

@pytest.fixture(scope="module")
def torch():
    if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
        import torch
        return torch
    return pytest.importorskip("torch", reason="torch not installed: interop with torch skipped "
                               "(install with `make test TEST_EXTRAS=test,browser,torch`)")


def torch_pass(torch, lstm, linear, ex, batch_first=False):
    x, state = lstmdoc.to_torch_inputs(ex.X, ex.h0, ex.c0, batch_first)
    out, _ = lstm(x, state)
    last = out[:, -1] if batch_first else out[-1]
    loss = torch.nn.functional.cross_entropy(linear(last), torch.from_numpy(ex.target))
    loss.backward()
    return loss.item(), lstmdoc.grads_from_torch(lstm, linear, x, state)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.name}{e.shape}")
def test_to_torch_keeps_loss_and_gradients(torch, ex, batch_first):
    lstm, linear = lstmdoc.to_torch(ex.params, batch_first=batch_first)
    assert float(lstm.bias_hh_l0.detach().abs().max()) == 0
    loss, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    t_loss, t_grads = torch_pass(torch, lstm, linear, ex, batch_first)
    assert abs(loss - t_loss) < 1e-12
    assert sorted(t_grads) == sorted(grads)
    for k in grads:
        np.testing.assert_allclose(t_grads[k], grads[k], rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("ex", EXAMPLES[1:], ids=lambda e: f"{e.name}{e.shape}")
def test_from_torch_of_a_fresh_module(torch, ex):
    """A module with torch's own random weights and both biases non-zero."""
    torch.manual_seed(0)
    T, D, H, V, B = ex.shape
    lstm, linear = torch.nn.LSTM(D, H, dtype=torch.float64), torch.nn.Linear(H, V, dtype=torch.float64)
    params = lstmdoc.from_torch(lstm, linear)
    assert params.forget_bias == 0
    t_loss, t_grads = torch_pass(torch, lstm, linear, ex)
    loss, grads = lstmdoc.loss_and_grads(params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - t_loss) < 1e-12
    for k in grads:
        np.testing.assert_allclose(grads[k], t_grads[k], rtol=1e-9, atol=1e-12, err_msg=k)
    # ... and back: lstmdoc's gradients in torch's layout are what autograd left in .grad.
    lstm_g, lin_g = lstmdoc.grads_to_torch(grads)
    for name, g in [*lstm_g.items()]:
        np.testing.assert_allclose(g, getattr(lstm, name).grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, g in lin_g.items():
        np.testing.assert_allclose(g, getattr(linear, name).grad.numpy(), rtol=1e-9, atol=1e-12)


def test_round_trip_through_torch(torch):
    p = random().params
    back = lstmdoc.from_torch(*lstmdoc.to_torch(p))
    assert back.forget_bias == 0
    fold = np.zeros_like(p.b)
    fold[:p.H] = p.forget_bias
    assert np.array_equal(back.W, p.W) and np.allclose(back.b, p.b + fold)
    p32 = lstmdoc.from_torch(*lstmdoc.to_torch(p.astype(np.float32)))
    assert p32.dtype == np.float32


@pytest.mark.parametrize("kwargs, error, message", [
    ({"num_layers": 2, "bidirectional": True}, ValueError,
     "bidirectional with num_layers=2: torch's bidirectional stacks are not lstmdoc's: "
     r"in nn.LSTM\(bidirectional=True, num_layers=L\), layer 2 reads both directions' outputs"),
    ({"proj_size": 2}, ValueError, "proj_size=2"),
])
def test_from_torch_unsupported_modules(torch, kwargs, error, message):
    lstm = torch.nn.LSTM(3, 4, **kwargs)
    linear = torch.nn.Linear(8 if lstm.bidirectional else 4, 5)
    with pytest.raises(error, match=message):
        lstmdoc.from_torch(lstm, linear)


def test_from_torch_bad_arguments(torch):
    with pytest.raises(TypeError, match="lstm must be a torch.nn.LSTM, got GRU"):
        lstmdoc.from_torch(torch.nn.GRU(3, 4), torch.nn.Linear(4, 5))
    with pytest.raises(ValueError, match="linear must be nn.Linear\\(H, V\\) with H = 4"):
        lstmdoc.from_torch(torch.nn.LSTM(3, 4), torch.nn.Linear(5, 5))
    with pytest.raises(TypeError, match="share one dtype"):
        lstmdoc.from_torch(torch.nn.LSTM(3, 4), torch.nn.Linear(4, 5, dtype=torch.float64))
    with pytest.raises(ValueError, match="call loss.backward\\(\\) first"):
        lstmdoc.grads_from_torch(torch.nn.LSTM(3, 4), torch.nn.Linear(4, 5))


def test_batch_first_mismatch(torch):
    ex = random()
    lstm, linear = lstmdoc.to_torch(ex.params, batch_first=True)
    x, state = lstmdoc.to_torch_inputs(ex.X, ex.h0, ex.c0, batch_first=False)  # time-major x
    # torch itself cannot tell: it reads (T, B, D) as (B, T, D) with B = 6 and fails on h0.
    with pytest.raises(RuntimeError):
        lstm(x, state)
    x.grad = torch.zeros_like(x)
    for s in state:
        s.grad = torch.zeros_like(s)
    for p in [*lstm.parameters(), *linear.parameters()]:
        p.grad = torch.zeros_like(p)
    with pytest.raises(ValueError, match="batch_first mismatch: lstm.batch_first=True"):
        lstmdoc.grads_from_torch(lstm, linear, x, state)


def test_the_frameworks_page_example_runs_with_torch(torch):
    """The page's doctests, including the one the docs build skips without torch."""
    import doctest
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "learners" / "frameworks.md"
    blocks = re.findall(r"```\{doctest\}\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert any("torch.nn.LSTM" in b for b in blocks)
    source = "\n".join(re.sub(r"\A(:\w+:.*\n)+\n?", "", b) for b in blocks)
    np.set_printoptions(precision=4, suppress=True)
    try:
        test = doctest.DocTestParser().get_doctest(source, {"np": np, "lstmdoc": lstmdoc},
                                                   page.name, str(page), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test)
    finally:
        np.set_printoptions()
    assert runner.failures == 0 and runner.tries > 20


def test_modules_without_biases(torch):
    torch.manual_seed(1)
    ex = random()
    lstm = torch.nn.LSTM(3, 4, bias=False, dtype=torch.float64)
    linear = torch.nn.Linear(4, 5, bias=False, dtype=torch.float64)
    params = lstmdoc.from_torch(lstm, linear)
    assert not params.b.any() and not params.by.any()
    t_loss, t_grads = torch_pass(torch, lstm, linear, ex)
    loss, grads = lstmdoc.loss_and_grads(params, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - t_loss) < 1e-12
    np.testing.assert_allclose(t_grads["W"], grads["W"], rtol=1e-9, atol=1e-12)
    assert "b" not in t_grads and "by" not in t_grads   # no such parameters in torch
