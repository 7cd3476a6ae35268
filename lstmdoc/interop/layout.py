"""What the frameworks' layouts share: the order of the gate blocks, and checks of arrays."""

import numpy as np

from .. import _validate as check
from ..params import LSTMParams

# For each framework, the lstmdoc block (0 f, 1 i, 2 cproj, 3 o) at each of its positions.
TORCH_ORDER = (1, 0, 2, 3)   # i, f, g, o
TF_ORDER = (1, 2, 0, 3)      # i, j, f, o
KERAS_ORDER = (1, 0, 2, 3)   # i, f, c, o


def reorder(a, order, axis=0):
    """The gate blocks of ``a`` along ``axis`` (4H long), taken in ``order``."""
    blocks = np.split(a, 4, axis=axis)
    return np.concatenate([blocks[k] for k in order], axis=axis)


def inverse(order):
    """The order that undoes ``order``: from a framework's blocks back to lstmdoc's."""
    return tuple(int(k) for k in np.argsort(order))


def folded_bias(params):
    """``b`` (4H, 1) with ``forget_bias`` added to its f rows, for frameworks that have none."""
    fold = np.zeros_like(params.b)
    fold[:params.H] = params.forget_bias
    return params.b + fold


def check_params(params):
    """An :class:`~lstmdoc.LSTMParams` without layer norm, which the frameworks' layouts can hold."""
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    if params.layer_norm:  # dropping the norms silently would change the model
        raise ValueError("params has layer norm (norm_gain, norm_shift), which these layouts "
                         "cannot hold: only the cell without layer norm converts")


def gate_array(name, a, ndim, fourH=None, axis=-1, meaning=""):
    """Check a float array whose gate axis ``axis`` has ``fourH`` entries (or a multiple of 4)."""
    a = check.float_array(name, a, ndim)
    n = a.shape[axis]
    if n % 4 or (fourH is not None and n != fourH):
        want = f"{fourH}" if fourH is not None else "a multiple of 4"
        raise ValueError(f"{name} must have shape {meaning}; its gate axis has {n} entries, "
                         f"expected {want}")
    return a
