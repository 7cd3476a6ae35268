"""The parameters of a deep model: stacked cells, one or two directions, one output layer.

Notation: L layers; layer l has hidden size H_l and reads D_l = H_{l-1}
(D_1 = D, the input size). Cells are listed as :attr:`DeepParams.cells`:
the forward stack's layers bottom to top, then the backward stack's.
"""

from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..params import check_cell, check_norms

READOUTS = ("outputs", "states")
"""The values of :attr:`DeepParams.readout`."""


@dataclass(frozen=True)
class Cell:
    """One layer's LSTM cell: the cell of :class:`lstmdoc.LSTMParams` without an output layer.

    Parameters
    ----------
    W : ndarray of shape (4H, D+H)
        Row blocks f, i, cproj, o; columns act on the layer's input first (``x_t``
        for layer 1, the ``h_t`` of the layer below otherwise), then on its own ``h``.
    b : ndarray of shape (4H, 1)
    forget_bias : float, default 1.0
    norm_gain, norm_shift : ndarray of shape (5H, 1), optional
        Layer norm in this cell, as in :class:`lstmdoc.LSTMParams` (both, or neither).

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.deep import Cell
    >>> c = Cell(np.zeros((12, 5)), np.zeros((12, 1)))
    >>> c.D, c.H
    (2, 3)
    """

    W: np.ndarray
    b: np.ndarray
    forget_bias: float = 1.0
    norm_gain: np.ndarray = None
    norm_shift: np.ndarray = None

    def __post_init__(self):
        object.__setattr__(self, "forget_bias", check_cell(self.W, self.b, self.forget_bias))
        check_norms(self.norm_gain, self.norm_shift, self.H, self.W.dtype)

    @property
    def layer_norm(self):
        """Whether this cell has layer norm."""
        return self.norm_gain is not None

    @property
    def H(self):
        """Hidden size."""
        return self.W.shape[0] // 4

    @property
    def D(self):
        """Input size (the hidden size of the layer below, above layer 1)."""
        return self.W.shape[1] - self.H


