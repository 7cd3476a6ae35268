"""The article's training run against PyTorch: torch.nn.LSTM + Linear + torch.optim.SGD, float64.

Independent of lstmdoc.train: the window schedule is written out here as the
article's scripts (Deep-Breathe's LSTMMain.py and its variants) run their loop,
and torch computes every loss, gradient and update.
"""

import os

import numpy as np
import pytest

import lstmdoc
import lstmdoc.train
from lstmdoc.example import article

if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
    import torch  # CI: a missing torch is a failure, not a skip
else:
    torch = pytest.importorskip("torch", reason="torch not installed: training cross-check skipped "
                                "(install with `make test TEST_EXTRAS=test,browser,torch`)")

from test_torch import from_torch_rows, to_torch_rows  # noqa: E402  (after the torch skip)

TOLERANCE = 1e-8


def schedule(tokens, T, iterations):
    """The article's windows, as its scripts' loop chooses them."""
    rnd = np.random.RandomState(42)
    offset = 2  # the scripts: `#offset = rnd.randint(0, n_input + 1)` then `offset=2`
    for _ in range(iterations):
        if offset > len(tokens) - (T + 1):
            offset = rnd.randint(0, T + 1)
        yield tokens[offset:offset + T], tokens[offset + T]
        offset += T + 1


def torch_article_run(initial_state, iterations=200, lr=0.001):
    ex = article()
    p, V, H = ex.params, len(ex.vocab), ex.params.H
    D = p.D
    lstm = torch.nn.LSTM(D, H, dtype=torch.float64)
    out = torch.nn.Linear(H, V, dtype=torch.float64)
    forget = np.zeros((4 * H, 1))
    forget[:H] = p.forget_bias  # torch has no forget bias: fold it into the f block's bias
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(to_torch_rows(p.W[:, :D])))
        lstm.weight_hh_l0.copy_(torch.from_numpy(to_torch_rows(p.W[:, D:])))
        lstm.bias_ih_l0.copy_(torch.from_numpy(to_torch_rows(p.b + forget)[:, 0]))
        lstm.bias_hh_l0.zero_()
        out.weight.copy_(torch.from_numpy(p.Wy))
        out.bias.copy_(torch.from_numpy(p.by[:, 0]))
    # bias_hh gets the same gradient as bias_ih: trained too, the bias would move twice as fast.
    lstm.bias_hh_l0.requires_grad_(False)
    trained = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, out.weight, out.bias]
    opt = torch.optim.SGD(trained, lr=lr)
    state = torch.zeros if initial_state == "zeros" else torch.ones
    h0, c0 = state(1, 1, H, dtype=torch.float64), state(1, 1, H, dtype=torch.float64)
    index = {w: k for k, w in enumerate(ex.vocab)}
    tokens = [index[w] for w in lstmdoc.example.TEXT.split()]
    losses, windows = [], []
    for inputs, target in schedule(tokens, 3, iterations):
        X = torch.nn.functional.one_hot(torch.tensor(inputs), D).to(torch.float64)[:, None, :]
        y, _ = lstm(X, (h0, c0))
        loss = torch.nn.functional.cross_entropy(out(y[-1]), torch.tensor([target]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        windows.append((list(inputs), target))
    with torch.no_grad():
        W = from_torch_rows(np.concatenate([lstm.weight_ih_l0.numpy(), lstm.weight_hh_l0.numpy()], 1))
        b = from_torch_rows(lstm.bias_ih_l0.numpy()[:, None]) - forget
        final = {"W": W, "b": b, "Wy": out.weight.numpy().copy(), "by": out.bias.numpy()[:, None]}
    return np.array(losses), final, windows


@pytest.mark.parametrize("initial_state", ["zeros", "ones"])
def test_article_run_matches_torch_sgd(initial_state):
    run = lstmdoc.train.article(initial_state=initial_state)
    t_losses, t_final, t_windows = torch_article_run(initial_state)
    assert [(list(w.inputs[:, 0]), int(w.target[0])) for w in run.windows] == t_windows
    assert run.losses.shape == t_losses.shape == (200,)
    assert np.max(np.abs(run.losses - t_losses)) <= TOLERANCE
    for name, value in t_final.items():
        err = np.max(np.abs(getattr(run.params, name) - value))
        assert err <= TOLERANCE, f"{name}: largest difference {err:.1e}"
        # The weights did move: the comparison is not of the starting point with itself.
        assert np.max(np.abs(getattr(article().params, name) - value)) > 100 * TOLERANCE, name
