"""What the frameworks' converters share: the gate orders, and checks of their arguments."""

from .. import _validate as check
from ..layouts import LAYOUTS, models
from ..params import LSTMParams

# Each framework's gate blocks, by letter (g the candidate): the order its arrays hold them in.
TORCH_ORDER = LAYOUTS["torch"].gates     # "ifgo"
TF_ORDER = LAYOUTS["tf_cell"].gates      # "igfo": TensorFlow's i, j, f, o
KERAS_ORDER = LAYOUTS["keras"].gates     # "ifgo": Keras's i, f, c, o


def check_params(params):
    """An :class:`~lstmdoc.LSTMParams` without layer norm: what the frameworks' layouts hold."""
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params must be an LSTMParams, got {type(params).__name__}")
    models.check_params(params)


def gate_array(name, a, ndim, fourH=None, axis=-1, meaning=""):
    """Check a float array whose gate axis ``axis`` has ``fourH`` entries (or a multiple of 4)."""
    a = check.float_array(name, a, ndim)
    n = a.shape[axis]
    if n % 4 or (fourH is not None and n != fourH):
        want = f"{fourH}" if fourH is not None else "a multiple of 4"
        raise ValueError(f"{name} must have shape {meaning}; its gate axis has {n} entries, "
                         f"expected {want}")
    return a
