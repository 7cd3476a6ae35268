"""Sphinx extension: every chapter page as a Jupyter notebook, linked from the page.

When the HTML builder starts writing (``write-started``: the pages are read and
numbered), each page that has examples (a ``{doctest}`` block), but the index and the API, is
converted by :mod:`myst_notebook` into ``_notebooks/<page>.ipynb`` inside the built
site, and the page gets a "Download notebook" link under its title. The notebook's
first code cell imports lstmdoc, saying how to install it when it is missing, then
sets up what the pages' doctests run with (``doctest_global_setup``), so its code cells
print what the page prints. Cells' outputs are left empty: running them is the
reader's part, and the tests' (``tests/test_notebooks.py``).

Notebooks are written with nbformat (version 4, cell ids numbered, no timestamps), and
only when their bytes change: two builds give identical files, an unchanged notebook
is not touched.
"""

import posixpath
import re
import time
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging

import myst_notebook
from lstmdoc_files import write_if_changed
from notebook_resolver import OUT, Resolver, chapter_title, notebook_path

logger = logging.getLogger(__name__)

# The contents page, and the API reference (autodoc's docstrings, in rST): no notebooks.
NOT_CHAPTERS = {"index", "api"}

# The pages' numbers were computed with one BLAS thread (the Makefile's setting): with more,
# the last digits of a long computation (the fable's training) can differ. Before numpy loads.
ONE_THREAD = '''import os
for blas in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one BLAS thread, as on the pages:
    os.environ.setdefault(blas, "1")                      # the same last digits'''
INSTALL = '''try:
    import lstmdoc
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "This notebook runs lstmdoc's examples and needs the lstmdoc package. Install it "
        "from the folder that holds lstmdoc's pyproject.toml: pip install -e . (or, in a "
        "cell of this notebook: %pip install -e /path/to/lstmdoc), then restart the kernel."
    ) from None'''
# IPython pretty-prints results (a long tuple one item a line); the pages show repr().
REPR = "%config PlainTextFormatter.pprint = False  # results as the page prints them: repr()"


def notebook_pages(env):
    """The pages that become notebooks: those with examples, but the index and the API."""
    pages = []
    for docname in sorted(env.found_docs - NOT_CHAPTERS):
        source = Path(env.doc2path(docname)).read_text(encoding="utf-8")
        if "```{doctest}" in source:
            pages.append(docname)
    return pages


def relative(target, docname):
    """``target`` (a path in the site) as a link from the page ``docname``'s HTML."""
    return posixpath.relpath(target, posixpath.dirname(docname) or ".")


def setup_cell(app):
    """Install check, then the pages' own doctest setup (the same printing options)."""
    setup = [line for line in app.config.doctest_global_setup.strip().splitlines()
             if line != "import lstmdoc"]  # imported just above
    return "\n".join([ONE_THREAD, INSTALL, *setup, REPR])


def page_notebook(app, docname, pages, md):
    """The notebook of one page, an ``nbformat`` NotebookNode (validated when written)."""
    env = app.env
    path = env.doc2path(docname, base=False).as_posix()
    cells = myst_notebook.Converter(md, Resolver(app, docname, pages)).convert(
        Path(app.srcdir, path).read_text(encoding="utf-8"), path).done()
    cells[0].source = re.sub(r"\A# .*", f"# {chapter_title(env, docname)}", cells[0].source)
    page = posixpath.relpath(f"{docname}.html", posixpath.dirname(notebook_path(docname)))
    intro = myst_notebook.markdown_cell(
        f"This notebook is the page [{env.titles[docname].astext()}]({page}) of lstmdoc: its "
        "prose and its examples, which ran when the site was built. Run the cells in order: "
        "each prints what the page shows under it.")
    return new_notebook([cells[0], intro, myst_notebook.code_cell(setup_cell(app)), *cells[1:]])


def new_notebook(cells):
    """A version-4 notebook of ``cells``, numbered ids (reproducible), for a python3 kernel."""
    for k, cell in enumerate(cells, 1):
        cell["id"] = f"cell-{k}"
    return nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}})


def notebook_json(nb, name):
    """The notebook's file content; nbformat validates it against the schema first."""
    invalid = {}
    text = nbformat.writes(nb, capture_validation_error=invalid)
    if invalid:
        raise ExtensionError(f"lstmdoc_notebooks: {name} is not a valid notebook: "
                             f"{invalid['ValidationError']}")
    return text


def remove_others(folder, written, keep=()):
    """Delete the notebooks in ``folder`` that this build did not write (a page renamed or
    removed), outside its subfolders ``keep``: the site holds only current notebooks."""
    for path in folder.rglob("*.ipynb"):
        if path not in written and path.relative_to(folder).parts[0] not in keep:
            path.unlink()


def write_notebooks(app, builder):
    if builder.name != "html":
        return
    start = time.perf_counter()
    pages = builder.lstmdoc_notebooks = notebook_pages(app.env)
    md = myst_notebook.markdown_parser(app.env.myst_config)
    written = 0
    for docname in pages:
        try:
            nb = page_notebook(app, docname, pages, md)
        except myst_notebook.NotConvertible as exc:
            raise ExtensionError(f"lstmdoc_notebooks: {exc}") from None
        path = notebook_path(docname)
        written += write_if_changed(Path(app.outdir, path), notebook_json(nb, path))
    remove_others(Path(app.outdir, OUT), {Path(app.outdir, notebook_path(d)) for d in pages},
                  keep=("exercises",))
    logger.info(f"lstmdoc_notebooks: {len(pages)} notebooks ({written} changed) "
                f"in {time.perf_counter() - start:.2f} s")


class download_link(nodes.reference):
    """A link with the ``download`` attribute: the browser saves the file, not shows it."""


def visit_download_link(self, node):
    self.body.append(self.starttag(node, "a", "", href=node["refuri"], download="",
                                   CLASS="reference download internal"))


def depart_download_link(self, node):
    self.body.append("</a>")


def link_bar(app, doctree, docname):
    """Under the page's title: "Download notebook", and other links added by other extensions."""
    if app.builder.name != "html" or docname not in getattr(app.builder, "lstmdoc_notebooks", ()):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    bar = nodes.paragraph(classes=["lstmdoc-notebook-links"])
    target = notebook_path(docname)
    bar += download_link("", "Download notebook", refuri=relative(target, docname))
    bar += nodes.Text(f" ({posixpath.basename(target)}): this page's examples, to run in Jupyter.")
    section.insert(1, bar)
    app.emit("lstmdoc-link-bar", docname, bar)


def add_directive(app, name, convert):
    """Let an extension's directive into notebooks: ``convert(resolver, argument, options,
    body)`` returns its Markdown."""
    app.lstmdoc_notebook_directives[name] = convert


def setup(app):
    app.lstmdoc_notebook_directives = {}
    app.add_node(download_link, html=(visit_download_link, depart_download_link))
    app.add_event("lstmdoc-link-bar")
    app.add_css_file("lstmdoc-notebooks.css")
    app.connect("write-started", write_notebooks)
    app.connect("doctree-resolved", link_bar)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
