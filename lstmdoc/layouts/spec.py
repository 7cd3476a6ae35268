"""Each convention for storing an LSTM cell, declared once, as data.

D input size, H hidden size, V classes, B examples, T time steps. A layout
says where each of lstmdoc's arrays goes: the gate order, whether weights are
``(4H, in)`` (``W @ z``) or ``(in, 4H)`` (``z @ W``), one matrix over ``z`` or
one for x and one for h, one array per gate or the four stacked, where the
bias sits, whether a forget bias is added at run time, and the axes of the
inputs and states. :mod:`lstmdoc.layouts.convert` reads nothing else.
"""

import difflib
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Layout:
    """One layout of the LSTM cell (and of an output layer, if it has one).

    Attributes
    ----------
    name : str
        The name :func:`get` knows it by.
    title : str
        Whose layout it is.
    gates : str
        The order of the four gate blocks, by letter (``g`` the candidate).
    orient : str
        ``"out-in"``: weights ``(4H, in)``, used as ``W @ z``; ``"in-out"``: ``(in, 4H)``.
    weights : str
        ``"joint"``: one matrix over ``z``; ``"split"``: one for x, one for h.
    per_gate : bool
        One array per gate, the gate's name in the array's name.
    z : str
        The order of x and h in a joint matrix: ``"xh"`` or ``"hx"``.
    bias : str
        ``"vector"``; ``"first row"`` of the joint matrix, over ``z = [1; x; h]``;
        ``"two"``, two vectors that are added (PyTorch's).
    column : bool
        Biases are columns ``(4H, 1)``, ``(V, 1)``; else ``(4H,)``, ``(V,)``.
    forget_bias : bool
        A forget bias is added at run time; otherwise it lives in the bias.
    sequence : str
        The axes of the inputs, from T, D (or H for states over time) and B.
    state : str
        The axes of an initial state: ``"HB"``, ``"BH"``, or ``"LBH"`` (a layer axis).
    output : str or None
        The output layer's weights: ``"VH"`` (``Wy @ h``), ``"HV"``; None: none.
    names : mapping
        Role → name: ``W`` (joint) or ``Wx``, ``Wh``; ``b`` (and ``b2``);
        ``Wy``, ``by``; ``x``, ``h0``, ``c0``; ``h``, ``c`` (the states over time).
        Per gate, ``{g}`` stands for the gate's name.
    gate_names : str
        The names of f, i, g, o (in that order) inside ``names``.
    grad_prefix : str
        Put before a name for its gradient (``"d"``: ``dWx``).
    stacking : str
        How several layers (or two directions) are built in it.
    """

    name: str
    title: str
    gates: str
    orient: str
    weights: str
    per_gate: bool
    z: str
    bias: str
    column: bool
    forget_bias: bool
    sequence: str
    state: str
    output: str | None
    names: MappingProxyType = field(repr=False)
    gate_names: str = "figo"
    grad_prefix: str = "d"
    stacking: str = ""

    def name_of(self, role, gate=None):
        """The name of ``role`` (for one gate, by letter, in a per-gate layout)."""
        template = self.names[role]
        return template.format(g=self.gate_names["figo".index(gate)]) if gate else template


def _layout(**kw):
    kw["names"] = MappingProxyType(kw["names"])
    return Layout(**kw)


