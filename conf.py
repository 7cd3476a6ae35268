"""Sphinx configuration. Sources are in docs/; build with `make html` (see Makefile)."""

import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "docs", "_ext"))

project = "lstmdoc"
author = "the lstmdoc developers"
copyright = "2026, the lstmdoc developers"
release = version = "0.1.0"

extensions = [
    "lstmdoc_gc",  # docs/_ext: the garbage collector set for a build that keeps everything
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "lstmdoc_verify",  # docs/_ext: runs every gradient check before any page is written
    "lstmdoc_layouts",  # docs/_ext: checks every layout's converters the same way
    "lstmdoc_figures",  # docs/_ext: draws figures/*.py from real runs
    "lstmdoc_bench",  # docs/_ext: the Making it fast page's tables, from benchmarks/lstmdoc-bench.json
    "lstmdoc_mathjax",  # docs/_ext: serves MathJax 3 from the site itself (no CDN)
    "lstmdoc_html",  # docs/_ext: unique equation anchors under furo; search fixes
    "lstmdoc_numbering",  # docs/_ext: the book's numbered parts continue one another's chapters
    "lstmdoc_reading",  # docs/_ext: equations and figures on phones, figures in dark mode
    "lstmdoc_notebooks",  # docs/_ext: every chapter page as a Jupyter notebook, linked from it
    "lstmdoc_exercises",  # docs/_ext: an exercise notebook per Step page, graded on the spot
    "lstmdoc_book",  # docs/_ext: the whole book on one page (book.html), to print
    "sphinx_copybutton",
]

# Equations are numbered per chapter, "(2.6)", so that a reference to another page's
# equation cannot be mistaken for one on the current page.
numfig = True
math_numfig = True
numfig_secnum_depth = 1
math_numsep = "."

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated/*.md", "_generated/bench/*.md"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline"]
myst_heading_anchors = 3
myst_fence_as_directive = ["doctest"]

# Docstrings: numpy style, shapes written as "ndarray of shape (H, B)".
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_preserve_defaults = True  # signatures show "dtype=np.float64", not "<class 'numpy.float64'>"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_preprocess_types = True
napoleon_use_rtype = False
# Types in numpy-style docstrings ("ndarray of shape (H, B)") are prose for readers,
# not cross-references: offline, there is no numpy inventory to link them to.
nitpick_ignore_regex = [("py:class", r"(?!lstmdoc\.).*")]

doctest_global_setup = """
import numpy as np
np.set_printoptions(precision=4, suppress=True)
import lstmdoc
"""

# --- HTML: nothing is fetched from the network, neither at build nor at read time ---
html_theme = "furo"  # dark mode, search, previous/next links; system fonts, no CDN
html_title = "lstmdoc"
html_last_updated_fmt = None  # no build date in the pages: two builds are byte-identical
html_static_path = ["docs/_static"]
html_favicon = "docs/_static/favicon.svg"  # else browsers ask for /favicon.ico and log a 404

# Math: MathJax 3 from _static/mathjax (copied by docs/_ext/lstmdoc_mathjax.py).
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    # Only \(...\) and \[...\], which Sphinx writes around every math node: a
    # dollar sign in prose or code is never typeset by accident.
    "tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]},
    # MyST marks each page "mathjax_ignore" and each math node "math"; same value
    # as MyST's own, so it does not warn about an override.
    "options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"},
}

# Copy buttons copy the code only: no ">>>"/"..." prompts, no output, no traceback.
# The prompts (.gp) are not excluded but stripped: they are how copybutton tells the
# code lines from the rest (a doctest's traceback is not .go output), and it copies
# only the lines that had one (blank lines between them are output too). Output (.go)
# is removed first, in case it starts like a prompt. A block without prompts is copied whole.
copybutton_exclude = ".linenos, .go"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_copy_empty_lines = False


def setup(app):
    """Three fixes for a quiet build; conf.py is itself an extension."""
    import logging
    from pathlib import Path

    import sphinx_copybutton

    # sphinx-copybutton appends its static folder to html_static_path at builder-inited,
    # after Sphinx has compared the config with the pickled one, so that every rebuild
    # reported "The configuration has changed". Add it here, before the comparison, and
    # drop the duplicate copybutton appends (priority 900: after copybutton's handler).
    static = str(Path(sphinx_copybutton.__file__).parent.joinpath("_static").absolute())

    def add_copybutton_static(app, config):
        config.html_static_path.append(static)

    def drop_duplicate(app):
        app.config.html_static_path[:] = list(dict.fromkeys(app.config.html_static_path))

    app.connect("config-inited", add_copybutton_static)
    app.connect("builder-inited", drop_duplicate, priority=900)

    # furo registers its config value pygments_dark_style when the theme loads, after
    # Sphinx has compared the config with the pickled one, so a rebuild always finds it
    # "changed"; at that point Sphinx cannot see its value, so the message never carries
    # news (and nothing is reread). Drop exactly that message; any other change is reported.
    logging.getLogger("sphinx.sphinx.environment").addFilter(
        lambda record: record.args != ("pygments_dark_style",))

    # MyST logs its whole MdParserConfig on every build, with no option to turn it off
    # (executablebooks/MyST-NB#594); drop that one message, keep its warnings.
    logging.getLogger("sphinx.myst_parser.sphinx_ext.main").addFilter(
        lambda record: "MdParserConfig" not in str(record.args))
