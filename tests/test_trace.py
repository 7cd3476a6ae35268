"""The trace prints every intermediate of lstmdoc.run, by name, with the run's own values."""

import numpy as np
import pytest

import lstmdoc
from lstmdoc.trace import BACKWARD, FORWARD, OUTPUT_BACKWARD, OUTPUT_FORWARD, QUANTITIES, trace


def run_of(ex):
    return lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)


def names_in(text):
    """The quantity names in the order the trace prints them (first word of each quantity line)."""
    return [line.split()[0] for line in text.splitlines()
            if line.startswith("    ") and line.split()[0] in QUANTITIES]


def test_every_quantity_in_order_output_layer_first_then_t_from_T_down_to_1():
    ex = lstmdoc.example.random(T=3)
    text = trace(run_of(ex), ex.params)
    titles = [line for line in text.splitlines() if line and not line.startswith(" ")][1:]
    assert titles == ["Step 1, the output layer (after t = T)", "t = 3", "t = 2", "t = 1"]
    expected = [*OUTPUT_FORWARD, *OUTPUT_BACKWARD] + 3 * [*FORWARD, *BACKWARD]
    assert names_in(text) == expected
    assert list(BACKWARD) + ["dnorm_gain", "dnorm_shift"] == list(lstmdoc.cell_backward.CellGrads._fields)


def test_the_values_are_the_runs():
    ex = lstmdoc.example.random(T=3, B=2)
    r = run_of(ex)
    text = trace(r, ex.params, steps=[2], quantities=["dCt", "c", "h"], linewidth=200)
    with np.printoptions(precision=4, suppress=True, linewidth=200):
        for b in range(2):
            assert f"[:, {b}] {np.array2string(r.steps[1].dCt[:, b])}" in text
            # c_2 and h_2 are what step 3 starts from
            assert f"[:, {b}] {np.array2string(r.caches[2].c_prev[:, b])}" in text
            assert f"[:, {b}] {np.array2string(r.caches[2].z[ex.params.D:, b])}" in text


def test_recomputed_forward_values_are_bit_for_bit_the_pass():
    from lstmdoc.trace import step_values

    ex = lstmdoc.example.random()
    r = run_of(ex)
    for k in range(len(r.caches) - 1):
        v = step_values(r, ex.params, k)
        assert np.array_equal(v["c"], r.caches[k + 1].c_prev)
        assert np.array_equal(v["h"], r.caches[k + 1].z[ex.params.D:])
    assert np.array_equal(step_values(r, ex.params, len(r.caches) - 1)["h"], r.h)


def test_the_article_last_step_as_on_the_pages():
    ex = lstmdoc.example.article()
    text = trace(run_of(ex), ex.params, steps=[3], quantities=["dHt", "dCt"])
    assert text.splitlines()[-2:] == [
        "    dHt     (5, 1)    [-0.4322 -0.5758 -0.5098  0.2568  0.2568]",
        "    dCt     (5, 1)    [-0.2224 -0.2963 -0.2623  0.1321  0.1321]"]


def test_the_output_layer_comes_with_the_last_step_only():
    ex = lstmdoc.example.article()
    r = run_of(ex)
    assert "dlogits" in trace(r, ex.params, steps=[3])
    assert "dlogits" not in trace(r, ex.params, steps=[1, 2])
    assert "\nt = " not in trace(r, ex.params, quantities=["dWy"])


def test_lines_fit_the_width():
    ex = lstmdoc.example.random()
    for width in (60, 78):
        text = trace(run_of(ex), ex.params, linewidth=width)
        assert max(len(line) for line in text.splitlines()) <= width


def test_print_options_are_left_as_they_were():
    ex = lstmdoc.example.article()
    before = np.get_printoptions()
    trace(run_of(ex), ex.params)
    assert np.get_printoptions() == before


@pytest.mark.parametrize("steps, message", [([0], "from 1 to T = 3"), ([4], "got 4"),
                                            ([2.0], "got 2.0"), ([True], "got True")])
def test_bad_steps(steps, message):
    ex = lstmdoc.example.article()
    with pytest.raises(ValueError, match=message):
        trace(run_of(ex), ex.params, steps=steps)


def test_bad_quantities_and_arguments():
    ex = lstmdoc.example.article()
    r = run_of(ex)
    with pytest.raises(ValueError, match="unknown quantity 'dct'; did you mean 'dCt'. known: logits"):
        trace(r, ex.params, quantities=["dCt", "dct"])
    with pytest.raises(TypeError, match="sequence of names"):
        trace(r, ex.params, quantities="dCt")
    with pytest.raises(TypeError, match="r must be a Run"):
        trace(ex, ex.params)
    with pytest.raises(ValueError, match="sizes differ"):
        trace(r, lstmdoc.example.random().params)


@pytest.mark.parametrize("alias, names", [
    ("DCt", ["dCt"]), ("DCprojt", ["dCprojt"]), ("DWy", ["dWy"]),
    ("DHX", ["dx", "dh_prev"]), ("dHX", ["dx", "dh_prev"]), ("Dh_next", ["dh_prev"]),
    ("dxt", ["dx"]), ("DCt_recur", ["dc_prev"]), ("dC_next", ["dc_prev"])])
def test_the_articles_names_show_their_quantities(alias, names):
    ex = lstmdoc.example.article()
    r = run_of(ex)
    assert trace(r, ex.params, quantities=[alias]) == trace(r, ex.params, quantities=names)
    assert names_in(trace(r, ex.params, steps=[3], quantities=[alias])) == [
        n for n in QUANTITIES if n in names]


def test_lines_whose_name_is_not_the_articles_say_the_articles():
    ex = lstmdoc.example.article()
    text = trace(run_of(ex), ex.params, steps=[3], quantities=["dx", "dh_prev", "dc_prev"])
    lines = text.splitlines()
    for name, article in (("dx", "dxt"), ("dh_prev", "Dh_next"), ("dc_prev", "DCt_recur")):
        k = next(k for k, line in enumerate(lines) if line.startswith(f"    {name} "))
        below = next(line for line in lines[k + 1:] if "[" not in line and "]" not in line)
        assert below.startswith(" " * 22 + "(") and article in below, below


@pytest.mark.parametrize("wrong, suggestion", [
    ("dct", "'dCt'"), ("dcprojt", "'dCprojt'"), ("dhx", "'DHX'"), ("dC_nxt", "'dC_next' or"),
    ("dCproj", "'dCprojt' or 'cproj'"), ("DCt_recurr", "'DCt_recur'"), ("dHt ", "'dHt'")])
def test_a_near_miss_names_the_closest_names(wrong, suggestion):
    ex = lstmdoc.example.article()
    with pytest.raises(ValueError, match=f"unknown quantity '{wrong}'; did you mean {suggestion}"):
        trace(run_of(ex), ex.params, quantities=[wrong])


@pytest.mark.parametrize("received, sent", [("dh_next", "dh_prev"), ("dc_next", "dc_prev")])
def test_what_a_step_receives_is_named_as_what_the_next_step_sends(received, sent):
    ex = lstmdoc.example.article()
    with pytest.raises(ValueError, match=f"'{received}' is what step t receives from step t [+] 1: "
                                         f"the trace prints it as step t [+] 1's {sent}$"):
        trace(run_of(ex), ex.params, quantities=[received])
