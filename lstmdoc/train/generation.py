"""Text from a trained word model: predict a word, append it, repeat."""

import numpy as np

from .. import _validate as check
from ..bptt import lstm_forward
from ..output import output_forward, softmax
from .data import WORD, one_hot, positive_int


def generate(params, vocab, prompt_words, n_words, temperature=0, seed=None, context=None):
    """Continue a prompt word by word.

    Each new word comes from running the model over the words so far (the
    last ``context`` of them) from a zero state, as in training.

    Parameters
    ----------
    params : LSTMParams
        A word model: ``D = V = len(vocab)``.
    vocab : sequence of str
        The words the model's classes stand for.
    prompt_words : str or sequence of str
        The start; a str is split into words like :func:`tokenize` does.
    n_words : int
        How many words to add, >= 0.
    temperature : float, default 0
        0: always the most probable word (greedy, deterministic). Above 0: a
        sample from ``softmax(logits / temperature)``; higher is more random.
    seed : int, optional
        Seed of the sampling (ignored when greedy).
    context : int, optional
        Read only the last ``context`` words (the ``T`` the model was trained
        with); all of them when omitted.

    Returns
    -------
    tuple of str
        The ``n_words`` new words.

    Raises
    ------
    ValueError
        For a prompt word not in the vocabulary (naming it and the vocabulary
        size), an empty prompt, or a negative temperature.

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
    if isinstance(n_words, bool) or not isinstance(n_words, (int, np.integer)) or n_words < 0:
        raise ValueError(f"n_words must be an int >= 0, got {n_words!r}")
    temperature = check.finite_scalar("temperature", temperature)
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    context = None if context is None else positive_int("context", context)
    rng = np.random.default_rng(seed)
    tokens = list(prompt)
    for _ in range(n_words):
        logits = next_logits(params, tokens if context is None else tokens[-context:])
        if temperature == 0:
            tokens.append(int(np.argmax(logits)))
        else:
            probs = softmax(logits[:, None] / temperature)[:, 0]
            tokens.append(int(rng.choice(len(vocab), p=probs / probs.sum())))
    return tuple(vocab[k] for k in tokens[len(prompt):])


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


def next_logits(params, read):
    """The logits (V,) of the word after the tokens ``read``, from a zero state, in float64."""
    zeros = np.zeros((params.H, 1), dtype=params.dtype)
    h, _, _ = lstm_forward(params, one_hot(np.array(read)[:, None], params.D, params.dtype),
                           zeros, zeros)
    return output_forward(h, params.Wy, params.by)[:, 0].astype(np.float64)
