"""What the notebook tests share: where the built site's notebooks are, and running one.

The notebooks are the ones ``make html`` wrote into the built site (``_build/html/_notebooks``,
or under ``LSTMDOC_SITE``). Without a built site the tests skip and say why; with
``LSTMDOC_REQUIRE_BROWSER=1`` (CI, which builds the site first) they fail instead.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SITE = Path(os.environ.get("LSTMDOC_SITE", ROOT / "_build" / "html")).resolve()
NOTEBOOKS = SITE / "_notebooks"
REQUIRE = os.environ.get("LSTMDOC_REQUIRE_BROWSER") == "1"


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
