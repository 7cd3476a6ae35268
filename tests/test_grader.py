"""The grader: right functions pass, each known mistake is named, bad files get a clear message."""

import re
import subprocess
import sys
import textwrap

import pytest

import lstmdoc
from lstmdoc import cell_backward as cb
from lstmdoc.grader import GENERIC, REFERENCE, check, main, wrong_variants


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
    assert (dct.name, dct.matches) == ("dCt", False)
    assert dct.mistake.startswith("the dc_next term forgotten")
    # dc_next is zero at t = T = 6: the first step where it differs is t = 5.
    assert (dct.first_t, dct.example, dct.shape, dct.expected_shape) == (5, "random", (4, 2), (4, 2))
    assert dct.rel_error > 0.1
    assert not report.ok
    lines = report.text().splitlines()
    assert lines[1].startswith("ok    dOt")
    assert lines[2].startswith("WRONG dCt") and "dc_next term forgotten" in lines[2]


def test_lstmdocs_own_functions_all_match():
    report = check({name: (lambda *a, f=fn: f(*a)) for name, fn in REFERENCE.items()})
    assert report.ok and len(report.results) == len(REFERENCE)
    assert all(r.rel_error < 1e-15 and r.calls in (2, 9) for r in report.results)
    assert report.text().splitlines()[-1] == "All match."


@pytest.mark.parametrize("name, mistake, fn", [
    (name, mistake, fn) for name in REFERENCE for mistake, fn in wrong_variants(name)])
def test_each_known_mistake_is_named(name, mistake, fn):
    """Every variant is told apart from the right function and from every other variant."""
    (result,) = check({name: fn}).results
    assert not result.matches
    assert result.mistake == mistake


GENERIC_CASES = [
    ("the sign flipped", lambda dh, c: -cb.dOt(dh, c), "dOt"),
    ("the transpose", lambda dlogits, h: h @ dlogits.T, "dWy"),
    ("the right numbers in the wrong shape", lambda da: da.sum(axis=1), "db"),
    ("divided by the batch size B once too often", lambda dl, h: dl @ h.T / dl.shape[1], "dWy"),
]


def test_every_generic_mistake_has_a_case():
    assert [m for m, _ in GENERIC] == [next(m for m, _ in GENERIC if m.startswith(case[0]))
                                       for case in GENERIC_CASES]


@pytest.mark.parametrize("mistake, fn, name", GENERIC_CASES)
def test_generic_mistakes(mistake, fn, name):
    (result,) = check({name: fn}).results
    assert result.mistake.startswith(mistake)


# Mistakes as a learner writes them, not as lstmdoc spells its variants.
@pytest.mark.parametrize("code, expected", [
    ("""
     def dlogits(probs, target):
         d = probs.copy()
         d[target, range(len(target))] -= 1
         return d
     """, "the 1/B mean forgotten"),
    ("""
     from lstmdoc.cell import sigmoid
     def dOt(dh, cache):   # o(1 - o) computed as if o were the pre-activation a_o
         return dh * cache.tanh_c * sigmoid(cache.o) * (1 - sigmoid(cache.o))
     """, "σ' evaluated at the gate's value"),
    ("""
     def dCprojt(dc, cache):
         return dc * cache.i * (1 - cache.tanh_c**2)
     """, "tanh' applied to c_t instead of c̃_t"),
    ("""
     def dCt(dh, dc_next, cache):
         return dh * cache.o * (1 - cache.cproj**2) + dc_next
     """, "tanh' applied to c̃_t instead of c_t"),
    ("""
     def dHt(dh_out, dh_next):
         return dh_out
     """, "the dh_next term forgotten"),
    ("""
     import numpy as np
     def dFt(dc, cache):   # recomputes f from its logit, without the forget bias
         a_f = np.log(cache.f / (1 - cache.f)) - 1.0
         f = 1 / (1 + np.exp(-a_f))
         return dc * cache.c_prev * f * (1 - f)
     """, "the forget bias left out"),
    ("""
     def dh_output(dlogits, Wy):
         return dlogits.T @ Wy
     """, "the transpose"),
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
     """, "gate blocks stacked in TensorFlow's (i, j, f, o) order"),
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
     """, "in dCt: the dc_next term forgotten"),
])
def test_mistakes_written_by_hand(tmp_path, code, expected):
    (result,) = check(learner_file(tmp_path, code)).results
    assert not result.matches
    assert result.mistake.startswith(expected), result.mistake


def test_cell_backward_names_the_first_wrong_part(tmp_path):
    code = """
        from lstmdoc.cell_backward import cell_backward as right
        def cell_backward(dh_out, dh_next, dc_next, cache, W):
            g = right(dh_out, dh_next, dc_next, cache, W)
            return g._replace(dc_prev=g.dCt)          # f_t forgotten in dC_next
        """
    (result,) = check(learner_file(tmp_path, code)).results
    assert (result.part, result.mistake) == ("dc_prev", "in dC_next: the factor f_t forgotten: "
                                                        "dc_prev = dCt ⊙ f_t")


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
    assert "could not be graded at t = 6 of the random example" in report.text()


def test_wrong_signature_and_return_type(tmp_path):
    report = check({"dCt": lambda dh, cache: dh, "dOt": lambda dh, cache: [dh]})
    dct, dot = sorted(report.results, key=lambda r: r.name)
    assert dct.mistake == "the signature differs from lstmdoc's dCt(dh, dc_next, cache)"
    assert dot.error == "returned list, expected a numpy ndarray"
    assert not report.ok


@pytest.mark.parametrize("code, message", [
    ("def dOt(dh, cache)\n    return dh\n", "SyntaxError"),
    ("import numpy as np\n\ndef forward(x):\n    return x\n", "no step function of your own"),
    ("from lstmdoc.cell_backward import dOt\n", "no step function of your own"),
    ("raise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
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
    assert bad.returncode == 1 and "likely mistake: the dc_next term forgotten" in bad.stdout
    assert good.returncode == 0 and good.stdout.splitlines()[-2] == "All match."


def test_learner_cannot_change_lstmdocs_inputs():
    def dFt(dc, cache):
        cache.f[:] = 0          # writes into its input
        dc *= 2
        return dc

    # dFt is graded before dC_next, on the same caches: they must not have changed.
    report = check({"dFt": dFt, "dC_next": lambda dc, cache: dc * cache.f})
    assert [r.matches for r in report.results] == [False, True]


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
