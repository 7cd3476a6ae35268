"""Bad input gets a TypeError or ValueError from lstmdoc that names the argument."""

import re

import numpy as np
import pytest

import lstmdoc
from lstmdoc import LSTMParams
from lstmdoc.example import random


def params(**change):
    """The random example's parameters with some fields replaced."""
    p = random().params
    fields = dict(W=p.W, b=p.b, Wy=p.Wy, by=p.by, forget_bias=p.forget_bias)
    fields.update(change)
    return fields


H, D, V = 4, 3, 5  # the random example's sizes


@pytest.mark.parametrize("change, error, message", [
    (dict(W=np.zeros((4 * H, D + H, 1))), ValueError, r"W must be 2-D"),
    (dict(W=np.zeros((15, D + H))), ValueError, r"W must have shape \(4H, D\+H\)"),
    (dict(W=np.zeros((4 * H, H))), ValueError, r"D = 0"),
    (dict(W=random().params.W.T), ValueError, r"W must have shape \(4H, D\+H\), got \(7, 16\): "
     r"b has 16 rows, so W looks transposed: pass W.T"),
    (dict(W=random().params.W.T, b=np.zeros((7, 1))), ValueError,
     r"got \(7, 16\): Wy has H = 4 columns, so W looks transposed: pass W.T"),
    (dict(b=np.zeros((4 * H, 1)).T), ValueError, r"b must have shape .*; it looks transposed: pass b.T"),
    (dict(Wy=np.zeros((V, H)).T), ValueError, r"Wy must have shape \(V, H\).*pass Wy.T"),
    (dict(W=[[0.0] * 7] * 16), TypeError, r"W must be a numpy ndarray"),
    (dict(W=np.zeros((4 * H, D + H), dtype=int)), TypeError, r"W must have dtype float32 or float64"),
    (dict(b=np.zeros(4 * H)), ValueError, r"b must be 2-D"),
    (dict(b=np.zeros((1, 4 * H))), ValueError, r"b must have shape \(4H, 1\)"),
    (dict(b=np.zeros((4 * H, 1), dtype=np.float32)), TypeError, r"b has dtype float32"),
    (dict(Wy=np.zeros((V, H + 1))), ValueError, r"Wy must have shape \(V, H\) with H = 4"),
    (dict(by=np.zeros((V,))), ValueError, r"by must be 2-D"),
    (dict(by=np.zeros((V + 1, 1))), ValueError, r"by must have shape \(V, 1\)"),
    (dict(W=np.full((4 * H, D + H), np.nan)), ValueError, r"W contains NaN or infinity"),
    (dict(by=np.full((V, 1), np.inf)), ValueError, r"by contains NaN or infinity"),
    (dict(forget_bias=np.nan), ValueError, r"forget_bias must be finite"),
    (dict(forget_bias="1"), TypeError, r"forget_bias must be a real number"),
    (dict(forget_bias=True), TypeError, r"forget_bias must be a real number"),
])
def test_bad_params(change, error, message):
    with pytest.raises(error, match=message):
        LSTMParams(**params(**change))


def call(**change):
    ex = random()
    args = dict(params=ex.params, X=ex.X, target=ex.target, h0=ex.h0, c0=ex.c0)
    args.update(change)
    return lstmdoc.loss_and_grads(**args)


@pytest.mark.parametrize("change, error, message", [
    (dict(params=(1, 2)), TypeError, r"params must be an LSTMParams"),
    (dict(X=np.zeros((D, 2))), ValueError, r"X must be 3-D"),
    (dict(X=np.zeros((0, D, 2))), ValueError, r"X must not be empty"),
    (dict(X=np.zeros((6, D + 1, 2))), ValueError,
     r"X must have shape \(T, D, B\): axis 1 has 4 entries, but D = 3 \(from params.W\)$"),
    # (T, B, D) and (B, T, D): the axis that disagrees, and the transposes that fix it.
    (dict(X=random().X.transpose(0, 2, 1)), ValueError,
     r"axis 1 has 2 entries, but D = 3 \(from params.W\); if X is \(T, B, D\), pass "
     r"X.transpose\(0, 2, 1\); if it is \(B, T, D\), X.transpose\(1, 2, 0\)"),
    (dict(X=random().X.transpose(2, 0, 1)), ValueError, r"axis 1 has 6 entries, but D = 3"),
    (dict(X=random().X.tolist()), TypeError,
     r"X must be a numpy ndarray, got list \(nothing is converted: pass np.asarray"),
    (dict(X=np.zeros((6, D, 2), dtype=np.float32)), TypeError, r"X has dtype float32"),
    (dict(X=np.zeros((6, D, 2), dtype=int)), TypeError, r"X must have dtype float32 or float64"),
    (dict(X=np.full((6, D, 2), np.nan)), ValueError, r"X contains NaN or infinity"),
    (dict(target=np.array([0.0, 1.0])), TypeError, r"target must hold integer class indices"),
    (dict(target=np.array([True, False])), TypeError, r"target must hold integer class indices"),
    (dict(target=np.array([0, 1, 2])), ValueError, r"target must have shape \(B,\) = \(2,\)"),
    (dict(target=np.array([[0, 1]])), ValueError, r"target must have shape \(B,\)"),
    (dict(target=np.array([0, V])), ValueError, r"target must lie in \[0, V\) = \[0, 5\)"),
    (dict(target=np.array([-1, 0])), ValueError, r"target must lie in \[0, V\)"),
    (dict(h0=np.zeros((H, 3))), ValueError, r"h0 must have shape \(H, B\) = \(4, 2\)"),
    (dict(h0=np.zeros(H)), ValueError, r"h0 must be 2-D"),
    (dict(h0=np.zeros((2, H))), ValueError, r"h0 must have shape \(H, B\).*pass h0.T"),
    (dict(target=[0, 1]), TypeError,
     r"target must be a numpy ndarray of integer class indices, got list \(pass np.array"),
    (dict(target=(0, 1)), TypeError, r"target must be a numpy ndarray"),
    (dict(c0=np.zeros((H + 1, 2))), ValueError, r"c0 must have shape \(H, B\)"),
    (dict(c0=np.full((H, 2), np.inf)), ValueError, r"c0 contains NaN or infinity"),
])
def test_bad_model_inputs(change, error, message):
    with pytest.raises(error, match=message):
        call(**change)