_STACKED = dict(per_gate=False, gate_names="figo")
LAYOUTS = {lt.name: lt for lt in (
    _layout(stacking="lstmdoc.deep: a list of cells per direction (TensorFlow's MultiRNNCell)",
            name="lstmdoc", title="lstmdoc (TensorFlow's LayerNormBasicLSTMCell, transposed)",
            gates="figo", orient="out-in", weights="joint", z="xh", bias="vector", column=True,
            forget_bias=True, sequence="TDB", state="HB", output="VH", grad_prefix="",
            names=dict(W="W", b="b", Wy="Wy", by="by", x="X", h0="h0", c0="c0", h="hs", c="cs"),
            **_STACKED),
    _layout(stacking="one layer: feed h to another as its x",
            name="cs231n", title="CS231n, assignment 3 (rnn_layers.py)", gates="ifog",
            orient="in-out", weights="split", z="xh", bias="vector", column=False,
            forget_bias=False, sequence="BTD", state="BH", output=None,
            names=dict(Wx="Wx", Wh="Wh", b="b", x="x", h0="h0", c0="c0", h="h", c="c"), **_STACKED),
    _layout(stacking="one layer: feed Hout to another as its X",
            name="karpathy", title="Karpathy's numpy lstm.py (one matrix WLSTM)", gates="ifog",
            orient="in-out", weights="joint", z="xh", bias="first row", column=False,
            forget_bias=False, sequence="TBD", state="BH", output=None,
            names=dict(W="WLSTM", x="X", h0="h0", c0="c0", h="Hout", c="C"), **_STACKED),
    _layout(stacking="one layer",
            name="deeplearning.ai", title="deeplearning.ai, Sequence Models (parameters dict)",
            gates="figo", orient="out-in", weights="joint", per_gate=True,
            z="hx", bias="vector", column=True, forget_bias=False, sequence="DBT", state="HB",
            output="VH", gate_names="fico",
            names=dict(W="W{g}", b="b{g}", Wy="Wy", by="by", x="x", h0="a0", c0="c0", h="a",
                       c="c")),
    _layout(stacking="one layer (the concise version: nn.LSTM(num_layers=L))",
            name="d2l", title="d2l.ai, LSTM from scratch (per-gate W_x*, W_h*, b_*)",
            gates="ifog", orient="in-out", weights="split", per_gate=True, z="xh",
            bias="vector", column=False, forget_bias=False, sequence="TBD", state="BH",
            output="HV", gate_names="fico", grad_prefix="",
            names=dict(Wx="W_x{g}", Wh="W_h{g}", b="b_{g}", Wy="W_hq", by="b_q", x="inputs",
                       h0="H", c0="C", h="Hs", c="Cs")),
    _layout(stacking="num_layers=L; bidirectional=True (lstmdoc.deep converts a stack, or "
                     "one layer both ways)",
            name="torch", title="PyTorch nn.LSTM and nn.Linear", gates="ifgo", orient="out-in",
            weights="split", z="xh", bias="two", column=False, forget_bias=False, sequence="TBD",
            state="LBH", output="VH", grad_prefix="",
            names=dict(Wx="weight_ih_l0", Wh="weight_hh_l0", b="bias_ih_l0", b2="bias_hh_l0",
                       Wy="weight", by="bias", x="input", h0="h_0", c0="c_0", h="output",
                       c="c"), **_STACKED),
    _layout(stacking="MultiRNNCell; bidirectional_dynamic_rnn",
            name="tf_cell", title="TensorFlow LSTMCell, LayerNormBasicLSTMCell (layer_norm=False)",
            gates="igfo", orient="in-out", weights="joint", z="xh", bias="vector", column=False,
            forget_bias=True, sequence="BTD", state="BH", output="HV", grad_prefix="",
            names=dict(W="kernel", b="bias", Wy="dense_kernel", by="dense_bias", x="inputs",
                       h0="h", c0="c", h="outputs", c="c_t"), **_STACKED),
    _layout(stacking="LSTM layers with return_sequences=True; Bidirectional",
            name="keras", title="Keras LSTM and Dense", gates="ifgo", orient="in-out",
            weights="split", z="xh", bias="vector", column=False, forget_bias=False,
            sequence="BTD", state="BH", output="HV", grad_prefix="",
            names=dict(Wx="kernel", Wh="recurrent_kernel", b="bias", Wy="dense_kernel",
                       by="dense_bias", x="inputs", h0="h", c0="c", h="outputs", c="c_t"),
            **_STACKED),
)}
"""Every layout, by name."""


def get(layout):
    """The :class:`Layout` named ``layout`` (a Layout is returned as it is).

    Raises
    ------
    ValueError
        For a name that no layout has, with the closest ones.
    """
    if isinstance(layout, Layout):
        return layout
    if not isinstance(layout, str):
        raise TypeError(f"layout must be a layout's name or a Layout, got {type(layout).__name__}")
    if layout not in LAYOUTS:
        close = difflib.get_close_matches(layout.lower(), LAYOUTS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ValueError(f"no layout named {layout!r}: {hint}(one of {', '.join(LAYOUTS)})")
    return LAYOUTS[layout]


def shapes(layout):
    """Each role's shape in ``layout``, in letters: ``{"Wx": "(D, 4H)", ...}``.

    Examples
    --------
    >>> from lstmdoc.layouts import shapes
    >>> shapes("karpathy")["W"], shapes("deeplearning.ai")["W"]
    ('(1+D+H, 4H)', '(H, H+D)')
    """
    lt = get(layout)
    n = "H" if lt.per_gate else "4H"
    ins = {"W": "+".join((["1"] if lt.bias == "first row" else []) + list(lt.z.upper()
                         .replace("X", "D"))), "Wx": "D", "Wh": "H"}
    out = {r: _pair(n, ins[r], lt.orient == "in-out") for r in ins if r in lt.names}
    out.update({r: f"({n}, 1)" if lt.column else f"({n},)" for r in ("b", "b2") if r in lt.names})
    if lt.output:
        out["Wy"] = _pair("V", "H", lt.output == "HV")
        out["by"] = "(V, 1)" if lt.column else "(V,)"
    out["x"] = "(" + ", ".join(lt.sequence) + ")"
    out["h0"] = out["c0"] = "(" + ", ".join(lt.state.replace("L", "1")) + ")"
    out["h"] = out["c"] = "(" + ", ".join(lt.sequence.replace("D", "H")) + ")"
    return out


def _pair(rows, cols, transposed):
    return f"({cols}, {rows})" if transposed else f"({rows}, {cols})"
