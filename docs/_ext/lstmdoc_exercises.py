"""Sphinx extension: an exercise notebook per Step page (and for layer norm's backward).

Each notebook (``_notebooks/exercises/<page>.ipynb`` in the built site) asks the
learner to write the page's functions: for each, the equation it implements (from the
page, with its number), then a cell with lstmdoc's signature, the argument and result
shapes (from the docstring of lstmdoc's own function) and the body ``raise
NotImplementedError``, then a cell that grades it on the spot
(:func:`lstmdoc.grader.exercises.grade`). Shipped as it is, every grade cell says which
function is still to be written.

The page gets a "Try it yourself" link next to its notebook's (``lstmdoc-link-bar``), and
the ``{lstmdoc-exercises}`` directive lists them all (the Exercises page).
"""

import importlib
import inspect
import posixpath
import re
import time
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import lstmdoc_notebooks
import myst_notebook
from lstmdoc_files import write_if_changed
from notebook_resolver import OUT, Resolver, chapter_title, notebook_path

logger = logging.getLogger(__name__)

CELL_CACHE = "`cache` is the step's forward cache, a `CellCache`, with the fields"
EXERCISES = {
    # page: ((function, module, equation labels), ...), what the cache holds (or None)
    "steps/step1": ((("dlogits", "lstmdoc.output", ("eq-ce-grad",)),
                     ("dWy", "lstmdoc.output", ("eq-dwy",)), ("dBy", "lstmdoc.output", ("eq-dby",)),
                     ("dh_output", "lstmdoc.output", ("eq-dh-out",))), None),
    "steps/dht": ((("dHt", "lstmdoc.cell_backward", ("eq-dht",)),), None),
    "steps/dot": ((("dOt", "lstmdoc.cell_backward", ("eq-dot",)),), CELL_CACHE),
    "steps/dct": ((("dCt", "lstmdoc.cell_backward", ("eq-dct",)),), CELL_CACHE),
    "steps/dcprojt": ((("dCprojt", "lstmdoc.cell_backward", ("eq-dcprojt",)),), CELL_CACHE),
    "steps/dft": ((("dFt", "lstmdoc.cell_backward", ("eq-dft",)),), CELL_CACHE),
    "steps/dit": ((("dIt", "lstmdoc.cell_backward", ("eq-dit",)),), CELL_CACHE),
    "steps/dhx": ((("dW", "lstmdoc.cell_backward", ("eq-dw-step",)),
                   ("db", "lstmdoc.cell_backward", ("eq-dw-step",)),
                   ("dHX", "lstmdoc.cell_backward", ("eq-dhx",))), CELL_CACHE),
    "steps/dc-next": ((("dC_next", "lstmdoc.cell_backward", ("eq-dc-next",)),), CELL_CACHE),
    "cell/layernorm": ((("layernorm_backward", "lstmdoc.layernorm", ("eq-ln-dx", "eq-ln-dgain")),),
                       "`cache` is the norm's forward cache, a `LayerNormCache`, with the fields "
                       "`xhat` (H, B), the normalised input x̂; `inv_std` (1, B), "
                       "1/√(σ² + ε) of each column; `gain` (H, 1), γ."),
}
SETUP = "\n".join([lstmdoc_notebooks.INSTALL, "import numpy as np",
                   "from lstmdoc.grader.exercises import grade"])


def exercise_path(page):
    """Named apart from the page's own notebook: both may sit in one downloads folder."""
    return f"{OUT}/exercises/{posixpath.basename(page)}-exercise.ipynb"


def sections(doc, names=("Parameters", "Returns")):
    """The ``name : type`` lines of a numpydoc docstring's sections (descriptions left out:
    some give the answer away)."""
    lines = inspect.cleandoc(doc).splitlines()
    out = []
    for name in names:
        start = lines.index(name) + 2
        body = [line for line in lines[start:] if line.strip()]
        end = next((k for k, line in enumerate(body) if line in ("Returns", "Raises", "Examples")
                    or re.fullmatch(r"-+", line)), len(body))
        out.append((name, [line for line in body[:end] if not line.startswith(" ")]))
    return out


def cell_cache_fields():
    """``z`` (D+H, B), ... from CellCache's own docstring: the fields a plain cell's step reads."""
    from lstmdoc.cell import CellCache
    fields = []
    for line in inspect.cleandoc(CellCache.__doc__).splitlines():
        found = re.match(r"(\w+) : ndarray of shape (\(.*?\))$", line)
        if found:
            fields.append(f"`{found[1]}` {found[2]}")
    return ", ".join(fields) + "."


class Equations:
    """A labelled equation's TeX and number, read from the page that defines it."""

    def __init__(self, app, md):
        self.app, self.md, self.tex = app, md, {}

    def __call__(self, label, resolver):
        docname, _ = self.app.env.domains["math"].equations[label]
        if label not in self.tex:
            source = Path(self.app.env.doc2path(docname)).read_text(encoding="utf-8")
            for token in self.md.parse(source, {}):
                if token.type == "math_block_label":
                    self.tex[token.info] = token.content.strip()
        return f"$$\n{self.tex[label]}\n\\tag{{{resolver.equation(label)}}}\n$$", docname


def skeleton(name, module, numbers):
    """The cell the learner fills in: lstmdoc's signature, shapes, ``raise NotImplementedError``."""
    fn = getattr(importlib.import_module(module), name)
    doc = [f'"""Equation{"s" * (len(numbers) > 1)} {" and ".join(numbers)}.']
    for section, lines in sections(fn.__doc__):
        doc += ["", section, "-" * len(section), *lines]
    body = "\n".join(f"    {line}".rstrip() for line in [*doc, '"""'])
    return (f"def {name}{inspect.signature(fn)}:\n{body}\n"
            f"    raise NotImplementedError(\"write {name}, then run this cell and the next\")")


