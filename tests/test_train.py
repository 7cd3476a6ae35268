"""lstmdoc.train: the article's run, general training, generation, and bad input."""

import dataclasses
import warnings

import numpy as np
import pytest

import lstmdoc
from lstmdoc import train
from lstmdoc.example import article as article_example


@pytest.fixture(scope="module")
def article_run():
    return train.article()


@pytest.fixture(scope="module")
def fable():
    return train.tokenize(train.belling_the_cat())


# --- the article's run ------------------------------------------------------------------------

def test_iteration_0_is_the_worked_example(article_run):
    ex = article_example()
    loss, _ = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    assert article_run.losses[0] == loss  # exactly, not approximately
    w = article_run.windows[0]
    assert np.array_equal(train.one_hot(w.inputs, ex.params.D), ex.X)
    assert np.array_equal(w.target, ex.target)


def test_first_windows_are_the_scripts(article_run):
    """The stored Deep-Breathe scripts (LSTMMain.py and its variants) start at offset=2, undrawn."""
    vocab = article_example().vocab
    assert [w.words(vocab)[0] for w in article_run.windows[:5]] == [
        "the mice had → a", "general council to → consider", "the mice had → a",
        "general council to → consider", "mice had a → general"]


def test_every_window_is_consecutive_text(article_run):
    tokens, vocab = train.tokenize(lstmdoc.example.TEXT)
    assert vocab == article_example().vocab and len(tokens) == 11
    offsets = train.article_offsets(len(tokens), 3, 200)
    assert max(offsets) <= 7 and offsets[:8] == [2, 6, 2, 6, 3, 7, 0, 4]
    for k, w in zip(offsets, article_run.windows):
        assert list(w.inputs[:, 0]) == list(tokens[k:k + 3]) and w.target[0] == tokens[k + 3]


def test_run_facts(article_run):
    r = article_run
    assert r.losses.shape == (200,) and r.losses.dtype == np.float64
    assert np.all(np.isfinite(r.losses)) and len(r.windows) == 200
    p0 = article_example().params
    assert r.params.dtype == np.float64 and r.params.forget_bias == p0.forget_bias
    for name in ("W", "b", "Wy", "by"):
        assert not np.array_equal(getattr(r.params, name), getattr(p0, name)), name
    assert np.all(p0.W == 0.1)  # the starting point was not written into


def test_loss_is_taken_before_the_update():
    k = 5
    short, longer = train.article(iterations=k), train.article(iterations=k + 1)
    assert np.array_equal(short.losses, longer.losses[:k])
    w = longer.windows[k]
    loss, _ = lstmdoc.loss_and_grads(short.params, train.one_hot(w.inputs, 10), w.target)
    assert longer.losses[k] == loss


def test_update_is_sgd_with_lr_0_001():
    ex = article_example()
    _, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    after = train.article(iterations=1).params
    for name in ("W", "b", "Wy", "by"):
        assert np.array_equal(getattr(after, name), getattr(ex.params, name) - 0.001 * grads[name])


def test_initial_state_ones():
    ex = article_example()
    ones = np.ones((5, 1))
    loss, _ = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target, ones, ones)
    run = train.article(iterations=3, initial_state="ones")
    assert run.losses[0] == loss
    assert not np.array_equal(run.losses, train.article(iterations=3).losses)


@pytest.mark.parametrize("kwargs", [{"layers": 2}, {"bidirectional": True},
                                    {"layers": 2, "bidirectional": True}])
def test_deeper_article_runs_start_at_their_example_and_train_every_cell(kwargs):
    from lstmdoc import deep
    ex = deep.example.article(**kwargs)
    run = train.article(iterations=3, **kwargs)
    assert run.losses[0] == deep.loss_and_grads(ex.params, ex.X, ex.target)[0]
    assert all(not np.array_equal(new.W, old.W) for new, old in zip(run.params.cells, ex.params.cells))
    ones = train.article(iterations=3, initial_state="ones", **kwargs)
    assert not np.array_equal(ones.losses, run.losses)


def test_article_bad_arguments():
    with pytest.raises(ValueError, match="initial_state must be one of"):
        train.article(initial_state="random")
    with pytest.raises(ValueError, match="iterations must be at least 1"):
        train.article(iterations=0)


def eight_windows():
    return train.make_windows(train.tokenize(lstmdoc.example.TEXT).tokens, 3)


@pytest.mark.parametrize("kwargs", [{}, {"layers": 2, "bidirectional": True}])
@pytest.mark.parametrize("initial_state", ["zeros", "ones"])
def test_mean_loss_is_the_mean_of_each_windows_loss(kwargs, initial_state):
    from lstmdoc import deep
    deeper = bool(kwargs)
    ex = deep.example.article(**kwargs) if deeper else article_example()
    loss_and_grads = deep.loss_and_grads if deeper else lstmdoc.loss_and_grads
    ones = np.ones((5, 1))
    state = None if initial_state == "zeros" else \
        (tuple(ones for _ in ex.params.cells) if deeper else ones)
    windows = eight_windows()
    one_by_one = [loss_and_grads(ex.params, train.one_hot(windows.inputs[:, [k]], 10),
                                 windows.target[[k]], state, state)[0] for k in range(8)]
    for chunk in (1, 3, 8, 128):
        mean = train.mean_loss(ex.params, windows, h0=state, c0=state,
                               loss_and_grads=loss_and_grads, chunk=chunk)
        assert mean == pytest.approx(np.mean(one_by_one), rel=1e-13, abs=0)


