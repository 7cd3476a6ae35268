"""The model's parameters: one LSTM cell and the output layer.

Notation (used in every module): D input size, H hidden size, V number of
classes (the vocabulary), B batch size, T time steps. Columns are examples.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate as check

GATES = ("f", "i", "cproj", "o")
"""The order of the gate blocks in ``W`` and ``b``: forget, input, candidate, output."""


class Gates(NamedTuple):
    """Four row blocks of a ``(4H, ...)`` array, in the order f, i, cproj, o."""

    f: np.ndarray
    i: np.ndarray
    cproj: np.ndarray
    o: np.ndarray


def split_gates(a):
    """Split an array of shape ``(4H, ...)`` into its four gate blocks (views).

    >>> import numpy as np
    >>> from lstmdoc import split_gates
    >>> split_gates(np.arange(8)).cproj
    array([4, 5])
    """
    H = a.shape[0] // 4
    return Gates(*(a[k * H:(k + 1) * H] for k in range(4)))


def check_cell(W, b, forget_bias):
    """Check one cell's ``W`` (4H, D+H), ``b`` (4H, 1) and ``forget_bias``; return it as a float.

    Shared by :class:`LSTMParams` and the layers of :mod:`lstmdoc.deep`.
    """
    W = check.float_array("W", W, 2)
    fourH, DH = W.shape
    if fourH % 4:
        raise ValueError(f"W must have shape (4H, D+H); its {fourH} rows are not a multiple of 4")
    H = fourH // 4
    if DH <= H:
        raise ValueError(f"W must have shape (4H, D+H) with D >= 1; got {W.shape}, so H = {H} "
                         f"leaves D = {DH - H}")
    check.shape("b", check.float_array("b", b, 2, W.dtype), (fourH, 1), "(4H, 1)")
    return check.finite_scalar("forget_bias", forget_bias)


@dataclass(frozen=True)
class LSTMParams:
    """Weights of the cell (TensorFlow's ``LayerNormBasicLSTMCell``, ``layer_norm=False``) and the output layer.

    Parameters
    ----------
    W : ndarray of shape (4H, D+H)
        Stacked gate weights, row blocks f, i, cproj, o; columns act on ``x``
        first, then on ``h``.
    b : ndarray of shape (4H, 1)
        Stacked gate biases (the forget bias is *not* in here).
    Wy : ndarray of shape (V, H)
        Output weights: ``logits = Wy @ h_T + by``. (TensorFlow's kernel is the
        transpose, ``(H, V)``.)
    by : ndarray of shape (V, 1)
        Output biases.
    forget_bias : float, default 1.0
        Added to the forget gate's pre-activation at run time.

    Notes
    -----
    All four arrays share one dtype, float32 or float64. They are not copied;
    lstmdoc never writes into them.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc import LSTMParams
    >>> p = LSTMParams(np.zeros((8, 5)), np.zeros((8, 1)), np.zeros((3, 2)), np.zeros((3, 1)))
    >>> p.D, p.H, p.V
    (3, 2, 3)
    >>> LSTMParams(np.zeros((8, 5)), np.zeros(8), np.zeros((3, 2)), np.zeros((3, 1)))
    Traceback (most recent call last):
    ...
    ValueError: b must be 2-D, got shape (8,)
    """

    W: np.ndarray
    b: np.ndarray
    Wy: np.ndarray
    by: np.ndarray
    forget_bias: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "forget_bias", check_cell(self.W, self.b, self.forget_bias))
        Wy = check.float_array("Wy", self.Wy, 2, self.W.dtype)
        if Wy.shape[1] != self.H:
            raise ValueError(f"Wy must have shape (V, H) with H = {self.H} (from W), got {Wy.shape}")
        check.shape("by", check.float_array("by", self.by, 2, self.W.dtype), (Wy.shape[0], 1), "(V, 1)")

    @property
    def H(self):
        """Hidden size."""
        return self.W.shape[0] // 4

    @property
    def D(self):
        """Input size."""
        return self.W.shape[1] - self.H

    @property
    def V(self):
        """Number of classes."""
        return self.Wy.shape[0]

    @property
    def dtype(self):
        """The dtype shared by all parameters."""
        return self.W.dtype

    def astype(self, dtype):
        """A copy of the parameters in another float dtype."""
        return LSTMParams(*(a.astype(dtype) for a in (self.W, self.b, self.Wy, self.by)),
                          forget_bias=self.forget_bias)
