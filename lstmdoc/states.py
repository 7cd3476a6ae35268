"""Every state of a forward pass, h_1 … h_T and c_1 … c_T, as the pass computed them."""

import numpy as np


def sequences(caches, h, c):
    """``(hs, cs)``, each of shape (T, H, B): ``hs[k]``, ``cs[k]`` are h_t, c_t for t = k + 1.

    Step t + 1 cached what step t produced (the h rows of ``z``, ``c_prev``):
    the values the pass used, not recomputed ones. ``h``, ``c`` are the last
    state, as :func:`lstmdoc.bptt.lstm_forward` returns it.

    Parameters
    ----------
    caches : tuple of CellCache
    h, c : ndarray of shape (H, B)

    Returns
    -------
    hs, cs : ndarray of shape (T, H, B)
    """
    return (np.stack([cache.z[-len(h):] for cache in caches[1:]] + [h]),
            np.stack([cache.c_prev for cache in caches[1:]] + [c]))
