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
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "lstmdoc_verify",  # docs/_ext: runs every gradient check before any page is written
    "lstmdoc_figures",  # docs/_ext: draws figures/*.py from real runs
]

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_generated/*.md"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline"]
myst_heading_anchors = 3
myst_fence_as_directive = ["doctest"]

# Docstrings: numpy style, shapes written as "ndarray of shape (H, B)".
autodoc_member_order = "bysource"
autodoc_typehints = "none"
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

html_title = "lstmdoc"
html_last_updated_fmt = None
