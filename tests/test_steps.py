"""Rung 1 of the ladder: each step function alone against central finite differences.

Each case writes the local forward computation a step differentiates as a
scalar function ``sum(upstream * forward(x))`` and compares the step's result
with its numerical gradient.
"""

import numpy as np
import pytest

from lstmdoc import cell_backward as cb
from lstmdoc import output
from lstmdoc.cell import cell_forward, sigmoid
from lstmdoc.example import random
from lstmdoc.gradcheck import numerical_gradient, relative_error

TOL = 1e-8


@pytest.fixture(params=[(1, 1, 1, 2, 1), (1, 3, 4, 5, 2), (2, 2, 3, 6, 1), (3, 5, 2, 3, 4)],
                ids=lambda s: "T{}-D{}-H{}-V{}-B{}".format(*s))
def setup(request):
    """One cell step of a random model, with random upstream gradients."""
    T, D, H, V, B = request.param
    ex = random(seed=sum(request.param), T=T, D=D, H=H, V=V, B=B)
    p = ex.params
    h, c, cache = cell_forward(p, ex.X[0], ex.h0, ex.c0)
    rng = np.random.default_rng(1)
    up = {k: rng.standard_normal(s) for k, s in
          [("dh", (H, B)), ("dc", (H, B)), ("dc_next", (H, B)), ("da", (4 * H, B)),
           ("dlogits", (V, B))]}
    a = p.W @ cache.z + p.b
    return p, ex, cache, a, up


def local_cases(p, ex, cache, a, up):
    """(name, analytic gradient, scalar function, point) for every step function."""
    H = p.H
    a_f, a_i, a_c, a_o = (a[k * H:(k + 1) * H] for k in range(4))
    dh, dc, dc_next, da, dl = up["dh"], up["dc"], up["dc_next"], up["da"], up["dlogits"]
    c = cache.f * cache.c_prev + cache.i * cache.cproj
    h = cache.o * cache.tanh_c
    return [
        ("dHt", cb.dHt(dh, dc_next), lambda x: np.sum((dh + dc_next) * x), h),
        ("dOt", cb.dOt(dh, cache), lambda x: np.sum(dh * sigmoid(x) * cache.tanh_c), a_o),
        ("dCt", cb.dCt(dh, dc_next, cache),
         lambda x: np.sum(dh * cache.o * np.tanh(x)) + np.sum(dc_next * x), c),
        ("dCprojt", cb.dCprojt(dc, cache), lambda x: np.sum(dc * cache.i * np.tanh(x)), a_c),
        ("dFt", cb.dFt(dc, cache),
         lambda x: np.sum(dc * sigmoid(x + p.forget_bias) * cache.c_prev), a_f),
        ("dIt", cb.dIt(dc, cache), lambda x: np.sum(dc * sigmoid(x) * cache.cproj), a_i),
        ("dW", cb.dW(da, cache), lambda x: np.sum(da * (x @ cache.z)), p.W),
        ("db", cb.db(da), lambda x: np.sum(da * x), p.b),
        ("dHX", np.concatenate(cb.dHX(da, p.W)), lambda x: np.sum(da * (p.W @ x)), cache.z),
        ("dC_next", cb.dC_next(dc, cache), lambda x: np.sum(dc * cache.f * x), cache.c_prev),
        ("dWy", output.dWy(dl, h), lambda x: np.sum(dl * output.output_forward(h, x, p.by)), p.Wy),
        ("dBy", output.dBy(dl), lambda x: np.sum(dl * output.output_forward(h, p.Wy, x)), p.by),
        ("dh_output", output.dh_output(dl, p.Wy),
         lambda x: np.sum(dl * output.output_forward(x, p.Wy, p.by)), h),
    ]


def test_every_step_function_against_finite_differences(setup):
    for name, analytic, f, x in local_cases(*setup):
        err = relative_error(analytic, numerical_gradient(f, x))
        assert err < TOL, f"{name}: relative error {err:.2e}"


def test_dlogits_against_finite_differences(setup):
    p, ex, _, _, up = setup
    logits = up["dlogits"]  # any (V, B) matrix will do as logits
    _, probs = output.cross_entropy(logits, ex.target)
    numeric = numerical_gradient(lambda z: output.cross_entropy(z, ex.target)[0], logits)
    assert relative_error(output.dlogits(probs, ex.target), numeric) < TOL


def test_a_wrong_step_is_caught(setup):
    """The test above can fail: a step scaled by 1.001 is far outside the tolerance."""
    p, ex, cache, a, up = setup
    H = p.H
    a_o = a[3 * H:]
    f = lambda x: np.sum(up["dh"] * sigmoid(x) * cache.tanh_c)  # noqa: E731
    err = relative_error(1.001 * cb.dOt(up["dh"], cache), numerical_gradient(f, a_o))
    assert err > 1e-4