def test_mean_loss_bad_arguments():
    p = article_example().params
    with pytest.raises(TypeError, match="windows must be a Windows, got tuple"):
        train.mean_loss(p, (np.zeros((3, 1), int), np.zeros(1, int)))
    with pytest.raises(ValueError, match=r"h0 must have shape \(H, 1\), the one column"):
        train.mean_loss(p, eight_windows(), h0=np.ones((5, 8)), c0=np.ones((5, 8)))
    with pytest.raises(ValueError, match="chunk must be at least 1"):
        train.mean_loss(p, eight_windows(), chunk=0)


def test_the_articles_run_lowers_the_mean_loss_of_its_windows(article_run):
    windows = eight_windows()
    before = train.mean_loss(article_example().params, windows)
    assert train.mean_loss(article_run.params, windows) < before
    # while its last loss, another window's, is above its first
    assert article_run.losses[-1] > article_run.losses[0]


# --- general training -------------------------------------------------------------------------

def small_fit(dtype=np.float64, seed=0, **kwargs):
    tokens, vocab = train.tokenize("the cat sat on the mat and the cat ran to the mat")
    p = train.init_params(len(vocab), 6, seed=1, dtype=dtype)
    args = dict(lr=0.5, iterations=40, batch_size=3, seed=seed) | kwargs
    return train.fit(p, train.make_windows(tokens, 3), **args)


def test_fit_is_reproducible_with_a_seed():
    a, b, c = small_fit(), small_fit(), small_fit(seed=1)
    assert np.array_equal(a.losses, b.losses)
    assert all(np.array_equal(getattr(a.params, n), getattr(b.params, n)) for n in ("W", "b", "Wy", "by"))
    assert not np.array_equal(a.losses, c.losses)


def test_fit_batches_are_columns():
    run = small_fit()
    assert all(w.inputs.shape == (3, 3) and w.target.shape == (3,) for w in run.windows)
    # Distinct windows within a batch.
    assert all(len({tuple(w.inputs[:, b]) + (w.target[b],) for b in range(3)}) == 3
               for w in run.windows[:5])


def test_float32_stays_float32():
    r32, r64 = small_fit(np.float32), small_fit(np.float64)
    assert r32.params.dtype == np.float32
    assert all(getattr(r32.params, n).dtype == np.float32 for n in ("W", "b", "Wy", "by"))
    assert r32.losses.dtype == np.float64
    assert np.allclose(r32.losses, r64.losses, rtol=1e-3)


def test_progress_is_called_after_every_iteration():
    calls = []
    run = small_fit(progress=lambda k, loss: calls.append((k, loss)))
    assert calls == list(enumerate(run.losses))


def test_fable_run_learns(fable):
    run = train.fable_run()
    assert run.losses.shape == (train.FABLE.iterations,)
    assert run.losses[-50:].mean() < run.losses[:50].mean() / 10
    assert np.array_equal(run.losses[:100], train.fable_run(iterations=100).losses)  # a prefix
    T = train.FABLE.T
    start = train.init_params(len(fable.vocab), train.FABLE.H, seed=train.FABLE.seed)
    before = train.generate(start, fable.vocab, "long ago the mice", 4, context=T)
    after = train.generate(run.params, fable.vocab, "long ago the mice", 4, context=T)
    assert after == ("had", "a", "general", "council") != before


def test_sgd_step_updates_every_parameter_with_a_gradient():
    @dataclasses.dataclass(frozen=True)
    class Params:  # a model with more parameters, as layer norm adds
        W: np.ndarray
        norm_gain: np.ndarray
        scale: float = 1.0

    p = Params(np.ones(2), np.ones(3))
    q = train.sgd_step(p, {"W": np.full(2, 2.0), "norm_gain": np.full(3, 10.0), "X": np.zeros(9)}, 0.1)
    assert np.allclose(q.W, 0.8) and np.allclose(q.norm_gain, 0.0) and q.scale == 1.0
    assert np.all(p.W == 1)  # not modified in place


# --- NaN and infinity --------------------------------------------------------------------------

def test_nan_loss_stops_with_iteration_and_last_finite_loss():
    seen = []

    def poisoned(params, X, target, h0, c0):
        loss, grads = lstmdoc.loss_and_grads(params, X, target, h0, c0)
        seen.append(loss)
        return (float("nan") if len(seen) == 4 else loss), grads

    with pytest.raises(train.TrainingDiverged, match="at iteration 3: the loss is nan") as e:
        small_fit(loss_and_grads=poisoned)
    assert e.value.iteration == 3 and e.value.last_loss == seen[2]
    assert f"{seen[2]:.6g}" in str(e.value)


