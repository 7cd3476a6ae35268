"""TensorFlow's ``LSTMCell`` and Keras's ``LSTM``, each with a ``Dense`` layer (numpy only).

Both layouts are declared in :data:`lstmdoc.layouts.spec.LAYOUTS` (``"tf_cell"``,
``"keras"``); these functions name their arrays as the frameworks do.
"""

from .. import layouts
from .layout import check_params


def from_tf_cell(kernel, bias, dense_kernel, dense_bias, forget_bias=1.0):
    """Parameters from TensorFlow's ``LSTMCell``/``LayerNormBasicLSTMCell`` and a ``Dense`` layer.

    Parameters
    ----------
    kernel : ndarray of shape (D+H, 4H)
        Rows act on x then h; column blocks i, j, f, o (j the candidate).
    bias : ndarray of shape (4H,)
        Column blocks i, j, f, o.
    dense_kernel : ndarray of shape (H, V)
    dense_bias : ndarray of shape (V,)
    forget_bias : float, default 1.0
        The cell's ``forget_bias`` (TensorFlow's default is 1.0).

    Returns
    -------
    LSTMParams
        Gate blocks in lstmdoc's order f, i, cproj, o; the forget bias kept apart.
    """
    return layouts.weights_from("tf_cell", {
        "kernel": kernel, "bias": bias, "dense_kernel": dense_kernel, "dense_bias": dense_bias},
        forget_bias)


def to_tf_cell(params):
    """TensorFlow ``LSTMCell``/``LayerNormBasicLSTMCell`` arrays, and a ``Dense`` layer's.

    The forget bias stays separate, as TensorFlow's cell keeps it.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    dict
        ``kernel`` (D+H, 4H) and ``bias`` (4H,) with column blocks in
        TensorFlow's order i, j, f, o (j the candidate), ``dense_kernel`` (H, V),
        ``dense_bias`` (V,), ``forget_bias`` (float).
    """
    check_params(params)
    return layouts.weights_to("tf_cell", params)


def from_keras(kernel, recurrent_kernel, bias, dense_kernel, dense_bias):
    """Parameters from a Keras ``LSTM`` layer and a ``Dense`` layer (``forget_bias`` 0).

    Parameters
    ----------
    kernel : ndarray of shape (D, 4H)
        Column blocks i, f, c, o (c the candidate).
    recurrent_kernel : ndarray of shape (H, 4H)
    bias : ndarray of shape (4H,)
    dense_kernel : ndarray of shape (H, V)
    dense_bias : ndarray of shape (V,)

    Returns
    -------
    LSTMParams
        Gate blocks in lstmdoc's order f, i, cproj, o, with ``forget_bias = 0``:
        Keras has none at run time.
    """
    return layouts.weights_from("keras", {
        "kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias,
        "dense_kernel": dense_kernel, "dense_bias": dense_bias})


def to_keras(params):
    """Keras ``LSTM`` and ``Dense`` arrays; ``forget_bias`` is folded into the f block of ``bias``.

    Parameters
    ----------
    params : LSTMParams

    Returns
    -------
    dict
        ``kernel`` (D, 4H), ``recurrent_kernel`` (H, 4H) and ``bias`` (4H,),
        column blocks in Keras's order i, f, c, o (c the candidate; not
        CS231n's i, f, o, g); ``dense_kernel`` (H, V), ``dense_bias`` (V,).
    """
    check_params(params)
    return layouts.weights_to("keras", params)
