"""The known wrong versions of each step: what a likely mistake computes.

Each variant has the signature of the function it imitates; the grader names a
mistake when your results match one at every call.
"""

import numpy as np

from ..cell import sigmoid
from ..cell_backward import CellGrads, dHX
from ..interop.layout import TF_ORDER, TORCH_ORDER, reorder
from .reference import REFERENCE, STEP1

SIG_MISSING = "σ' missing: the gradient of the gate's value, not of its pre-activation"
SIG_VALUE = ("σ' evaluated at the gate's value as if it were the pre-activation: "
             "σ(g)(1 − σ(g)) instead of g(1 − g)")
TANH_VALUE = ("tanh' evaluated at tanh's output as if it were its input: "
              "1 − tanh²(tanh(·)) instead of 1 − tanh²(·)")
NO_FORGET_BIAS = "the forget bias left out: f_t = σ(a_f + forget_bias)"


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _without_forget_bias(cache, forget_bias):
    """The forget gate as it would be without the forget bias."""
    return sigmoid(_logit(cache.f) - forget_bias)


def _onehot(probs, target):
    y = np.zeros_like(probs)
    y[target, np.arange(probs.shape[1])] = 1
    return y


def _dsig_at_value(g):
    """σ' taken at the gate's value as if it were the pre-activation."""
    return sigmoid(g) * (1 - sigmoid(g))


