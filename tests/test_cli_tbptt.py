"""``lstmdoc train --epochs``: truncated BPTT from the command line, resume, generation, bad input."""

import os

import numpy as np
import pytest

import lstmdoc
import lstmdoc.train as lt
from lstmdoc import checkpoint
from lstmdoc.cli import main

TEXT = ("It is a truth universally acknowledged, that a single man in possession of a good "
        "fortune, must be in want of a wife.\n") * 12
SMALL = ["--char", "--hidden", "8", "--steps", "6", "--batch-size", "4", "--quiet"]


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def arrays(path):
    ck = checkpoint.load(path)
    cells = ck.params.cells if hasattr(ck.params, "cells") else [ck.params]
    return [a for c in cells for a in (c.W, c.b)] + [ck.params.Wy, ck.params.by]


def test_a_character_model_learns_and_reports_every_epoch(tmp_path, text, capsys):
    out = tmp_path / "m.npz"
    assert main(["train", str(text), *SMALL, "--epochs", "4", "--lr", "0.02",
                 "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{text}: {len(TEXT)} characters, V=") and "before training" in lines[0]
    assert [line.split(":")[0] for line in lines[1:5]] == [f"epoch {k}/4" for k in range(1, 5)]
    assert lines[-1] == f"saved {out}"
    ck = checkpoint.load(out)
    v = ck.hyper["val_losses"]
    assert len(v) == 5 and v[-1] < v[0] - 0.5
    assert f"perplexity {np.exp(v[-1]):.2f}" in lines[4]
    assert ck.hyper["mode"] == "stream" and ck.hyper["char"] and ck.state is None
    assert ck.hyper["optimizer"] == "adam" and ck.optimizer[0]["t"] == ck.hyper["iteration"]


def test_the_command_line_run_is_the_library_run(tmp_path, text):
    out = tmp_path / "m.npz"
    assert main(["train", str(text), *SMALL, "--epochs", "2", "--optimizer", "momentum",
                 "--lr", "0.1", "--clip", "1", "--out", str(out)]) == 0
    tokens, vocab = lt.tokenize_chars(TEXT)
    train_s, _ = lt.split(tokens, 0.1, 4, 6)
    opt = lt.SGD(0.1, momentum=0.9)
    p = lt.init_params(len(vocab), 8)
    for s in lt.tbptt(p, train_s, opt, 2, clip=1.0):
        p = s.params
    assert all(np.array_equal(a, b) for a, b in zip(arrays(out), [p.W, p.b, p.Wy, p.by]))


def test_ctrl_c_keeps_the_last_saved_checkpoint_and_resume_continues_exactly(tmp_path, text,
                                                                              monkeypatch, capsys):
    straight, out = tmp_path / "straight.npz", tmp_path / "m.npz"
    options = [*SMALL, "--epochs", "3", "--keep-prob", "0.8", "--layer-norm"]
    assert main(["train", str(text), *options, "--out", str(straight)]) == 0
    save = checkpoint.save

    def save_then_interrupt(*args, **kwargs):
        save(*args, **kwargs)
        if args[3]["iteration"] == 10:
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "save", save_then_interrupt)
    assert main(["train", str(text), *options, "--save-every", "5", "--out", str(out)]) == 130
    assert f"{out} holds update 10 (--resume {out} continues)" in capsys.readouterr().err
    ck = checkpoint.load(out)
    assert ck.hyper["iteration"] == 10 and ck.state is not None  # mid-epoch: the carried state
    monkeypatch.setattr(checkpoint, "save", save)
    assert main(["train", str(text), "--epochs", "3", "--resume", str(out), "--quiet"]) == 0
    assert all(np.array_equal(a, b) for a, b in zip(arrays(out), arrays(straight)))
    for key in ("val_losses", "train_losses"):
        assert checkpoint.load(out).hyper[key] == checkpoint.load(straight).hyper[key]


