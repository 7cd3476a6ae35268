"""Text from a trained model: predict a token (word or character), append it, repeat."""

import numpy as np

from .. import _validate as check
from ..bptt import hidden_states, lstm_forward
from ..output import output_forward, softmax
from .data import WORD, one_hot, positive_int


def generate(params, vocab, prompt_words, n_words, temperature=0, seed=None, context=None,
             top_k=None):
    """Continue a prompt token by token.

    With ``context``, each new token comes from running the model over the
    last ``context`` tokens from a zero state, as a model trained on windows
    of that many was. Without it, the model reads on from its state, token
    after token, as a model trained by truncated BPTT does (the same numbers
    as rerunning it over everything so far from zeros, in one step per token).

    Parameters
    ----------
    params : LSTMParams or DeepParams
        A model whose input is one-hot tokens: ``D = V = len(vocab)``. A
        bidirectional model cannot generate (it would read the future).
    vocab : sequence of str
        The tokens the model's classes stand for (words, or characters).
    prompt_words : str or sequence of str
        The start; a str is split into words like :func:`tokenize` does. For
        a character model pass the characters, ``list("It is")``.
    n_words : int
        How many tokens to add, >= 0.
    temperature : float, default 0
        0: always the most probable token (greedy, deterministic). Above 0: a
        sample from ``softmax(logits / temperature)``; higher is more random.
    seed : int, optional
        Seed of the sampling (ignored when greedy).
    context : int, optional
        Read only the last ``context`` tokens (the ``T`` a window model was
        trained with); all of them, reading on from the state, when omitted.
    top_k : int, optional
        Sample only among the ``top_k`` most probable tokens (ties with the
        ``top_k``-th are kept); every token when omitted.

    Returns
    -------
    tuple of str
        The ``n_words`` new words.

    Raises
    ------
    ValueError
        For a prompt word not in the vocabulary (naming it and the vocabulary
        size), an empty prompt, a negative temperature, a ``top_k`` outside
        ``[1, V]``, or a bidirectional model.

    Examples
    --------
    >>> import lstmdoc
    >>> from lstmdoc.train import generate
    >>> ex = lstmdoc.example.article()
    >>> generate(ex.params, ex.vocab, "the mice had", 3)  # untrained: one word everywhere
    ('the', 'the', 'the')
    >>> generate(ex.params, ex.vocab, "the cat", 1)
    Traceback (most recent call last):
    ...
    ValueError: prompt word 'cat' is not in the vocabulary (10 words)
    """
    vocab = tuple(vocab)
    prompt = prompt_tokens(params, vocab, prompt_words)
    temperature, context = check_sampling(n_words, temperature, context, top_k, len(vocab))
    rng = np.random.default_rng(seed)
    tokens = list(prompt)
    logits, state = read_on(params, tokens, None) if context is None else (None, None)
    for k in range(n_words):
        if context is not None:  # a window model: the last `context` tokens, from zeros
            logits, _ = read_on(params, tokens[-context:], None)
        elif k:  # reading on: the token just written, from the state
            logits, state = read_on(params, tokens[-1:], state)
        tokens.append(pick(logits, temperature, top_k, rng))
    return tuple(vocab[k] for k in tokens[len(prompt):])


def check_sampling(n_words, temperature, context, top_k, V):
    """Check :func:`generate`'s numbers; return ``temperature`` as a float and ``context``
    as an int (or None)."""
    if isinstance(n_words, bool) or not isinstance(n_words, (int, np.integer)) or n_words < 0:
        raise ValueError(f"n_words must be an int >= 0, got {n_words!r}")
    temperature = check.finite_scalar("temperature", temperature)
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    context = None if context is None else positive_int("context", context)
    if top_k is not None and positive_int("top_k", top_k) > V:
        raise ValueError(f"top_k must be at most V = {V}, got {top_k}")
    return temperature, context


def pick(logits, temperature, top_k, rng):
    """The next token: the most probable (temperature 0), or a sample among the top k."""
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits / temperature
    if top_k is not None:
        z = np.where(z >= np.sort(z)[-top_k], z, -np.inf)
    probs = softmax(z[:, None])[:, 0]
    return int(rng.choice(len(logits), p=probs / probs.sum()))


def prompt_tokens(params, vocab, prompt_words):
    """The prompt's word indices, after checking that ``vocab`` fits the model and holds them."""
    if len(vocab) != params.V or params.D != params.V:
        raise ValueError(f"vocab has {len(vocab)} words but the model reads D = {params.D} and "
                         f"predicts V = {params.V} classes: they must be equal")
    words = (WORD.findall(prompt_words.lower()) if isinstance(prompt_words, str)
             else list(prompt_words))
    if not words:
        raise ValueError("prompt_words must hold at least one word")
    index = {w: k for k, w in enumerate(vocab)}
    for w in words:
        if w not in index:
            raise ValueError(f"prompt word {w!r} is not in the vocabulary ({len(vocab)} words)")
    return [index[w] for w in words]


def read_on(params, read, state):
    """Run the model over the tokens ``read`` from ``state`` (None: zeros).

    Returns
    -------
    logits : ndarray of shape (V,)
        Of the token after the last one read, in float64.
    state : tuple
        ``(h, c)`` after the last one: arrays (H, 1), or for a stack one tuple per layer.
    """
    X = one_hot(np.array(read)[:, None], params.D, params.dtype)
    cells = getattr(params, "cells", None)
    if cells is None:
        h, c = state or (np.zeros((params.H, 1), params.dtype),) * 2
        h, c, _ = lstm_forward(params, X, h, c)
        return output_forward(h, params.Wy, params.by)[:, 0].astype(np.float64), (h, c)
    if params.backward is not None:
        raise ValueError("a bidirectional model cannot generate text: its backward stack reads "
                         "the sequence from its end, the tokens not yet written")
    hs, cs = state or [[np.zeros((cell.H, 1), params.dtype) for cell in cells]] * 2
    new_h, new_c = [], []
    for cell, h, c in zip(cells, hs, cs):  # layer by layer, each reading the one below
        h, c, caches = lstm_forward(cell, X, h, c)
        X = hidden_states(caches)
        new_h.append(h)
        new_c.append(c)
    return output_forward(h, params.Wy, params.by)[:, 0].astype(np.float64), \
        (tuple(new_h), tuple(new_c))
