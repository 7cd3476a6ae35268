"""The large buffers of the fast passes, kept from one call to the next.

A training loop calls :func:`lstmdoc.loss_and_grads` with the same sizes again
and again. Fresh megabyte-sized buffers on every call cost the operating
system's page faults (freed memory is returned and mapped anew each time);
kept, they cost nothing. Each layer of a model (and each direction) has its own
set, one per thread, so concurrent calls never share buffers. Nothing a pass
returns to its caller is a view of them.
"""

import threading

import numpy as np

_kept = threading.local()


def workspace(slot, shapes, dtype):
    """The buffers of ``slot``, kept from the previous call in this thread when the shapes match.

    Parameters
    ----------
    slot : hashable
        Whose buffers: ``("layer", 0)`` for a single cell, one slot per layer
        and direction in a deep model.
    shapes : dict of str to tuple of int
        The buffers' names and shapes.
    dtype : numpy dtype

    Returns
    -------
    dict of ndarray
        Uninitialised buffers of those names and shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmdoc.fast.buffers import workspace
    >>> a = workspace("demo", {"G": (3, 2, 8)}, np.float64)["G"]
    >>> workspace("demo", {"G": (3, 2, 8)}, np.float64)["G"] is a   # same sizes: kept
    True
    """
    sets = getattr(_kept, "sets", None)
    if sets is None:
        sets = _kept.sets = {}
    key = (tuple(shapes.items()), np.dtype(dtype))
    kept = sets.get(slot)
    if kept is None or kept[0] != key:
        sets.pop(slot, None)  # free the old set before allocating the new one
        kept = sets[slot] = (key, {name: np.empty(shape, dtype=dtype)
                                   for name, shape in shapes.items()})
    return kept[1]


def release():
    """Free every buffer :func:`~lstmdoc.fast.buffers.workspace` keeps for this thread."""
    _kept.sets = None
