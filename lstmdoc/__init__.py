"""lstmdoc: an LSTM's forward and backward pass, one verified step at a time.

The public contract:

- :class:`LSTMParams` — the cell's and the output layer's weights;
- :func:`loss_and_grads` — the loss and every gradient;
- :func:`run` — the same pass keeping every intermediate, step by step;
- :mod:`lstmdoc.example` — the article's example and a seeded random one;
- :mod:`lstmdoc.gradcheck` — central finite differences for any scalar function;
- :func:`verify` — every gradient of a pass against finite differences;
- :mod:`lstmdoc.layernorm`, :mod:`lstmdoc.dropout` — the whole cell: layer
  norm (``LSTMParams(..., norm_gain=, norm_shift=)``) and recurrent dropout
  (``dropout_mask=`` of :func:`run` and :func:`loss_and_grads`).
- :func:`check` — grade your own step functions (:mod:`lstmdoc.grader`);
- :mod:`lstmdoc.layouts` — the layouts of CS231n, Karpathy, deeplearning.ai, d2l,
  PyTorch, TensorFlow and Keras, and converters both ways;
- :func:`from_torch`, :func:`to_torch` and the other converters of :mod:`lstmdoc.interop`.
"""

from . import dropout, example, gradcheck, layernorm
from .model import Run, loss_and_grads, run
from .params import LSTMParams, split_gates
from .verification import STEP_NAMES, verify
from . import layouts  # after the model: lstmdoc's results in other layouts use it

__all__ = ["LSTMParams", "Run", "dropout", "example", "gradcheck", "layernorm", "layouts", "loss_and_grads", "run",
           "split_gates", "verify", "STEP_NAMES"]
__all__ += ["check", "from_torch", "to_torch", "to_torch_inputs", "grads_from_torch",
            "grads_to_torch", "from_tf_cell", "to_tf_cell", "from_keras", "to_keras"]
__version__ = "0.1.0"


_LAZY = {"check": "grader", **{name: "interop" for name in (
    "from_torch", "to_torch", "to_torch_inputs", "grads_from_torch", "grads_to_torch",
    "from_tf_cell", "to_tf_cell", "from_keras", "to_keras")}}


def __getattr__(name):
    # The grader and the framework converters load on first use: `import lstmdoc` stays
    # quick, and never imports torch (interop imports it only inside its functions).
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'lstmdoc' has no attribute {name!r}")
