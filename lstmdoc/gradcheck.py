"""Central finite differences in float64, and a relative error to judge them by.

Works on any scalar function of any array, so it can check an intermediate of
the pass: write the rest of the pass as a function of that intermediate.
"""

from typing import NamedTuple

import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central differences ``(f(x + eps e_k) − f(x − eps e_k)) / 2eps`` for every entry k.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x``, returns a float.
    x : ndarray of float64
        The point; not modified.
    eps : float

    Returns
    -------
    grad : ndarray shaped like ``x``

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.gradcheck import numerical_gradient
    >>> g = numerical_gradient(lambda v: float((v**3).sum()), np.array([1.0, 2.0]))
    >>> bool(np.allclose(g, [3.0, 12.0]))
    True
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 ndarray: finite differences in float32 "
                        f"are too coarse to verify anything, got {getattr(x, 'dtype', type(x))}")
    xp = x.copy()
    grad = np.empty_like(x)
    for k in np.ndindex(x.shape):
        xp[k] = x[k] + eps
        up = f(xp)
        xp[k] = x[k] - eps
        down = f(xp)
        xp[k] = x[k]
        grad[k] = (up - down) / (2 * eps)
    return grad


def relative_error(a, b):
    """``‖a − b‖ / (‖a‖ + ‖b‖)``, 0 when both are 0; the Frobenius norm over all entries.

    Parameters
    ----------
    a, b : ndarray of one shape

    Returns
    -------
    float
        0 for equal arrays; about ``x/2`` when one is the other scaled by ``1 + x``.
    """
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one shape, got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


class Check(NamedTuple):
    """The result of comparing one analytic gradient with finite differences."""

    name: str
    rel_error: float
    tol: float

    @property
    def ok(self):
        """Whether ``rel_error <= tol``."""
        return self.rel_error <= self.tol


def check_gradient(name, f, x, analytic, tol=1e-6, eps=1e-6):
    """Compare ``analytic`` with the central-difference gradient of ``f`` at ``x``.

    Parameters
    ----------
    name : str
    f : callable
        Scalar function of an array shaped like ``x``.
    x : ndarray of float64
    analytic : ndarray shaped like ``x``
    tol, eps : float

    Returns
    -------
    Check
    """
    if analytic.shape != x.shape:
        raise ValueError(f"{name}: the analytic gradient has shape {analytic.shape}, "
                         f"but x has shape {x.shape}")
    return Check(name, relative_error(analytic, numerical_gradient(f, x, eps)), tol)
