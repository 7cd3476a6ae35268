"""The figures of the part "Every step predicts": where the gradient enters, how far back it
reaches in a chunk, and three optimizers on one model. Every number comes from a real run."""

import matplotlib.pyplot as plt
import numpy as np

import lstmdoc
import lstmdoc.train as lt

from .cell_diagram import ACCENT, GREY, INK
from .step_plots import SECOND, panels, per_step, title_left

CHAR_MODEL = {"H": 32, "T": 24, "B": 16, "updates": 40}
"""The small character model the Long texts figure reads: trained for ``updates`` Adam steps."""
RACE = {"H": 32, "T": 10, "B": 16, "updates": 80}
"""The Optimizers figure: one model, one sequence of chunks, three optimizers."""
OPTIMIZERS = {"SGD (lr 1)": lambda: lt.SGD(1.0), "momentum (lr 0.1, μ 0.9)": lambda: lt.SGD(0.1, 0.9),
              "Adam (lr 0.01)": lambda: lt.Adam(0.01)}


def entering(single, every):
    """Two panels: ‖dh_out‖ and ‖dh_next‖ at every step, many-to-one and every step predicting."""
    fig, axes = panels()
    for ax, r, title in ((axes[0], single, "one prediction, after t = T"),
                         (axes[1], every, "a prediction at every step (ragged mask)")):
        dh_next = [np.linalg.norm(g.dh_prev) for g in r.steps[1:]] + [0.0]
        per_step(ax, {"dh_out": np.linalg.norm(r.dh_out, axis=(1, 2)), "dh_next": dh_next}, title)
    return fig


def char_model(text, settings=CHAR_MODEL):
    """A character model trained for a few Adam steps on ``text``; its tokens, vocab, streams."""
    tokens, vocab = lt.tokenize_chars(text)
    streams = lt.make_streams(tokens, settings["B"], settings["T"])
    params, opt = lt.init_params(len(vocab), settings["H"]), lt.Adam(0.01)
    for k, step in zip(range(settings["updates"]), lt.tbptt(params, streams, opt, 1, clip=5.0)):
        params = step.params
    return params, tokens, vocab


def reach_back(params, tokens, T, chunks=3):
    """``‖∂L_last/∂h_t‖`` for every t of ``chunks·T`` tokens: the loss of the last prediction only,
    differentiated through the whole sequence (what the cut removes is everything before the last chunk)."""
    n = chunks * T
    X = lt.one_hot(tokens[:n, None], params.D)
    target = tokens[1:n + 1, None]
    mask = np.zeros((n, 1))
    mask[-1] = 1  # only the last step's loss
    r = lstmdoc.run(params, X, target, target_mask=mask)
    return np.array([np.linalg.norm(g.dHt) for g in r.steps])


def cut(norms, T):
    """The figure of :func:`reach_back`: full BPTT, and what truncated BPTT keeps (the last chunk)."""
    fig, ax = plt.subplots(figsize=(9.6, 3.0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5, colors=INK)
    t = np.arange(1, len(norms) + 1)
    ax.semilogy(t, norms, color=GREY, lw=1.2, label="full BPTT over all three chunks")
    kept = t > len(norms) - T
    ax.semilogy(t[kept], norms[kept], color=ACCENT, lw=2.2,
                label="truncated BPTT: the last chunk only (0 before its first step)")
    for start in range(T, len(norms), T):
        ax.axvline(start + 0.5, color=INK, lw=0.8, ls="--")
    ax.set_xlabel("time step t", fontsize=9, color=INK)
    ax.set_ylabel("‖∂L_last / ∂h_t‖", fontsize=9, color=INK)
    ax.legend(fontsize=8.5, frameon=False, loc="upper left")
    title_left(ax, f"the last prediction's gradient reaching back; chunks of T = {T} (dashed: the cuts)")
    fig.subplots_adjust(left=0.08, right=0.985, bottom=0.16, top=0.88)
    return fig


def race(text, settings=RACE):
    """``{optimizer: losses}``: the same model and chunks trained by each optimizer (clip 5)."""
    tokens, vocab = lt.tokenize_chars(text)
    streams = lt.make_streams(tokens, settings["B"], settings["T"])
    start = lt.init_params(len(vocab), settings["H"])
    curves = {}
    for name, make in OPTIMIZERS.items():
        steps = lt.tbptt(start, streams, make(), 1, clip=5.0)
        curves[name] = np.array([s.loss for _, s in zip(range(settings["updates"]), steps)])
    return curves


def optimizers(curves, smooth=10):
    """Each optimizer's loss per update (thin) and its running mean (thick)."""
    fig, ax = plt.subplots(figsize=(9.6, 3.0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5, colors=INK)
    for color, (name, losses) in zip((GREY, SECOND, ACCENT), curves.items()):
        k = np.arange(1, len(losses) + 1)
        ax.plot(k, losses, color=color, lw=0.6, alpha=0.6)
        mean = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
        ax.plot(k[smooth - 1:], mean, color=color, lw=2, label=name)
    ax.set_xlabel("update", fontsize=9, color=INK)
    ax.set_ylabel("loss of the chunk (nats per character)", fontsize=9, color=INK)
    ax.legend(fontsize=8.5, frameon=False)
    title_left(ax, "one character model, the same chunks, three optimizers (gradients clipped at 5)")
    fig.subplots_adjust(left=0.08, right=0.985, bottom=0.16, top=0.88)
    return fig
