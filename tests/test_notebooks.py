"""The site's notebooks (docs/_ext/lstmdoc_notebooks.py), executed and compared with their pages.

Each chapter page's notebook, as ``make html`` wrote it into the built site
(``_build/html/_notebooks``, or ``LSTMDOC_SITE``), is run from top to bottom in a fresh
``python3`` kernel (nbclient, ipykernel). Its code cells must be the page's doctest
examples, read here from the page's source with :class:`doctest.DocTestParser`, and
print what the page's doctests expect, compared as Sphinx's doctest compares them.

Without a built site the tests skip and say why; with ``LSTMDOC_REQUIRE_BROWSER=1``
(CI, which builds the site first) they fail instead.
"""

import doctest
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SITE = Path(os.environ.get("LSTMDOC_SITE", ROOT / "_build" / "html")).resolve()
NOTEBOOKS = SITE / "_notebooks"
REQUIRE = os.environ.get("LSTMDOC_REQUIRE_BROWSER") == "1"
# Sphinx's doctest compares with these flags (its doctest_default_flags).
FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1
DOCTEST_BLOCK = re.compile(r"^```\{doctest\}\n(.*?)^```", re.S | re.M)
# The conversion's own cells, before the page's examples: the title, a line, the setup.
PREAMBLE_CODE_CELLS = 1

nbformat = pytest.importorskip("nbformat")


def page_notebooks():
    """``[(page, notebook path)]`` of the built site, page names relative to docs/."""
    if not NOTEBOOKS.is_dir():
        return []
    return sorted((p.relative_to(NOTEBOOKS).with_suffix("").as_posix(), p)
                  for p in NOTEBOOKS.rglob("*.ipynb") if p.parent.name != "exercises")


PAGES = page_notebooks()


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").is_file() or not PAGES:
        reason = f"no built site with notebooks at {SITE} (run `make html`, or set LSTMDOC_SITE)"
        if REQUIRE:
            pytest.fail(f"LSTMDOC_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return SITE


def expected_cells(page):
    """The page's doctest examples grouped as the notebook's code cells: ``[(source, example)]``,
    each group ending with the example whose output the cell must show."""
    source = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    cells = []
    for block in DOCTEST_BLOCK.findall(source):
        examples = doctest.DocTestParser().get_examples(block)
        group = []
        for example in examples:
            group.append(example)
            if example.want or example.exc_msg is not None or example is examples[-1]:
                cells.append(("".join(e.source for e in group).rstrip("\n"), example))
                group = []
    return cells


def shown(cell):
    """What a doctest would have read from the cell: its stdout and its result's repr."""
    out = []
    for output in cell.outputs:
        if output.output_type == "stream" and output.name == "stdout":
            out.append(output.text)
        elif output.output_type == "execute_result":
            out.append(output.data["text/plain"] + "\n")
    return "".join(out)


def mismatch(example, cell):
    """Why the cell's output is not the example's expected output, or None."""
    checker = doctest.OutputChecker()
    flags = FLAGS
    for flag, on in example.options.items():
        flags = flags | flag if on else flags & ~flag
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if example.exc_msg is not None:
        if not errors:
            return f"expected {example.exc_msg!r}, no exception"
        got = f"{errors[0].ename}: {errors[0].evalue}\n"
        want = example.exc_msg
        if flags & doctest.IGNORE_EXCEPTION_DETAIL:  # as doctest: the type, not the module
            got, want = (doctest._strip_exception_details(m) for m in (got, want))
        return None if checker.check_output(want, got, flags) else f"raised {got!r}"
    if errors:
        return f"raised {errors[0].ename}: {errors[0].evalue}"
    got = shown(cell)
    if checker.check_output(example.want, got, flags):
        return None
    return checker.output_difference(example, got, flags)


def execute(nb, cwd):
    """Run ``nb`` in a fresh python3 kernel in ``cwd``, as a reader's Run All would."""
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=900,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


@pytest.fixture
def quiet_blas(monkeypatch):
    """The Makefile's setting, so that the last printed digits are the page's."""
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("MKL_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.mark.parametrize("page", [p for p, _ in PAGES] or ["(no notebooks)"])
def test_notebook_runs_and_prints_what_its_page_prints(site, page, tmp_path, quiet_blas):
    nb = nbformat.read(NOTEBOOKS / f"{page}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"][PREAMBLE_CODE_CELLS:]
    expected = expected_cells(page)
    assert [c.source for c in code] == [source for source, _ in expected], \
        "the notebook's code cells are not the page's examples"
    execute(nb, tmp_path)
    code = [c for c in nb.cells if c.cell_type == "code"][PREAMBLE_CODE_CELLS:]
    wrong = [f"cell {k}:\n{cell.source}\n{why}"
             for k, (cell, (_, example)) in enumerate(zip(code, expected), 1)
             if (why := mismatch(example, cell))]
    assert not wrong, "\n\n".join(wrong)
