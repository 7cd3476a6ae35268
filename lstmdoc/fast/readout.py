"""The output layer in the fast pass: softmax cross-entropy over rows, and its gradients.

Step 1 of the backward pass (:mod:`lstmdoc.output`) on rows, for any number R
of them at once: the B last states of a many-to-one model, or the T·B states
of every step when every step predicts, each product then one matrix product
over all of them.
"""

import numpy as np


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