@pytest.mark.parametrize("layout, fix", [("VB", "argmax(0)"), ("BV", "argmax(1)")])
def test_a_one_hot_target_is_refused_with_the_argmax_that_fixes_it(layout, fix):
    ex = random()
    one_hot = np.eye(ex.params.V)[:, ex.target]  # (V, B)
    if layout == "BV":
        one_hot = one_hot.T
    message = rf"got one-hot vectors .*: pass target\.{re.escape(fix)}$"
    for target in (one_hot, one_hot.astype(int)):
        with pytest.raises(ValueError, match=message):
            call(target=target)
    fixed = one_hot.argmax(0) if fix == "argmax(0)" else one_hot.argmax(1)
    assert call(target=fixed)[0] == call()[0]  # the suggestion works


def test_a_transposed_X_runs_once_transposed_as_the_error_says():
    ex = random()
    assert call(X=np.ascontiguousarray(ex.X.transpose(0, 2, 1)).transpose(0, 2, 1))[0] == call()[0]


def test_build_time_without_venv_says_what_to_do(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "build_time.py"
    done = subprocess.run([sys.executable, str(script), "--sphinx-build", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "no sphinx-build at" in done.stderr and "make html" in done.stderr
    assert "Traceback" not in done.stderr


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="x must be a float64 ndarray"):
        lstmdoc.gradcheck.numerical_gradient(lambda v: float(v.sum()), np.zeros(3, np.float32))


def test_gradcheck_shape_mismatch():
    with pytest.raises(ValueError, match="a and b must have one shape"):
        lstmdoc.gradcheck.relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="the analytic gradient has shape"):
        lstmdoc.gradcheck.check_gradient("x", lambda v: 0.0, np.zeros(2), np.zeros(3))


@pytest.fixture
def step():
    """A run of the random example: (params, cache of step 0, its grads)."""
    ex = random()
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    return ex.params, r.caches[0], r.steps[0]


def test_step_functions_refuse_a_gradient_that_would_broadcast(step):
    from lstmdoc import cell_backward as cb

    _, cache, g = step
    column = g.dHt[:, :1]  # (H, 1) would silently broadcast against (H, B)
    for fn, args in [(cb.dOt, (column, cache)), (cb.dCt, (g.dHt, column, cache)),
                     (cb.dCprojt, (column, cache)), (cb.dFt, (column, cache)),
                     (cb.dIt, (column, cache)), (cb.dC_next, (column, cache)),
                     (cb.dHt, (g.dHt, column))]:
        with pytest.raises(ValueError, match=rf"{fn.__name__}: \w+ must have shape \(H, B\) with B = 2"):
            fn(*args)


def test_step_functions_check_the_stacked_gradient(step):
    from lstmdoc import cell_backward as cb

    params, cache, g = step
    da = np.ones((3 * params.H, 2))
    with pytest.raises(ValueError, match=r"dW: arrays of shape \(4H, ...\) have 12 rows, but H = 4"):
        cb.dW(da, cache)
    with pytest.raises(ValueError, match=r"dHX: W must have shape \(4H, D\+H\) with 4H = 12"):
        cb.dHX(da, params.W)
    with pytest.raises(TypeError, match=r"db: da must be a numpy ndarray of shape \(4H, B\)"):
        cb.db(da.tolist())


def test_forward_and_output_functions_check_shapes(step):
    from lstmdoc.cell import cell_forward
    from lstmdoc.output import dWy, output_forward

    params, _, _ = step
    with pytest.raises(ValueError, match=r"cell_forward: x must have shape \(D, B\) with D = 3"):
        cell_forward(params, np.ones((4, 2)), np.ones((4, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"output_forward: by must have shape \(V, 1\)"):
        output_forward(np.ones((4, 2)), params.Wy, np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"dWy: h must have shape \(H, B\) with B = 2"):
        dWy(np.ones((5, 2)), np.ones((4, 3)))
