"""Deeper and both ways: stacked and bidirectional LSTMs on the verified single cell.

The public contract, as for the single cell:

- :class:`Cell` — one layer's ``W``, ``b``, ``forget_bias``;
- :class:`DeepParams` — a stack of cells (``forward``), optionally a second
  one run backwards in time (``backward``), and the output layer;
- :func:`loss_and_grads`, :func:`run` — the loss and every gradient;
- :mod:`lstmdoc.deep.example` — the article's runs and seeded random examples;
- :func:`verify` — every gradient against finite differences.

Semantics are TensorFlow's ``MultiRNNCell`` and ``bidirectional_dynamic_rnn``,
as in the article's code: two directions are two independent stacks, joined
only at the output layer, which reads the outputs at T, ``[h_fw(T); h_bw(T)]``
(``DeepParams(readout="outputs")``, the article's), or the final states,
``[h_fw(T); h_bw(1)]`` (``readout="states"``, torch's ``h_n``).
"""

from . import example
from .model import DeepRun, loss_and_grads, run
from .params import Cell, DeepParams
from .verification import verify

__all__ = ["Cell", "DeepParams", "DeepRun", "example", "loss_and_grads", "run", "verify"]
