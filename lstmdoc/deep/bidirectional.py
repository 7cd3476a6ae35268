"""Two directions (TensorFlow's ``bidirectional_dynamic_rnn``): the alignment in time.

The backward stack runs over ``x_T … x_1``: its processing step k, counted
from 0, reads ``x_{T-k}`` (index ``T-1-k``). Its outputs are put back in the
original order, so that ``h_bw(t)`` is its state after reading ``x_T … x_t``.

Which of them the output layer reads is the model's ``readout``
(:class:`~lstmdoc.deep.DeepParams`). ``"outputs"``, the article's: the
outputs at T, ``[h_fw(T); h_bw(T)]``. ``h_bw(T)`` has read ``x_T`` only: it is
the state after the backward stack's *first* step, so the backward half of the
output layer's gradient enters there, and none of its later steps (which read
``x_{T-1} … x_1``) can reach the loss. ``"states"``: the final states,
``[h_fw(T); h_bw(1)]``; ``h_bw(1)`` has read the whole sequence, and the
gradient enters at the backward stack's *last* step, as in a single cell.

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
    """The output layer's gradient, one per step: zeros, then ``dh`` at the last step.

    The same as the single cell's (:func:`lstmdoc.bptt.per_step`); named here
    for where the gradients of a many-to-one readout enter a stack.

    Parameters
    ----------
    dh : ndarray of shape (H, B)
    T : int

    Returns
    -------
    ndarray of shape (T, H, B)
    """
    return per_step(dh, T)  # the single cell's many-to-one gradient, as BPTT takes it


def backward_read(h, readout):
    """The state of the backward stack's top layer that the output layer reads.

    Parameters
    ----------
    h : ndarray of shape (T, H, B)
        The top layer's outputs in processing order (``h[0]`` has read ``x_T``).
    readout : {"outputs", "states"}

    Returns
    -------
    ndarray of shape (H, B)
        ``"outputs"``: ``h_bw(T)``, after the first processing step;
        ``"states"``: ``h_bw(1)``, the final state, after the last one.
    """
    return flip_time(h)[-1] if readout == "outputs" else h[-1]


def backward_entry(dh_bw, readout, T):
    """The backward half of the output layer's gradient, one per processing step.

    It enters where :func:`backward_read` read: at the first processing step
    for ``"outputs"``, at the last one for ``"states"``; zeros elsewhere.

    Parameters
    ----------
    dh_bw : ndarray of shape (H_bw, B)
    readout : {"outputs", "states"}
    T : int

    Returns
    -------
    ndarray of shape (T, H_bw, B)
        In processing order, as the backward stack's BPTT takes it.
    """
    dh_steps = at_last_step(dh_bw, T)  # the final state's: h_bw(1), read by "states"
    return flip_time(dh_steps) if readout == "outputs" else dh_steps


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
