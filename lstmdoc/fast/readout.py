"""The output layer in the fast pass: the verified functions of Step 1, on rows, without per-call checks.

The fast pass checks its inputs once, in :func:`lstmdoc.loss_and_grads`, so it
calls the undecorated functions (``__wrapped__``) of :mod:`lstmdoc.output`.
"""

from .. import output


def last_step(Wy, by, h, target):
    """The many-to-one output layer: logits of ``h_T``, mean cross-entropy, and its gradients.

    Parameters
    ----------
    Wy : ndarray of shape (V, H)
    by : ndarray of shape (V, 1)
    h : ndarray of shape (B, H)
        ``h_Tᵀ``: the last state, examples as rows.
    target : ndarray of int of shape (B,)

    Returns
    -------
    loss : float
    dWy : ndarray of shape (V, H)
    dby : ndarray of shape (V, 1)
    dh : ndarray of shape (B, H)
        The gradient into ``h_T``, ``(Wyᵀ dlogits)ᵀ``, examples as rows.
    """
    logits = output.output_forward.__wrapped__(h.T, Wy, by)
    loss, probs = output.cross_entropy(logits, target)
    d_logits = output.dlogits.__wrapped__(probs, target)
    return (loss, output.dWy.__wrapped__(d_logits, h.T), output.dBy.__wrapped__(d_logits),
            d_logits.T @ Wy)
