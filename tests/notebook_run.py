"""What the notebook tests share: where the built site's notebooks are, and running one.

The notebooks are the ones ``make html`` wrote into the built site (``_build/html/_notebooks``,
or under ``LSTMDOC_SITE``). Without a built site the tests skip and say why; with
``LSTMDOC_REQUIRE_BROWSER=1`` (CI, which builds the site first) they fail instead.
"""

import asyncio
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SITE = Path(os.environ.get("LSTMDOC_SITE", ROOT / "_build" / "html")).resolve()
NOTEBOOKS = SITE / "_notebooks"
REQUIRE = os.environ.get("LSTMDOC_REQUIRE_BROWSER") == "1"
# Kernels run at once: a kernel spends much of its time starting and importing, so two on
# two cores finish sooner than one after the other. LSTMDOC_NOTEBOOK_JOBS=1: one at a time.
JOBS = int(os.environ.get("LSTMDOC_NOTEBOOK_JOBS", os.cpu_count() or 1))


def built_site():
    """The site, or skip (fail in CI) when it has not been built with its notebooks."""
    if not (SITE / "index.html").is_file() or not NOTEBOOKS.is_dir():
        reason = f"no built site with notebooks at {SITE} (run `make html`, or set LSTMDOC_SITE)"
        if REQUIRE:
            pytest.fail(f"LSTMDOC_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return SITE


def execute(nb, cwd, allow_errors=False):
    """Run ``nb`` in a fresh python3 kernel in ``cwd``, as a reader's Run All would."""
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=900, allow_errors=allow_errors,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def execute_all(notebooks, folder):
    """Run each of ``{key: notebook}``, in a fresh kernel in a folder of its own under
    ``folder``, :data:`JOBS` at a time; ``{key: None, or the exception it raised}``."""
    from nbclient import NotebookClient

    async def run(k, key, nb, slots):
        async with slots:
            cwd = folder / f"nb{k}"
            cwd.mkdir()
            client = NotebookClient(nb, kernel_name="python3", timeout=900,
                                    resources={"metadata": {"path": str(cwd)}})
            try:
                await client.async_execute()
            except Exception as exc:  # noqa: BLE001  (reported by the notebook's own test)
                return key, exc
            return key, None

    async def run_all():
        slots = asyncio.Semaphore(JOBS)
        return await asyncio.gather(*(run(k, key, nb, slots)
                                      for k, (key, nb) in enumerate(notebooks.items())))

    return dict(asyncio.run(run_all()))


def shown(cell):
    """What a doctest would have read from the cell: its stdout and its result's repr."""
    out = []
    for output in cell.outputs:
        if output.output_type == "stream" and output.name == "stdout":
            out.append(output.text)
        elif output.output_type == "execute_result":
            out.append(output.data["text/plain"] + "\n")
    return "".join(out)


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]
