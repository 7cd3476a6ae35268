"""The site's notebooks (docs/_ext/lstmdoc_notebooks.py), executed and compared with their pages.

Each chapter page's notebook, as ``make html`` wrote it into the built site
(``_build/html/_notebooks``, or ``LSTMDOC_SITE``), is run from top to bottom in a fresh
``python3`` kernel (nbclient, ipykernel). Its code cells must be the page's doctest
examples, read here from the page's source with :class:`doctest.DocTestParser`, and
print what the page's doctests expect, compared as Sphinx's doctest compares them.

The notebooks set up what the pages' doctests run with (one BLAS thread, numpy's
printing), so they run here as a reader's would: nothing is set for them. The exercise
notebooks are tested in ``test_exercises.py``.
"""

import doctest
import os
import re
from urllib.parse import urlsplit

import pytest
from notebook_run import DOCS, NOTEBOOKS, built_site, errors, execute, execute_all, shown
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
    return built_site()


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


def mismatch(example, cell):
    """Why the cell's output is not the example's expected output, or None."""
    checker = doctest.OutputChecker()
    flags = FLAGS
    for flag, on in example.options.items():
        flags = flags | flag if on else flags & ~flag
    raised = errors(cell)
    if example.exc_msg is not None:
        if not raised:
            return f"expected {example.exc_msg!r}, no exception"
        got = f"{raised[0].ename}: {raised[0].evalue}\n"
        want = example.exc_msg
        if flags & doctest.IGNORE_EXCEPTION_DETAIL:  # as doctest: the type, not the module
            got, want = (doctest._strip_exception_details(m) for m in (got, want))
        return None if checker.check_output(want, got, flags) else f"raised {got!r}"
    if raised:
        return f"raised {raised[0].ename}: {raised[0].evalue}"
    got = shown(cell)
    if checker.check_output(example.want, got, flags):
        return None
    return checker.output_difference(example, got, flags)


@pytest.fixture(scope="module")
def executed(site, tmp_path_factory):
    """Every page's notebook, run (a few kernels at a time): ``{page: (notebook, error)}``."""
    notebooks = {page: nbformat.read(path, as_version=4) for page, path in PAGES}
    errors = execute_all(notebooks, tmp_path_factory.mktemp("notebooks"))
    return {page: (nb, errors[page]) for page, nb in notebooks.items()}


@pytest.mark.parametrize("page", [p for p, _ in PAGES] or ["(no notebooks)"])
def test_notebook_runs_and_prints_what_its_page_prints(site, executed, page):
    nb, error = executed[page]
    code = [c for c in nb.cells if c.cell_type == "code"][PREAMBLE_CODE_CELLS:]
    expected = expected_cells(page)
    assert [c.source for c in code] == [source for source, _ in expected], \
        "the notebook's code cells are not the page's examples"
    wrong = [f"cell {k}:\n{cell.source}\n{why}"
             for k, (cell, (_, example)) in enumerate(zip(code, expected), 1)
             if (why := mismatch(example, cell))]
    assert not wrong, "\n\n".join(wrong)
    assert error is None, error  # a cell that raised where its page expects no exception


# --- what every notebook holds ----------------------------------------------------------------

MYST_LEFT = re.compile(r"\{(eq|func|class|attr|mod|meth|doc|ref|numref)\}`|```\{|^:::|\$\$ \(",
                       re.M)


def all_notebooks():
    return sorted(NOTEBOOKS.rglob("*.ipynb")) if NOTEBOOKS.is_dir() else []


def test_markdown_cells_are_plain_markdown_with_links_inside_the_site(site):
    """No MyST role or directive is left for Jupyter to show raw; every relative link lands."""
    problems = []
    for path in all_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            problems += [f"{path.name}: MyST left: {m[0]!r}"
                         for m in MYST_LEFT.finditer(cell.source)]
            for url in re.findall(r"\]\(([^)\s]+)\)", cell.source):
                if url.startswith("attachment:"):
                    if url.removeprefix("attachment:") not in cell.get("attachments", {}):
                        problems.append(f"{path.name}: no attachment {url}")
                elif not urlsplit(url).scheme and not url.startswith("#"):
                    if not (path.parent / urlsplit(url).path).resolve().is_file():
                        problems.append(f"{path.name}: {url} is not in the site")
    assert all_notebooks() and not problems, "\n".join(problems)


def test_every_chapter_page_links_its_notebook(site):
    """Each page with examples (but the index and the API) offers its notebook for download."""
    chapters = sorted(p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md")
                      if "_generated" not in p.parts and "```{doctest}" in p.read_text("utf-8"))
    chapters = [c for c in chapters if c not in ("index", "api")]
    assert [p for p, _ in PAGES] == chapters
    for page in chapters:
        html = (site / f"{page}.html").read_text(encoding="utf-8")
        href = os.path.relpath(NOTEBOOKS / f"{page}.ipynb", (site / page).parent)
        assert f'download="" href="{href}">Download notebook</a>' in html, page


def test_a_notebook_without_lstmdoc_says_how_to_install_it(site, tmp_path):
    """Where lstmdoc cannot be imported, the first code cell stops with the way to install it."""
    nb = nbformat.read(NOTEBOOKS / "steps" / "dot.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    hide = nbformat.v4.new_code_cell("import sys\nsys.modules['lstmdoc'] = None  # not installed")
    nb.cells = [hide, first]
    execute(nb, tmp_path, allow_errors=True)
    raised = errors(nb.cells[1])
    assert raised and raised[0].ename == "ModuleNotFoundError"
    assert "pip install -e ." in raised[0].evalue and "lstmdoc" in raised[0].evalue