@dataclass(frozen=True, kw_only=True)
class DeepParams:
    """A stack of cells (TensorFlow's ``MultiRNNCell``), optionally in both directions, and the output layer.

    Parameters
    ----------
    forward : sequence of Cell
        Layer 1 (reads ``x_t``) first; layer l reads the ``h_t`` of layer l−1.
    backward : sequence of Cell, optional
        A second, independent stack of as many layers, run over ``x_T … x_1``
        (TensorFlow's ``bidirectional_dynamic_rnn``). None: one direction.
    Wy : ndarray of shape (V, H_top) or (V, H_top_fw + H_top_bw)
        Output weights; for two directions, columns forward then backward.
    by : ndarray of shape (V, 1)
    readout : {"outputs", "states"}, default "outputs"
        Which backward state a two-direction model's output layer reads (one
        target per sequence). ``"outputs"``: the outputs at T,
        ``[h_fw(T); h_bw(T)]``, where ``h_bw(T)`` has read ``x_T`` only (the
        article's ``tf.concat(bi_outputs, -1)[-1]``). ``"states"``: each
        direction's final state, ``[h_fw(T); h_bw(1)]``, where ``h_bw(1)`` has
        read the whole sequence (TensorFlow's ``bi_states``, torch's ``h_n``).
        One direction: both are ``h_fw(T)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.deep import Cell, DeepParams
    >>> cell = lambda D, H: Cell(np.zeros((4 * H, D + H)), np.zeros((4 * H, 1)))
    >>> p = DeepParams(forward=[cell(3, 5), cell(5, 4)], Wy=np.zeros((6, 4)), by=np.zeros((6, 1)))
    >>> p.layers, p.directions, p.names
    (2, 1, ('layer 1', 'layer 2'))
    >>> DeepParams(forward=[cell(3, 5), cell(4, 4)], Wy=np.zeros((6, 4)), by=np.zeros((6, 1)))
    Traceback (most recent call last):
    ...
    ValueError: layer 2 reads the h_t of layer 1 (H = 5), so its W must have shape (4H, 5+H) = (16, 9), got (16, 8)
    """

    forward: tuple
    Wy: np.ndarray
    by: np.ndarray
    backward: tuple = None
    readout: str = "outputs"

    def __post_init__(self):
        if not isinstance(self.readout, str) or self.readout not in READOUTS:
            raise ValueError(f'readout must be "outputs" (the outputs at T, [h_fw(T); h_bw(T)], '
                             f'as the article) or "states" (the final states, [h_fw(T); h_bw(1)], '
                             f"as torch's h_n), got {self.readout!r}")
        stacks = [("forward", self.forward)] + ([("backward", self.backward)]
                                               if self.backward is not None else [])
        for name, cells in stacks:
            if isinstance(cells, Cell) or not isinstance(cells, (list, tuple)) or not cells:
                raise TypeError(f"{name} must be a non-empty list or tuple of Cell, one per layer, "
                                f"got {type(cells).__name__}")
            object.__setattr__(self, name, tuple(cells))
        if self.backward is not None and len(self.backward) != len(self.forward):
            raise ValueError(f"backward must have as many layers as forward ({len(self.forward)}), "
                             f"got {len(self.backward)}")
        dtype = self._check_cells()
        self._check_output(dtype, [cells[-1].H for _, cells in stacks])

    def _check_cells(self):
        """Check that the cells share a dtype and that each reads what it is given; return it."""
        dtype = None
        for k, (label, cell) in enumerate(zip(self.names, self.cells)):
            if not isinstance(cell, Cell):
                raise TypeError(f"{label} must be a Cell, got {type(cell).__name__}")
            if dtype is None:
                dtype = cell.W.dtype
            if cell.W.dtype != dtype:
                raise TypeError(f"{label} has dtype {cell.W.dtype} but {self.names[0]} has {dtype}")
            if k % self.layers == 0:
                D = self.cells[0].D
                if cell.D != D:
                    raise ValueError(f"{label} reads x_t (D = {D}, as forward layer 1), so its W "
                                     f"must have shape (4H, {D}+H) = {(4 * cell.H, D + cell.H)}, "
                                     f"got {cell.W.shape}")
            else:
                below = self.cells[k - 1]
                if cell.D != below.H:
                    raise ValueError(
                        f"{label} reads the h_t of {self.names[k - 1]} (H = {below.H}), so its W "
                        f"must have shape (4H, {below.H}+H) = {(4 * cell.H, below.H + cell.H)}, "
                        f"got {cell.W.shape}")
        return dtype

    def _check_output(self, dtype, tops):
        """Check ``Wy`` (V, sum of the top layers' H) and ``by`` (V, 1)."""
        Wy = check.float_array("Wy", self.Wy, 2, dtype)
        if Wy.shape[1] != sum(tops):
            if len(tops) == 1:
                want = (f"(V, H) = (V, {tops[0]}) for one direction, H of the top layer "
                        f"(layer {self.layers})")
            else:
                want = (f"(V, H_fw + H_bw) = (V, {sum(tops)}) for two directions: {tops[0]} "
                        f"columns for the forward top layer, then {tops[1]} for the backward's")
            raise ValueError(f"Wy must have shape {want}; got {Wy.shape}")
        check.shape("by", check.float_array("by", self.by, 2, dtype), (Wy.shape[0], 1), "(V, 1)")

    @property
    def layers(self):
        """L, the number of layers of each stack."""
        return len(self.forward)

    @property
    def directions(self):
        """1, or 2 for a bidirectional model."""
        return 1 if self.backward is None else 2

    @property
    def cells(self):
        """Every cell: the forward layers bottom to top, then the backward layers."""
        return self.forward + (self.backward or ())

    @property
    def names(self):
        """The name of each cell in :attr:`cells`, for messages: ``"forward layer 2"``, ..."""
        if self.backward is None:
            return tuple(f"layer {l + 1}" for l in range(self.layers))
        return tuple(f"{d} layer {l + 1}" for d in ("forward", "backward")
                     for l in range(self.layers))

    @property
    def D(self):
        """Input size."""
        return self.forward[0].D

    @property
    def V(self):
        """Number of classes."""
        return self.Wy.shape[0]

    @property
    def dtype(self):
        """The dtype shared by all parameters."""
        return self.Wy.dtype

    def replace(self, cells=None, Wy=None, by=None):
        """A copy with new cell arrays (``[(W, b), ...]`` in :attr:`cells` order) or output layer.

        Used by training: ``p.replace([(c.W - lr * dW, c.b - lr * db) ...], Wy - lr * dWy, ...)``.
        """
        if cells is not None and len(cells) != len(self.cells):
            raise ValueError(f"cells must hold {len(self.cells)} (W, b) pairs, one per cell, "
                             f"got {len(cells)}")
        new = [Cell(W, b, c.forget_bias, c.norm_gain, c.norm_shift)
               for c, (W, b) in zip(self.cells, cells)] \
            if cells is not None else list(self.cells)
        L = self.layers
        return DeepParams(forward=new[:L], backward=new[L:] if self.backward is not None else None,
                          Wy=self.Wy if Wy is None else Wy, by=self.by if by is None else by,
                          readout=self.readout)
