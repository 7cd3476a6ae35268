"""lstmdoc.verify on a user's model: right verdicts on tiny gradients, sampling, the signature."""

import dataclasses

import numpy as np
import pytest

import lstmdoc
from lstmdoc.example import article, random
from lstmdoc.gradcheck import check_gradient, rounding_noise
from lstmdoc.verification import SAMPLE, exhaustive_cost

BIG = dict(T=20, D=16, H=32, V=50, B=8)  # the model of issue 12: 483 s and 5 false failures


def test_the_big_model_verifies_without_a_false_failure():
    ex = random(**BIG)
    checks = lstmdoc.verify(ex.params, ex.X, ex.target, ex.h0, ex.c0, progress=False)
    assert not [c for c in checks if not c.ok]
    assert len(checks) == 8 + 11 * BIG["T"]
    # Sampled, because checking every entry would take millions of cell steps.
    assert exhaustive_cost(BIG["T"], BIG["D"], BIG["H"], BIG["B"]) > 10**6
    assert all(c.entries == min(c.size, SAMPLE) for c in checks)


def test_the_sample_is_seeded():
    ex = random(**dict(BIG, T=2))
    runs = [lstmdoc.verify(ex.params, ex.X, ex.target, progress=False, sample=SAMPLE, seed=s)
            for s in (0, 0, 1)]
    errors = [[c.rel_error for c in checks] for checks in runs]
    assert errors[0] == errors[1] != errors[2]


def test_tiny_gradients_are_judged_by_the_rounding_noise():
    """f = 4 + 1e-4·Σv²: a gradient of norm ~1e-4 under a loss of 4, like dOt[0] in the issue."""
    v = np.random.default_rng(0).standard_normal(256)

    def f(x):
        return 4.0 + 1e-4 * float(x @ x)

    right = check_gradient("tiny", f, v, 2e-4 * v)
    assert right.rel_error > 1e-7  # rounding shows in the relative error ...
    assert right.abs_error <= right.noise and right.ok  # ... but is within the noise
    assert right.noise == pytest.approx(rounding_noise(f(v), 1e-6, 256))
    wrong = check_gradient("tiny", f, v, 2e-4 * 1.001 * v)  # 0.1 % off: far above the noise
    assert wrong.abs_error > 10 * wrong.noise and not wrong.ok


def test_a_model_with_vanishing_early_gradients_verifies():
    """W scaled by 0.2: early gate gradients are tiny, and their relative errors exceed 1e-6."""
    ex = random(**dict(BIG, T=12))
    p = dataclasses.replace(ex.params, W=0.2 * ex.params.W)
    checks = lstmdoc.verify(p, ex.X, ex.target, ex.h0, ex.c0, progress=False)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    # What used to be reported as failures: a relative error above tol, within the noise.
    assert [c.name for c in checks if c.rel_error > c.tol] == ["dOt[0]", "dOt[1]"]


SCALED = [("cell_backward", n) for n in ("dOt", "dCt", "dFt", "dHX", "dC_next", "dW")] + \
         [("every_step", n) for n in ("dWy", "dh_output")]


@pytest.mark.parametrize("module, name", SCALED, ids=[n for _, n in SCALED])
def test_sampling_still_catches_a_gradient_scaled_by_1_001(scale_by, module, name):
    scale_by(module, name)
    ex = random(**dict(BIG, T=4))
    checks = lstmdoc.verify(ex.params, ex.X, ex.target, ex.h0, ex.c0, sample=SAMPLE,
                            progress=False)
    assert any(c.entries < c.size for c in checks)
    assert [c.name for c in checks if not c.ok], f"scaling {name} by 1.001 went unnoticed"


def test_the_build_examples_are_checked_exhaustively():
    for ex in (article(), random()):
        T, D, H, V, B = ex.shape
        assert exhaustive_cost(T, D, H, B) <= lstmdoc.verification.EXHAUSTIVE_UP_TO
        checks = lstmdoc.verify(ex)
        assert all(c.entries == c.size for c in checks)
    assert sum(c.entries for c in checks) == sum(c.size for c in checks) > 0


