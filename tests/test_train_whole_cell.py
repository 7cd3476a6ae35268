"""Training the whole cell: layer norm's parameters are trained, dropout draws a fresh mask per iteration."""

import numpy as np
import pytest

import lstmdoc
from lstmdoc import train


def fit(seed=0, layer_norm=True, **kwargs):
    tokens, vocab = train.tokenize("the cat sat on the mat and the cat ran to the mat")
    p = train.init_params(len(vocab), 6, seed=1, layer_norm=layer_norm)
    args = dict(lr=0.5, iterations=60, batch_size=3, seed=seed) | kwargs
    return train.fit(p, train.make_windows(tokens, 3), **args)


def test_init_params_with_layer_norm_starts_like_tensorflow():
    p = train.init_params(7, 3, layer_norm=True, dtype=np.float32)
    assert p.layer_norm and p.norm_gain.dtype == np.float32
    assert np.array_equal(p.norm_gain, np.ones((15, 1))) and np.array_equal(p.norm_shift, np.zeros((15, 1)))


def test_layer_norm_parameters_are_trained_and_the_loss_falls():
    run = fit()
    assert not np.array_equal(run.params.norm_gain, np.ones_like(run.params.norm_gain))
    assert not np.array_equal(run.params.norm_shift, np.zeros_like(run.params.norm_shift))
    assert run.losses[-10:].mean() < run.losses[:10].mean()


def test_dropout_is_seeded_and_fresh_every_iteration(monkeypatch):
    a, b, c = fit(keep_prob=0.7), fit(keep_prob=0.7), fit(keep_prob=0.7, seed=1)
    assert np.array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses, c.losses)
    masks = []

    def recording(params, X, target, h0=None, c0=None, dropout_mask=None):
        masks.append(dropout_mask)
        return lstmdoc.loss_and_grads(params, X, target, h0, c0, dropout_mask=dropout_mask)

    fit(keep_prob=0.7, iterations=3, loss_and_grads=recording)
    assert len(masks) == 3 and all(m.shape == (3, 6, 3) for m in masks)
    assert not np.array_equal(masks[0], masks[1]) and not np.array_equal(masks[1], masks[2])
    assert set(np.unique(np.concatenate(masks))) == {0.0, 1 / 0.7}


def test_keep_prob_one_is_training_without_dropout():
    assert np.array_equal(fit(keep_prob=1.0).losses, fit().losses)


@pytest.mark.parametrize("keep_prob", [0, 1.5, -0.2, float("nan")])
def test_fit_refuses_a_bad_keep_prob(keep_prob):
    with pytest.raises(ValueError, match="keep_prob must"):
        fit(keep_prob=keep_prob)


def test_a_checkpoint_keeps_layer_norm(tmp_path):
    from lstmdoc import checkpoint

    p = fit(iterations=5).params
    vocab = tuple(f"w{k}" for k in range(p.V))
    checkpoint.save(tmp_path / "m.npz", p, vocab)
    q = checkpoint.load(tmp_path / "m.npz").params
    assert q.layer_norm
    assert np.array_equal(q.norm_gain, p.norm_gain) and np.array_equal(q.norm_shift, p.norm_shift)
    plain = fit(iterations=1, layer_norm=False).params
    checkpoint.save(tmp_path / "plain.npz", plain, vocab)
    assert not checkpoint.load(tmp_path / "plain.npz").params.layer_norm
