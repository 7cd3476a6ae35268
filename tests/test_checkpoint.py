"""Checkpoints: a round trip keeps everything, a failed save breaks nothing, a bad file gets a clear error."""

import json
import os

import numpy as np
import pytest

import lstmdoc
from lstmdoc import checkpoint
from lstmdoc.checkpoint import CheckpointError


@pytest.fixture
def model():
    ex = lstmdoc.example.article()
    return ex.params, ex.vocab


def test_round_trip_keeps_parameters_vocabulary_and_hyper_parameters(tmp_path, model):
    params, vocab = model
    path = tmp_path / "model.npz"
    hyper = {"hidden": 5, "lr": 0.001, "text": "article", "dtype": "float64"}
    checkpoint.save(path, params, vocab, hyper)
    ck = checkpoint.load(path)
    for name in ("W", "b", "Wy", "by"):
        assert np.array_equal(getattr(ck.params, name), getattr(params, name))
        assert getattr(ck.params, name).dtype == np.float64
    assert ck.params.forget_bias == params.forget_bias
    assert ck.vocab == vocab
    assert ck.hyper == hyper


def test_float32_stays_float32(tmp_path, model):
    params, vocab = model
    checkpoint.save(tmp_path / "m.npz", params.astype(np.float32), vocab)
    ck = checkpoint.load(tmp_path / "m.npz")
    assert ck.params.dtype == np.float32
    assert np.array_equal(ck.params.Wy, params.Wy.astype(np.float32))


def test_save_writes_exactly_the_path_given_and_no_temporary_file(tmp_path, model):
    checkpoint.save(tmp_path / "model", *model)  # no ".npz" appended
    assert os.listdir(tmp_path) == ["model"]


def test_the_file_holds_no_pickled_object(tmp_path, model):
    path = tmp_path / "m.npz"
    checkpoint.save(path, *model)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(checkpoint.ARRAYS)
        assert all(archive[n].dtype != object for n in archive.files)
        assert json.loads(str(archive["meta"]))["version"] == checkpoint.VERSION


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_save_leaves_the_old_file_intact_and_no_temporary(tmp_path, model,
                                                                        monkeypatch, exc):
    params, vocab = model
    path = tmp_path / "model.npz"
    checkpoint.save(path, params, vocab, {"run": "old"})
    before = path.read_bytes()

    def fail_mid_write(f, **arrays):
        f.write(b"PK\x03\x04 half an archive")
        raise exc

    monkeypatch.setattr(np, "savez", fail_mid_write)
    with pytest.raises(type(exc)):
        checkpoint.save(path, params.astype(np.float32), vocab, {"run": "new"})
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]
    monkeypatch.undo()
    assert checkpoint.load(path).hyper == {"run": "old"}


def test_an_interrupted_first_save_leaves_no_file(tmp_path, model, monkeypatch):
    def fail(f, **arrays):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(tmp_path / "model.npz", *model)
    assert os.listdir(tmp_path) == []


def test_save_rejects_a_vocabulary_that_does_not_fit(tmp_path, model):
    params, vocab = model
    with pytest.raises(ValueError, match="vocab has 9 words but the model has V = 10"):
        checkpoint.save(tmp_path / "m.npz", params, vocab[:9])
    with pytest.raises(ValueError, match="twice"):
        checkpoint.save(tmp_path / "m.npz", params, vocab[:9] + ("a",))
    with pytest.raises(ValueError, match="JSON"):
        checkpoint.save(tmp_path / "m.npz", params, vocab, {"lr": float("nan")})
    assert os.listdir(tmp_path) == []


def rewrite(path, **changes):
    """Copy a checkpoint's arrays, change some (None removes one), write it back with numpy."""
    with np.load(path) as archive:
        arrays = {n: archive[n] for n in archive.files}
    for name, value in changes.items():
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    np.savez(path, **arrays)
    return path


def meta(**record):
    return np.array(json.dumps(record))


def write(path, data):
    path.write_bytes(data)
    return path


