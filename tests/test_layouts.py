"""lstmdoc.layouts: each layout checked against code written in it, converters both ways.

The learners' layouts are checked against the page's implementations
(docs/learners/*_lstm.py, each written here in its course's style): the
converted weights must give lstmdoc's states, and
lstmdoc's converted gradients must equal finite differences of a loss computed
by that code.
"""

import dataclasses
import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import lstmdoc
from lstmdoc import layouts
from lstmdoc.example import article, random
from lstmdoc.gradcheck import check_gradient

LEARNERS = Path(__file__).resolve().parents[1] / "docs" / "learners"
EXAMPLES = [article(), random(), random(seed=3, T=1, D=2, H=3, V=4, B=1),
            random(seed=4, T=5, D=6, H=5, V=7, B=8)]


def learner(name):
    spec = importlib.util.spec_from_file_location(name, LEARNERS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CS, DL, KP = learner("cs231n_lstm"), learner("dlai_lstm"), learner("karpathy_lstm")
D2L = learner("d2l_lstm")


@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.name}{e.shape}")
def test_the_learners_code_computes_lstmdocs_states(ex):
    p, zero = ex.params, np.zeros_like(ex.c0)
    from_zero = lstmdoc.run(p, ex.X, ex.target, ex.h0, zero)   # CS231n's, deeplearning.ai's c0 = 0
    r = lstmdoc.run(p, ex.X, ex.target, ex.h0, ex.c0)
    cs = layouts.weights_to("cs231n", p)
    h, _ = CS.lstm_forward(ex.X.transpose(2, 0, 1), ex.h0.T, cs["Wx"], cs["Wh"], cs["b"])
    np.testing.assert_allclose(h, from_zero.hs.transpose(2, 0, 1), rtol=1e-12, atol=1e-14)
    a, y, c, _ = DL.lstm_forward(ex.X.transpose(1, 2, 0), ex.h0, layouts.weights_to(DL_NAME, p))
    np.testing.assert_allclose(a, from_zero.hs.transpose(1, 2, 0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(y[:, :, -1], from_zero.probs, rtol=1e-12, atol=1e-14)
    WLSTM = layouts.weights_to("karpathy", p)["WLSTM"]
    Hout, C, _, _ = KP.LSTM.forward(ex.X.transpose(0, 2, 1), WLSTM, ex.c0.T, ex.h0.T)
    np.testing.assert_allclose(Hout, r.hs.transpose(0, 2, 1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(C, r.cs[-1].T, rtol=1e-12, atol=1e-14)
    Y, (H, C) = D2L.lstm(ex.X.transpose(0, 2, 1), (ex.h0.T, ex.c0.T), layouts.weights_to("d2l", p))
    np.testing.assert_allclose(H, r.h.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(C, r.cs[-1].T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Y[-1], r.logits.T, rtol=1e-12, atol=1e-14)


DL_NAME = "deeplearning.ai"


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
@pytest.mark.parametrize("ex", EXAMPLES, ids=lambda e: f"{e.name}{e.shape}")
def test_round_trips_are_exact(name, ex):
    p = ex.params
    back = layouts.weights_from(name, layouts.weights_to(name, p))
    want = p if layouts.get(name).forget_bias else layouts.fold_forget_bias(p)
    assert np.array_equal(back.W, want.W) and np.array_equal(back.b, want.b)
    assert back.forget_bias == want.forget_bias
    _, g = lstmdoc.loss_and_grads(p, ex.X, ex.target, ex.h0, ex.c0)
    there = layouts.grads_to(name, g)
    assert all(k.startswith(layouts.get(name).grad_prefix) for k in there)
    back = layouts.grads_from(name, there)
    assert sorted(back) == sorted(g) if layouts.get(name).output else \
        sorted(back) == ["W", "X", "b", "c0", "h0"]
    for k, v in back.items():
        assert np.array_equal(v, g[k]), k


def loss_of(layout, run, w):
    """A loss written in ``layout``'s own code: Σ weights ⊙ every hidden state."""
    return lambda arrays: float(np.sum(run(arrays) * w))


@pytest.mark.parametrize("ex", EXAMPLES[1:3], ids=lambda e: f"{e.name}{e.shape}")
def test_gradients_in_each_layout_are_finite_differences_of_its_code(ex):
    rng = np.random.default_rng(7)
    x_kp, h0, c0 = ex.X.transpose(0, 2, 1), ex.h0.T, ex.c0.T
    T, _, B = ex.X.shape
    w = rng.normal(size=(T, B, ex.params.H))                                   # Karpathy's (T, B, H)
    arrays = {**layouts.weights_to("karpathy", ex.params), "X": x_kp, "h0": h0, "c0": c0}
    run = lambda a: KP.LSTM.forward(a["X"], a["WLSTM"], a["c0"], a["h0"])[0]  # noqa: E731
    kp = layouts.weights_to("karpathy", ex.params)
    ours = layouts.results("karpathy", kp, x_kp, h0, c0, dh=w)
    for name in arrays:
        f = lambda v, n=name: loss_of("karpathy", run, w)(dict(arrays, **{n: v}))  # noqa: E731
        assert check_gradient(name, f, arrays[name], ours["d" + name]).ok, name
    x_cs = ex.X.transpose(2, 0, 1)
    wc = w.transpose(1, 0, 2)                                                  # CS231n's (N, T, H)
    cs = {**layouts.weights_to("cs231n", ex.params), "x": x_cs, "h0": h0}
    run = lambda a: CS.lstm_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"])[0]  # noqa: E731
    ours = layouts.results("cs231n", layouts.weights_to("cs231n", ex.params), x_cs, h0, dh=wc)
    for name in cs:
        f = lambda v, name=name: loss_of("cs231n", run, wc)(dict(cs, **{name: v}))  # noqa: E731
        assert check_gradient(name, f, cs[name], ours["d" + name]).ok, name


@pytest.mark.parametrize("ex", EXAMPLES[1:], ids=lambda e: f"{e.name}{e.shape}")
def test_results_equal_the_learners_own_backward(ex):
    """The page's implementations are right: lstmdoc's results in their layouts are theirs."""
    rng = np.random.default_rng(5)
    T, D, B = ex.X.shape
    dh = rng.normal(size=(B, T, ex.params.H))
    w = layouts.weights_to("cs231n", ex.params)
    h, cache = CS.lstm_forward(ex.X.transpose(2, 0, 1), ex.h0.T, w["Wx"], w["Wh"], w["b"])
    theirs = dict(zip(("dx", "dh0", "dWx", "dWh", "db"), CS.lstm_backward(dh, cache)))
    ours = layouts.results("cs231n", w, ex.X.transpose(2, 0, 1), ex.h0.T, dh=dh)
    np.testing.assert_allclose(ours["h"], h, rtol=1e-12, atol=1e-14)
    for k, v in theirs.items():
        np.testing.assert_allclose(ours[k], v, rtol=1e-10, atol=1e-13, err_msg=k)
    w = layouts.weights_to(DL_NAME, ex.params)
    da = dh.transpose(2, 0, 1)
    a, _, _, caches = DL.lstm_forward(ex.X.transpose(1, 2, 0), ex.h0, w)
    theirs = DL.lstm_backward(da, caches)
    ours = layouts.results(DL_NAME, w, ex.X.transpose(1, 2, 0), ex.h0, dh=da)
    np.testing.assert_allclose(ours["a"], a, rtol=1e-12, atol=1e-14)
    for k in ("dx", "da0", "dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"):
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-10, atol=1e-13, err_msg=k)


def test_last_step_only_and_run_sequences():
    ex = random()
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    dh_T = r.steps[-1].dHt            # what the output layer sends into h_T
    out = layouts.results("lstmdoc", layouts.weights_to("lstmdoc", ex.params), ex.X, ex.h0,
                          ex.c0, dh=dh_T)
    assert np.array_equal(out["hs"], r.hs) and np.array_equal(out["cs"], r.cs)
    for k in ("W", "b", "X", "h0", "c0"):
        np.testing.assert_allclose(out[k], r.grads[k], rtol=1e-13, atol=1e-15, err_msg=k)
    assert np.array_equal(r.hs[-1], r.h)
    assert np.array_equal(r.cs[:-1], np.stack([c.c_prev for c in r.caches[1:]]))


def test_reorder_by_letters():
    W = np.arange(8 * 3).reshape(8, 3)
    back = layouts.reorder(layouts.reorder(W, "ifog", "figo"), "figo", "ifog")
    assert np.array_equal(back, W)
    assert np.array_equal(layouts.reorder(W.T, "ifog", "figo"),
                          layouts.reorder(W, "ifog", "figo").T)
    with pytest.raises(ValueError, match="the candidate is g: TensorFlow's j, Keras's c"):
        layouts.reorder(W, "ijfo", "figo")
    with pytest.raises(ValueError, match=r"a has shape \(8, 8\): axes \[0, 1\] could hold"):
        layouts.reorder(np.zeros((8, 8)), "ifog", "figo")
    assert layouts.reorder(np.zeros((8, 8)), "ifog", "figo", axis=1).shape == (8, 8)
    with pytest.raises(TypeError, match="a must be a numpy ndarray, got list"):
        layouts.reorder([1, 2, 3, 4], "ifog", "figo")


def test_forget_bias_fold_and_unfold():
    p = random().params
    folded = layouts.fold_forget_bias(p)
    assert folded.forget_bias == 0 and np.array_equal(folded.b[:4] - p.b[:4], np.ones((4, 1)))
    back = layouts.unfold_forget_bias(folded, 1.0)
    assert back.forget_bias == 1.0 and np.allclose(back.b, p.b, rtol=0, atol=1e-15)
    ex = random()
    loss = lambda q: lstmdoc.loss_and_grads(q, ex.X, ex.target, ex.h0, ex.c0)[0]  # noqa: E731
    assert abs(loss(folded) - loss(p)) < 1e-14
    with pytest.raises(ValueError, match="layer norm, which adds the forget bias after the norm"):
        layouts.fold_forget_bias(random(layer_norm=True).params)


@pytest.mark.parametrize("call, error, message", [
    (lambda w: layouts.weights_from("cs321n", w), ValueError,
     "no layout named 'cs321n': did you mean cs231n?"),
    (lambda w: layouts.weights_from("cs231n", dict(w, Wh=w["Wh"].T)), ValueError,
     r"Wh must have shape \(H, 4H\) = \(4, 16\) in the cs231n layout \(D = 3, H = 4\), "
     r"got \(16, 4\); it looks transposed"),
    (lambda w: layouts.weights_from("cs231n", {k: v for k, v in w.items() if k != "b"}),
     ValueError, r"b is missing \(the arrays hold Wx, Wh\)"),
    (lambda w: layouts.weights_from("cs231n", dict(w, b=w["b"].astype(np.float32))), TypeError,
     "b has dtype float32"),
    (lambda w: layouts.weights_from("cs231n", dict(w, Wx=w["Wx"][:, :15])), ValueError,
     r"Wx must have shape \(D, 4H\) in the cs231n layout; its gate axis has 15 entries"),
    (lambda w: layouts.weights_from("cs231n", w, forget_bias=1.0), ValueError,
     "the cs231n layout has no run-time forget bias"),
    (lambda w: layouts.weights_to("cs231n", w), TypeError,
     "params must be an LSTMParams or a lstmdoc.deep.Cell, got dict"),
    (lambda w: layouts.results("cs231n", w, np.zeros((2, 6, 4))), ValueError,
     r"x must have shape \(B, T, D\) with D = 3"),
    (lambda w: layouts.results("cs231n", w, np.zeros((2, 6, 3)), dh=np.zeros((6, 2, 4))),
     ValueError, r"dh must have the shape of the hidden states over time \(B, T, H\) = "
     r"\(2, 6, 4\)"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(layouts.weights_to("cs231n", random().params))


def test_shapes_table():
    assert layouts.shapes("cs231n") == {
        "Wx": "(D, 4H)", "Wh": "(H, 4H)", "b": "(4H,)", "x": "(B, T, D)", "h0": "(B, H)",
        "c0": "(B, H)", "h": "(B, T, H)", "c": "(B, T, H)"}
    assert layouts.shapes("d2l")["Wx"] == "(D, H)" and layouts.shapes("torch")["h0"] == "(1, B, H)"


def scaled(f, k=1.001):
    """``f`` with every array it returns (in dicts and tuples too) scaled by ``k``."""
    def scale(x):
        if isinstance(x, np.ndarray):
            return x * k
        if isinstance(x, dict):
            return {a: scale(b) for a, b in x.items()}
        if isinstance(x, tuple):
            return tuple(scale(b) for b in x)
        if dataclasses.is_dataclass(x):
            return dataclasses.replace(x, W=x.W * k)
        return x
    return lambda *a, **kw: scale(f(*a, **kw))


@pytest.mark.parametrize("module, name", [
    ("interop.torch_grads", n) for n in ("grads_from_torch", "grads_to_torch", "_state_grads",
                                         "_input_grad")] + [
    ("layouts.models", n) for n in ("grads_to", "grads_from", "weights_to", "weights_from")] + [
    ("layouts.convert", n) for n in ("cell_to", "cell_from", "sequence_from", "state_from")])
def test_the_build_catches_a_wrong_converter(monkeypatch, module, name):
    """What docs/_ext/lstmdoc_layouts.py runs fails when a converter is off by 0.1 %."""
    from lstmdoc.interop import verification as torch_checks
    from lstmdoc.layouts import verification as layout_checks
    mod = importlib.import_module(f"lstmdoc.{module}")
    monkeypatch.setattr(mod, name, scaled(getattr(mod, name)))
    checks = layout_checks.verify() + torch_checks.verify()
    assert any(not c.ok for c in checks)


def test_the_build_checks_pass():
    from lstmdoc.interop import verification as torch_checks
    from lstmdoc.layouts import verification as layout_checks
    checks = layout_checks.verify() + torch_checks.verify()
    assert all(c.ok for c in checks) and len(checks) > 150
