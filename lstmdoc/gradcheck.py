r"""Central finite differences in float64, and when to believe them.

Works on any scalar function of any array, so it can check an intermediate of
the pass: write the rest of the pass as a function of that intermediate.

How exact is a central difference? For one entry, with step ``eps``,

.. math::

    \frac{f(x + \epsilon e_k) - f(x - \epsilon e_k)}{2\epsilon}
    = \frac{\partial f}{\partial x_k}
    + \underbrace{O(\epsilon^2 f''')}_{\text{truncation}}
    + \underbrace{O(u\,|f| / \epsilon)}_{\text{rounding}},

where ``u`` = 2.2e-16 is float64's machine epsilon: the two values of ``f`` carry
rounding errors of about ``u·|f|`` each, and their difference is divided by
``2eps``. With the default ``eps = 1e-6`` the truncation error is about
``1e-13·|f'''|``, negligible, and the rounding error is about ``2e-10·|f|``
per entry, whatever the size of the gradient. So a relative error alone is
meaningless for a gradient whose entries are that small (a loss of 4 and a
quantity of norm 3e-4 gave relative errors of 6e-6 although nothing was
wrong): :class:`Check` also passes when the whole error is within that
rounding noise (:func:`rounding_noise`).
"""

from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from ._records import field_docs

ROUNDING = 10
"""Safety factor on the rounding error ``u·|f|/eps`` of one central difference.

Measured on lstmdoc's pass, the error per entry is about 0.25 ``u·|f|/eps``
(root mean square); 10 leaves a margin of 40 and is still far below the
error of any real mistake (0.1 % of a gradient)."""


def _float64(x):
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 ndarray: finite differences in float32 "
                        f"are too coarse to verify anything, got {getattr(x, 'dtype', type(x))}")


