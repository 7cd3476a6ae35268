"""The output layer, softmax cross-entropy, and Step 1 of the backward pass.

Forward: ``logits = Wy @ h_T + by``, ``probs = softmax(logits)``,
``loss = mean_n -log probs[target_n, n]`` over the examples n (columns).

Step 1 (the article's "Feed-Forward Network layer"): ``dlogits``, ``dWy``,
``dBy`` and the gradient the output layer sends into ``h_T``.
"""

import numpy as np

from ._validate import shapes


@shapes(h="H,B", Wy="V,H", by="V,1")
def output_forward(h, Wy, by):
    """Logits of the last hidden state.

    Parameters
    ----------
    h : ndarray of shape (H, B)
    Wy : ndarray of shape (V, H)
    by : ndarray of shape (V, 1)

    Returns
    -------
    logits : ndarray of shape (V, B)
    """
    return Wy @ h + by


def softmax(logits):
    """Column-wise softmax, shifted by the column maximum so large logits cannot overflow.

    Parameters
    ----------
    logits : ndarray of shape (V, B)

    Returns
    -------
    probs : ndarray of shape (V, B)
        Each column sums to 1.
    """
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def cross_entropy(logits, target):
    """Mean softmax cross-entropy over the batch, via a stable log-sum-exp.

    Parameters
    ----------
    logits : ndarray of shape (V, B)
    target : ndarray of int of shape (B,)

    Returns
    -------
    loss : float
    probs : ndarray of shape (V, B)

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.output import cross_entropy
    >>> loss, probs = cross_entropy(np.array([[1000.0], [0.0]]), np.array([1]))
    >>> loss
    1000.0
    """
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    B = logits.shape[1]
    loss = -log_probs[target, np.arange(B)].mean()
    return float(loss), np.exp(log_probs)


@shapes(probs="V,B", target="B")
def dlogits(probs, target):
    """Gradient of the mean cross-entropy with respect to the logits: ``(ŷ − y) / B``.

    Softmax and cross-entropy differentiated together; ``y`` is the one-hot
    target, and ``1/B`` comes from the mean over the batch.

    Parameters
    ----------
    probs : ndarray of shape (V, B)
        ŷ, the softmax of the logits.
    target : ndarray of int of shape (B,)

    Returns
    -------
    dlogits : ndarray of shape (V, B)
    """
    B = probs.shape[1]
    d = probs.copy()
    d[target, np.arange(B)] -= 1
    return d / B


@shapes(dlogits="V,B", h="H,B")
def dWy(dlogits, h):
    """``dWy = dlogits @ h_Tᵀ`` (summed over the batch by the product).

    Parameters
    ----------
    dlogits : ndarray of shape (V, B)
    h : ndarray of shape (H, B)
        The last hidden state ``h_T``.

    Returns
    -------
    dWy : ndarray of shape (V, H)
    """
    return dlogits @ h.T


@shapes(dlogits="V,B")
def dBy(dlogits):
    """``dBy = Σ_n dlogits[:, n]``, a sum over the examples n (columns).

    Parameters
    ----------
    dlogits : ndarray of shape (V, B)

    Returns
    -------
    dBy : ndarray of shape (V, 1)
    """
    return dlogits.sum(axis=1, keepdims=True)


@shapes(dlogits="V,B", Wy="V,H")
def dh_output(dlogits, Wy):
    """The gradient the output layer sends into ``h_T``: ``Wyᵀ @ dlogits``.

    The article draws this as ``(ŷ − y)·Wy``; with ``Wy`` of shape (V, H) the
    product that has the shape of ``h`` is ``Wyᵀ (ŷ − y)``.

    Parameters
    ----------
    dlogits : ndarray of shape (V, B)
    Wy : ndarray of shape (V, H)

    Returns
    -------
    dh : ndarray of shape (H, B)
    """
    return Wy.T @ dlogits
