"""A model's parameters as named arrays: what optimizers, clipping and checkpoints walk over.

Parameters are a frozen dataclass of arrays (:class:`lstmdoc.LSTMParams`), possibly
with a field holding a tuple of cells (:class:`lstmdoc.deep.DeepParams`); gradients
are the dict ``loss_and_grads`` returns, nested the same way. Each array gets a
name: ``"W"``, ``"Wy"``, ``"forward[1].b"``.
"""

import dataclasses

import numpy as np

INPUTS = ("X", "h0", "c0")
"""Keys of a ``grads`` dict that are gradients of inputs, not of parameters: never
updated, never clipped, not part of the norm."""


def parameters(params, grads, prefix=""):
    """Every parameter array that has a gradient: ``[(name, value, gradient), ...]``.

    Parameters
    ----------
    params : LSTMParams, DeepParams, or any frozen dataclass of arrays
    grads : dict
        As :func:`lstmdoc.loss_and_grads` returns it; a field holding a tuple
        of cells takes a tuple of dicts, one per cell.

    Returns
    -------
    list of (str, ndarray, ndarray)
        In the order of the dataclass's fields; names like ``"Wy"`` or
        ``"forward[0].W"``.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.train.optim import parameters
    >>> ex = lstmdoc.example.random()
    >>> _, grads = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    >>> [name for name, _, _ in parameters(ex.params, grads)]
    ['W', 'b', 'Wy', 'by']
    """
    found = []
    for field in dataclasses.fields(params):
        if field.name not in grads or field.name in INPUTS:
            continue
        value = getattr(params, field.name)
        if isinstance(value, tuple):  # cells: one dict of gradients per cell
            for k, (cell, g) in enumerate(zip(value, grads[field.name], strict=True)):
                found += parameters(cell, g, f"{prefix}{field.name}[{k}].")
        else:
            found.append((f"{prefix}{field.name}", value, grads[field.name]))
    return found


def replace(params, values, prefix=""):
    """``params`` with the arrays named in ``values`` replaced (names as :func:`parameters` gives them)."""
    changed = {}
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)
        name = f"{prefix}{field.name}"
        if isinstance(value, tuple):
            changed[field.name] = tuple(replace(cell, values, f"{name}[{k}].")
                                        for k, cell in enumerate(value))
        elif name in values:
            changed[field.name] = values[name]
    return dataclasses.replace(params, **changed)


def every_field(params):
    """A stand-in ``grads`` naming every array field of ``params`` (cells included)."""
    grads = {}
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)
        if isinstance(value, tuple):
            grads[field.name] = tuple(every_field(cell) for cell in value)
        elif isinstance(value, np.ndarray):
            grads[field.name] = value
    return grads
