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

NORMS = ("f", "i", "cproj", "o", "state")
"""The order of the layer norms' blocks in ``norm_gain`` and ``norm_shift``: the four
gates, then the cell state."""


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


class Norms(NamedTuple):
    """Five per-norm items in the order f, i, cproj, o, state (see ``NORMS``)."""

    f: object
    i: object
    cproj: object
    o: object
    state: object


def split_norms(a):
    """Split an array of shape ``(5H, ...)`` into its five layer norms' blocks (views).

    >>> import numpy as np
    >>> from lstmdoc.params import split_norms
    >>> split_norms(np.arange(10)).state
    array([8, 9])
    """
    H = a.shape[0] // 5
    return Norms(*(a[k * H:(k + 1) * H] for k in range(5)))
def check_cell(W, b, forget_bias, Wy=None):
    """Check one cell's ``W`` (4H, D+H), ``b`` (4H, 1) and ``forget_bias``; return it as a float.

    Shared by :class:`LSTMParams` and the layers of :mod:`lstmdoc.deep`. ``Wy``,
    the output weights (V, H) when the cell has them, helps name a transposed W.
    """
    W = check.float_array("W", W, 2)
    b = check.float_array("b", b, 2, W.dtype)
    _check_W(W.shape, b.shape, None if Wy is None else Wy.shape)
    check.shape("b", b, (W.shape[0], 1), "(4H, 1)")
    return check.finite_scalar("forget_bias", forget_bias)


def check_norms(norm_gain, norm_shift, H, dtype):
    """Check layer norm's gains and shifts: both (5H, 1) arrays of ``dtype``, or both None.

    Shared by :class:`LSTMParams` and the layers of :mod:`lstmdoc.deep`.
    """
    given = [name for name, a in (("norm_gain", norm_gain), ("norm_shift", norm_shift))
             if a is not None]
    if len(given) == 1:
        missing = ({"norm_gain", "norm_shift"} - set(given)).pop()
        raise ValueError(f"{given[0]} is given but {missing} is not: layer norm needs both "
                         "(or neither, for the cell without layer norm)")
    for name, a in (("norm_gain", norm_gain), ("norm_shift", norm_shift)):
        if a is not None:
            check.shape(name, check.float_array(name, a, 2, dtype), (5 * H, 1), "(5H, 1)")


@dataclass(frozen=True)
class LSTMParams:
    """Weights of the cell (TensorFlow's ``LayerNormBasicLSTMCell``) and the output layer.

    Parameters
    ----------
    W : ndarray of shape (4H, D+H)
        Stacked gate weights, row blocks f, i, cproj, o; columns act on ``x``
        first, then on ``h``.
    b : ndarray of shape (4H, 1)
        Stacked gate biases (the forget bias is *not* in here). With layer
        norm, ``b`` is added before the norms; TensorFlow's cell has no bias
        there, which is ``b = 0``.
    Wy : ndarray of shape (V, H)
        Output weights: ``logits = Wy @ h_T + by``. (TensorFlow's kernel is the
        transpose, ``(H, V)``.)
    by : ndarray of shape (V, 1)
        Output biases.
    forget_bias : float, default 1.0
        Added to the forget gate's pre-activation at run time.
    norm_gain, norm_shift : ndarray of shape (5H, 1), optional
        Layer normalisation's gains and shifts, row blocks f, i, cproj, o, then
        the cell state (``NORMS``). Give both to switch layer norm on
        (``layer_norm=True`` in TensorFlow, where they start at 1 and 0), or neither.

    Notes
    -----
    All arrays share one dtype, float32 or float64. They are not copied;
    lstmdoc never writes into them.

    A transposed ``W``, shape ``(D+H, 4H)``, is reported as such when ``b``
    has 4H rows or ``Wy`` has H columns, as they must: ``W``'s shape alone
    cannot show it. A transposed ``b``, ``Wy`` (TensorFlow's ``(H, V)``
    kernel) or ``by`` is named too.

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
    norm_gain: np.ndarray = None
    norm_shift: np.ndarray = None

    def __post_init__(self):
        W = check.float_array("W", self.W, 2)
        Wy = check.float_array("Wy", self.Wy, 2, W.dtype)
        object.__setattr__(self, "forget_bias", check_cell(W, self.b, self.forget_bias, Wy))
        H = W.shape[0] // 4
        if Wy.shape[1] != H:
            hint = (" (TensorFlow's (H, V) kernel?); it looks transposed: pass Wy.T"
                    if Wy.shape[0] == H else "")
            raise ValueError(f"Wy must have shape (V, H) with H = {H} (from W), "
                             f"got {Wy.shape}{hint}")
        check.shape("by", check.float_array("by", self.by, 2, W.dtype), (Wy.shape[0], 1), "(V, 1)")
        check_norms(self.norm_gain, self.norm_shift, H, W.dtype)

    @property
    def layer_norm(self):
        """Whether layer normalisation is on (``norm_gain`` and ``norm_shift`` given)."""
        return self.norm_gain is not None

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
        norm = {name: getattr(self, name).astype(dtype) for name in ("norm_gain", "norm_shift")
                if getattr(self, name) is not None}
        return LSTMParams(*(a.astype(dtype) for a in (self.W, self.b, self.Wy, self.by)),
                          forget_bias=self.forget_bias, **norm)


def _check_W(W, b, Wy):
    """W's shape ``(4H, D+H)``, checked before b's and Wy's so that a transposed W is named.

    W's shape alone cannot reveal a transpose (any ``(4k, m)`` with ``m > k`` is
    valid), but b's rows are 4H and Wy's columns H (``Wy`` is None for a cell
    without an output layer): a W whose columns, not rows, agree with them is
    transposed.
    """
    fourH, DH = W
    by_b = DH == b[0] != fourH
    if by_b or (Wy is not None and DH == 4 * Wy[1] != fourH):
        source = f"b has {b[0]} rows" if by_b else f"Wy has H = {Wy[1]} columns"
        raise ValueError(f"W must have shape (4H, D+H), got {W}: {source}, so W looks "
                         f"transposed: pass W.T")
    if fourH % 4:
        raise ValueError(f"W must have shape (4H, D+H); its {fourH} rows are not a multiple of 4")
    if DH <= fourH // 4:
        raise ValueError(f"W must have shape (4H, D+H) with D >= 1; got {W}, so H = {fourH // 4} "
                         f"leaves D = {DH - fourH // 4}")