BAD_FILES = {
    "missing": (lambda p: p.with_name("nowhere.npz"), "No such file"),
    "empty": (lambda p: write(p, b""), "an empty file"),
    "text": (lambda p: write(p, b"the mice had a general council\n"), "not an .npz archive"),
    "truncated": (lambda p: write(p, p.read_bytes()[:len(p.read_bytes()) // 2]),
                  "damaged or truncated"),
    "truncated end": (lambda p: write(p, p.read_bytes()[:-30]), "damaged or truncated"),
    "npy": (lambda p: np.save(p.with_suffix(".npy"), np.zeros(3)) or p.with_suffix(".npy"),
            "a single .npy array"),
    "foreign npz": (lambda p: np.savez(p, weights=np.zeros(3)) or p, "without 'meta'"),
    "pickled": (lambda p: np.savez(p, meta=np.array([{"a": 1}], dtype=object)) or p,
                "pickled Python objects"),
    "meta not json": (lambda p: rewrite(p, meta=np.array("hello")), "not a JSON record"),
    "other format": (lambda p: rewrite(p, meta=meta(format="other", version=1)),
                     "does not say format 'lstmdoc-checkpoint'"),
    "other version": (lambda p: rewrite(p, meta=meta(format="lstmdoc-checkpoint", version=99)),
                      "format version 99; this lstmdoc reads versions 1 and 2"),
    "array missing": (lambda p: rewrite(p, Wy=None), "no array 'Wy'"),
    "wrong shape": (lambda p: rewrite(p, by=np.zeros((3, 1))), "by must have shape"),
    "nan": (lambda p: rewrite(p, W=np.full((20, 15), np.nan)), "W contains NaN"),
    "vocab numbers": (lambda p: rewrite(p, vocab=np.arange(10)), "'vocab' is not a list of words"),
    "folder": (lambda p: p.unlink() or p.mkdir() or p, "a folder"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_gets_a_clear_error_naming_it(tmp_path, model, case):
    path = tmp_path / "model.npz"
    checkpoint.save(path, *model)
    make, message = BAD_FILES[case]
    bad = make(path)
    with pytest.raises(CheckpointError, match=message) as info:
        checkpoint.load(bad)
    assert str(info.value).startswith(f"{bad}: ")
    assert isinstance(info.value, ValueError)


# --- version 2: stacked and bidirectional models, training state ------------------------------

def test_a_version_1_file_is_still_read(tmp_path, model):
    path = tmp_path / "old.npz"
    checkpoint.save(path, *model)
    rewrite(path, meta=meta(format="lstmdoc-checkpoint", version=1, hyper={"hidden": 5}))
    ck = checkpoint.load(path)
    assert ck.hyper == {"hidden": 5} and np.array_equal(ck.params.W, model[0].W)
    assert ck.optimizer is None and ck.state is None


@pytest.mark.parametrize("make", [lambda: lstmdoc.deep.example.stacked(),
                                  lambda: lstmdoc.deep.example.both()], ids=["stacked", "both"])
def test_a_deep_model_round_trips(tmp_path, make):
    ex = make()
    vocab = tuple(f"w{k}" for k in range(ex.params.V))
    checkpoint.save(tmp_path / "deep.npz", ex.params, vocab)
    ck = checkpoint.load(tmp_path / "deep.npz")
    assert ck.params.names == ex.params.names and ck.vocab == vocab
    for a, b in zip(ck.params.cells, ex.params.cells):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
        assert a.forget_bias == b.forget_bias
    assert np.array_equal(ck.params.Wy, ex.params.Wy) and np.array_equal(ck.params.by, ex.params.by)


def test_the_optimizer_and_the_carried_state_round_trip(tmp_path, model):
    from lstmdoc import train
    from lstmdoc.train.optim import restore

    params, vocab = model
    ex = lstmdoc.example.article()
    opt = train.Adam(0.01)
    _, grads, state = lstmdoc.loss_and_grads(params, ex.X, ex.target, return_state=True)
    params = opt.step(params, grads)
    checkpoint.save(tmp_path / "m.npz", params, vocab, optimizer=opt, state=state)
    ck = checkpoint.load(tmp_path / "m.npz")
    again = restore(*ck.optimizer, ck.params)
    assert again.t == 1 and again.settings() == opt.settings()
    assert all(np.array_equal(again.slots[n][s], opt.slots[n][s]) for n in opt.slots for s in "mv")
    assert all(np.array_equal(a, b) for a, b in zip(ck.state, state))
