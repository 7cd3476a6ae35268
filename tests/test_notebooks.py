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


# --- what every notebook holds ----------------------------------------------------------------

MYST_LEFT = re.compile(r"\{(eq|func|class|attr|mod|meth|doc|ref|numref)\}`|```\{|^:::|\$\$ \(", re.M)


def all_notebooks():
    return sorted(NOTEBOOKS.rglob("*.ipynb")) if NOTEBOOKS.is_dir() else []


def test_markdown_cells_are_plain_markdown_with_links_inside_the_site(site):
    """No MyST role or directive is left for Jupyter to show raw; every relative link lands."""
    problems = []
    for path in all_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            problems += [f"{path.name}: MyST left: {m[0]!r}" for m in MYST_LEFT.finditer(cell.source)]
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
    """Run where lstmdoc cannot be imported, the first code cell stops with the way to install it."""
    nb = nbformat.read(NOTEBOOKS / "steps" / "dot.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    hide = nbformat.v4.new_code_cell("import sys\nsys.modules['lstmdoc'] = None  # as if not installed")
    nb.cells = [hide, first]
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "ModuleNotFoundError"
    assert "pip install -e ." in errors[0].evalue and "lstmdoc" in errors[0].evalue


# --- the exercises (docs/_ext/lstmdoc_exercises.py) ------------------------------------------

EXERCISES = NOTEBOOKS / "exercises"
# A classic mistake in each function (the body replacing `raise NotImplementedError`), and
# what the grader must call it.
MISTAKES = {
    "dlogits": ("y = np.zeros_like(probs)\ny[target, np.arange(probs.shape[1])] = 1\n"
                "return probs - y", "the 1/B mean forgotten"),
    "dWy": ("return h @ dlogits.T", "the transpose of the expected array"),
    "dBy": ("return dlogits.sum(axis=1)", "the right numbers in the wrong shape"),
    "dh_output": ("return -(Wy.T @ dlogits)", "the sign flipped"),
    "dHt": ("return dh_out", "the dh_next term forgotten"),
    "dOt": ("return dh * cache.tanh_c", "σ' missing"),
    "dCt": ("return dh * cache.o * (1 - cache.tanh_c**2)", "the dc_next term forgotten"),
    "dCprojt": ("return dc * cache.i", "tanh' missing"),
    "dFt": ("return dc * cache.c_prev", "σ' missing"),
    "dIt": ("return dc * cache.cproj", "σ' missing"),
    "dW": ("return cache.z @ da.T", "the transpose of the expected array"),
    "db": ("return -da.sum(axis=1, keepdims=True)", "the sign flipped"),
    "dHX": ("H = W.shape[0] // 4\ndz = W.T @ da\nreturn dz[H:], dz[:H]", "z split as [h; x]"),
    "dC_next": ("return dc", "the factor f_t forgotten"),
    "layernorm_backward": (
        "dx = cache.inv_std * (dy - dy.mean(axis=0, keepdims=True)\n"
        "                      - cache.xhat * (dy * cache.xhat).mean(axis=0, keepdims=True))\n"
        "return dx, (dy * cache.xhat).sum(axis=1, keepdims=True), dy.sum(axis=1, keepdims=True)",
        "the gain forgotten"),
}
SKELETON = re.compile(r"^def (\w+)\((.*?)\):\n(.*)    raise NotImplementedError\(.*\)$", re.S)
OWN = {"layernorm_backward": "lstmdoc.layernorm"}


def exercise_notebooks():
    return sorted(EXERCISES.glob("*.ipynb")) if EXERCISES.is_dir() else []


def filled(cell, body):
    """The skeleton ``cell`` with ``body`` in place of its ``raise NotImplementedError``."""
    name, args, head = SKELETON.match(cell.source).groups()
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return nbformat.v4.new_code_cell(f"def {name}({args}):\n{head}{lines}".rstrip("\n"))


def own_body(name, args):
    """A body that returns lstmdoc's own function's result."""
    module = OWN.get(name, "lstmdoc.output" if name in ("dlogits", "dWy", "dBy", "dh_output")
                     else "lstmdoc.cell_backward")
    names = ", ".join(a.split("=")[0].strip() for a in args.split(","))
    return f"import {module}\nreturn {module}.{name}({names})"


def graded_output(cell):
    assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
    return shown(cell)


@pytest.mark.parametrize("path", exercise_notebooks() or ["(no exercises)"],
                         ids=lambda p: getattr(p, "stem", p))
def test_exercise_as_shipped_with_lstmdoc_s_functions_and_with_a_mistake(site, path, tmp_path,
                                                                         quiet_blas):
    """One kernel runs the notebook as shipped, then each function filled with lstmdoc's own
    (graded ok), with a classic mistake (named), and with a wrong signature (the grader's
    message, not a traceback)."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    skeletons = [k for k, c in enumerate(cells) if c.cell_type == "code" and SKELETON.match(c.source)]
    assert skeletons and all(cells[k + 1].source.startswith("grade(") for k in skeletons)
    extra = []
    for k in skeletons:
        name, args, _ = SKELETON.match(cells[k].source).groups()
        grade = nbformat.v4.new_code_cell(f"grade({name})")
        extra += [filled(cells[k], own_body(name, args)), grade,
                  filled(cells[k], MISTAKES[name][0]), grade,
                  nbformat.v4.new_code_cell(f"def {name}():\n    return None"), grade]
    nb.cells = cells + [nbformat.v4.new_code_cell(c.source) for c in extra]
    execute(nb, tmp_path)
    shipped, tried = nb.cells[:len(cells)], nb.cells[len(cells):]
    assert all(not [o for o in c.outputs if o.output_type == "error"]
               for c in shipped if c.cell_type == "code")
    for k in skeletons:
        name = SKELETON.match(shipped[k].source)[1]
        assert graded_output(shipped[k + 1]) == (
            f"Still to be written: {name} (its body is still `raise NotImplementedError`).\n")
    if len(skeletons) > 1:  # the last cell grades them all
        names = ", ".join(SKELETON.match(shipped[k].source)[1] for k in skeletons)
        assert graded_output(shipped[-1]).endswith(f"Still to be written: {names} (its body "
                                                   "is still `raise NotImplementedError`).\n")
    for j, k in enumerate(skeletons):
        name = SKELETON.match(shipped[k].source)[1]
        right, wrong, signature = (graded_output(tried[6 * j + m]) for m in (1, 3, 5))
        assert right.startswith(f"ok    {name} ") and "matches at all" in right, right
        assert right.count("\n") == 1, right
        assert right.startswith("ok") and wrong.startswith("WRONG"), wrong
        assert f"likely mistake: {MISTAKES[name][1]}" in wrong, wrong
        assert "signature differs" in signature and "Traceback" not in signature, signature
