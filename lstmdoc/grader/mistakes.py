"""The mistakes the grader can name: a stable id each, and a one-line explanation.

A wrong result is compared with known wrong versions of the same function
(:class:`Variant`); when one matches at every call, its id is the likely
mistake, and its text says what was computed and what is due, always as
"yours: …; should be: …".
"""

from typing import Callable, NamedTuple

MISTAKES = {
    "dc-next-missing": "the gradient reaching c_t from step t+1 (dc_next) is not added to dCt",
    "dh-next-missing": "the gradient reaching h_t from step t+1 (dh_next) is not added to dHt",
    "dh-out-missing": "the output layer's gradient into h_t (dh_out) is not added to dHt",
    "not-carried-back": "a backward loop does not pass step t's dh_prev or dc_prev on to "
                        "step t−1",
    "not-accumulated": "a weight gradient holds one step's share instead of the sum over all steps",
    "gate-order": "the four gate blocks are stacked in another order than the layout's",
    "sigmoid-prime-missing": "a gate's σ' is missing: the gradient of its value, not of its "
                             "pre-activation",
    "sigmoid-prime-of-output": "σ' taken at the gate's value as if it were the pre-activation: "
                               "σ(g)(1 − σ(g)) for g(1 − g)",
    "activation-not-derivative": "an activation, σ(a) or tanh(a), used where its derivative is "
                                 "due",
    "tanh-prime-missing": "tanh' is missing: the gradient of a tanh's value, not of its input",
    "tanh-prime-of-c": "1 − c_t² where tanh'(c_t) = 1 − tanh²(c_t) is due",
    "tanh-prime-of-output": "tanh' applied to a value that is already a tanh: "
                            "1 − tanh²(tanh(·)) for 1 − tanh²(·)",
    "wrong-variable": "a factor or derivative taken at the wrong quantity (c̃_t for c_t, c_t for "
                      "c_{t−1}, ...)",
    "factor-missing": "one factor of a product is missing (o_t, i_t, f_t or tanh(c_t))",
    "one-minus-f": "(1 − f_t) where f_t is due, in the gradient passed to c_{t−1}",
    "forget-bias-missing": "the forget bias left out when f_t is recomputed",
    "dc-next-times-f": "dc_next multiplied by f_t again (step t+1 already did)",
    "hx-order": "x and h stacked in the other order: [h; x] for [x; h], or the reverse",
    "results-swapped": "two results returned in each other's place",
    "mean-missing": "the 1/B of the mean loss forgotten in dlogits",
    "target-not-subtracted": "the one-hot target not subtracted: ŷ/B for (ŷ − y)/B",
    "sign-flipped": "the right numbers with the opposite sign",
    "transposed": "the transpose of the right array (a transposed matrix in a product)",
    "wrong-shape": "the right numbers in the wrong shape (a missing keepdims=True, a reshape)",
    "batch-mean-twice": "divided by the batch size B once too often (dlogits already has the 1/B)",
    "float-size": "a size or an index computed with /, a float in Python 3, where // is due "
                  "(code written for Python 2)",
}
"""Every mistake id, with its one-line explanation (listed on the grader's page)."""

WARNINGS = {
    "input-modified": "the function writes into an array it was given (the grader passes copies, "
                      "and compares the originals afterwards)",
    "near-miss-name": "a function whose name is close to one the grader looks for is not graded",
    "needs-forward": "a backward function is not graded without the forward that builds its cache",
    "forward-wrong": "a backward function was graded on the cache of a forward that is wrong",
    "other-layout": "the file also has functions of another layout, not graded in this run",
    "not-compiled": "a top-level definition that does not compile (a syntax or indentation error) "
                    "was left out, and the rest of the file graded",
    "nothing-graded": "nothing could be graded: the file does not import, or has no function "
                      "the grader knows, or none it can call",
}
"""Every warning id, with its one-line explanation."""


class Variant(NamedTuple):
    """A known wrong version of a function: what a likely mistake computes.

    ``fn`` has the signature of the function it imitates (for a learner's
    function, of lstmdoc's function of the same kind); ``text`` says the
    mistake in the convention "yours: …; should be: …".
    """

    id: str
    text: str
    fn: Callable


def variant(id, yours, right, fn, where=""):
    """A :class:`Variant`, its text "[in STEP, ]yours: …; should be: …"."""
    if id not in MISTAKES:
        raise KeyError(f"unknown mistake id {id!r}")
    return Variant(id, f"{where}yours: {yours}; should be: {right}", fn)


def within(step, v):
    """Variant ``v`` of the step ``step``, placed inside a larger function: "in STEP, ..."."""
    return Variant(v.id, f"in {step}, {v.text}", v.fn)
