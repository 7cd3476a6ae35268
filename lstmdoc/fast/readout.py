"""The output layer in the fast pass: softmax cross-entropy and its gradients.

The many-to-one model's output layer reads B states: :func:`last_step` calls
the verified functions of Step 1 (:mod:`lstmdoc.output`) without their
per-call checks, so its numbers are ``run``'s to the last bit. When every step
predicts it reads T·B states: :func:`output_layer` computes the same on rows,
each product one matrix product over all of them.
"""

import numpy as np

from .. import output


def last_step(Wy, by, h, target):
    """The many-to-one output layer on ``h_T``: ``(loss, dWy, dby, dh)``.

    ``h`` (B, H) and the returned ``dh`` (B, H) are rows; ``Wy`` (V, H), ``by``
    (V, 1), ``target`` (B,); ``dWy`` (V, H), ``dby`` (V, 1).
    """
    logits = output.output_forward.__wrapped__(h.T, Wy, by)
    loss, probs = output.cross_entropy(logits, target)
    d_logits = output.dlogits.__wrapped__(probs, target)
    return (loss, output.dWy.__wrapped__(d_logits, h.T), output.dBy.__wrapped__(d_logits),
            d_logits.T @ Wy)


def output_layer(Wy, by, h, target, weight=None):
    """Logits of ``R`` hidden states, the (weighted) mean cross-entropy, and its gradients.

    Parameters
    ----------
    Wy : ndarray of shape (V, H)
    by : ndarray of shape (V, 1)
    h : ndarray of shape (R, H)
        The states the output layer reads, as rows.
    target : ndarray of int of shape (R,)
    weight : ndarray of shape (R,), optional
        Each row's weight in the mean (a mask: 0 for padding); the loss is
        ``Σ weight·CE / Σ weight``. None: the plain mean, ``1/R`` each.

    Returns
    -------
    loss : float
    dWy : ndarray of shape (V, H)
    dby : ndarray of shape (V, 1)
    dh : ndarray of shape (R, H)
        ``dlogits Wy``: the gradient into each row of ``h``.
    """
    R = h.shape[0]
    rows = np.arange(R)
    logits = h @ Wy.T  # (R, V)
    logits += by[:, 0]
    logits -= np.maximum.reduce(logits, axis=1, keepdims=True)  # shifted: exp cannot overflow
    probs = np.exp(logits)
    sums = np.add.reduce(probs, axis=1, keepdims=True)
    log_p = logits[rows, target] - np.log(sums[:, 0])  # log ŷ[target] of each row
    probs /= sums
    probs[rows, target] -= 1  # dlogits = (ŷ − y) · weight / Σ weight
    if weight is None:
        loss = -float(np.add.reduce(log_p)) / R
        probs *= 1 / R
    else:
        total = np.add.reduce(weight)
        loss = -float(np.dot(weight, log_p) / total)
        probs *= (weight / total)[:, None]
    return loss, probs.T @ h, np.add.reduce(probs, axis=0)[:, None], probs @ Wy
