"""The grader: right functions pass, each known mistake is named, bad files get a clear message."""

import json
import re
import subprocess
import sys
import textwrap

import pytest

import lstmdoc
from lstmdoc import cell_backward as cb
from lstmdoc.grader import GENERIC, MISTAKES, REFERENCE, check, main, wrong_variants


def learner_file(tmp_path, code, name="mine.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return path


WRONG_DCT_RIGHT_DOT = """\
    import numpy as np


    def dOt(dh, cache):
        return dh * cache.tanh_c * cache.o * (1 - cache.o)


    def dCt(dh, dc_next, cache):
        return dh * cache.o * (1 - cache.tanh_c**2)   # dc_next forgotten
"""


def test_wrong_dct_is_diagnosed_while_right_dot_passes(tmp_path):
    """The issue's "done when": dc_next forgotten in dCt is named; dOt passes."""
    report = check(learner_file(tmp_path, WRONG_DCT_RIGHT_DOT))
    dot, dct = report.results
    assert (dot.name, dot.matches, dot.mistake) == ("dOt", True, None)
    assert (dct.name, dct.matches, dct.mistake_id) == ("dCt", False, "dc-next-missing")
    assert dct.mistake == ("yours: dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)); "
                           "should be: dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next")
    # dc_next is zero at t = T = 6: the first step where it differs is t = 5.
    assert (dct.first_t, dct.example, dct.shapes) == (5, "random", ())
    assert dct.where == "t = 5 of the random example"
    assert dct.rel_error > 0.1
    assert not report.ok and report.status == 1
    lines = report.text().splitlines()
    assert lines[1].startswith("ok    dOt")
    assert lines[2].startswith("WRONG dCt") and "likely mistake dc-next-missing: yours:" in lines[2]


def test_lstmdocs_own_functions_all_match():
    report = check({name: (lambda *a, f=fn: f(*a)) for name, fn in REFERENCE.items()})
    assert report.ok and len(report.results) == len(REFERENCE)
    assert all(r.rel_error < 1e-15 and r.calls in (2, 9) for r in report.results)
    assert report.text().splitlines()[-1] == "All match."


@pytest.mark.parametrize("name, variant", [
    (name, v) for name in REFERENCE for v in wrong_variants(name)],
    ids=lambda x: x if isinstance(x, str) else x.id)
def test_each_known_mistake_is_named(name, variant):
    """Every variant is told apart from the right function and from every other variant."""
    (result,) = check({name: variant.fn}).results
    assert not result.matches
    assert (result.mistake_id, result.mistake) == (variant.id, variant.text)
    assert variant.id in MISTAKES and "yours: " in variant.text and "; should be: " in variant.text


GENERIC_CASES = [
    ("sign-flipped", lambda dh, c: -cb.dOt(dh, c), "dOt"),
    ("transposed", lambda dlogits, h: h @ dlogits.T, "dWy"),
    ("wrong-shape", lambda da: da.sum(axis=1), "db"),
    ("batch-mean-twice", lambda dl, h: dl @ h.T / dl.shape[1], "dWy"),
]


def test_every_generic_mistake_has_a_case():
    assert [m for m, _, _ in GENERIC] == [case[0] for case in GENERIC_CASES]


@pytest.mark.parametrize("mistake, fn, name", GENERIC_CASES)
def test_generic_mistakes(mistake, fn, name):
    (result,) = check({name: fn}).results
    assert result.mistake_id == mistake


# Mistakes as a learner writes them, not as lstmdoc spells its variants.
@pytest.mark.parametrize("code, expected", [
    ("""
     def dlogits(probs, target):
         d = probs.copy()
         d[target, range(len(target))] -= 1
         return d
     """, "mean-missing"),
    ("""
     from lstmdoc.cell import sigmoid
     def dOt(dh, cache):   # o(1 - o) computed as if o were the pre-activation a_o
         return dh * cache.tanh_c * sigmoid(cache.o) * (1 - sigmoid(cache.o))
     """, "sigmoid-prime-of-output"),
    ("""
     def dCprojt(dc, cache):
         return dc * cache.i * (1 - cache.tanh_c**2)
     """, "wrong-variable"),
    ("""
     def dCt(dh, dc_next, cache):
         return dh * cache.o * (1 - cache.cproj**2) + dc_next
     """, "wrong-variable"),
    ("""
     def dHt(dh_out, dh_next):
         return dh_out
     """, "dh-next-missing"),
    ("""
     import numpy as np
     def dFt(dc, cache):   # recomputes f from its logit, without the forget bias
         a_f = np.log(cache.f / (1 - cache.f)) - 1.0
         f = 1 / (1 + np.exp(-a_f))
         return dc * cache.c_prev * f * (1 - f)
     """, "forget-bias-missing"),
    ("""
     def dh_output(dlogits, Wy):
         return dlogits.T @ Wy
     """, "transposed"),
    ("""
     import numpy as np
     from lstmdoc.cell_backward import *
     def cell_backward(dh_out, dh_next, dc_next, cache, W):   # TensorFlow's i, j, f, o
         dh = dHt(dh_out, dh_next)
         do, dc = dOt(dh, cache), dCt(dh, dc_next, cache)
         df, di, dj = dFt(dc, cache), dIt(dc, cache), dCprojt(dc, cache)
         da = np.concatenate([di, dj, df, do])
         dx, dh_prev = dHX(da, W)
         return dh, do, dc, dj, df, di, dW(da, cache), db(da), dx, dh_prev, dC_next(dc, cache)
     """, "gate-order"),
    ("""
     import numpy as np
     from lstmdoc.cell_backward import *
     def cell_backward(dh_out, dh_next, dc_next, cache, W):
         dh = dHt(dh_out, dh_next)
         do, dc = dOt(dh, cache), dh * cache.o * (1 - cache.tanh_c**2)
         df, di, dj = dFt(dc, cache), dIt(dc, cache), dCprojt(dc, cache)
         da = np.concatenate([df, di, dj, do])
         dx, dh_prev = dHX(da, W)
         return CellGrads(dh, do, dc, dj, df, di, dW(da, cache), db(da), dx, dh_prev,
                          dC_next(dc, cache))
     """, "dc-next-missing"),
    ("""
     def dOt(dh, cache):   # the activation o where its derivative o(1 - o) is due
         return dh * cache.tanh_c * cache.o
     """, "activation-not-derivative"),
    ("""
     def dCprojt(dc, cache):   # cproj where 1 - cproj² is due
         return dc * cache.i * cache.cproj
     """, "activation-not-derivative"),
    ("""
     def dCt(dh, dc_next, cache):   # 1 - c² for 1 - tanh²(c)
         c = cache.f * cache.c_prev + cache.i * cache.cproj
         return dh * cache.o * (1 - c**2) + dc_next
     """, "tanh-prime-of-c"),
    ("""
     def dC_next(dc, cache):
         return dc * (1 - cache.f)
     """, "one-minus-f"),
])
def test_mistakes_written_by_hand(tmp_path, code, expected):
    (result,) = check(learner_file(tmp_path, code)).results
    assert not result.matches
    assert result.mistake_id == expected, result.mistake


def test_cell_backward_names_the_first_wrong_part(tmp_path):
    code = """
        from lstmdoc.cell_backward import cell_backward as right
        def cell_backward(dh_out, dh_next, dc_next, cache, W):
            g = right(dh_out, dh_next, dc_next, cache, W)
            return g._replace(dc_prev=g.dCt)          # f_t forgotten in dC_next
        """
    (result,) = check(learner_file(tmp_path, code)).results
    assert (result.part, result.mistake_id) == ("dc_prev", "factor-missing")
    assert result.mistake == "in dC_next, yours: dc_prev = dCt (f_t forgotten); should be: " \
                             "dc_prev = dCt ⊙ f_t"
    assert result.shapes == ()  # every shape right: none printed


def test_exception_shows_the_learners_traceback_only(tmp_path):
    path = learner_file(tmp_path, """
        def helper(W, da):
            return W @ da          # W not transposed

        def dHX(da, W):
            dz = helper(W, da)
            return dz[:3], dz[3:]
        """)
    report = check(path)
    (result,) = report.results
    assert not result.matches and result.first_t == 6
    assert "ValueError" in result.error and "matmul" in result.error
    assert f'File "{path}", line 3, in helper' in result.error
    assert "grader.py" not in result.error and "_validate" not in result.error
    assert result.mistake == "a matrix product with mismatched shapes: a transposed W or Wy?"
    assert result.mistake_id == "transposed"
    assert "could not be graded at t = 6 of the random example" in report.text()


def test_wrong_signature_and_return_type(tmp_path):
    report = check({"dCt": lambda dh, cache: dh, "dOt": lambda dh, cache: [dh]})
    dct, dot = sorted(report.results, key=lambda r: r.name)
    assert dct.error == "yours takes (dh, cache); lstmdoc's takes (dh, dc_next, cache)"
    assert dct.calls == 0 and dct.example is None
    assert dot.error == "returned list, expected a numpy ndarray"
    assert not report.ok and report.status == 1  # dOt could be called


def test_only_unknown_signatures_cannot_be_graded(tmp_path):
    path = learner_file(tmp_path, "def dCt(dh, cache):\n    return dh\n")
    report = check(path)
    assert report.status == 2
    assert main([str(path)]) == 2


@pytest.mark.parametrize("code, message", [
    ("def dOt(dh, cache)\n    return dh\n", "SyntaxError"),
    ("import numpy as np\n\ndef forward(x):\n    return x\n", "no step function of your own"),
    ("from lstmdoc.cell_backward import dOt\n", "no step function of your own"),
    ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
    ("raise ValueError('bad at import')\n", "the file cannot be imported: ValueError: bad at import"),
])
def test_files_that_cannot_be_graded(tmp_path, capsys, code, message):
    path = learner_file(tmp_path, code)
    report = check(path)
    assert not report.ok and message in report.problem
    assert main([str(path)]) == 2
    assert message in capsys.readouterr().out


def test_missing_file_and_bad_argument(tmp_path, capsys):
    assert main([str(tmp_path / "nope.py")]) == 2
    assert "the file was not found" in capsys.readouterr().out
    for name, hint in [("notes.txt", ""), ("lstm.ipynb", "nbconvert --to script")]:
        (tmp_path / name).write_text("def lstm_step_forward(): pass\n", encoding="utf-8")
        assert main([str(tmp_path / name)]) == 2
        out = capsys.readouterr().out
        assert f"path must be a Python file ending in .py, got {name}" in out and hint in out
    with pytest.raises(TypeError, match="module_or_dict must be"):
        check(42)


def test_command_line_exit_status(tmp_path):
    wrong = learner_file(tmp_path, WRONG_DCT_RIGHT_DOT)
    right = learner_file(tmp_path, """\
        from lstmdoc.cell_backward import dCt as lstmdocs_dCt, dOt   # dOt: lstmdoc's, not graded


        def dCt(dh, dc_next, cache):
            return lstmdocs_dCt(dh, dc_next, cache)
        """, "right.py")
    run = lambda path: subprocess.run([sys.executable, "-m", "lstmdoc.grader", str(path)],  # noqa: E731
                                      capture_output=True, text=True)
    bad, good = run(wrong), run(right)
    assert bad.returncode == 1 and "likely mistake dc-next-missing: yours:" in bad.stdout
    assert good.returncode == 0 and good.stdout.splitlines()[-2] == "All match."


def test_learner_cannot_change_lstmdocs_inputs():
    def dFt(dc, cache):
        cache.f[:] = 0          # writes into its input
        dc *= 2
        return dc

    # dFt is graded before dC_next, on the same caches: they must not have changed.
    report = check({"dFt": dFt, "dC_next": lambda dc, cache: dc * cache.f})
    assert [r.matches for r in report.results] == [False, True]
    (warning,) = report.warnings
    assert (warning.name, warning.id) == ("dFt", "input-modified")
    assert warning.message.startswith("writes into cache, dc, an array it was given")


def test_lazy_export():
    assert lstmdoc.check is check
    with pytest.raises(AttributeError, match="no attribute 'chek'"):
        lstmdoc.chek  # noqa: B018


def test_try_it_boxes_show_lstmdocs_signatures():
    """Each Step page ends with a Try it box whose signatures are the grader's."""
    from pathlib import Path

    from lstmdoc.grader import signature
    pages = sorted((Path(__file__).resolve().parents[1] / "docs" / "steps").glob("*.md"))
    assert len(pages) == 9
    seen = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        box = text[text.rindex(":::{admonition} Try it"):]
        assert box.rstrip().endswith(":::"), f"{page.name}: the Try it box is not last"
        defs = re.findall(r"^def (\w+)(\(.*\)):$", box, re.M)
        assert defs, page.name
        for name, args in defs:
            assert f"{name}{args}" == signature(name), page.name
            seen.add(name)
        assert "$ python -m lstmdoc check my_lstm.py" in box
    assert seen == set(REFERENCE) - {"cell_backward"}


def test_cell_backward_may_return_a_dict():
    from lstmdoc.cell_backward import cell_backward as right
    report = check({"cell_backward": lambda *a: right(*a)._asdict()})
    assert report.ok


def test_subcommand_wiring():
    """What lstmdoc's own command line does with the grader: a subparser and run()."""
    import argparse

    from lstmdoc import grader
    parser = argparse.ArgumentParser(prog="python -m lstmdoc")
    sub = parser.add_subparsers(dest="command", required=True)
    grader.add_arguments(sub.add_parser("check"))
    args = parser.parse_args(["check", "nope.py"])
    assert args.file == "nope.py" and grader.run(args) == 2


def test_a_near_miss_name_is_not_silent(tmp_path):
    report = check(learner_file(tmp_path, """
        def dct(dh, dc_next, cache):
            return dh
        def dOt(dh, cache):
            return dh * cache.tanh_c * cache.o * (1 - cache.o)
        """))
    assert [r.name for r in report.results] == ["dOt"] and report.ok
    (warning,) = report.warnings
    assert (warning.name, warning.id) == ("dct", "near-miss-name")
    assert warning.message == "not graded: did you mean dCt (dCt(dh, dc_next, cache))?"
    assert "warning [near-miss-name] dct: not graded: did you mean dCt" in report.text()


def test_cell_backward_prints_only_the_shapes_that_differ():
    from lstmdoc.cell_backward import cell_backward as right

    def cell_backward(*a):
        g = right(*a)
        return g._replace(dW=g.dW.T)
    (result,) = check({"cell_backward": cell_backward}).results
    assert result.part == "dW" and result.mistake_id == "transposed"
    assert result.shapes == (("dW", (7, 16), (16, 7)),)
    assert result.message().count("shape") == 1


def test_json_and_exit_status(tmp_path):
    path = learner_file(tmp_path, WRONG_DCT_RIGHT_DOT)
    out = subprocess.run([sys.executable, "-m", "lstmdoc", "check", str(path), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert list(report) == ["layout", "functions", "warnings"] and report["layout"] == "lstmdoc"
    assert [list(f) for f in report["functions"]] == [["name", "ok", "mistakes", "where",
                                                       "message"]] * 2
    dot, dct = report["functions"]
    assert (dot["ok"], dot["mistakes"], dot["where"]) == (True, [], None)
    assert (dct["ok"], dct["mistakes"], dct["where"]) == (False, ["dc-next-missing"],
                                                          "t = 5 of the random example")
    assert report["warnings"] == []


@pytest.mark.parametrize("layout, message", [
    ("cs321n", "no layout named 'cs321n' for the grader: did you mean cs231n?"),
    ("d2l", "d2l's has no hand-written backward functions to grade"),
])
def test_a_layout_that_cannot_be_read(tmp_path, capsys, layout, message):
    path = learner_file(tmp_path, WRONG_DCT_RIGHT_DOT)
    assert main([str(path), "--layout", layout]) == 2
    out = capsys.readouterr().out
    assert message in out and len(out.strip().splitlines()) == 1 and "Traceback" not in out
    assert message in check(path, layout=layout).problem


def test_layout_overrides_detection(tmp_path):
    path = learner_file(tmp_path, WRONG_DCT_RIGHT_DOT)
    assert check(path, layout="lstmdoc").layout == "lstmdoc"
    report = check(path, layout="cs231n")   # no CS231n function in it
    assert report.status == 2 and "no step function of your own" in report.problem


def test_every_mistake_and_warning_is_on_the_grader_page():
    from pathlib import Path

    from lstmdoc.grader import WARNINGS
    page = (Path(__file__).resolve().parents[1] / "docs" / "learners" / "grader.md").read_text(
        encoding="utf-8")
    for key, meaning in [*MISTAKES.items(), *WARNINGS.items()]:
        assert f"{key:15} {meaning}" in page or f"{key:26} {meaning}" in page, key
