"""Texts as characters, and the longer text lstmdoc ships: the start of *Pride and Prejudice*.

A character model reads and predicts one character at a time: its vocabulary is
the characters the text uses (about 70 for English prose), so every text has
one, and nothing is dropped (case, punctuation, line breaks all count).
"""

from importlib import resources

from .data import number_tokens


def pride_and_prejudice():
    r"""Chapters 1–12 of Jane Austen's *Pride and Prejudice* (1813): 99,906 characters.

    Public domain. The text of Project Gutenberg's eBook #1342 as Debian's
    package ``r-cran-janeaustenr`` 1.0.0 carries it (without Gutenberg's header
    and licence), line breaks included; see ``lstmdoc/data/README.md``.

    Returns
    -------
    str

    Examples
    --------
    >>> from lstmdoc.train import pride_and_prejudice
    >>> text = pride_and_prejudice()
    >>> len(text), text[:56]
    (99906, 'Chapter 1\n\n\nIt is a truth universally acknowledged, that')
    """
    path = resources.files("lstmdoc") / "data" / "pride_and_prejudice.txt"
    return path.read_text(encoding="utf-8")


def tokenize_chars(text):
    """Number the characters of ``text``: every character is a token.

    Parameters
    ----------
    text : str

    Returns
    -------
    Corpus
        ``tokens``, an int ndarray of shape (N,), indexes ``vocab``, the
        sorted unique characters.

    Raises
    ------
    ValueError
        If the text has fewer than two characters (nothing to predict).

    Examples
    --------
    >>> from lstmdoc.train import tokenize_chars
    >>> tokens, vocab = tokenize_chars("a cab")
    >>> tokens, vocab
    (array([1, 0, 3, 1, 2]), (' ', 'a', 'b', 'c'))
    """
    return number_tokens(text, list, "characters")