def _sum_and_product_variants():
    """Mistakes in the output layer's gradient, the sum dHt and the matrix products."""
    return {
        "dlogits": [
            ("the 1/B mean forgotten: ŷ − y not divided by the batch size B",
             lambda probs, target: probs - _onehot(probs, target)),
            ("the one-hot target not subtracted: ŷ/B instead of (ŷ − y)/B",
             lambda probs, target: probs / probs.shape[1])],
        "dHt": [
            ("the dh_next term forgotten: dHt = dh_out + dh_next",
             lambda dh_out, dh_next: dh_out),
            ("the dh_out term forgotten (the output layer's gradient, non-zero at t = T)",
             lambda dh_out, dh_next: dh_next)],
        "dW": [
            ("z stacked as [h; x] instead of [x; h]: the column blocks swapped",
             lambda da, c: np.roll(da @ c.z.T, -(c.z.shape[0] - c.o.shape[0]), axis=1))],
        "dHX": [
            ("the two results swapped: dHX returns (dx, dh_prev)",
             lambda da, W: dHX(da, W)[::-1]),
            ("z split as [h; x] instead of [x; h]",
             lambda da, W: ((W.T @ da)[W.shape[0] // 4:], (W.T @ da)[:W.shape[0] // 4]))],
    }


def _cell_state_variants():
    """Mistakes in the gradients of the cell state c_t and the candidate c̃_t (tanh')."""
    return {
        "dCt": [
            ("the dc_next term forgotten: dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next",
             lambda dh, dc_next, c: dh * c.o * (1 - c.tanh_c**2)),
            ("tanh' applied to c̃_t instead of c_t",
             lambda dh, dc_next, c: dh * c.o * (1 - c.cproj**2) + dc_next),
            ("tanh' missing: dHt ⊙ o_t + dc_next", lambda dh, dc_next, c: dh * c.o + dc_next),
            (TANH_VALUE,
             lambda dh, dc_next, c: dh * c.o * (1 - np.tanh(c.tanh_c)**2) + dc_next),
            ("the factor o_t forgotten",
             lambda dh, dc_next, c: dh * (1 - c.tanh_c**2) + dc_next),
            ("dc_next multiplied by f_t (dC_next at step t+1 already did that)",
             lambda dh, dc_next, c: dh * c.o * (1 - c.tanh_c**2) + dc_next * c.f)],
        "dCprojt": [
            ("tanh' applied to c_t instead of c̃_t", lambda dc, c: dc * c.i * (1 - c.tanh_c**2)),
            ("tanh' missing: the gradient of c̃_t, not of its pre-activation",
             lambda dc, c: dc * c.i),
            (TANH_VALUE, lambda dc, c: dc * c.i * (1 - np.tanh(c.cproj)**2)),
            ("the factor i_t forgotten", lambda dc, c: dc * (1 - c.cproj**2))],
    }


def _gate_variants(forget_bias):
    """Mistakes in the gates' gradients (σ') and in dC_next (the forget gate)."""
    def f0(cache):
        return _without_forget_bias(cache, forget_bias)

    return {
        "dOt": [
            (SIG_MISSING, lambda dh, c: dh * c.tanh_c),
            (SIG_VALUE, lambda dh, c: dh * c.tanh_c * _dsig_at_value(c.o)),
            ("the factor tanh(c_t) forgotten", lambda dh, c: dh * c.o * (1 - c.o))],
        "dFt": [
            (SIG_MISSING, lambda dc, c: dc * c.c_prev),
            (SIG_VALUE, lambda dc, c: dc * c.c_prev * _dsig_at_value(c.f)),
            (NO_FORGET_BIAS, lambda dc, c: dc * c.c_prev * f0(c) * (1 - f0(c))),
            ("c_t used instead of c_{t−1}",
             lambda dc, c: dc * (c.f * c.c_prev + c.i * c.cproj) * c.f * (1 - c.f))],
        "dIt": [
            (SIG_MISSING, lambda dc, c: dc * c.cproj),
            (SIG_VALUE, lambda dc, c: dc * c.cproj * _dsig_at_value(c.i)),
            ("tanh(c_t) used instead of c̃_t", lambda dc, c: dc * c.tanh_c * c.i * (1 - c.i))],
        "dC_next": [
            ("the factor f_t forgotten: dc_prev = dCt ⊙ f_t", lambda dc, c: dc),
            ("(1 − f_t) instead of f_t", lambda dc, c: dc * (1 - c.f)),
            (NO_FORGET_BIAS, lambda dc, c: dc * f0(c))],
    }


def _variants(forget_bias):
    """``{name: [(mistake, function)]}``: common wrong versions of each step, in backward order."""
    table = {**_sum_and_product_variants(), **_cell_state_variants(),
             **_gate_variants(forget_bias)}
    return {name: table[name] for name in REFERENCE if name in table}


GATE_ORDERS = {
    # Positions of lstmdoc's blocks (f, i, cproj, o) in each framework's stacking.
    "TensorFlow's (i, j, f, o)": TF_ORDER,
    "PyTorch's (i, f, g, o)": TORCH_ORDER,
}


def _composed(steps, order=(0, 1, 2, 3)):
    """``cell_backward`` made of ``steps`` (by name), stacking ``da`` in ``order``."""
    def composed(dh_out, dh_next, dc_next, cache, W):
        dh = steps["dHt"](dh_out, dh_next)
        do = steps["dOt"](dh, cache)
        dc = steps["dCt"](dh, dc_next, cache)
        blocks = (steps["dFt"](dc, cache), steps["dIt"](dc, cache), steps["dCprojt"](dc, cache), do)
        da = np.concatenate([blocks[k] for k in order])
        dx, dh_prev = steps["dHX"](da, W)
        return CellGrads(dh, do, dc, blocks[2], blocks[0], blocks[1], steps["dW"](da, cache),
                         steps["db"](da), dx, dh_prev, steps["dC_next"](dc, cache))
    return composed


def wrong_variants(name, forget_bias=1.0):
    """The known wrong versions of step ``name``: a list of ``(mistake, function)``.

    For ``cell_backward``: lstmdoc's own with one step replaced by one of its
    wrong versions, or with the gate blocks stacked in another framework's order.
    """
    table = _variants(forget_bias)
    if name != "cell_backward":
        out = list(table.get(name, []))
        if name in ("dW", "db"):
            out += [(f"gate blocks in {fw} order instead of lstmdoc's (f, i, cproj, o)",
                     lambda *a, order=order, f=REFERENCE[name]: reorder(f(*a), order))
                    for fw, order in GATE_ORDERS.items()]
        return out
    out = [(f"gate blocks stacked in {fw} order instead of lstmdoc's (f, i, cproj, o)",
            _composed(REFERENCE, order)) for fw, order in GATE_ORDERS.items()]
    for step, variants in table.items():
        if step not in STEP1:
            out += [(f"in {step}: {mistake}", _composed(dict(REFERENCE, **{step: fn})))
                    for mistake, fn in variants]
    return out


# What is wrong with the whole result, whatever the function: (mistake, transform of
# lstmdoc's result into the wrong one, or None where it does not apply).
GENERIC = (
    ("the sign flipped", lambda e, got, B: -e),
    ("the transpose of the expected array (a transposed matrix in a product)",
     lambda e, got, B: e.T if e.ndim == 2 else None),
    ("the right numbers in the wrong shape (a missing keepdims=True, or a reshape)",
     lambda e, got, B: e.reshape(got.shape) if e.size == got.size and e.shape != got.shape
     else None),
    ("divided by the batch size B once too often (the 1/B is already in dlogits)",
     lambda e, got, B: e / B if B > 1 else None),
)
