"""What one backward step returns: :class:`CellGrads`, every gradient of step t by its article name."""

from typing import NamedTuple

import numpy as np

from ._records import field_docs


@field_docs
class CellGrads(NamedTuple):
    """Every gradient of one backward step t, named as in the article (from :func:`cell_backward`).

    All are gradients of the loss L. The four gate gradients are with respect to
    the **pre-activations** a_f, a_i, a_c, a_o (the row blocks of ``a_t = W z_t + b``).

    Attributes
    ----------
    dHt : ndarray of shape (H, B)
        ∂L/∂h_t, from the output layer and from step t+1 (article: DHt).
    dOt : ndarray of shape (H, B)
        ∂L/∂a_o, output gate pre-activation (article: DOt).
    dCt : ndarray of shape (H, B)
        ∂L/∂c_t, the total: through h_t and through c_{t+1} (article: DCt).
        With layer norm, ∂L/∂s_t: the state before its norm.
    dCprojt : ndarray of shape (H, B)
        ∂L/∂a_c, candidate pre-activation (article: DCprojt).
    dFt : ndarray of shape (H, B)
        ∂L/∂a_f, forget gate pre-activation (article: DFt).
    dIt : ndarray of shape (H, B)
        ∂L/∂a_i, input gate pre-activation (article: DIt).
    dW : ndarray of shape (4H, D+H)
        This step's share of ∂L/∂W, ``da @ z_tᵀ``; the BPTT loop sums the shares.
    db : ndarray of shape (4H, 1)
        This step's share of ∂L/∂b.
    dx : ndarray of shape (D, B)
        ∂L/∂x_t, the top D rows of the article's DHX.
    dh_prev : ndarray of shape (H, B)
        The part of ∂L/∂h_{t−1} that flows through step t, the bottom H rows of
        DHX; step t−1 receives it as its ``dh_next``.
    dc_prev : ndarray of shape (H, B)
        The part of ∂L/∂c_{t−1} that flows through c_t (article: DC_next,
        DCt_recur); step t−1 receives it as its ``dc_next``, and its ``dCt``
        adds the part through h_{t−1}.
    dnorm_gain, dnorm_shift : ndarray of shape (5H, 1), or None
        This step's share of the layer norms' gains' and shifts' gradients
        (:func:`dNorm`); None without layer norm.
    """

    dHt: np.ndarray      # (H, B)
    dOt: np.ndarray      # (H, B)     pre-activation
    dCt: np.ndarray      # (H, B)
    dCprojt: np.ndarray  # (H, B)     pre-activation
    dFt: np.ndarray      # (H, B)     pre-activation
    dIt: np.ndarray      # (H, B)     pre-activation
    dW: np.ndarray       # (4H, D+H)  this step's share
    db: np.ndarray       # (4H, 1)    this step's share
    dx: np.ndarray       # (D, B)
    dh_prev: np.ndarray  # (H, B)     to step t-1, where it is dh_next
    dc_prev: np.ndarray  # (H, B)     to step t-1, where it is dc_next
    dnorm_gain: np.ndarray = None   # (5H, 1)  this step's share; None without layer norm
    dnorm_shift: np.ndarray = None  # (5H, 1)  this step's share; None without layer norm