def test_infinite_update_stops():
    def exploding(params, X, target, h0, c0):
        loss, grads = lstmdoc.loss_and_grads(params, X, target, h0, c0)
        return loss, grads | {"Wy": grads["Wy"] * np.inf}

    with pytest.raises(train.TrainingDiverged, match="at iteration 0: the update made Wy NaN or "
                       "infinite; the last finite loss was") as e:
        small_fit(loss_and_grads=exploding)
    assert e.value.iteration == 0 and np.isfinite(e.value.last_loss)


def test_a_huge_learning_rate_stops_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow on the way is expected, and reported by the error
        with pytest.raises(train.TrainingDiverged, match=r"training diverged at iteration \d+: ") as e:
            small_fit(lr=1e308)
    assert e.value.iteration < 40 and (e.value.last_loss is None or np.isfinite(e.value.last_loss))


# --- generation ---------------------------------------------------------------------------------

def test_generate_greedy_and_sampled(fable):
    p = train.fable_run(iterations=100).params
    greedy = train.generate(p, fable.vocab, ["the", "cat"], 8, context=4)
    assert len(greedy) == 8 and set(greedy) <= set(fable.vocab)
    assert train.generate(p, fable.vocab, "The Cat", 8, context=4) == greedy
    a = train.generate(p, fable.vocab, "the cat", 30, temperature=2.0, seed=3)
    assert a == train.generate(p, fable.vocab, "the cat", 30, temperature=2.0, seed=3)
    assert a != train.generate(p, fable.vocab, "the cat", 30, temperature=2.0, seed=4)
    assert train.generate(p, fable.vocab, "the", 0) == ()


def test_generate_bad_input(fable):
    p = train.init_params(len(fable.vocab), 4)
    with pytest.raises(ValueError, match=r"prompt word 'dog' is not in the vocabulary \(109 words\)"):
        train.generate(p, fable.vocab, "the dog", 3)
    with pytest.raises(ValueError, match="at least one word"):
        train.generate(p, fable.vocab, "", 3)
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        train.generate(p, fable.vocab, "the", 3, temperature=-1)
    with pytest.raises(ValueError, match="n_words must be an int >= 0"):
        train.generate(p, fable.vocab, "the", -1)
    with pytest.raises(ValueError, match="vocab has 3 words"):
        train.generate(p, fable.vocab[:3], "the", 1)


# --- data and bad input ------------------------------------------------------------------------

def test_corpus_opens_with_the_articles_words(fable):
    text = lstmdoc.example.TEXT.split()
    assert [fable.vocab[k] for k in fable.tokens[:10]] == text[:10]
    assert fable.vocab == tuple(sorted(set(fable.vocab))) and len(fable.tokens) > 150


@pytest.mark.parametrize("text, match", [("", "got 0"), ("  ...  ", "got 0"), ("Cat.", "got 1")])
def test_too_short_text(text, match):
    with pytest.raises(ValueError, match="at least 2 words.*" + match):
        train.tokenize(text)


def test_bad_windows_and_hyper_parameters():
    tokens, vocab = train.tokenize("a b c d")
    with pytest.raises(ValueError, match="T = 4 is longer than the text allows.*has 4"):
        train.make_windows(tokens, 4)
    with pytest.raises(ValueError, match="T must be at least 1"):
        train.make_windows(tokens, 0)
    with pytest.raises(TypeError, match="T must be an int"):
        train.make_windows(tokens, 2.0)
    w, p = train.make_windows(tokens, 2), train.init_params(4, 3)
    for lr, err in [(0, ValueError), (-0.1, ValueError), (float("nan"), ValueError), ("1", TypeError)]:
        with pytest.raises(err, match="lr must"):
            train.fit(p, w, lr, 5)
    with pytest.raises(ValueError, match="iterations must be at least 1"):
        train.fit(p, w, 0.1, 0)
    with pytest.raises(ValueError, match="batch_size = 3 is more than the 2 windows"):
        train.fit(p, w, 0.1, 5, batch_size=3)
    with pytest.raises(TypeError, match="windows must be a Windows"):
        train.fit(p, (tokens, tokens), 0.1, 5)
    with pytest.raises(ValueError, match=r"target must lie in \[0, V\) = \[0, 3\)"):
        train.fit(train.init_params(3, 3), w, 0.1, 5)
    with pytest.raises(ValueError, match=r"inputs must lie in \[0, D\) = \[0, 2\)"):
        train.fit(train.init_params(4, 3, D=2), w, 0.1, 5)


def test_no_module_is_hidden_by_a_name_its_package_exports():
    """``import lstmdoc.train.article_run as m`` must give the module, not a function of its name."""
    import importlib
    import pkgutil
    import types

    packages = [lstmdoc] + [importlib.import_module(f"lstmdoc.{m.name}")
                            for m in pkgutil.iter_modules(lstmdoc.__path__) if m.ispkg]
    for package in packages:
        for m in pkgutil.iter_modules(package.__path__):
            if m.name == "__main__":
                continue
            module = importlib.import_module(f"{package.__name__}.{m.name}")
            assert getattr(package, m.name) is module, f"{package.__name__}.{m.name} is hidden"
