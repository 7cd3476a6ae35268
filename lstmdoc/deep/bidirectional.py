"""Two directions (TensorFlow's ``bidirectional_dynamic_rnn``): the alignment in time.

The backward stack runs over ``x_T … x_1``: its processing step k, counted
from 0, reads ``x_{T-k}`` (index ``T-1-k``). Its outputs are put back in the original order,
so that ``h_bw(t)`` is its state after reading ``x_T … x_t``, and the output
layer reads ``[h_fw(T); h_bw(T)]``. ``h_bw(T)`` has read ``x_T`` only: it is the
state after the backward stack's *first* step. So the backward half of the
output layer's gradient enters the backward stack at its first processing step,
and none of its later steps (which read ``x_{T-1} … x_1``) can reach the loss.

One function does every conversion between the two orders, because reversing
time is its own inverse: the input, the outputs, and the gradients.
"""

from ..bptt import per_step


def flip_time(a):
    """``a`` with its time axis (the first) reversed: original ↔ processing order.

    Parameters
    ----------
    a : ndarray of shape (T, ...)

    Returns
    -------
    ndarray of shape (T, ...)
        A view, ``a[::-1]``.
    """
    return a[::-1]


def at_last_step(dh, T):
    """The output layer's gradient, one per step in original time: zeros, then ``dh`` at T.

    The same as the single cell's (:func:`lstmdoc.bptt.per_step`); named here
    for where the backward stack's half enters.

    Parameters
    ----------
    dh : ndarray of shape (H, B)
    T : int

    Returns
    -------
    ndarray of shape (T, H, B)
    """
    return per_step(dh, T)  # the single cell's many-to-one gradient, as BPTT takes it


def split_rows(dh, H_fw):
    """Split the output layer's gradient ``Wyᵀ dlogits`` into its forward and backward halves.

    Parameters
    ----------
    dh : ndarray of shape (H_fw + H_bw, B) or (T, H_fw + H_bw, B)
        Rows in the order of ``Wy``'s columns: forward, then backward (one
        such matrix per step with a leading T axis).
    H_fw : int

    Returns
    -------
    dh_fw : ndarray of shape ([T,] H_fw, B)
    dh_bw : ndarray of shape ([T,] H_bw, B)
    """
    return dh[..., :H_fw, :], dh[..., H_fw:, :]
