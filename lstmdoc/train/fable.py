"""The fable run: a word model learns *Belling the Cat* (the Training page's example).

Small enough to train in about a second, big enough to learn the fable by heart.
"""

from typing import NamedTuple

from .data import belling_the_cat
from .fitting import fit_text


class FableSettings(NamedTuple):
    """The hyper-parameters of :func:`fable_run`."""

    H: int = 32            # hidden size
    T: int = 4             # words read before predicting
    batch_size: int = 16   # windows per update
    lr: float = 1.0        # SGD learning rate
    iterations: int = 600
    seed: int = 0          # of the starting weights and of the batch draws


FABLE = FableSettings()


def fable_run(iterations=FABLE.iterations, settings=FABLE):
    """Train a word model on the fable with :func:`fit_text`.

    With the same settings, a shorter run is the start of a longer one: the
    batches are drawn one after another from the same seeded generator.

    Parameters
    ----------
    iterations : int
    settings : FableSettings

    Returns
    -------
    TrainRun
        Its vocabulary is ``tokenize(belling_the_cat()).vocab``.
    """
    run, _ = fit_text(belling_the_cat(), settings.H, settings.T, settings.lr, iterations,
                      batch_size=settings.batch_size, seed=settings.seed)
    return run
