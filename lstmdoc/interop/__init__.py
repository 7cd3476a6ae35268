"""Weights and gradients to and from PyTorch's and TensorFlow's LSTM layouts.

Four layouts of the same cell (D input, H hidden, V classes), each declared
once in :data:`lstmdoc.layouts.spec.LAYOUTS`:

- lstmdoc: ``W`` (4H, D+H), row blocks f, i, cproj, o, columns x then h;
  ``b`` (4H, 1); ``forget_bias`` added to the f block at run time.
- PyTorch ``nn.LSTM``: ``weight_ih_l0`` (4H, D) and ``weight_hh_l0`` (4H, H),
  row blocks i, f, g, o; two biases ``bias_ih_l0`` and ``bias_hh_l0`` (4H,),
  always added together; no forget bias.
- TensorFlow ``LSTMCell``/``LayerNormBasicLSTMCell`` (``layer_norm=False``):
  ``kernel`` (D+H, 4H), rows x then h, column blocks i, j, f, o; ``bias``
  (4H,); ``forget_bias`` (default 1.0) added at run time.
- Keras ``LSTM``: ``kernel`` (D, 4H) and ``recurrent_kernel`` (H, 4H), column
  blocks i, f, c, o; ``bias`` (4H,); no forget bias at run time
  (``unit_forget_bias`` only initialises the bias).

The output layer: lstmdoc's ``Wy`` (V, H) is ``nn.Linear(H, V).weight``, and
the transpose of a Keras/TensorFlow ``Dense`` kernel (H, V).

PyTorch's stacks (``num_layers=L``) and one-layer bidirectional LSTMs convert
to and from :class:`lstmdoc.deep.DeepParams`. One module per framework
(``torch`` and ``torch_grads``, ``tensorflow``); only numpy is imported here,
torch only inside the functions that make or need tensors.
"""

from .layout import KERAS_ORDER, TF_ORDER, TORCH_ORDER
from .tensorflow import from_keras, from_tf_cell, to_keras, to_tf_cell
from .torch import from_torch, to_torch
from .torch_grads import grads_from_torch, grads_to_torch, to_torch_inputs

__all__ = ["from_torch", "to_torch", "to_torch_inputs", "grads_from_torch", "grads_to_torch",
           "from_tf_cell", "to_tf_cell", "from_keras", "to_keras",
           "TORCH_ORDER", "TF_ORDER", "KERAS_ORDER"]