def test_verify_takes_the_model_or_an_example():
    ex = random(T=2)
    a = lstmdoc.verify(ex)
    b = lstmdoc.verify(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    assert [c.rel_error for c in a] == [c.rel_error for c in b]
    zeros = lstmdoc.verify(ex.params, ex.X, ex.target)  # zero initial state
    assert all(c.ok for c in zeros) and zeros[0].rel_error != a[0].rel_error


@pytest.mark.parametrize("call, error, message", [
    (lambda ex: lstmdoc.verify(ex, 1e-6), TypeError, r"pass tol, eps, sample, seed and progress by keyword"),
    (lambda ex: lstmdoc.verify(random(dtype=np.float32).params, random(dtype=np.float32).X,
                               ex.target), TypeError, r"verify needs float64"),
    (lambda ex: lstmdoc.verify(ex.params, ex.X.transpose(0, 2, 1), ex.target), ValueError,
     r"X must have shape \(T, D, B\): axis 1 has 2 entries"),
    (lambda ex: lstmdoc.verify(ex.params, ex.X, list(ex.target)), TypeError, r"target must be a numpy"),
    (lambda ex: lstmdoc.verify(ex, sample=0), ValueError, r"sample must be"),
    (lambda ex: lstmdoc.verify(ex, sample=True), ValueError, r"sample must be"),
])
def test_verify_refuses_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(random(T=2))


def test_progress_stays_quiet_on_a_short_check(capsys):
    lstmdoc.verify(random(T=2))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("record", [lstmdoc.Run, lstmdoc.cell.CellCache,
                                    lstmdoc.cell_backward.CellGrads, lstmdoc.gradcheck.Check],
                         ids=lambda r: r.__name__)
def test_help_describes_every_field_of_the_records(record):
    import pydoc

    text = pydoc.render_doc(record, renderer=pydoc.plaintext)
    assert "Alias for field number" not in text
    for field in record._fields:
        doc = getattr(record, field).__doc__
        assert doc in text
        assert "(" in doc  # its type or shape


def test_an_undocumented_field_is_refused():
    from typing import NamedTuple

    from lstmdoc._records import field_docs

    class Pair(NamedTuple):
        """Two numbers.

        Attributes
        ----------
        a : float
            The first.
        """

        a: float
        b: float

    with pytest.raises(ValueError, match=r"fields \['b'\] are not in its Attributes section"):
        field_docs(Pair)


@pytest.mark.parametrize("make", [
    lambda: random(), lambda: random(layer_norm=True, keep_prob=0.75), lambda: random(every_step=True)],
    ids=["plain", "layer norm and dropout", "every step"])
def test_copies_side_by_side_each_get_their_own_loss(make):
    """Finite differences rerun n points at once as n copies of the batch (Rerun.widened): the
    loss of each copy is the loss of that point alone, for every quantity of a step."""
    from lstmdoc.bptt import hidden_states
    from lstmdoc.step_checks import Rerun, step_functions

    ex = make()
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, ex.dropout_mask,
                    target_mask=ex.target_mask)
    rerun = Rerun(ex.params, ex.X, ex.target, ex.target_mask, ex.dropout_mask,
                  hidden_states(r.caches), 2, r.caches[2])
    rng = np.random.default_rng(0)
    for name, (f, x, many) in step_functions(rerun).items():
        points = x + 0.1 * rng.standard_normal((3, *x.shape))
        one_at_a_time = np.array([f(point) for point in points])
        np.testing.assert_allclose(many(points), one_at_a_time, rtol=1e-13, err_msg=name)
        assert len(set(one_at_a_time)) == 3, name  # the points really differ in their loss


def test_numerical_gradient_at_many_points_equals_one_at_a_time():
    from lstmdoc.gradcheck import numerical_gradient

    ex = random(keep_prob=0.75)
    jobs = {job[0]: job for job in lstmdoc.verification._totals(
        ex.params, ex.X, (ex.target, None), ex.h0, ex.c0,
        lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0, ex.dropout_mask), ex.dropout_mask)}
    for name in ("X", "h0", "c0"):
        _, f, x, _, _, many = jobs[name]
        np.testing.assert_allclose(numerical_gradient(None, x, many=many), numerical_gradient(f, x),
                                   atol=1e-9, err_msg=name)
