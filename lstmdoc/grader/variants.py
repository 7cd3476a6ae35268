"""The known wrong versions of each of lstmdoc's step functions.

Each variant has the signature of the step it imitates; the grader names a
mistake when your results match one at every call. Formulas use the
article's names: ``dHt`` the gradient of h_t, ``dCt`` of c_t, and so on.
"""

import numpy as np

from ..cell import sigmoid
from ..cell_backward import dHX
from .mistakes import variant as v


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _onehot(probs, target):
    y = np.zeros_like(probs)
    y[target, np.arange(probs.shape[1])] = 1
    return y


def _dsig_at_value(g):
    """σ' taken at the gate's value as if it were the pre-activation."""
    return sigmoid(g) * (1 - sigmoid(g))


def cell_state(c):
    """c_t of a cache (the plain cell): ``f ⊙ c_{t−1} + i ⊙ c̃``, as the forward pass made it."""
    return c.f * c.c_prev + c.i * c.cproj_kept


def _output_and_products():
    """Mistakes in the output layer's gradient, the sum dHt and the matrix products."""
    right_dl, right_dh = "dlogits = (ŷ − y)/B", "dHt = dh_out + dh_next"
    return {
        "dlogits": [
            v("mean-missing", "dlogits = ŷ − y", right_dl,
              lambda probs, target: probs - _onehot(probs, target)),
            v("target-not-subtracted", "dlogits = ŷ/B", right_dl,
              lambda probs, target: probs / probs.shape[1])],
        "dHt": [
            v("dh-next-missing", "dHt = dh_out", right_dh, lambda dh_out, dh_next: dh_out),
            v("dh-out-missing", "dHt = dh_next", right_dh, lambda dh_out, dh_next: dh_next)],
        "dW": [
            v("hx-order", "dW = da [h; x]ᵀ", "dW = da [x; h]ᵀ",
              lambda da, c: np.roll(da @ c.z.T, -(c.z.shape[0] - c.o.shape[0]), axis=1))],
        "dHX": [
            v("results-swapped", "returns (dh_prev, dx)", "returns (dx, dh_prev)",
              lambda da, W: dHX(da, W)[::-1]),
            v("hx-order", "Wᵀ da split as [h; x]", "split as [x; h]",
              lambda da, W: ((W.T @ da)[W.shape[0] // 4:], (W.T @ da)[:W.shape[0] // 4]))],
    }


def _cell_state():
    """Mistakes in the gradients of the cell state c_t and the candidate c̃_t (tanh')."""
    right_c = "dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next"
    right_g = "dCprojt = dCt ⊙ i_t ⊙ (1 − c̃_t²)"
    return {
        "dCt": [
            v("dc-next-missing", "dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t))", right_c,
              lambda dh, dc_next, c: dh * c.o * (1 - c.tanh_c**2)),
            v("tanh-prime-of-c", "dCt = dHt ⊙ o_t ⊙ (1 − c_t²) + dc_next", right_c,
              lambda dh, dc_next, c: dh * c.o * (1 - cell_state(c)**2) + dc_next),
            v("activation-not-derivative", "dCt = dHt ⊙ o_t ⊙ tanh(c_t) + dc_next", right_c,
              lambda dh, dc_next, c: dh * c.o * c.tanh_c + dc_next),
            v("wrong-variable", "dCt = dHt ⊙ o_t ⊙ (1 − c̃_t²) + dc_next", right_c,
              lambda dh, dc_next, c: dh * c.o * (1 - c.cproj**2) + dc_next),
            v("tanh-prime-missing", "dCt = dHt ⊙ o_t + dc_next", right_c,
              lambda dh, dc_next, c: dh * c.o + dc_next),
            v("tanh-prime-of-output", "dCt = dHt ⊙ o_t ⊙ (1 − tanh²(tanh(c_t))) + dc_next",
              right_c, lambda dh, dc_next, c: dh * c.o * (1 - np.tanh(c.tanh_c)**2) + dc_next),
            v("factor-missing", "dCt = dHt ⊙ (1 − tanh²(c_t)) + dc_next (o_t forgotten)",
              right_c, lambda dh, dc_next, c: dh * (1 - c.tanh_c**2) + dc_next),
            v("dc-next-times-f", "dCt = dHt ⊙ o_t ⊙ (1 − tanh²(c_t)) + dc_next ⊙ f_t",
              right_c, lambda dh, dc_next, c: dh * c.o * (1 - c.tanh_c**2) + dc_next * c.f)],
        "dCprojt": [
            v("wrong-variable", "dCprojt = dCt ⊙ i_t ⊙ (1 − tanh²(c_t))", right_g,
              lambda dc, c: dc * c.i * (1 - c.tanh_c**2)),
            v("tanh-prime-missing", "dCprojt = dCt ⊙ i_t", right_g, lambda dc, c: dc * c.i),
            v("activation-not-derivative", "dCprojt = dCt ⊙ i_t ⊙ c̃_t", right_g,
              lambda dc, c: dc * c.i * c.cproj),
            v("tanh-prime-of-output", "dCprojt = dCt ⊙ i_t ⊙ (1 − tanh²(c̃_t))", right_g,
              lambda dc, c: dc * c.i * (1 - np.tanh(c.cproj)**2)),
            v("factor-missing", "dCprojt = dCt ⊙ (1 − c̃_t²) (i_t forgotten)", right_g,
              lambda dc, c: dc * (1 - c.cproj**2))],
    }


def _sigmoid(value, other, right, gate):
    """The σ' mistakes of a gate's gradient ``right``, "dX = d ⊙ other ⊙ g(1 − g)"."""
    head = right.rsplit(" ⊙ ", 1)[0]  # "dX = d ⊙ other"
    return [
        v("sigmoid-prime-missing", head, right, lambda d, c: d * other(c)),
        v("sigmoid-prime-of-output", f"{head} ⊙ σ({gate})(1 − σ({gate}))", right,
          lambda d, c: d * other(c) * _dsig_at_value(value(c))),
        v("activation-not-derivative", f"{head} ⊙ {gate}", right,
          lambda d, c: d * other(c) * value(c))]


def _gates(forget_bias):
    """Mistakes in the gates' gradients (σ') and in dC_next (the forget gate)."""
    def f0(c):  # the forget gate as it would be without the forget bias
        return sigmoid(_logit(c.f) - forget_bias)

    right_o = "dOt = dHt ⊙ tanh(c_t) ⊙ o_t(1 − o_t)"
    right_f = "dFt = dCt ⊙ c_{t−1} ⊙ f_t(1 − f_t)"
    right_i = "dIt = dCt ⊙ c̃_t ⊙ i_t(1 − i_t)"
    right_p = "dc_prev = dCt ⊙ f_t"
    no_bias = ([v("forget-bias-missing", "dFt = dCt ⊙ c_{t−1} ⊙ f′(1 − f′), f′ = σ(a_f) "
                  "without the forget bias", right_f,
                  lambda dc, c: dc * c.c_prev * f0(c) * (1 - f0(c)))] if forget_bias else [])
    return {
        "dOt": _sigmoid(lambda c: c.o, lambda c: c.tanh_c, right_o, "o_t") + [
            v("factor-missing", "dOt = dHt ⊙ o_t(1 − o_t) (tanh(c_t) forgotten)", right_o,
              lambda dh, c: dh * c.o * (1 - c.o))],
        "dFt": _sigmoid(lambda c: c.f, lambda c: c.c_prev, right_f, "f_t") + no_bias + [
            v("wrong-variable", "dFt = dCt ⊙ c_t ⊙ f_t(1 − f_t)", right_f,
              lambda dc, c: dc * cell_state(c) * c.f * (1 - c.f))],
        "dIt": _sigmoid(lambda c: c.i, lambda c: c.cproj, right_i, "i_t") + [
            v("wrong-variable", "dIt = dCt ⊙ tanh(c_t) ⊙ i_t(1 − i_t)", right_i,
              lambda dc, c: dc * c.tanh_c * c.i * (1 - c.i))],
        "dC_next": [
            v("factor-missing", "dc_prev = dCt (f_t forgotten)", right_p, lambda dc, c: dc),
            v("one-minus-f", "dc_prev = dCt ⊙ (1 − f_t)", right_p,
              lambda dc, c: dc * (1 - c.f))]
        + ([v("forget-bias-missing", "dc_prev = dCt ⊙ f′, f′ = σ(a_f) without the forget "
              "bias", right_p, lambda dc, c: dc * f0(c))] if forget_bias else []),
    }


def step_variants(forget_bias=1.0):
    """``{step: [Variant]}``: the known wrong versions of each of lstmdoc's steps."""
    return {**_output_and_products(), **_cell_state(), **_gates(forget_bias)}


# What is wrong with a whole result, whatever the function: (id, what yours is, the
# transform of the right result into the wrong one, or None where it does not apply).
GENERIC = (
    ("sign-flipped", "the right result with its sign flipped", lambda e, got, B: -e),
    ("transposed", "the transpose of the right array", lambda e, got, B: e.T if e.ndim == 2
     else None),
    ("wrong-shape", "the right numbers in another shape",
     lambda e, got, B: e.reshape(got.shape) if e.size == got.size and e.shape != got.shape
     else None),
    ("batch-mean-twice", "the right result divided by B", lambda e, got, B: e / B if B > 1
     else None),
)
