"""What the subcommands share: the exit statuses, the usage error, option checks, the progress bar."""

import sys

from tqdm import tqdm

PROG = "lstmdoc"
EXIT_DIVERGED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 2, 130, 141
EXIT_WORSE = EXIT_DIVERGED
"""A run that ended far worse than it started fails as a diverged one does (but is saved)."""
PROGRESS_DELAY = 1.0
"""How many seconds a run lasts before its progress bar appears (so short runs print none)."""


class UsageError(ValueError):
    """Bad input found after parsing; reported like argparse's own errors (exit status 2)."""


def option(name):
    """The command-line option of a setting: ``batch_size`` is ``--batch-size``."""
    return "--" + name.replace("_", "-")


def check_positive(settings, names):
    """Raise a :class:`UsageError` for the first of ``names`` whose value in ``settings`` is not > 0."""
    for name in names:
        if not settings[name] > 0:
            raise UsageError(f"{option(name)} must be positive, got {settings[name]}")


class ProgressBar:
    """A tqdm bar with the loss, shown once a run has lasted :data:`PROGRESS_DELAY` seconds.

    A context manager, and the ``progress(iteration, loss)`` callback of the training loop;
    ``initial`` updates count as done already (a resumed run), ``more`` follows the loss.
    """

    def __init__(self, iterations, quiet, initial=0):
        self.bar = tqdm(total=iterations, initial=initial, desc="train", unit="it",
                        delay=PROGRESS_DELAY, mininterval=0.2, disable=quiet, file=sys.stderr,
                        dynamic_ncols=True)

    def __enter__(self):
        return self

    def __call__(self, iteration, loss, more=""):
        self.bar.set_postfix_str(f"loss {loss:.4f}{more}", refresh=False)
        self.bar.update()

    def __exit__(self, *exc):
        self.bar.close()
