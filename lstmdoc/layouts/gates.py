"""The four gate blocks by letter, and the forget bias folded into the bias or kept apart.

The letters: ``f`` forget, ``i`` input, ``g`` the candidate c̃ (lstmdoc's
``cproj``, PyTorch's ``g``, TensorFlow's ``j``, Keras's and deeplearning.ai's
``c``), ``o`` output. lstmdoc stacks its blocks in the order ``"figo"``.
"""

import dataclasses

import numpy as np

LSTMDOC_ORDER = "figo"
"""lstmdoc's gate blocks, in the rows of ``W`` and ``b``: forget, input, candidate, output."""


def check_order(name, order):
    """Check a gate order: a string holding each of ``f``, ``i``, ``g``, ``o`` once."""
    if not isinstance(order, str):
        raise TypeError(f"{name} must be a string of gate letters such as 'ifog', "
                        f"got {type(order).__name__}")
    if sorted(order) != sorted(LSTMDOC_ORDER):
        hint = (" (the candidate is g: TensorFlow's j, Keras's c)"
                if set(order) & set("jc") else "")
        raise ValueError(f"{name} must hold each of the letters f, i, g, o once, "
                         f"got {order!r}{hint}")
    return order


def gate_axis(a, axis=None):
    """The axis of ``a`` holding the four gate blocks: ``axis``, or the only one 4k long."""
    if axis is not None:
        axis = range(a.ndim)[axis]  # an IndexError names a bad axis
        if a.shape[axis] % 4:
            raise ValueError(f"a's axis {axis} has {a.shape[axis]} entries, not four blocks "
                             "(a multiple of 4)")
        return axis
    fits = [k for k, n in enumerate(a.shape) if n and n % 4 == 0]
    if len(fits) != 1:
        what = "no axis" if not fits else f"axes {fits}"
        raise ValueError(f"a has shape {a.shape}: {what} could hold the four gate blocks "
                         "(a multiple of 4 long); pass axis=")
    return fits[0]


def reorder(a, source, target, axis=None):
    """The gate blocks of ``a``, stored in the order ``source``, rearranged into ``target``.

    Parameters
    ----------
    a : ndarray
        Four equal blocks along its gate axis (4H long).
    source, target : str
        Gate orders, by letter: ``"figo"`` is lstmdoc's, ``"ifog"`` CS231n's and
        Karpathy's, ``"ifgo"`` PyTorch's and Keras's, ``"igfo"`` TensorFlow's cell's.
    axis : int, optional
        The gate axis; by default the only axis whose length is a multiple of 4
        (an array with several such axes needs ``axis``).

    Returns
    -------
    ndarray
        A new array, shaped like ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.layouts import reorder
    >>> b = np.array([10, 11, 20, 21, 30, 31, 40, 41])   # CS231n's b: i, f, o, g
    >>> reorder(b, "ifog", "figo")                        # lstmdoc's: f, i, g, o
    array([20, 21, 10, 11, 40, 41, 30, 31])
    """
    check_order("source", source)
    check_order("target", target)
    if not isinstance(a, np.ndarray):
        raise TypeError(f"a must be a numpy ndarray, got {type(a).__name__}")
    axis = gate_axis(a, axis)
    blocks = np.split(a, 4, axis=axis)
    return np.concatenate([blocks[source.index(g)] for g in target], axis=axis)


def _with_forget_bias(params, moved):
    """``params`` with ``moved`` taken out of the run-time forget bias and put into b's f rows."""
    if getattr(params, "norm_gain", None) is not None:
        raise ValueError("params has layer norm, which adds the forget bias after the norm: "
                         "it cannot move into b, which comes before it")
    if not hasattr(params, "b") or not hasattr(params, "forget_bias"):
        raise TypeError(f"params must be an LSTMParams or a lstmdoc.deep.Cell, "
                        f"got {type(params).__name__}")
    b = params.b.copy()
    b[:params.H] += moved
    return dataclasses.replace(params, b=b, forget_bias=params.forget_bias - moved)


def fold_forget_bias(params):
    """The same model with its run-time forget bias folded into the f rows of ``b``.

    For layouts that have no run-time forget bias (PyTorch, Keras, CS231n,
    Karpathy, deeplearning.ai, d2l): ``f_t = σ(a_f + forget_bias)`` becomes
    ``σ(a_f')`` with ``b_f' = b_f + forget_bias``.

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.Cell
        Without layer norm.

    Returns
    -------
    LSTMParams or lstmdoc.deep.Cell
        A copy with ``forget_bias = 0``.

    Examples
    --------
    >>> import lstmdoc
    >>> p = lstmdoc.example.random().params
    >>> folded = lstmdoc.layouts.fold_forget_bias(p)
    >>> folded.forget_bias, float(folded.b[0, 0] - p.b[0, 0])
    (0.0, 1.0)
    """
    return _with_forget_bias(params, params.forget_bias)


def unfold_forget_bias(params, forget_bias=1.0):
    """The same model with ``forget_bias`` taken out of ``b``'s f rows and added at run time.

    The inverse of :func:`fold_forget_bias`, for layouts that add a forget bias
    at run time (lstmdoc's, TensorFlow's ``LSTMCell``).

    Parameters
    ----------
    params : LSTMParams or lstmdoc.deep.Cell
    forget_bias : float, default 1.0

    Returns
    -------
    LSTMParams or lstmdoc.deep.Cell
        A copy whose run-time forget bias is larger by ``forget_bias``.
    """
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)):
        raise TypeError(f"forget_bias must be a real number, got {type(forget_bias).__name__}")
    return _with_forget_bias(params, -float(forget_bias))
