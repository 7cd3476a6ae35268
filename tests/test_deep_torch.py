"""lstmdoc.deep against PyTorch autograd, in float64.

Stacked: ``torch.nn.LSTM(num_layers=L)``. Bidirectional, and both: two
independent ``nn.LSTM(num_layers=L)``, the second fed ``torch.flip(x, [0])``,
the output layer reading the first's output at T and the second's after its
first step (TensorFlow's ``bidirectional_dynamic_rnn``), or, for the readout
``"states"``, each one's final state ``h_n``. This is not
``nn.LSTM(bidirectional=True, num_layers=2)``, whose second layer reads both
directions; with one layer it is, and the final-states readout is checked
against its ``h_n`` read out through an ``nn.Linear``.
"""

import os

import numpy as np
import pytest

import lstmdoc
from lstmdoc import deep
from lstmdoc.deep.example import article, random

if os.environ.get("LSTMDOC_REQUIRE_TORCH") == "1":
    import torch  # CI: a missing torch is a failure, not a skip
else:
    torch = pytest.importorskip("torch", reason="torch not installed: autograd cross-check skipped "
                                "(install with `make test TEST_EXTRAS=test,browser,torch`)")

from test_torch import from_torch_rows, to_torch_rows  # noqa: E402  (after the torch skip)


def torch_stack(cells):
    """An nn.LSTM(num_layers=L) holding ``cells``; torch's bias_hh frozen at 0, the forget bias in bias_ih."""
    D, H = cells[0].D, cells[0].H
    lstm = torch.nn.LSTM(D, H, num_layers=len(cells), dtype=torch.float64)
    for l, c in enumerate(cells):
        copy_cell(lstm, f"l{l}", c)
    return lstm


def copy_cell(lstm, suffix, c):
    """Put lstmdoc's cell ``c`` into the weights of ``lstm`` named ``*_<suffix>`` (``l0``, ``l0_reverse``)."""
    forget = np.zeros((4 * c.H, 1))
    forget[:c.H] = c.forget_bias
    with torch.no_grad():
        getattr(lstm, f"weight_ih_{suffix}").copy_(torch.from_numpy(to_torch_rows(c.W[:, :c.D])))
        getattr(lstm, f"weight_hh_{suffix}").copy_(torch.from_numpy(to_torch_rows(c.W[:, c.D:])))
        getattr(lstm, f"bias_ih_{suffix}").copy_(torch.from_numpy(to_torch_rows(c.b + forget)[:, 0]))
        getattr(lstm, f"bias_hh_{suffix}").zero_()
    getattr(lstm, f"bias_hh_{suffix}").requires_grad_(False)


def torch_cell_grads(lstm, cells, suffixes=None):
    """(dW, db) per layer (or per weight suffix), in lstmdoc's layout."""
    out = []
    for suffix in suffixes or [f"l{l}" for l in range(len(cells))]:
        dW = np.concatenate([getattr(lstm, f"weight_ih_{suffix}").grad.numpy(),
                             getattr(lstm, f"weight_hh_{suffix}").grad.numpy()], axis=1)
        db = getattr(lstm, f"bias_ih_{suffix}").grad.numpy()[:, None]
        out.append((from_torch_rows(dW), from_torch_rows(db)))
    return out


class TorchDeep:
    """The deep model in torch: one nn.LSTM per direction and the output layer, as leaves."""

    def __init__(self, params):
        self.params = params
        self.stacks = [torch_stack(params.forward)] + \
            ([torch_stack(params.backward)] if params.backward is not None else [])
        self.Wy = torch.tensor(params.Wy, requires_grad=True)
        self.by = torch.tensor(params.by[:, 0], requires_grad=True)

    def loss(self, X, target, h0, c0):
        """X (T, B, D) tensor; h0, c0 lists of (L, B, H) tensors, one per direction."""
        outs = [self.stacks[0](X, (h0[0], c0[0]))[0][-1]]  # forward: h at T
        if len(self.stacks) > 1:
            # backward: fed x_T … x_1; its output after the first step is h_bw(T),
            # its final state h_n (top layer) is h_bw(1)
            out, (h_n, _) = self.stacks[1](torch.flip(X, [0]), (h0[1], c0[1]))
            outs.append(out[0] if self.params.readout == "outputs" else h_n[-1])
        logits = torch.cat(outs, dim=1) @ self.Wy.T + self.by
        return torch.nn.functional.cross_entropy(logits, torch.from_numpy(np.asarray(target)))

    def leaves(self, ex):
        """``(X, h0, c0)`` of ``ex`` as leaf tensors, in torch's layout (see :meth:`loss`)."""
        p, L = self.params, self.params.layers
        leaf = lambda a: torch.tensor(a, requires_grad=True)  # noqa: E731
        h0 = [leaf(np.stack([h.T for h in ex.h0[k * L:(k + 1) * L]])) for k in range(p.directions)]
        c0 = [leaf(np.stack([c.T for c in ex.c0[k * L:(k + 1) * L]])) for k in range(p.directions)]
        return leaf(ex.X.transpose(0, 2, 1)), h0, c0

    def grads(self, X, h0, c0):
        """After ``backward()``: every gradient, in lstmdoc's layout (``deep.loss_and_grads``'s dict)."""
        p, L = self.params, self.params.layers
        return {**{d: tuple({"W": w, "b": b} for w, b in torch_cell_grads(s, cells))
                   for d, s, cells in zip(("forward", "backward"), self.stacks, (p.forward, p.backward))},
                "Wy": self.Wy.grad.numpy(), "by": self.by.grad.numpy()[:, None],
                "X": X.grad.numpy().transpose(0, 2, 1),
                "h0": tuple(h[l].T for h in (t.grad.numpy() for t in h0) for l in range(L)),
                "c0": tuple(c[l].T for c in (t.grad.numpy() for t in c0) for l in range(L))}

    def parameters(self):
        return [p for s in self.stacks for p in s.parameters() if p.requires_grad] + [self.Wy, self.by]


