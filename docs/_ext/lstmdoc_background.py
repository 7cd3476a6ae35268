"""Sphinx extension: the build's slow work runs in worker processes while the pages are read.

The gradient verification (:mod:`lstmdoc_verify` and others) and drawing the
figures (:mod:`lstmdoc_figures`) take seconds of CPU each; run one after the
other before the first page is read, they left one core of two idle. Here an
extension hands such work to :func:`start` at ``builder-inited``: it runs in a
forked process while the build goes on reading pages, and the build waits for it

- before reading a page whose source names a file the work writes (an
  ``{include}`` of a table, a figure's SVG): such a page is read after all the
  others, and read again on every build in which the work runs, since the work
  may have rewritten the file;
- before anything is written (``env-updated``), so a failed check still stops the
  build with no page written, as when it ran in the foreground.

Where ``fork`` is not available (Windows), the work runs at once, in the foreground.
"""

import multiprocessing
import os
from typing import NamedTuple

from sphinx.errors import SphinxError

_JOBS = "lstmdoc_background_jobs"  # on the app: the Jobs started and not yet waited for
_STARTER = "lstmdoc_background_pid"  # the process that started them: only it can wait
_PARALLEL = "lstmdoc_background_parallel"  # -j, set aside while the pages are read


class BackgroundError(SphinxError):
    category = "lstmdoc check failed"


class Job(NamedTuple):
    name: str
    process: multiprocessing.Process
    connection: object  # the receiving end of the pipe the worker sends its outcome through
    writes: tuple       # paths, relative to the source folder, of what it writes for the pages


def start(app, name, work, writes=()):
    """Run ``work(app)`` in a worker process; the build waits for it where it must.

    Parameters
    ----------
    app : sphinx.application.Sphinx
    name : str
        What the work is, for messages.
    work : callable
        Called as ``work(app)`` in the worker; raises to fail the build (a
        :class:`~sphinx.errors.SphinxError` keeps its message and category).
    writes : sequence of str
        Paths, relative to the source folder, of the files the work writes and
        pages name (a folder ends with ``/``): a page whose source contains one
        of them waits for the work.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        work(app)
        return
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=False)
    # Not a daemon: the figures are drawn by a pool of processes of its own.
    process = context.Process(target=_run, args=(work, app, theirs), name=name)
    process.start()
    theirs.close()
    if getattr(app, _JOBS, None) is None:
        setattr(app, _JOBS, [])
        setattr(app, _STARTER, os.getpid())
    getattr(app, _JOBS).append(Job(name, process, ours, tuple(writes)))


def _run(work, app, connection):
    """In the worker: the work's outcome, sent back as ``None`` or the exception."""
    # Lower priority: the pages the build reads meanwhile (above all the API page's
    # autodoc) are what every later step waits for, so they get a core to themselves;
    # measured, a clean build takes 1.5 to 2 s less (15.0-17.0 s against 16.1-19.0 s).
    os.nice(10)
    try:
        work(app)
        outcome = None
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the build
        outcome = error
    try:
        connection.send(outcome)
    except Exception:  # an exception that does not pickle: its message
        connection.send(BackgroundError(f"{type(outcome).__name__}: {outcome}"))
    connection.close()


def wait(app, jobs=None):
    """Wait for ``jobs`` (by default every job started); raise the first failure, in their order."""
    pending = getattr(app, _JOBS, None) or []
    if not pending or getattr(app, _STARTER) != os.getpid():
        return  # nothing started, or a forked reader (-j): the build's own process waits
    jobs = list(pending) if jobs is None else [job for job in jobs if job in pending]
    failure = None
    for job in jobs:
        pending.remove(job)
        try:
            outcome = job.connection.recv()
        except EOFError:  # the worker died without a word (killed, out of memory)
            job.process.join()
            outcome = BackgroundError(f"{job.name}: the worker process ended with exit code "
                                      f"{job.process.exitcode}")
        job.process.join()
        if outcome is not None and failure is None:
            failure = outcome
    if failure is not None:
        raise failure if isinstance(failure, SphinxError) else BackgroundError(str(failure))


def _needs(app, docname):
    """The jobs, started and not yet waited for, that write a file the page's source names."""
    jobs = getattr(app, _JOBS, None) or []
    if not jobs:
        return []
    try:
        with open(app.env.doc2path(docname), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return []
    return [job for job in jobs if any(path in text for path in job.writes)]


def dependents(app, env, added, changed, removed):
    """``env-get-outdated``: the pages that name a file being rewritten are read again."""
    return [d for d in env.found_docs if _needs(app, d)]


def read_them_last(app, env, docnames):
    """``env-before-read-docs``: those pages after all others, so the work has time to run.

    The pages are read in this process, one after the other, even with ``-j``:
    parallel readers would be other processes, which cannot wait for these
    workers. The workers use the other cores meanwhile; writing (``-j``) is
    parallel again (:func:`before_writing`).
    """
    if app.parallel > 1 and getattr(app, _JOBS, None):
        setattr(app, _PARALLEL, app.parallel)
        app.parallel = 1
    docnames.sort(key=lambda d: bool(_needs(app, d)))


def before_reading(app, docname, source):
    """``source-read``: a page that names a file being written waits for the work writing it."""
    wait(app, _needs(app, docname))


def before_writing(app, env):
    """``env-updated``: nothing is written before all the work has succeeded; then ``-j`` again."""
    wait(app)
    app.parallel = getattr(app, _PARALLEL, app.parallel)


def setup(app):
    app.connect("env-get-outdated", dependents)
    app.connect("env-before-read-docs", read_them_last)
    app.connect("source-read", before_reading)
    app.connect("env-updated", before_writing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
