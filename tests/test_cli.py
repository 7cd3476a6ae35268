"""The command line: every subcommand through main(argv), and once each as `python -m lstmdoc`."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lstmdoc
import lstmdoc.train as lt
from lstmdoc import checkpoint, cli
from lstmdoc.cli import common, main
from lstmdoc.cli import train as cli_train

SMALL = ["--hidden", "6", "--steps", "2", "--batch-size", "2", "--iterations", "30", "--quiet"]


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("the cat sat on the mat and the cat ran to the mat\n", encoding="utf-8")
    return path


def error_line(capsys, command):
    """The one line main printed on stderr for a bad input; nothing on stdout."""
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"lstmdoc {command}: error: "), err
    return err


# --- train ---------------------------------------------------------------------------------

def test_train_article_is_the_articles_run_exactly(tmp_path, capsys):
    out = tmp_path / "article.npz"
    assert main(["train", "--article", "--out", str(out)]) == 0
    run = lt.article()
    ck = checkpoint.load(out)
    for name in ("W", "b", "Wy", "by"):
        assert np.array_equal(getattr(ck.params, name), getattr(run.params, name))
    assert ck.vocab == lstmdoc.example.article().vocab
    assert ck.hyper["loss_first"] == run.losses[0] and ck.hyper["loss_last"] == run.losses[-1]
    windows = lt.make_windows(lt.tokenize(lstmdoc.example.TEXT).tokens, 3)
    before = lt.mean_loss(lstmdoc.example.article().params, windows)
    after = lt.mean_loss(run.params, windows)
    assert after < before  # it learned, a little
    assert ck.hyper["mean_loss_before"] == before and ck.hyper["mean_loss_after"] == after
    losses = ("loss_first", "loss_last", "mean_loss_before", "mean_loss_after")
    assert {k: v for k, v in ck.hyper.items() if k not in losses} == {
        "text": "article", "hidden": 5, "steps": 3, "batch_size": 1, "lr": 0.001,
        "iterations": 200, "dtype": "float64", "initial_state": "zeros"}
    assert capsys.readouterr().out == (
        f"trained 200 iterations on article (V=10 H=5 T=3 B=1); saved {out}\n"
        f"mean loss over the text's 8 windows: {before:.4g} before training, {after:.4g} after\n")


def test_a_run_that_ends_far_worse_than_it_started_warns_saves_and_exits_1(tmp_path, capsys):
    out = tmp_path / "article.npz"
    assert main(["train", "--article", "--lr", "1e6", "--quiet", "--out", str(out)]) == 1
    stdout, err = capsys.readouterr()
    ck = checkpoint.load(out)  # saved, for inspection
    assert ck.hyper["mean_loss_after"] > 1e3 * ck.hyper["mean_loss_before"]
    assert stdout.splitlines()[1].startswith("mean loss over the text's 8 windows: 2.714 before")
    assert err == ("lstmdoc train: warning: the model ended far worse than it started (its mean "
                   "loss more than 2 times as high): the learning rate (--lr 1e+06) is likely too "
                   "large, try a smaller one; the checkpoint is saved, and the exit status is 1\n")


def test_a_run_that_ends_a_little_worse_is_no_failure(tmp_path, capsys):
    out = tmp_path / "fable.npz"
    assert main(["train", "--fable", "--iterations", "1", "--quiet", "--out", str(out)]) == 0
    hyper = checkpoint.load(out).hyper
    assert hyper["mean_loss_before"] < hyper["mean_loss_after"] < 2 * hyper["mean_loss_before"]
    assert capsys.readouterr().err == ""


def test_a_big_text_is_judged_on_evenly_spaced_windows(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_train, "JUDGED", 5)
    out = tmp_path / "fable.npz"
    assert main(["train", "--fable", "--iterations", "20", "--quiet", "--out", str(out)]) == 0
    summary = capsys.readouterr().out.splitlines()[1]
    assert summary.startswith("mean loss over 5 of the text's 177 windows, evenly spaced: ")
    windows = lt.evenly_spaced(lt.make_windows(lt.tokenize(lt.belling_the_cat()).tokens, 4), 5)
    assert windows.target.shape == (5,)
    assert checkpoint.load(out).hyper["mean_loss_after"] == lt.mean_loss(
        lt.fable_run(iterations=20).params, windows)


def test_train_article_with_the_initial_state_of_ones(tmp_path):
    out = tmp_path / "ones.npz"
    assert main(["train", "--article", "--initial-state", "ones", "--iterations", "20",
                 "--quiet", "--out", str(out)]) == 0
    expected = lt.article(iterations=20, initial_state="ones").params
    assert np.array_equal(checkpoint.load(out).params.W, expected.W)


def test_train_a_text_file_is_reproducible_and_follows_the_options(tmp_path, text):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    for out in (a, b):
        assert main(["train", str(text), *SMALL, "--dtype", "float32", "--seed", "3",
                     "--out", str(out)]) == 0
    ck = checkpoint.load(a)
    assert np.array_equal(ck.params.W, checkpoint.load(b).params.W)
    assert ck.params.dtype == np.float32 and ck.params.H == 6
    assert ck.vocab == ("and", "cat", "mat", "on", "ran", "sat", "the", "to")
    assert ck.hyper["steps"] == 2 and ck.hyper["seed"] == 3 and ck.hyper["text"] == str(text)


def test_train_the_fable_with_the_defaults_learns_it(tmp_path, capsys):
    out = tmp_path / "fable.npz"
    assert main(["train", "--fable", "--out", str(out)]) == 0
    ck = checkpoint.load(out)
    assert ck.hyper["iterations"] == lt.FABLE.iterations and ck.hyper["hidden"] == lt.FABLE.H
    assert ck.hyper["loss_last"] < ck.hyper["loss_first"] / 5
    assert np.array_equal(ck.params.W, lt.fable_run().params.W)  # the Training page's run
    summary = capsys.readouterr().out
    assert "on fable" in summary and "mean loss over the text's 177 windows: 4.693 before" in summary


def test_quiet_silences_the_bar_which_shows_the_loss(tmp_path, text, capsys, monkeypatch):
    monkeypatch.setattr(common, "PROGRESS_DELAY", 0)  # as if the run had lasted a second
    assert main(["train", str(text), *SMALL, "--out", str(tmp_path / "m.npz")]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("trained 30 iterations")
    loud = [a for a in SMALL if a != "--quiet"]
    assert main(["train", str(text), *loud, "--out", str(tmp_path / "m.npz")]) == 0
    out, err = capsys.readouterr()
    assert "train: 100%" in err and "30/30" in err and "loss " in err
    assert out.startswith("trained 30 iterations")


# --- Ctrl-C, failures, and what is left on disk ----------------------------------------------

def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_during_training_exits_130_and_writes_nothing(tmp_path, text, monkeypatch, capsys):
    monkeypatch.setattr(common.ProgressBar, "__call__", interrupt)
    out = tmp_path / "model.npz"
    assert main(["train", str(text), *SMALL, "--out", str(out)]) == 130
    assert "interrupted; nothing was saved" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["text.txt"]


def test_ctrl_c_while_saving_keeps_the_old_checkpoint(tmp_path, text, monkeypatch):
    out = tmp_path / "model.npz"
    assert main(["train", str(text), *SMALL, "--out", str(out)]) == 0
    before = out.read_bytes()
    monkeypatch.setattr(np, "savez", interrupt)
    assert main(["train", str(text), *SMALL, "--seed", "1", "--out", str(out)]) == 130
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.npz", "text.txt"]


def test_training_that_diverges_exits_1_names_the_iteration_and_writes_nothing(tmp_path, text,
                                                                                capsys):
    out = tmp_path / "model.npz"
    assert main(["train", str(text), *SMALL, "--lr", "1e308", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lstmdoc train: error: training diverged at iteration ")
    assert not out.exists()


# --- bad input -----------------------------------------------------------------------------

def write(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("case, args, message", [
    ("empty text", lambda p: [write(p, b"")], "at least 2 words"),
    ("one word", lambda p: [write(p, b"mice\n")], "at least 2 words"),
    ("T too long", lambda p: [write(p, b"long ago the mice"), "--steps", "4"],
     "T = 4 is longer than the text allows"),
    ("batch too big", lambda p: [write(p, b"long ago the mice"), "--steps", "2"],
     "batch_size = 16 is more than the 2 windows"),
    ("lr zero", lambda p: ["--article", "--lr", "0"], "--lr must be positive, got 0.0"),
    ("lr negative", lambda p: ["--fable", "--lr", "-1"], "--lr must be positive, got -1.0"),
    ("lr nan", lambda p: ["--fable", "--lr", "nan"], "--lr must be positive, got nan"),
    ("iterations zero", lambda p: ["--fable", "--iterations", "0"],
     "--iterations must be positive"),
    ("hidden negative", lambda p: ["--fable", "--hidden", "-2"], "--hidden must be positive"),
    ("no such file", lambda p: [str(p / "nowhere.txt")], "nowhere.txt: No such file"),
    ("not UTF-8", lambda p: [write(p, b"caf\xe9 au lait")], "not UTF-8 text"),
    ("article fixes H", lambda p: ["--article", "--hidden", "4"],
     "--hidden does not apply to --article"),
    ("initial state", lambda p: ["--fable", "--initial-state", "ones"],
     "--initial-state applies to --article only"),
])
def test_bad_training_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, case, args,
                                                                    message):
    out = tmp_path / "model.npz"
    assert main(["train", *args(tmp_path), "--quiet", "--out", str(out)]) == 2
    assert message in error_line(capsys, "train")
    assert not out.exists()


def test_a_folder_that_does_not_exist_exits_2(tmp_path, capsys):
    out = tmp_path / "no" / "m.npz"
    assert main(["train", "--article", "--iterations", "2", "--out", str(out)]) == 2
    assert f"cannot write {out}: No such file or directory" in error_line(capsys, "train")
    assert os.listdir(tmp_path) == []


def test_argparse_errors_exit_2(capsys):
    assert main(["train"]) == 2
    assert "one of the arguments text --fable --article --novel is required" in capsys.readouterr().err
    assert main(["train", "--fable", "--iterations", "many"]) == 2
    assert "invalid int value: 'many'" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["nonsense"]) == 2


# --- generate ------------------------------------------------------------------------------

@pytest.fixture
def model(tmp_path, text):
    out = tmp_path / "model.npz"
    assert main(["train", str(text), *SMALL, "--iterations", "300", "--lr", "0.5",
                 "--out", str(out)]) == 0
    return out


def test_generate_greedy_and_sampled(model, capsys):
    assert main(["generate", str(model), "--prompt", "the cat", "--words", "5"]) == 0
    greedy = capsys.readouterr().out
    words = greedy.split()
    assert words[:2] == ["the", "cat"] and len(words) == 7
    ck = checkpoint.load(model)
    assert tuple(words[2:]) == lt.generate(ck.params, ck.vocab, "the cat", 5, context=2)
    sampled = []
    for _ in range(2):
        assert main(["generate", str(model), "--prompt", "the cat", "--words", "8",
                     "--temperature", "2", "--seed", "5"]) == 0
        sampled.append(capsys.readouterr().out)
    assert sampled[0] == sampled[1] and len(sampled[0].split()) == 10


@pytest.mark.parametrize("args, message", [
    (["--prompt", "the dog"], "prompt word 'dog' is not in the vocabulary (8 words)"),
    (["--prompt", "the", "--words", "-1"], "--words must be >= 0"),
    (["--prompt", "the", "--temperature", "-1"], "temperature must be >= 0"),
    (["--prompt", "..."], "--prompt must hold at least one word of the model's vocabulary (8 words"),
])
def test_bad_generation_input_exits_2(model, capsys, args, message):
    assert main(["generate", str(model), *args]) == 2
    assert message in error_line(capsys, "generate")


def test_generate_from_a_file_that_is_not_a_checkpoint_exits_2(tmp_path, text, capsys):
    assert main(["generate", str(text), "--prompt", "the"]) == 2
    assert f"{text}: not an lstmdoc checkpoint" in error_line(capsys, "generate")
    truncated = tmp_path / "truncated.npz"
    checkpoint.save(truncated, *(lambda ex: (ex.params, ex.vocab))(lstmdoc.example.article()))
    truncated.write_bytes(truncated.read_bytes()[:100])
    assert main(["generate", str(truncated), "--prompt", "the"]) == 2
    assert "damaged or truncated" in error_line(capsys, "generate")


# --- trace ---------------------------------------------------------------------------------

def test_trace_of_the_articles_last_step(capsys):
    assert main(["trace", "--step", "3"]) == 0
    out = capsys.readouterr().out
    ex = lstmdoc.example.article()
    r = lstmdoc.run(ex.params, ex.X, ex.target)
    assert out == ("article example: the mice had -> a\n"
                   + lstmdoc.trace.trace(r, ex.params, steps=[3]) + "\n")
    assert "    dCt     (5, 1)    [-0.2224 -0.2963 -0.2623  0.1321  0.1321]\n" in out


def test_trace_selects_steps_and_quantities_of_either_example(capsys):
    assert main(["trace", "--example", "random", "--step", "2", "1", "--quantity", "dCt",
                 "--quantity", "f"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("random example")
    lines = out.splitlines()
    names = [line.split()[0] for line in lines
             if line.startswith("    ") and not line.lstrip().startswith("[")]
    assert names == ["f", "dCt"] * 2
    assert lines.index("t = 2") < lines.index("t = 1")


@pytest.mark.parametrize("args, message", [
    (["--step", "0"], "time steps count from 1 to T = 3"),
    (["--step", "4"], "got 4"),
    (["--quantity", "dct"], "unknown quantity 'dct'; did you mean 'dCt'?"),
    (["--width", "10"], "--width must be at least 40"),
])
def test_bad_trace_input_exits_2(capsys, args, message):
    assert main(["trace", *args]) == 2
    assert message in error_line(capsys, "trace")


# --- help, and the real program --------------------------------------------------------------

@pytest.mark.parametrize("command", [[], ["train"], ["generate"], ["trace"], ["check"]])
def test_help_on_each_subcommand(capsys, command):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {' '.join(['lstmdoc', *command])} ")


def test_a_passthrough_subcommand_gets_its_arguments_in_order(monkeypatch, capsys):
    """How a program with its own main(argv) (a grader, say) becomes a subcommand."""
    import argparse

    def grader_main(argv):
        parser = argparse.ArgumentParser(prog="lstmdoc grade")
        parser.add_argument("answers")
        parser.add_argument("--step")
        args = parser.parse_args(argv)
        print(f"graded {args.answers} at {args.step}")
        return 0

    def add_grade(subparsers):
        p = subparsers.add_parser("grade", help="grade answers", add_help=False)
        p.set_defaults(run=lambda args: grader_main(args.argv), passthrough=True)

    monkeypatch.setattr(cli, "SUBCOMMANDS", (*cli.SUBCOMMANDS, add_grade))
    assert main(["grade", "a.json", "--step", "dCt"]) == 0
    assert capsys.readouterr().out == "graded a.json at dCt\n"
    assert main(["grade", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: lstmdoc grade [-h] [--step STEP] answers")
    assert main(["grade"]) == 2
    assert "required: answers" in capsys.readouterr().err
    assert main(["trace", "extra"]) == 2  # the others still refuse extras
    assert "unrecognized arguments: extra" in capsys.readouterr().err


def test_check_grades_a_learners_file(capsys):
    learner = Path(__file__).parents[1] / "docs" / "learners" / "my_lstm.py"
    assert main(["check", str(learner)]) == 1  # its dCt forgets the dc_next term
    out = capsys.readouterr().out
    assert "ok    dOt" in out and "WRONG dCt" in out and "dc-next-missing" in out


def test_main_returns_the_status_that_the_program_exits_with():
    assert main(["--version"]) == 0


def program(*args, cwd):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "lstmdoc", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_python_m_lstmdoc_every_subcommand(tmp_path):
    trained = program("train", "--article", "--iterations", "50", "--out", "m.npz", cwd=tmp_path)
    assert trained.returncode == 0 and "saved m.npz" in trained.stdout, trained.stderr
    generated = program("generate", "m.npz", "--prompt", "the mice had", "--words", "2",
                        cwd=tmp_path)
    assert generated.returncode == 0 and generated.stdout.startswith("the mice had ")
    traced = program("trace", "--step", "3", cwd=tmp_path)
    assert traced.returncode == 0 and "dCprojt (5, 1)" in traced.stdout
    learner = Path(__file__).parents[1] / "docs" / "learners" / "my_lstm.py"
    checked = program("check", str(learner), cwd=tmp_path)
    assert checked.returncode == 1 and "WRONG dCt" in checked.stdout, checked.stderr
    bad = program("trace", "--step", "9", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == ("lstmdoc trace: error: time steps count from 1 to T = 3 "
                                  "(as in the equations), got 9")


def test_the_installed_lstmdoc_command():
    script = Path(sys.executable).with_name("lstmdoc")
    if not script.exists():
        pytest.skip("the entry point is not installed (pip install -e . installs it)")
    result = subprocess.run([str(script), "trace", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("usage: lstmdoc trace")