def numerical_gradient(f, x, eps=1e-6, entries=None, many=None):
    """Central differences ``(f(x + eps e_k) − f(x − eps e_k)) / 2eps`` for every entry k.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x``, returns a float.
    x : ndarray of float64
        The point; not modified.
    eps : float
        The step. Its error is ``O(eps²·f''') + O(u·|f|/eps)`` per entry (see
        the module's text): 1e-6 balances the two for values of ``f`` near 1.
    entries : ndarray of int, optional
        Flat indices (into ``x.ravel()``) of the entries to differentiate; by
        default every entry.
    many : callable, optional
        ``f`` at many points at once: takes a stack of points, shape
        ``(n, *x.shape)``, and returns their ``n`` values. lstmdoc's checks
        compute them as ``n`` copies of the batch side by side, one run of the
        pass instead of ``n`` (``Rerun.widened`` in :mod:`lstmdoc.step_checks`).
        When given, ``f`` is not called.

    Returns
    -------
    grad : ndarray
        Shaped like ``x``; with ``entries``, 1-D, one value per index.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.gradcheck import numerical_gradient
    >>> g = numerical_gradient(lambda v: float((v**3).sum()), np.array([1.0, 2.0]))
    >>> bool(np.allclose(g, [3.0, 12.0]))
    True
    >>> many = lambda vs: (vs**3).sum(axis=1)  # the same function, at a stack of points
    >>> bool(np.array_equal(numerical_gradient(None, np.array([1.0, 2.0]), many=many), g))
    True
    """
    _float64(x)
    ks = np.arange(x.size) if entries is None else np.asarray(entries)
    if many is None:
        values = [f(point) for point in _perturbed(x, ks, eps)]
    else:
        per_call = max(1, MANY_ENTRIES // (2 * x.size))  # bounds the stack's memory
        values = np.concatenate([many(np.stack(list(_perturbed(x, ks[i:i + per_call], eps))))
                                 for i in range(0, len(ks), per_call)])
    up, down = np.asarray(values, dtype=np.float64).reshape(len(ks), 2).T
    grad = (up - down) / (2 * eps)
    return grad.reshape(x.shape) if entries is None else grad


MANY_ENTRIES = 2**21
"""At most this many array entries are stacked for one call of ``many`` (16 MiB of float64)."""


def _perturbed(x, ks, eps):
    """``x + eps e_k``, then ``x − eps e_k``, for each flat index k (fresh arrays)."""
    for k in ks:
        for value in (x.flat[k] + eps, x.flat[k] - eps):
            point = x.copy()
            point.flat[k] = value
            yield point


def relative_error(a, b):
    """``‖a − b‖ / (‖a‖ + ‖b‖)``, 0 when both are 0; the Frobenius norm over all entries.

    Parameters
    ----------
    a, b : ndarray
        Of one shape.

    Returns
    -------
    float
        0 for equal arrays; about ``x/2`` when one is the other scaled by ``1 + x``.
    """
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one shape, got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def rounding_noise(value, eps, n):
    """What central differences cannot resolve: ``ROUNDING · u · |value| / eps · √n``.

    The norm of the rounding error of ``n`` central differences of a function
    whose value is ``value`` (independent errors add in quadrature).

    Parameters
    ----------
    value : float
        ``f(x)``.
    eps : float
        The finite-difference step.
    n : int
        Number of entries differentiated.

    Returns
    -------
    float
    """
    return ROUNDING * np.finfo(np.float64).eps * abs(value) / eps * np.sqrt(n)


@field_docs
class Check(NamedTuple):
    """The result of comparing one analytic gradient with finite differences.

    It passes (:attr:`ok`) when ``rel_error <= tol``, or when ``abs_error <=
    noise``: an error within the finite differences' own rounding noise is no
    evidence of a wrong gradient (see :mod:`lstmdoc.gradcheck`).

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"W"`` or ``"dOt[0]"`` (time step t = 1).
    rel_error : float
        :func:`relative_error` of the analytic and the numerical gradient, over
        the entries checked.
    tol : float
        The largest accepted ``rel_error``.
    abs_error : float
        ``‖analytic − numerical‖`` over the entries checked.
    noise : float
        :func:`rounding_noise` for those entries: the largest ``abs_error``
        finite differences can produce on their own.
    entries : int
        How many entries were checked.
    size : int
        How many entries the gradient has (``entries < size`` when sampled).
    """

    name: str
    rel_error: float
    tol: float
    abs_error: float
    noise: float
    entries: int
    size: int

    @property
    def ok(self):
        """Whether ``rel_error <= tol`` or ``abs_error <= noise``."""
        return bool(self.rel_error <= self.tol or self.abs_error <= self.noise)


def check_gradient(name, f, x, analytic, tol=1e-6, eps=1e-6, entries=None, many=None):
    """Compare ``analytic`` with the central-difference gradient of ``f`` at ``x``.

    Parameters
    ----------
    name : str
        A label for the result.
    f : callable
        Scalar function of an array shaped like ``x``.
    x : ndarray of float64
        The point.
    analytic : ndarray
        The gradient to check, shaped like ``x``.
    tol : float
        Largest accepted relative error.
    eps : float
        Finite-difference step.
    entries : ndarray of int, optional
        Flat indices of the entries to check; by default every entry.
    many : callable, optional
        ``f`` at a stack of points at once (see :func:`numerical_gradient`).

    Returns
    -------
    Check

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.gradcheck import check_gradient
    >>> x = np.array([1.0, 2.0])
    >>> check_gradient("cube", lambda v: float((v**3).sum()), x, 3 * x**2).ok
    True
    >>> check_gradient("cube", lambda v: float((v**3).sum()), x, 3.003 * x**2).ok
    False
    """
    if analytic.shape != x.shape:
        raise ValueError(f"{name}: the analytic gradient has shape {analytic.shape}, "
                         f"but x has shape {x.shape}")
    _float64(x)
    numerical = numerical_gradient(f, x, eps, entries, many)
    a = analytic.reshape(-1) if entries is None else analytic.reshape(-1)[entries]
    n = numerical.reshape(-1)
    return Check(name, relative_error(a, n), tol, float(np.linalg.norm(a - n)),
                 float(rounding_noise(f(x), eps, a.size)), a.size, x.size)


def check_jobs(jobs, tol, eps, sample, seed, progress, desc):
    """:func:`check_gradient` for every job, each on a seeded sample of ``sample`` entries.

    A job is ``(name, f, x, analytic, steps)`` or ``(name, f, x, analytic,
    steps, many)``: the arguments of :func:`check_gradient` and the cost of
    one call of ``f`` in cell steps.
    ``sample`` None checks every entry. The progress bar (tqdm on stderr, after
    2 s, titled ``desc``) counts cell steps, so that its rate and ETA mean
    something. Returns the list of :class:`Check`, in the order of ``jobs``.
    Used by :func:`lstmdoc.verify` and :func:`lstmdoc.deep.verify`.
    """
    rng = np.random.default_rng(seed)
    checks = []
    with tqdm(total=sum(2 * min(job[2].size, sample or job[2].size) * job[4] for job in jobs),
              desc=desc, unit="step", unit_scale=True, delay=2, disable=not progress) as bar:
        for name, f, x, analytic, steps, *many in jobs:
            entries = None
            if sample is not None and x.size > sample:
                entries = np.sort(rng.choice(x.size, sample, replace=False))
            checks.append(check_gradient(name, f, x, analytic, tol, eps, entries, *many))
            bar.update(2 * min(x.size, sample or x.size) * steps)
    return checks
