"""A learner's backward pass, half done: dOt is right, dCt forgets a term.

The example file of docs/learners/grader.md; `python -m lstmdoc check my_lstm.py`.
"""


def dOt(dh, cache):
    return dh * cache.tanh_c * cache.o * (1 - cache.o)


def dCt(dh, dc_next, cache):
    return dh * cache.o * (1 - cache.tanh_c**2)
