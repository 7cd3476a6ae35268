"""Truncated BPTT (lstmdoc.train.stream): streams, the carried state, the epochs' resets, bad input."""

import numpy as np
import pytest

import lstmdoc
from lstmdoc import train
from lstmdoc.train import stream


def test_the_loop_is_chunks_with_the_state_carried_and_reset_each_epoch():
    tokens = np.random.default_rng(0).integers(0, 7, size=60)
    s = train.make_streams(tokens, B=3, T=4)          # 20 tokens per stream: 4 chunks
    assert s.chunks == 4
    p0 = train.init_params(7, 5, seed=1)
    steps = list(train.tbptt(p0, s, train.SGD(0.5), 2))
    # By hand: the same updates, the state from the pass carried on, zeros at each epoch's start.
    p, state, losses = p0, None, []
    for k in range(8):
        if k % 4 == 0:
            state = (None, None)
        inputs, target = s.chunk(k % 4)
        loss, grads, state = lstmdoc.loss_and_grads(p, train.one_hot(inputs, 7), target, *state,
                                                    return_state=True)
        p = train.sgd_step(p, grads, 0.5)
        losses.append(loss)
    assert [st.loss for st in steps] == losses
    assert np.array_equal(steps[-1].params.W, p.W)
    assert [st.state is None for st in steps] == [False, False, False, True] * 2
    assert [st.epoch for st in steps] == [1] * 4 + [2] * 4


def test_resuming_at_any_update_continues_exactly():
    tokens = np.random.default_rng(1).integers(0, 6, size=80)
    s = train.make_streams(tokens, B=2, T=5)
    p0 = train.init_params(6, 4, seed=2, layer_norm=True)
    straight = list(train.tbptt(p0, s, train.Adam(0.01), 3, keep_prob=0.8, clip=1.0))
    opt = train.Adam(0.01)
    first = list(zip(range(9), train.tbptt(p0, s, opt, 3, keep_prob=0.8, clip=1.0)))[-1][1]
    rest = list(train.tbptt(first.params, s, opt, 3, keep_prob=0.8, clip=1.0, start=9,
                            state=first.state))
    assert [st.loss for st in rest] == [st.loss for st in straight[9:]]
    assert np.array_equal(rest[-1].params.W, straight[-1].params.W)


def test_a_stacked_model_trains_too():
    tokens = np.tile([0, 1, 2, 3, 4], 13)               # a pattern there is to learn
    s, val = train.split(tokens, 0.25, B=2, T=4)
    p = train.init_params(5, 3, layers=2, seed=0)
    steps = list(train.tbptt(p, s, train.Adam(0.05), 3, val=val, keep_prob=0.9))
    assert isinstance(steps[-1].params, lstmdoc.deep.DeepParams)
    assert [st.val_loss is not None for st in steps].count(True) == 3
    assert steps[-1].val_loss < train.evaluate(p, val, lstmdoc.deep.loss_and_grads)


def test_a_diverging_run_names_the_update():
    tokens = np.random.default_rng(3).integers(0, 5, size=40)
    s = train.make_streams(tokens, B=2, T=4)
    with pytest.raises(train.TrainingDiverged, match="training diverged at iteration"):
        list(train.tbptt(train.init_params(5, 3), s, train.SGD(1e308), 2))


@pytest.mark.parametrize("call, message", [
    (lambda: train.make_streams(np.arange(9), B=2, T=4),
     r"the text is shorter than one chunk: 2 streams of 4 steps need B·\(T \+ 1\) = 10 tokens, it has 9"),
    (lambda: train.make_streams(np.arange(9), B=0, T=4), "batch_size must be at least 1"),
    (lambda: train.split(np.arange(100), 1.0, 2, 4), r"val_fraction must lie in \[0, 1\)"),
    (lambda: train.split(np.arange(100), 0.04, 2, 4), "the validation text"),
    (lambda: list(train.tbptt(train.init_params(5, 3), train.make_streams(np.arange(20) % 5, 2, 4),
                              train.SGD(0.1), 0)), "epochs must be at least 1"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_masks_are_one_per_cell_and_fixed_by_seed_and_update():
    p = train.init_params(5, 3, layers=2)
    a, b = stream.masks(p, 0.5, (4, 5, 2), (0, 7)), stream.masks(p, 0.5, (4, 5, 2), (0, 7))
    assert len(a) == 2 and all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(stream.masks(p, 0.5, (4, 5, 2), (0, 8))[0], a[0])