def test_a_word_model_trains_and_generates(tmp_path, text, capsys):
    out = tmp_path / "w.npz"
    assert main(["train", str(text), "--epochs", "2", "--hidden", "8", "--steps", "4",
                 "--batch-size", "2", "--val-fraction", "0", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["generate", str(out), "--prompt", "it is a", "--words", "5"]) == 0
    words = capsys.readouterr().out.split()
    assert words[:3] == ["it", "is", "a"] and len(words) == 8
    ck = checkpoint.load(out)
    assert ck.hyper["val_losses"] == [] and tuple(words[3:]) == lt.generate(
        ck.params, ck.vocab, "it is a", 5)


def test_generate_characters_with_temperature_and_top_k(tmp_path, text, capsys):
    out = tmp_path / "m.npz"
    assert main(["train", str(text), *SMALL, "--epochs", "2", "--out", str(out)]) == 0
    capsys.readouterr()
    args = ["generate", str(out), "--prompt", "It is", "--length", "40", "--temperature", "0.8",
            "--top-k", "3", "--seed", "1"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0 and capsys.readouterr().out == first
    assert first.startswith("It is") and len(first) == len("It is") + 40 + 1
    ck = checkpoint.load(out)
    expected = lt.generate(ck.params, ck.vocab, list("It is"), 40, temperature=0.8, top_k=3, seed=1)
    assert first == "It is" + "".join(expected) + "\n"


def test_a_bidirectional_model_is_refused_for_generation(tmp_path, capsys):
    ex = lstmdoc.deep.example.bidirectional()
    vocab = tuple("abcdef")
    p = lstmdoc.deep.DeepParams(forward=[lstmdoc.deep.Cell(np.zeros((20, 11)), np.zeros((20, 1)))],
                                backward=[lstmdoc.deep.Cell(np.zeros((12, 9)), np.zeros((12, 1)))],
                                Wy=np.zeros((6, 8)), by=np.zeros((6, 1)))
    assert ex.params.V == 6
    checkpoint.save(tmp_path / "bi.npz", p, vocab)
    assert main(["generate", str(tmp_path / "bi.npz"), "--prompt", "a b"]) == 2
    assert "a bidirectional model cannot generate text" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--epochs", "1", "--optimizer", "rmsprop"], "--optimizer must be one of sgd, momentum, adam"),
    (["--epochs", "1", "--clip", "-1"], "--clip must be positive, got -1.0"),
    (["--epochs", "1", "--clip", "0"], "--clip must be positive, got 0.0"),
    (["--epochs", "1", "--keep-prob", "0"], "--keep-prob must lie in (0, 1]"),
    (["--epochs", "0"], "--epochs must be positive"),
    (["--epochs", "1", "--val-fraction", "1"], "val_fraction must lie in [0, 1)"),
    (["--epochs", "1", "--batch-size", "64", "--steps", "64"],
     "the training text is shorter than one chunk: 64 streams of 64 steps need"),
    (["--epochs", "1", "--char", "--batch-size", "4", "--val-fraction", "0.01", "--steps", "30"],
     "the validation text (14 tokens, val_fraction 0.01) is shorter than one chunk"),
    (["--optimizer", "adam"], "--optimizer needs --epochs"),
    (["--char"], "--char needs --epochs"),
    (["--resume", "x.npz"], "--resume needs --epochs"),
    (["--epochs", "1", "--iterations", "5"], "--iterations and --initial-state belong"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, text, capsys, args, message):
    out = tmp_path / "m.npz"
    assert main(["train", str(text), "--quiet", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not out.exists()


def test_resume_refuses_an_incompatible_checkpoint(tmp_path, text, capsys):
    out, window = tmp_path / "m.npz", tmp_path / "window.npz"
    assert main(["train", str(text), *SMALL, "--epochs", "1", "--out", str(out)]) == 0
    assert main(["train", str(text), "--hidden", "4", "--steps", "2", "--iterations", "2",
                 "--quiet", "--out", str(window)]) == 0
    other = tmp_path / "other.txt"
    other.write_text(TEXT.upper(), encoding="utf-8")
    capsys.readouterr()
    before = out.read_bytes()
    for args, message in [
            ([text, "--hidden", "16", "--epochs", "2", "--resume", out], "--hidden 16 does not match"),
            ([other, "--epochs", "2", "--resume", out], "was trained on another text"),
            ([text, "--epochs", "2", "--resume", window], "was not saved by a run with --epochs"),
            ([text, "--epochs", "1", "--resume", out], "has trained 1 epochs already: raise --epochs")]:
        assert main(["train", *map(str, args), "--quiet"]) == 2
        assert message in capsys.readouterr().err
    assert out.read_bytes() == before
