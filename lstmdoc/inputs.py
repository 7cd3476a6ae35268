"""The model's inputs, checked once per call: types, dtypes, shapes, and a transposed layout named.

:func:`check_inputs` is what :func:`lstmdoc.run`, :func:`lstmdoc.loss_and_grads`
and :func:`lstmdoc.verify` call first; the step functions check their own
arguments (:func:`lstmdoc._validate.shapes`).
"""

import numpy as np

from . import _validate as check
from .dropout import check_mask
from .every_step import check_target
from .params import LSTMParams


def check_inputs(params, X, target, h0=None, c0=None, dropout_mask=None, target_mask=None):
    """Validate the model's inputs; return ``(target, h0, c0)`` with zeros for missing states.

    Every array must be a numpy ndarray (nothing is converted): ``X``, ``h0``
    and ``c0`` in the parameters' dtype, ``target`` of integers.

    Parameters
    ----------
    params : LSTMParams
        The model; its ``W`` fixes D and H, its ``Wy`` fixes V.
    X : ndarray of shape (T, D, B)
        Inputs, time first, examples in columns.
    target : ndarray of int of shape (B,) or (T, B)
        Class indices in ``[0, V)``: after the last step, or at every step.
    h0 : ndarray of shape (H, B), or None
        Initial hidden state; None for zeros.
    c0 : ndarray of shape (H, B), or None
        Initial cell state; None for zeros.
    dropout_mask : ndarray of shape (T, H, B), or None
        Recurrent dropout's mask; None for no dropout.
    target_mask : ndarray of shape (T, B), or None
        Weights of the every-step predictions (:func:`~lstmdoc.every_step.check_target`).

    Returns
    -------
    target : ndarray of int of shape (B,) or (T, B)
    h0, c0 : ndarray of shape (H, B)

    Raises
    ------
    TypeError
        An argument of the wrong type or dtype (a list, an int array for
        ``X``, float32 inputs with float64 parameters), naming the argument.
    ValueError
        An array of the wrong shape, naming the argument, the axis that
        disagrees and, for a transposed array, the transpose to pass; or NaN,
        infinity, or a class index outside ``[0, V)``.

    Notes
    -----
    ``X`` laid out as ``(T, B, D)`` or ``(B, T, D)`` is recognised from its
    axis 1, which must have D entries. When ``B == D`` a ``(T, B, D)`` array
    has the right shape and cannot be told apart (nor a ``(B, T, D)`` one
    when also ``T == B``): lstmdoc then reads it as ``(T, D, B)``.

    Examples
    --------
    >>> import lstmdoc
    >>> ex = lstmdoc.example.random()    # T=6, D=3, B=2
    >>> lstmdoc.loss_and_grads(ex.params, ex.X.transpose(0, 2, 1), ex.target)
    Traceback (most recent call last):
    ...
    ValueError: X must have shape (T, D, B): axis 1 has 2 entries, but D = 3 (from params.W); if X is (T, B, D), pass X.transpose(0, 2, 1); if it is (B, T, D), X.transpose(1, 2, 0)
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    check.float_array("X", X, 3, params.dtype)
    T, D, B = X.shape
    if D != params.D:
        raise ValueError(f"X must have shape (T, D, B): axis 1 has {D} entries, but "
                         f"D = {params.D} (from params.W){_layout_hint(X.shape, params.D)}")
    target = check_target(target, target_mask, T, B, params.V, params.dtype)
    states = []
    for name, s in (("h0", h0), ("c0", c0)):
        if s is None:
            s = np.zeros((params.H, B), dtype=params.dtype)
        check.shape(name, check.float_array(name, s, 2, params.dtype), (params.H, B), "(H, B)")
        states.append(s)
    if dropout_mask is not None:
        check_mask("dropout_mask", dropout_mask, (T, params.H, B), params.dtype)
    return target, *states


def _layout_hint(shape, D):
    """The transpose that would bring an X of another layout to (T, D, B), if its shape tells."""
    if shape[2] == D:
        return ("; if X is (T, B, D), pass X.transpose(0, 2, 1); "
                "if it is (B, T, D), X.transpose(1, 2, 0)")
    if shape[0] == D:
        return "; if X is (D, T, B), pass X.transpose(1, 0, 2)"
    return ""
