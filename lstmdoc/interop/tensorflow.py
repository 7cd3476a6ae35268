"""TensorFlow's ``LSTMCell`` and Keras's ``LSTM``, each with a ``Dense`` layer (numpy only)."""

import numpy as np

from .. import _validate as check
from ..params import LSTMParams
from .layout import KERAS_ORDER, TF_ORDER, check_params, folded_bias, gate_array, inverse, reorder


def _from_dense(kernel, bias, H, dtype):
    """Check a Dense layer's kernel (H, V) and bias (V,); return lstmdoc's ``Wy``, ``by``."""
    kernel = check.float_array("dense_kernel", kernel, 2, dtype)
    if kernel.shape[0] != H:
        raise ValueError(f"dense_kernel must have shape (H, V) with H = {H}, got {kernel.shape}")
    bias = check.float_array("dense_bias", bias, 1, dtype)
    check.shape("dense_bias", bias, (kernel.shape[1],), "(V,)")
    return kernel.T.copy(), bias[:, None].copy()


def _to_dense(params):
    """A Dense layer's ``dense_kernel`` (H, V) and ``dense_bias`` (V,) from ``Wy``, ``by``."""
    return {"dense_kernel": params.Wy.T.copy(), "dense_bias": params.by[:, 0].copy()}


def from_tf_cell(kernel, bias, dense_kernel, dense_bias, forget_bias=1.0):
    """Parameters from TensorFlow's ``LSTMCell``/``LayerNormBasicLSTMCell`` and a ``Dense`` layer.

    Parameters
    ----------
    kernel : ndarray of shape (D+H, 4H)
        Rows act on x then h; column blocks i, j, f, o.
    bias : ndarray of shape (4H,)
    dense_kernel : ndarray of shape (H, V)
    dense_bias : ndarray of shape (V,)
    forget_bias : float, default 1.0
        The cell's ``forget_bias`` (TensorFlow's default is 1.0).

    Returns
    -------
    LSTMParams
    """
    bias = gate_array("bias", bias, 1, meaning="(4H,)")
    H = bias.shape[0] // 4
    kernel = gate_array("kernel", kernel, 2, 4 * H, meaning=f"(D+H, 4H) with 4H = {4 * H}")
    if kernel.shape[0] <= H:
        raise ValueError(f"kernel must have shape (D+H, 4H) with H = {H} and D >= 1, "
                         f"got {kernel.shape}")
    check.float_array("bias", bias, 1, kernel.dtype)
    inv = inverse(TF_ORDER)
    return LSTMParams(reorder(kernel, inv, axis=1).T.copy(), reorder(bias, inv)[:, None].copy(),
                      *_from_dense(dense_kernel, dense_bias, H, kernel.dtype),
                      forget_bias=forget_bias)


def to_tf_cell(params):
    """TensorFlow ``LSTMCell``/``LayerNormBasicLSTMCell`` arrays, and a ``Dense`` layer's.

    The forget bias stays separate, as TensorFlow's cell keeps it.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    dict
        ``kernel`` (D+H, 4H), ``bias`` (4H,), ``dense_kernel`` (H, V),
        ``dense_bias`` (V,), ``forget_bias`` (float).
    """
    check_params(params)
    return {"kernel": reorder(params.W, TF_ORDER).T.copy(),
            "bias": reorder(params.b, TF_ORDER)[:, 0].copy(),
            **_to_dense(params), "forget_bias": params.forget_bias}


def from_keras(kernel, recurrent_kernel, bias, dense_kernel, dense_bias):
    """Parameters from a Keras ``LSTM`` layer and a ``Dense`` layer (``forget_bias`` 0).

    Parameters
    ----------
    kernel : ndarray of shape (D, 4H)
        Column blocks i, f, c, o.
    recurrent_kernel : ndarray of shape (H, 4H)
    bias : ndarray of shape (4H,)
    dense_kernel : ndarray of shape (H, V)
    dense_bias : ndarray of shape (V,)

    Returns
    -------
    LSTMParams
        With ``forget_bias = 0``: Keras has none at run time.
    """
    recurrent_kernel = gate_array("recurrent_kernel", recurrent_kernel, 2, meaning="(H, 4H)")
    H = recurrent_kernel.shape[0]
    want = f"with H = {H} (from recurrent_kernel)"
    gate_array("recurrent_kernel", recurrent_kernel, 2, 4 * H, meaning=f"(H, 4H) {want}")
    kernel = gate_array("kernel", kernel, 2, 4 * H, meaning=f"(D, 4H) {want}")
    bias = gate_array("bias", bias, 1, 4 * H, meaning=f"(4H,) {want}")
    for name, a in (("recurrent_kernel", recurrent_kernel), ("bias", bias)):
        check.float_array(name, a, a.ndim, kernel.dtype)
    inv = inverse(KERAS_ORDER)
    W = reorder(np.concatenate([kernel, recurrent_kernel]), inv, axis=1).T.copy()
    return LSTMParams(W, reorder(bias, inv)[:, None].copy(),
                      *_from_dense(dense_kernel, dense_bias, H, kernel.dtype), forget_bias=0.0)


def to_keras(params):
    """Keras ``LSTM`` and ``Dense`` arrays; ``forget_bias`` is folded into the f block of ``bias``.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    dict
        ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H), ``bias`` (4H,),
        ``dense_kernel`` (H, V), ``dense_bias`` (V,).
    """
    check_params(params)
    K = reorder(params.W, KERAS_ORDER).T
    return {"kernel": K[:params.D].copy(), "recurrent_kernel": K[params.D:].copy(),
            "bias": reorder(folded_bias(params), KERAS_ORDER)[:, 0].copy(), **_to_dense(params)}
