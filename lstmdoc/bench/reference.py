"""What lstmdoc is compared with: the same model's training step in PyTorch, or lstmdoc's plain cell.

Each torch step is ``nn.LSTM`` (with the model's layers and directions), a
linear output layer and mean cross-entropy, then ``backward()``, on the case's
sizes and dtype, from torch's own initial weights (the time of a step does not
depend on the values). :func:`torch_kernels` records what torch actually ran,
from its profiler: on CPU in float32, ``nn.LSTM`` can run oneDNN's fused LSTM
kernels rather than one matrix product per step.
"""

import warnings

from .cases import lstmdoc_step, shape, single

NAMES = {"plain": "nn.LSTM", "stacked": "nn.LSTM(num_layers=2)",
         "bidirectional": "nn.LSTM(bidirectional=True), out[-1]",
         "every step": "nn.LSTM, CE at every step"}
"""The torch model of each case's model, as the tables name it."""


def torch_step(case, torch):
    """The case's model in torch: one training step (forward, loss, ``backward()``)."""
    T, D, H, V, B = shape(case)
    dtype = getattr(torch, case.dtype)
    bidirectional = case.model == "bidirectional"
    lstm = torch.nn.LSTM(D, H, num_layers=2 if case.model == "stacked" else 1,
                         bidirectional=bidirectional, dtype=dtype)
    out_layer = torch.nn.Linear(2 * H if bidirectional else H, V, dtype=dtype)
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(T, B, D, dtype=dtype, generator=gen, requires_grad=True)
    every = case.model == "every step"
    target = torch.randint(0, V, (T * B,) if every else (B,), generator=gen)

    def step():
        lstm.zero_grad()
        out_layer.zero_grad()
        X.grad = None
        out, _ = lstm(X)  # out[-1] is [h_fw(T); h_bw(T)] for two directions
        logits = out_layer(out.reshape(T * B, -1)) if every else out_layer(out[-1])
        torch.nn.functional.cross_entropy(logits, target).backward()
    return step


def reference_step(case, torch):
    """The step a case is compared with, or None when that is torch and torch is not installed."""
    if case.reference == "lstmdoc plain":
        return lstmdoc_step(single(case.size, case.dtype))
    return None if torch is None else torch_step(case, torch)


def without_onednn(step, torch):
    """``step`` with torch's oneDNN (mkldnn) kernels switched off: its generic CPU path."""
    def generic():
        with warnings.catch_warnings():  # a note about Intel GPUs, irrelevant here
            warnings.simplefilter("ignore", UserWarning)
            with torch.backends.mkldnn.flags(enabled=False):
                step()
    return generic


def torch_kernels(step, torch, calls=3, share=0.05):
    """The operators that took at least ``share`` of ``step``'s own CPU time (torch's profiler).

    Returns
    -------
    list of [str, float]
        Operator name and its share of the step's self CPU time, largest first.
    """
    from torch.profiler import ProfilerActivity, profile

    step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(calls):
            step()
    events = [(e.key, e.self_cpu_time_total) for e in prof.key_averages()]
    total = sum(t for _, t in events) or 1
    return [[name, t / total] for name, t in sorted(events, key=lambda e: -e[1])
            if t / total >= share]