def torch_loss_and_grads(ex):
    model = TorchDeep(ex.params)
    X, h0, c0 = model.leaves(ex)
    loss = model.loss(X, ex.target, h0, c0)
    loss.backward()
    return loss.item(), model.grads(X, h0, c0)


EXAMPLES = {
    "stacked": random(seed=21, T=4, D=3, H=(5, 5), V=6, B=2),
    "stacked-3": random(seed=22, T=3, D=2, H=(4, 4, 4), V=5, B=1),
    "bidirectional": random(seed=23, T=4, D=3, H=(5,), H_bw=(2,), V=6, B=2),
    "both": random(seed=24, T=5, D=3, H=(4, 4), H_bw=(2, 2), V=6, B=3),
    "article-2-layers": article(layers=2),
    "article-bidirectional": article(layers=1, bidirectional=True),
    "article-both": article(layers=2, bidirectional=True),
    "bidirectional-final-states": random(seed=25, T=4, D=3, H=(5,), H_bw=(2,), V=6, B=2,
                                         readout="states"),
    "both-final-states": random(seed=26, T=5, D=3, H=(4, 4), H_bw=(3, 3), V=6, B=3,
                                readout="states"),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_deep_gradients_match_torch_autograd(name):
    ex = EXAMPLES[name]
    loss, grads = deep.loss_and_grads(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    t_loss, t_grads = torch_loss_and_grads(ex)
    assert abs(loss - t_loss) <= 1e-12 * abs(t_loss)
    assert set(grads) == set(t_grads)
    for name, a, b in pairs(grads, t_grads):
        err = lstmdoc.gradcheck.relative_error(a, b)
        assert err < 1e-10, f"{name}: relative error {err:.1e}"


def pairs(grads, t_grads):
    """(name, lstmdoc's array, torch's array) for every gradient, nested ones flattened."""
    for key, value in grads.items():
        if isinstance(value, np.ndarray):
            yield key, value, t_grads[key]
            continue
        for k, (a, b) in enumerate(zip(value, t_grads[key], strict=True)):
            if isinstance(a, dict):
                yield from ((f"{key}[{k}].{n}", a[n], b[n]) for n in a)
            else:
                yield f"{key}[{k}]", a, b


def test_final_states_readout_is_torch_bidirectional_h_n_through_a_linear():
    """nn.LSTM(bidirectional=True) (one layer: there the two models agree), its h_n = [h_fw(T);
    h_bw(1)] read out by nn.Linear: lstmdoc's readout="states", loss and every gradient."""
    ex = random(seed=27, T=5, D=3, H=(4,), H_bw=(4,), V=6, B=3, readout="states")
    p, (T, D, B), H = ex.params, ex.X.shape, 4
    lstm = torch.nn.LSTM(D, H, bidirectional=True, dtype=torch.float64)
    copy_cell(lstm, "l0", p.forward[0])
    copy_cell(lstm, "l0_reverse", p.backward[0])
    linear = torch.nn.Linear(2 * H, p.V, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(p.Wy))
        linear.bias.copy_(torch.from_numpy(p.by[:, 0]))
    leaf = lambda a: torch.tensor(a, requires_grad=True)  # noqa: E731
    X = leaf(ex.X.transpose(0, 2, 1))
    h0, c0 = (leaf(np.stack([s.T for s in states])) for states in (ex.h0, ex.c0))  # (2, B, H)
    _, (h_n, _) = lstm(X, (h0, c0))
    logits = linear(torch.cat([h_n[0], h_n[1]], dim=1))
    t_loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(ex.target))
    t_loss.backward()
    (fw_W, fw_b), (bw_W, bw_b) = torch_cell_grads(lstm, None, ["l0", "l0_reverse"])
    loss, grads = deep.loss_and_grads(p, ex.X, ex.target, ex.h0, ex.c0)
    assert abs(loss - t_loss.item()) <= 1e-12 * t_loss.item()
    expected = {"forward[0].W": fw_W, "forward[0].b": fw_b, "backward[0].W": bw_W,
                "backward[0].b": bw_b, "Wy": linear.weight.grad.numpy(),
                "by": linear.bias.grad.numpy()[:, None], "X": X.grad.numpy().transpose(0, 2, 1),
                "h0[0]": h0.grad[0].numpy().T, "h0[1]": h0.grad[1].numpy().T,
                "c0[0]": c0.grad[0].numpy().T, "c0[1]": c0.grad[1].numpy().T}
    ours = dict((name, a) for name, a, _ in pairs(grads, grads))
    assert set(ours) == set(expected)
    for name, value in expected.items():
        err = lstmdoc.gradcheck.relative_error(ours[name], value)
        assert err < 1e-10, f"{name}: relative error {err:.1e}"
    assert np.any(ours["backward[0].W"][:, :D] != 0)  # the backward cell read the whole sequence


# ---- the article's deep training runs, 200 iterations of SGD, against torch.optim.SGD ----

TOLERANCE = 1e-8


def torch_article_run(layers, bidirectional, initial_state, iterations=200, lr=0.001):
    """The article's run in torch: same windows (written out in test_train_torch), same SGD."""
    from test_train_torch import schedule  # the scripts' window schedule, independent of lstmdoc

    ex = article(layers=layers, bidirectional=bidirectional)
    p, D, L = ex.params, ex.params.D, layers
    model = TorchDeep(p)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    state = torch.zeros if initial_state == "zeros" else torch.ones
    h0 = [state(L, 1, 5, dtype=torch.float64) for _ in range(p.directions)]
    c0 = [state(L, 1, 5, dtype=torch.float64) for _ in range(p.directions)]
    index = {w: k for k, w in enumerate(ex.vocab)}
    tokens = [index[w] for w in lstmdoc.example.TEXT.split()]
    losses = []
    for inputs, target in schedule(tokens, 3, iterations):
        X = torch.nn.functional.one_hot(torch.tensor(inputs), D).to(torch.float64)[:, None, :]
        loss = model.loss(X, [target], h0, c0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    final = []
    with torch.no_grad():
        for stack, cells in zip(model.stacks, (p.forward, p.backward)):
            for l, c in enumerate(cells):
                forget = np.zeros((4 * c.H, 1))
                forget[:c.H] = c.forget_bias
                W = np.concatenate([getattr(stack, f"weight_ih_l{l}").numpy(),
                                    getattr(stack, f"weight_hh_l{l}").numpy()], axis=1)
                b = from_torch_rows(getattr(stack, f"bias_ih_l{l}").numpy()[:, None]) - forget
                final.append((from_torch_rows(W), b))
        out = {"Wy": model.Wy.numpy().copy(), "by": model.by.numpy()[:, None].copy()}
    return np.array(losses), final, out


@pytest.mark.parametrize("layers, bidirectional, initial_state", [
    (2, False, "zeros"), (1, True, "zeros"), (2, True, "zeros"), (2, True, "ones")],
    ids=["LSTMMainmulti", "LSTMMainbi", "LSTMMainbimulti", "LSTMMainbimulti-ones"])
def test_article_deep_runs_match_torch_sgd(layers, bidirectional, initial_state):
    import lstmdoc.train

    run = lstmdoc.train.article(layers=layers, bidirectional=bidirectional,
                                initial_state=initial_state)
    t_losses, t_cells, t_out = torch_article_run(layers, bidirectional, initial_state)
    assert run.losses.shape == t_losses.shape == (200,)
    assert np.max(np.abs(run.losses - t_losses)) <= TOLERANCE
    start = article(layers=layers, bidirectional=bidirectional).params
    names = run.params.names
    for name, cell, (W, b), first in zip(names, run.params.cells, t_cells, start.cells, strict=True):
        for what, mine, theirs, before in (("W", cell.W, W, first.W), ("b", cell.b, b, first.b)):
            err = np.max(np.abs(mine - theirs))
            assert err <= TOLERANCE, f"{name} {what}: largest difference {err:.1e}"
            assert np.max(np.abs(before - theirs)) > 100 * TOLERANCE, f"{name} {what} did not move"
    for what, value in t_out.items():
        err = np.max(np.abs(getattr(run.params, what) - value))
        assert err <= TOLERANCE, f"{what}: largest difference {err:.1e}"
