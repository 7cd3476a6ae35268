"""The grader on code as learners write it: CS231n's, deeplearning.ai's and Karpathy's layouts.

The implementations are the page's (docs/learners/*_lstm.py), written here in
each course's style; every mistake is injected into them by replacing a line.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lstmdoc.grader import check, main

LEARNERS = Path(__file__).resolve().parents[1] / "docs" / "learners"
FILES = {"cs231n": "cs231n_lstm.py", "deeplearning.ai": "dlai_lstm.py",
         "karpathy": "karpathy_lstm.py"}


def with_bug(tmp_path, layout, old, new, count=1):
    """The page's implementation in ``layout`` with ``old`` replaced by ``new``."""
    source = (LEARNERS / FILES[layout]).read_text(encoding="utf-8")
    assert source.count(old) >= count, old
    path = tmp_path / f"mine_{layout.replace('.', '_')}.py"
    path.write_text(source.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize("layout", FILES)
def test_right_code_is_right(layout):
    report = check(LEARNERS / FILES[layout])
    assert report.layout == layout and report.ok and report.status == 0, str(report)
    assert report.warnings == () and report.missing == ()
    assert all(r.rel_error < 1e-14 for r in report.results)


CS_DC = "dc = dnext_c + dnext_h * o * (1 - tanh_c**2)"
KP_DC = "dC[t] += dHout[t] * o * (1 - tanhC**2)"
DL_DC = "dc = dc_next + da_next * ot * (1 - np.tanh(c_next)**2)"
DL_GATES = '"f": dc * c_prev * ft * (1 - ft), "i": dc * cct * it * (1 - it)'
# (layout, mistake id, the line as written, the line with the mistake)
BUGS = [
    ("cs231n", "dc-next-missing", CS_DC, "dc = dnext_h * o * (1 - tanh_c**2)"),
    ("cs231n", "gate-order", "np.hstack([di, df, do, dg])", "np.hstack([di, df, dg, do])"),
    ("cs231n", "sigmoid-prime-missing", "di = dc * g * i * (1 - i)", "di = dc * g"),
    ("cs231n", "activation-not-derivative", "do = dnext_h * tanh_c * o * (1 - o)",
     "do = dnext_h * tanh_c * o"),
    ("cs231n", "activation-not-derivative", "dg = dc * i * (1 - g**2)", "dg = dc * i * g"),
    ("cs231n", "tanh-prime-of-c", CS_DC, "dc = dnext_c + dnext_h * o * (1 - next_c**2)"),
    ("cs231n", "tanh-prime-of-output", "dg = dc * i * (1 - g**2)",
     "dg = dc * i * (1 - np.tanh(g)**2)"),
    ("cs231n", "one-minus-f", "dc * f\n", "dc * (1 - f)\n"),
    ("cs231n", "transposed", "dWx, dWh, db = x.T @ da,", "dWx, dWh, db = da.T @ x,"),
    ("cs231n", "not-carried-back", "dh[:, t] + dh_next, dc_next, cache[t])",
     "dh[:, t], np.zeros((N, H)), cache[t])"),
    ("cs231n", "not-accumulated", "dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
     "dWx, dWh, db = dWx_t, dWh_t, db_t"),
    ("deeplearning.ai", "dc-next-missing", DL_DC, "dc = da_next * ot * (1 - np.tanh(c_next)**2)"),
    ("deeplearning.ai", "not-carried-back", "da[:, :, t] + da_prevt, dc_prevt",
     "da[:, :, t], dc_prevt"),
    ("deeplearning.ai", "not-accumulated", "gradients[k] = gradients.get(k, 0) + g[k]",
     "gradients[k] = g[k]"),
    ("deeplearning.ai", "gate-order", DL_GATES,
     '"i": dc * c_prev * ft * (1 - ft), "f": dc * cct * it * (1 - it)'),
    ("deeplearning.ai", "sigmoid-prime-missing", '"f": dc * c_prev * ft * (1 - ft)',
     '"f": dc * c_prev'),
    ("deeplearning.ai", "tanh-prime-of-c", DL_DC, "dc = dc_next + da_next * ot * (1 - c_next**2)"),
    ("deeplearning.ai", "one-minus-f", '{"dc_prev": dc * ft}', '{"dc_prev": dc * (1 - ft)}'),
    ("deeplearning.ai", "activation-not-derivative", '"c": dc * it * (1 - cct**2)',
     '"c": dc * it * cct'),
    ("deeplearning.ai", "tanh-prime-of-output", '"c": dc * it * (1 - cct**2)',
     '"c": dc * it * (1 - np.tanh(cct)**2)'),
    ("deeplearning.ai", "wrong-shape", "d.sum(axis=1, keepdims=True)", "d.sum(axis=1)"),
    ("deeplearning.ai", "transposed", 'd @ concat.T', 'concat @ d.T'),
    ("karpathy", "dc-next-missing", KP_DC, "dC[t] = dHout[t] * o * (1 - tanhC**2)"),
    ("karpathy", "not-carried-back", "dHout[t - 1] += dHin[:, D + 1:]", "pass"),
    ("karpathy", "not-accumulated", "dWLSTM += Hin[t].T @ dIFOG[t]",
     "dWLSTM = Hin[t].T @ dIFOG[t]"),
    ("karpathy", "gate-order", "i, f, o, g = np.split(IFOGf[t], 4, axis=1)",
     "f, i, o, g = np.split(IFOGf[t], 4, axis=1)"),
    ("karpathy", "sigmoid-prime-missing", "y[:, :3 * d] * (1 - y[:, :3 * d])",
     "np.ones_like(y[:, :3 * d])"),
    ("karpathy", "tanh-prime-of-c", KP_DC, "dC[t] += dHout[t] * o * (1 - C[t]**2)"),
    ("karpathy", "activation-not-derivative", "1 - g**2])", "g])"),
    ("karpathy", "tanh-prime-of-output", "1 - g**2])", "1 - np.tanh(g)**2])"),
]


@pytest.mark.parametrize("layout, mistake, old, new", BUGS, ids=lambda x: str(x)[:24])
def test_each_mistake_is_named(tmp_path, layout, mistake, old, new):
    report = check(with_bug(tmp_path, layout, old, new))
    assert report.layout == layout and report.status == 1
    named = [r.mistake_id for r in report.results if not r.ok]
    assert named and named[0] == mistake, str(report)


def test_the_required_mistakes_have_a_case_in_each_style():
    required = {"dc-next-missing", "not-carried-back", "not-accumulated", "gate-order",
                "sigmoid-prime-missing", "activation-not-derivative", "tanh-prime-of-c",
                "tanh-prime-of-output"}
    for layout in FILES:
        assert required <= {m for lt, m, _, _ in BUGS if lt == layout}, layout
    assert {"one-minus-f", "transposed"} <= {m for _, m, _, _ in BUGS}


def test_a_loop_that_does_not_carry_back_is_located(tmp_path):
    """The issue's bug: the step function is right, the loop drops dprev_h and dprev_c."""
    report = check(with_bug(tmp_path, "cs231n", "dh[:, t] + dh_next, dc_next, cache[t])",
                            "dh[:, t], np.zeros((N, H)), cache[t])"))
    step, loop = (r for r in report.results if r.name in ("lstm_step_backward", "lstm_backward"))
    assert step.ok and not loop.ok and loop.mistake_id == "not-carried-back"
    # dx at t = T is right; t = T - 1 = 5 is the first step that misses the gradient from t = 6.
    assert loop.where == "dx at t = 5 of the random example, upstream gradient at every step"
    assert loop.mistake == ("yours: dprev_h and dprev_c of step t not passed to step t−1; "
                            "should be: step t adds the dprev_h of step t+1 to its dh, and "
                            "takes its dprev_c as dc_next")
    assert (loop.wrong_parts, loop.right_parts) == (("dx", "dh0", "dWx", "dWh", "db"), ())


def test_a_function_writing_into_its_input_is_warned(tmp_path):
    report = check(with_bug(tmp_path, "cs231n", CS_DC,
                            "dnext_c += dnext_h * o * (1 - tanh_c**2)\n    dc = dnext_c"))
    assert report.ok  # graded on copies: the result is right
    assert [(w.name, w.id) for w in report.warnings] == [("lstm_step_backward", "input-modified")]
    assert "writes into dnext_c" in report.warnings[0].message


def test_the_forward_builds_the_cache(tmp_path):
    """A wrong forward is named; the backward, given its caches, is flagged."""
    report = check(with_bug(tmp_path, "cs231n", "next_c = f * prev_c + i * g",
                            "next_c = f * prev_c + i * g * 2"))
    by_name = {r.name: r for r in report.results}
    assert not by_name["lstm_step_forward"].ok
    assert ("lstm_step_backward", "forward-wrong") in [(w.name, w.id) for w in report.warnings]


def test_a_backward_without_its_forward(tmp_path):
    source = (LEARNERS / FILES["cs231n"]).read_text(encoding="utf-8")
    path = tmp_path / "only_backward.py"
    path.write_text(source.replace("def lstm_step_forward", "def step_forward")
                    .replace("def lstm_forward", "def forward"), encoding="utf-8")
    report = check(path, layout="cs231n")
    assert report.status == 2 and "nothing could be graded" in report.problem
    assert {(w.name, w.id) for w in report.warnings} >= {("lstm_step_backward", "needs-forward"),
                                                        ("lstm_backward", "needs-forward")}


def test_a_forward_that_raises(tmp_path):
    report = check(with_bug(tmp_path, "cs231n", "next_h = o * np.tanh(next_c)",
                            "next_h = o * np.tanh(next_c) @ Wx"))
    by_name = {r.name: r for r in report.results}
    assert "ValueError" in by_name["lstm_step_forward"].error
    assert by_name["lstm_step_backward"].error.startswith(
        "its cache comes from your lstm_step_forward, which raised ValueError")
    assert report.status == 1


def test_unknown_signature(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent("""
        def lstm_step_forward(x, prev_h, prev_c, W):
            return x, x, None
        """), encoding="utf-8")
    report = check(path, layout="cs231n")
    (result,) = report.results
    assert result.error == ("yours takes (x, prev_h, prev_c, W); CS231n's takes "
                            "(x, prev_h, prev_c, Wx, Wh, b)")
    assert report.status == 2


def test_the_layouts_are_told_apart_by_their_signatures(tmp_path):
    """CS231n and deeplearning.ai both call their whole passes lstm_forward and lstm_backward."""
    for layout, name in (("cs231n", "lstm_step"), ("deeplearning.ai", "lstm_cell")):
        source = (LEARNERS / FILES[layout]).read_text(encoding="utf-8")
        path = tmp_path / f"whole_{layout.replace('.', '_')}.py"
        path.write_text(source.replace(f"def {name}_", f"def my_{name}_").replace(
            f"= {name}_", f"= my_{name}_").replace(f"({name}_", f"(my_{name}_"), encoding="utf-8")
        report = check(path)
        assert report.layout == layout and [r.name for r in report.results] == \
            ["lstm_forward", "lstm_backward"] and report.ok, str(report)


def test_json_on_cs231n_with_dnext_c_forgotten(tmp_path):
    """The issue's closing note: the --json output, as a learner's command line prints it."""
    path = with_bug(tmp_path, "cs231n", CS_DC, "dc = dnext_h * o * (1 - tanh_c**2)")
    out = subprocess.run([sys.executable, "-m", "lstmdoc", "check", str(path), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["layout"] == "cs231n" and report["warnings"] == []
    assert [(f["name"], f["ok"], f["mistakes"]) for f in report["functions"]] == [
        ("lstm_step_forward", True, []), ("lstm_step_backward", False, ["dc-next-missing"]),
        ("lstm_forward", True, []), ("lstm_backward", False, ["dc-next-missing"])]
    step = report["functions"][1]
    assert step["where"] == "dx at t = 5 of the random example"
    assert "in dCt, yours: dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)); should be:" in step["message"]


def test_lstmdoc_check_takes_a_module_and_a_layout():
    import importlib.util
    spec = importlib.util.spec_from_file_location("karpathy_lstm", LEARNERS / FILES["karpathy"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert check(module, layout="karpathy").ok
    assert check(vars(module)).layout == "karpathy"
    assert main([str(LEARNERS / FILES["karpathy"]), "--layout", "karpathy"]) == 0


def test_lstmdocs_own_functions_are_not_a_learners(tmp_path):
    """A notebook that imported lstmdoc's lstm_forward is not taken for CS231n code."""
    from lstmdoc.bptt import lstm_backward, lstm_forward
    report = check({"lstm_forward": lstm_forward, "lstm_backward": lstm_backward})
    assert report.status == 2 and "no step function of your own" in report.problem


def test_code_written_for_python_2_gets_the_division_named(tmp_path):
    """Karpathy's LSTM was published for Python 2, where ``WLSTM.shape[1]/4`` is an integer."""
    report = check(with_bug(tmp_path, "karpathy", "d = WLSTM.shape[1] // 4", "d = WLSTM.shape[1] / 4"))
    forward = next(r for r in report.results if r.name == "LSTM.forward")
    assert not forward.ok and forward.mistake_id == "float-size"
    assert "TypeError" in forward.error and "should be: //" in forward.mistake
    assert report.status == 1


def test_a_definition_that_does_not_compile_is_left_out_and_the_rest_graded(tmp_path, capsys):
    """As in a public CS231n solution: a misindented docstring in a layer the LSTM never uses."""
    source = (LEARNERS / FILES["cs231n"]).read_text(encoding="utf-8")
    broken = 'def temporal_affine_backward(dout, cache):\n          """Backward.\n      """\n    return dout\n'
    path = tmp_path / "rnn_layers.py"
    path.write_text(source + "\n\n" + broken + "\n\ndef after():\n    return 1\n", encoding="utf-8")
    report = check(path)
    assert report.ok and report.status == 0, str(report)
    (warning,) = report.warnings
    line = source.count("\n") + 3
    assert warning.id == "not-compiled" and warning.name == "temporal_affine_backward"
    assert warning.message.startswith(f"left out, from line {line}: it does not compile (IndentationError")
    assert main([str(path)]) == 0
    assert "warning [not-compiled] temporal_affine_backward" in capsys.readouterr().out
    # An error at module level cannot be left out: the file is not graded, and says why.
    path.write_text(source + "\nx = (\n", encoding="utf-8")
    assert "the file cannot be imported: SyntaxError" in check(path).problem