def function_cells(app, page, function, equations, resolver):
    """A function's three cells: its equations and arguments, its skeleton, its grade."""
    name, module, labels = function
    here = posixpath.dirname(exercise_path(page))
    shown = [equations(label, resolver) for label in labels]
    numbers = [f"({resolver.equation(label)})" for label in labels]
    doc = shown[0][1]
    where = f"[{app.env.titles[doc].astext()}]({posixpath.relpath(doc + '.html', here)})"
    text = [f"## `{name}`",
            f"Equation{'s' * (len(labels) > 1)} {' and '.join(numbers)} of {where}:",
            *(tex for tex, _ in shown)]
    cache = EXERCISES[page][1]
    if cache:
        text.append(cache + (f" {cell_cache_fields()}" if cache == CELL_CACHE else ""))
    return [myst_notebook.markdown_cell("\n\n".join(text)),
            myst_notebook.code_cell(skeleton(name, module, numbers)),
            myst_notebook.code_cell(f"grade({name})")]


def exercise_notebook(app, page, equations, resolver):
    """The page's exercise: a title, the setup, each function's cells, then all graded."""
    functions = EXERCISES[page][0]
    title = chapter_title(app.env, page)
    link = posixpath.relpath(f"{page}.html", posixpath.dirname(exercise_path(page)))
    cells = [myst_notebook.markdown_cell(
        f"# Exercise: {title}\n\nWrite {', '.join(f'`{f[0]}`' for f in functions)} yourself, "
        f"from the equations of [{title}]({link}). Under each function, a cell grades it on "
        "the spot: lstmdoc's grader calls your function where lstmdoc calls its own and "
        "names the likely mistake. Run the cells in order; run a function's cell again after "
        "each change, then its grade."), myst_notebook.code_cell(SETUP)]
    for function in functions:
        cells += function_cells(app, page, function, equations, resolver)
    if len(functions) > 1:
        cells += [myst_notebook.markdown_cell("## All of them"),
                  myst_notebook.code_cell(f"grade({', '.join(f[0] for f in functions)})")]
    return lstmdoc_notebooks.new_notebook(cells)


def write_exercises(app, builder):
    if builder.name != "html":
        return
    md = myst_notebook.markdown_parser(app.env.myst_config)
    equations = Equations(app, md)
    start = time.perf_counter()
    for page in EXERCISES:
        resolver = Resolver(app, page, ())
        nb = exercise_notebook(app, page, equations, resolver)
        path = exercise_path(page)
        write_if_changed(Path(app.outdir, path), lstmdoc_notebooks.notebook_json(nb, path))
    folder = Path(app.outdir, posixpath.dirname(exercise_path("x")))
    lstmdoc_notebooks.remove_others(folder,
                                    {Path(app.outdir, exercise_path(p)) for p in EXERCISES})
    logger.info(f"lstmdoc_exercises: {len(EXERCISES)} exercise notebooks "
                f"in {time.perf_counter() - start:.2f} s")


def try_it_link(app, docname, bar):
    """The Step page's link bar gets "Try it yourself", to its exercise notebook."""
    if docname not in EXERCISES:
        return
    target = exercise_path(docname)
    names = ", ".join(f[0] for f in EXERCISES[docname][0])
    bar += nodes.Text(" ")
    bar += nodes.strong("", "Try it yourself: ")
    bar += lstmdoc_notebooks.download_link("", "exercise notebook",
                                           refuri=lstmdoc_notebooks.relative(target, docname))
    bar += nodes.Text(f" ({posixpath.basename(target)}), where you write {names} and the "
                      "grader checks it on the spot.")


class ExerciseList(SphinxDirective):
    """``{lstmdoc-exercises}``: a bullet list of every exercise, its page and its notebook."""

    def run(self):
        items = nodes.bullet_list()
        for page, (functions, _) in EXERCISES.items():
            para = nodes.paragraph()
            para += addnodes.pending_xref("", nodes.inline("", page), refdomain="std",
                                          reftype="doc", reftarget=f"/{page}", refexplicit=False,
                                          refdoc=self.env.docname)
            para += nodes.Text(": ")
            for k, (name, _, _) in enumerate(functions):
                para += [nodes.Text(", ")] if k else []
                para += nodes.literal("", name)
            para += nodes.Text(" — ")
            target = exercise_path(page)
            para += lstmdoc_notebooks.download_link("", posixpath.basename(target), refuri=(
                lstmdoc_notebooks.relative(target, self.env.docname)))
            items += nodes.list_item("", para)
        return [items]


def exercise_list_markdown(resolver, argument, options, body):
    """The ``{lstmdoc-exercises}`` list in a notebook: links to the exercise notebooks."""
    here = posixpath.dirname(notebook_path(resolver.docname))
    lines = []
    for page, (functions, _) in EXERCISES.items():
        target = posixpath.relpath(exercise_path(page), here)
        names = ", ".join(f"`{f[0]}`" for f in functions)
        title = resolver.env.titles[page].astext()
        lines.append(f"- {title}: {names} — [{posixpath.basename(target)}]({target})")
    return "\n".join(lines)


def setup(app):
    app.setup_extension("lstmdoc_notebooks")
    lstmdoc_notebooks.add_directive(app, "lstmdoc-exercises", exercise_list_markdown)
    app.add_directive("lstmdoc-exercises", ExerciseList)
    app.connect("write-started", write_exercises)
    app.connect("lstmdoc-link-bar", try_it_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
