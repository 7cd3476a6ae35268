"""Layer normalisation over the hidden units, forward and backward.

For one block of H units and each example (column) separately:

.. math::

    \\mu = \\tfrac1H \\textstyle\\sum_k x_k, \\qquad
    \\sigma^2 = \\tfrac1H \\textstyle\\sum_k (x_k - \\mu)^2, \\qquad
    \\hat x = (x - \\mu) / \\sqrt{\\sigma^2 + \\epsilon}, \\qquad
    y = \\gamma \\odot \\hat x + \\beta

with the population variance (divide by H) and ``ε = 1e-12``, as in
TensorFlow's ``LayerNormBasicLSTMCell``. ``γ`` is the gain, ``β`` the shift.

The backward pass, derived on the layer-norm page:

.. math::

    d\\hat x = dy \\odot \\gamma, \\qquad
    dx = \\tfrac{1}{\\sqrt{\\sigma^2 + \\epsilon}}\\bigl(d\\hat x - \\mathrm{mean}(d\\hat x)
         - \\hat x \\odot \\mathrm{mean}(d\\hat x \\odot \\hat x)\\bigr),

    d\\gamma = \\textstyle\\sum_b dy \\odot \\hat x, \\qquad d\\beta = \\textstyle\\sum_b dy

where the means are over the H units of each column.
"""

from typing import NamedTuple

import numpy as np

from ._validate import shapes

EPSILON = 1e-12
"""Added to the variance before the square root (TensorFlow's value)."""


class LayerNormCache(NamedTuple):
    """What the backward pass needs from one layer norm's forward pass."""

    xhat: np.ndarray     # (H, B)  the normalised input, before gain and shift
    inv_std: np.ndarray  # (1, B)  1 / sqrt(variance + ε), one per example
    gain: np.ndarray     # (H, 1)  γ


# No @shapes here: the cell calls this five times a step, from functions whose
# arguments are checked already, and the check would double the verification's time.
def layernorm_forward(x, gain, shift):
    """Normalise each column of ``x`` over its H units, then scale and shift.

    Parameters
    ----------
    x : ndarray of shape (H, B)
    gain, shift : ndarray of shape (H, 1)

    Returns
    -------
    y : ndarray of shape (H, B)
        ``gain * xhat + shift``.
    cache : LayerNormCache

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.layernorm import layernorm_forward
    >>> y, cache = layernorm_forward(np.array([[1.0], [3.0]]), np.ones((2, 1)), np.zeros((2, 1)))
    >>> y.ravel()
    array([-1.,  1.])
    """
    H = x.shape[0]
    centred = x - x.sum(axis=0, keepdims=True) / H
    var = (centred * centred).sum(axis=0, keepdims=True) / H  # population variance
    inv_std = 1 / np.sqrt(var + EPSILON)
    xhat = centred * inv_std
    return gain * xhat + shift, LayerNormCache(xhat, inv_std, gain)


@shapes(dy="H,B")
def layernorm_backward(dy, cache):
    """Gradients of a layer norm's input, gain and shift from the gradient of its output.

    Parameters
    ----------
    dy : ndarray of shape (H, B)
        ∂L/∂y.
    cache : LayerNormCache

    Returns
    -------
    dx : ndarray of shape (H, B)
        ``inv_std * (dxhat − mean(dxhat) − xhat * mean(dxhat * xhat))``, with
        ``dxhat = dy * gain`` and means over the H units.
    dgain, dshift : ndarray of shape (H, 1)
        Summed over the batch.
    """
    dxhat = dy * cache.gain
    dx = cache.inv_std * (dxhat - dxhat.mean(axis=0, keepdims=True)
                          - cache.xhat * (dxhat * cache.xhat).mean(axis=0, keepdims=True))
    dgain, dshift = layernorm_param_grads(dy, cache)
    return dx, dgain, dshift


def layernorm_param_grads(dy, cache):
    """The gain's and the shift's gradients alone: ``Σ_b dy ⊙ xhat`` and ``Σ_b dy``.

    Parameters
    ----------
    dy : ndarray of shape (H, B)
    cache : LayerNormCache

    Returns
    -------
    dgain, dshift : ndarray of shape (H, 1)
    """
    return (dy * cache.xhat).sum(axis=1, keepdims=True), dy.sum(axis=1, keepdims=True)


def back_through_norm(dy, cache, block):
    """∂L/∂(a layer norm's input) from ∂L/∂(its output); without layer norm, ``dy``.

    Parameters
    ----------
    dy : ndarray of shape (H, B)
    cache : CellCache
    block : str
        Which norm: ``"f"``, ``"i"``, ``"cproj"``, ``"o"`` or ``"state"``.

    Returns
    -------
    dx : ndarray of shape (H, B)
    """
    if cache.norms is None:
        return dy
    return layernorm_backward(dy, getattr(cache.norms, block))[0]
