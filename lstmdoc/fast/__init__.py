"""The fast passes: every model's loss and gradients, computed the way a framework does.

A layer below the models. These kernels take parameters and arrays that are
already checked and know nothing of :func:`lstmdoc.run` or of verification;
:func:`lstmdoc.loss_and_grads` checks its inputs once and calls them, and
:mod:`lstmdoc.fastcheck` verifies them against ``run`` and against finite
differences (the site's build runs it). The page *Making it fast* explains the tricks.

- :mod:`~lstmdoc.fast.layer`: one layer's forward pass over all T steps (the
  plain cell, recurrent dropout, layer norm; either direction in time);
- :mod:`~lstmdoc.fast.bptt`: its backward pass;
- :mod:`~lstmdoc.fast.norm`: layer norm's pieces on rows;
- :mod:`~lstmdoc.fast.readout`: the output layer;
- :mod:`~lstmdoc.fast.passes`: the single-cell model from those pieces;
- :mod:`~lstmdoc.fast.deep`: stacked and bidirectional models, a fast layer per layer and direction;
- :mod:`~lstmdoc.fast.buffers`: the buffers kept between calls.
"""

from .buffers import release
from .deep import loss_and_grads as deep_loss_and_grads
from .passes import loss_and_grads

__all__ = ["deep_loss_and_grads", "loss_and_grads", "release"]
