"""The layouts learners and frameworks store an LSTM in, declared as data, and converters both ways.

The same cell is stored eight ways here: lstmdoc's, CS231n's, Karpathy's
``WLSTM``, deeplearning.ai's ``parameters`` dict, d2l's per-gate arrays,
PyTorch's ``nn.LSTM``, TensorFlow's ``LSTMCell`` and Keras's ``LSTM``. Each is
a :class:`Layout` in :data:`~lstmdoc.layouts.spec.LAYOUTS` (gate order, where x, h and the bias sit,
rows or columns as examples, per-gate arrays, a run-time forget bias or none),
and every converter reads only that description:

- :func:`weights_to`, :func:`weights_from` — the weights (the forget bias
  folded into the bias for layouts without one at run time);
- :func:`grads_to`, :func:`grads_from` — the gradients, inputs' and states' too;
- :func:`results` — lstmdoc's states and gradients for a model given in a
  layout, in that layout, in one call;
- :func:`reorder` — gate blocks by letter, ``reorder(W, "ifog", "figo")``;
- :func:`fold_forget_bias`, :func:`unfold_forget_bias` — the forget bias moved
  into the bias, or out of it.

Sequences and states: :mod:`lstmdoc.layouts.convert`.
"""

from .convert import sequence_from, sequence_to, state_from, state_to
from .gates import LSTMDOC_ORDER, fold_forget_bias, reorder, unfold_forget_bias
from .models import grads_from, grads_to, weights_from, weights_to
from .by_hand import results
from .spec import LAYOUTS, Layout, get, shapes

__all__ = ["LAYOUTS", "Layout", "get", "shapes", "reorder", "LSTMDOC_ORDER", "fold_forget_bias",
           "unfold_forget_bias", "weights_to", "weights_from", "grads_to", "grads_from",
           "results", "sequence_to", "sequence_from", "state_to", "state_from"]
