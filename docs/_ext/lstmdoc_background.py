"""Sphinx extension: the build's slow checks run in worker processes while the pages are read.

The gradient verification (:mod:`lstmdoc_verify`) takes seconds, and so does
drawing the figures; until both are done the build used one core of two. Here an
extension hands a check to :func:`start` at ``builder-inited``: it runs in a
forked process while the build goes on (figures, then reading the pages), and
the build waits for it

- before reading a page that includes a file the check writes (such a page is
  read last, and read again on every build, since the check may rewrite the file);
- before anything is written (``env-updated``), so a failed check still stops the
  build with no page written, as when it ran in the foreground.

Where ``fork`` is not available (Windows), the check runs at once, in the foreground.
"""

import multiprocessing
import os
import re

from sphinx.errors import SphinxError

_JOBS = "lstmdoc_background_jobs"  # on the app: [(name, process, connection, writes)]
_STARTER = "lstmdoc_background_pid"  # the process that started them: only it can wait


class BackgroundError(SphinxError):
    category = "lstmdoc check failed"


def start(app, name, check, writes=()):
    """Run ``check(app)`` in a worker process; the build waits for it where it must.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    name : str
        What the check is, for messages.
    check : callable
        Called as ``check(app)`` in the worker; raises to fail the build (a
        :class:`~sphinx.errors.SphinxError` keeps its message and category).
    writes : sequence of str
        Paths, relative to the source folder, of the files the check writes
        and pages include: pages that include one wait for the check.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        check(app)
        return
    ours, theirs = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_run, args=(check, app, theirs), name=name, daemon=True)
    process.start()
    theirs.close()
    if getattr(app, _JOBS, None) is None:
        setattr(app, _JOBS, [])
        setattr(app, _STARTER, os.getpid())
    getattr(app, _JOBS).append((name, process, ours, tuple(writes)))


def _run(check, app, connection):
    """In the worker: the check's outcome, sent back as ``None`` or the exception."""
    try:
        check(app)
        outcome = None
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the build
        outcome = error
    try:
        connection.send(outcome)
    except Exception:  # an exception that does not pickle: its message
        connection.send(BackgroundError(f"{type(outcome).__name__}: {outcome}"))
    connection.close()


def wait(app):
    """Wait for every check started; raise the first failure, in the order they were started."""
    jobs = getattr(app, _JOBS, None) or []
    if jobs and getattr(app, _STARTER) != os.getpid():
        return  # a forked reader (-j): the build's own process waits, at env-updated
    failure = None
    while jobs:
        name, process, connection, _ = jobs.pop(0)
        try:
            outcome = connection.recv()
        except EOFError:  # the worker died without a word (killed, out of memory)
            outcome = BackgroundError(f"{name}: the worker process ended with exit code "
                                      f"{process.join() or process.exitcode}")
        process.join()
        if outcome is not None and failure is None:
            failure = outcome
    if failure is not None:
        raise failure if isinstance(failure, SphinxError) else BackgroundError(str(failure))


def _includes(app, docname, writes):
    """Whether the page's source names one of ``writes`` (e.g. in an ``{include}``)."""
    path = app.env.doc2path(docname)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return False
    return any(re.search(re.escape(os.path.basename(w)), text) for w in writes)


def _writes(app):
    return [w for *_, writes in getattr(app, _JOBS, None) or [] for w in writes]


def dependents(app, env, added, changed, removed):
    """``env-get-outdated``: the pages that include a check's file are read again every time."""
    writes = _writes(app)
    return [d for d in env.found_docs if writes and _includes(app, d, writes)]


def read_them_last(app, env, docnames):
    """``env-before-read-docs``: those pages after all others, so the checks have time to run."""
    writes = _writes(app)
    if writes and app.parallel > 1:
        wait(app)  # parallel readers are other processes, which cannot wait for the checks
    elif writes:
        docnames.sort(key=lambda d: _includes(app, d, writes))


def before_reading(app, docname, source):
    """``source-read``: a page that includes a check's file waits for the checks."""
    writes = _writes(app)
    if writes and _includes(app, docname, writes):
        wait(app)


def before_writing(app, env):
    """``env-updated``: nothing is written before every check has passed."""
    wait(app)


def setup(app):
    app.connect("env-get-outdated", dependents)
    app.connect("env-before-read-docs", read_them_last)
    app.connect("source-read", before_reading)
    app.connect("env-updated", before_writing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
