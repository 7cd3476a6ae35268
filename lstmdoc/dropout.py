"""Recurrent dropout's mask: which candidate units each step keeps, made explicit.

TensorFlow's ``LayerNormBasicLSTMCell`` drops units of the candidate ``c̃_t``
only (never ``c_t`` or ``h_t``) and scales the kept ones by ``1/keep_prob``, so
that each unit's expected value is unchanged. lstmdoc takes the mask as an
input, ``(T, H, B)``: one ``(H, B)`` slice per time step, each entry 0 or
``1/keep_prob``. A pass with a given mask is a deterministic function, so its
gradients can be checked by finite differences like every other.
"""

import numbers

import numpy as np

from . import _validate as check


def dropout_mask(keep_prob, shape, seed, dtype=np.float64):
    """A seeded mask: each entry ``1/keep_prob`` with probability ``keep_prob``, else 0.

    Parameters
    ----------
    keep_prob : float in (0, 1]
        Probability of keeping a unit; 1 keeps every unit (a mask of ones).
    shape : tuple of int
        ``(T, H, B)``.
    seed : int or numpy.random.Generator
        Seed of numpy's ``default_rng``: one seed, one mask. A ``Generator``
        is drawn from (and advanced), so successive calls give fresh masks.
    dtype : float32 or float64
        The parameters' dtype.

    Returns
    -------
    mask : ndarray of shape (T, H, B)

    Examples
    --------
    >>> from lstmdoc.dropout import dropout_mask
    >>> dropout_mask(0.5, (1, 3, 2), seed=1)[0]
    array([[0., 0.],
           [2., 0.],
           [2., 2.]])
    """
    keep_prob = check_keep_prob(keep_prob)
    if (not isinstance(shape, tuple) or len(shape) != 3
            or not all(isinstance(n, numbers.Integral) and n > 0 for n in shape)):
        raise ValueError(f"shape must be (T, H, B), three positive integers, got {shape!r}")
    if np.dtype(dtype) not in check.FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
    kept = np.random.default_rng(seed).random(shape) < keep_prob
    return (kept / keep_prob).astype(dtype)


def check_keep_prob(keep_prob):
    """Check that ``keep_prob`` is a real number in (0, 1]; return it as a float."""
    keep_prob = check.finite_scalar("keep_prob", keep_prob)
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must lie in (0, 1], got {keep_prob}")
    return keep_prob


def with_dropout(loss_and_grads, keep_prob, seed):
    """``loss_and_grads`` with a fresh dropout mask at every call (for training).

    Parameters
    ----------
    loss_and_grads : callable
        ``loss_and_grads(params, X, target, h0, c0, dropout_mask=...)``, such
        as :func:`lstmdoc.loss_and_grads`.
    keep_prob : float in (0, 1]
    seed : int
        The masks of successive calls come from one generator with this seed:
        same seed, same sequence of masks.

    Returns
    -------
    callable
        ``(params, X, target, h0=None, c0=None) -> (loss, grads)``.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.dropout import with_dropout
    >>> ex = lstmdoc.example.random()
    >>> step = with_dropout(lstmdoc.loss_and_grads, 0.5, seed=0)
    >>> first, _ = step(ex.params, ex.X, ex.target)
    >>> second, _ = step(ex.params, ex.X, ex.target)
    >>> first != second  # another mask
    True
    """
    keep_prob = check_keep_prob(keep_prob)
    rng = np.random.default_rng(seed)

    def with_mask(params, X, target, h0=None, c0=None):
        T, _, B = X.shape
        mask = dropout_mask(keep_prob, (T, params.H, B), rng, params.dtype)
        return loss_and_grads(params, X, target, h0, c0, dropout_mask=mask)
    return with_mask


def check_mask(name, mask, shape, dtype):
    """Check a dropout mask: a finite float array of ``shape`` (T, H, B), no negative entry.

    Parameters
    ----------
    name : str
        The argument's name, for the error message.
    mask : ndarray
    shape : tuple of int
        ``(T, H, B)``.
    dtype : numpy dtype
        The parameters' dtype.

    Returns
    -------
    mask : ndarray of shape (T, H, B)
        Unchanged.
    """
    check.shape(name, check.float_array(name, mask, 3, dtype), shape, "(T, H, B)")
    if np.any(mask < 0):
        raise ValueError(f"{name} must not be negative (its entries are 0 or 1/keep_prob), "
                         f"got a minimum of {mask.min()}")
    return mask
