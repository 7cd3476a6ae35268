"""Sphinx extension: serve MathJax 3 from the site's own files, so math renders offline.

Sphinx 9 points ``sphinx.ext.mathjax`` at a CDN; a reader without network would
see raw TeX. The PyPI package ``sphinx-mathjax-offline`` carries MathJax 3.2.2
(24 MB, every component). Its own Sphinx hook copies all of it, so instead this
copies only what a page can load (about 2 MB) into ``_static/mathjax``:

- ``tex-chtml.js``: the loader, the TeX input (base, ams, newcommand, require,
  autoload, ...) and the CommonHTML output in one file;
- the CommonHTML woff-v2 fonts, which that output loads by URL;
- the TeX extensions that ``autoload`` and ``\\require`` fetch on demand when a page
  uses one of their macros (``\\cancel``, ``\\color``, ``\\boxed``, ...), so a
  macro an author adds later still renders offline. ``all-packages.js`` is left
  out: it only serves ``tex-full`` builds.

``conf.py`` sets ``mathjax_path = "mathjax/tex-chtml.js"``. Files are copied
before any page is written, because Sphinx appends a checksum of the local file
(``?v=...``) to the script URL only when the file already exists. Unchanged
files are not rewritten, so incremental builds stay cheap.
"""

import filecmp
import os
import re
import shutil
from importlib import metadata

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

DIST = "sphinx-mathjax-offline"
VERSION = "3.2.2"
FONTS = "output/chtml/fonts/woff-v2"
EXTENSIONS = "input/tex/extensions"


def mathjax_source():
    """The MathJax directory inside the installed ``sphinx-mathjax-offline``."""
    try:
        dist = metadata.distribution(DIST)
    except metadata.PackageNotFoundError:
        raise ExtensionError(f"lstmdoc_mathjax: install {DIST} (the docs extra) "
                             "to serve MathJax from the site") from None
    # The package's directory has a hyphen in its name: it cannot be imported.
    src = str(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))
    if not os.path.isfile(os.path.join(src, "tex-chtml.js")):
        raise ExtensionError(f"lstmdoc_mathjax: no tex-chtml.js in {src}")
    return src


def files_to_copy(src):
    """Paths relative to ``src``, sorted, of every file a page can load."""
    files = ["tex-chtml.js"]
    files += [f"{FONTS}/{n}" for n in sorted(os.listdir(os.path.join(src, FONTS)))
              if n.endswith(".woff")]
    files += [f"{EXTENSIONS}/{n}" for n in sorted(os.listdir(os.path.join(src, EXTENSIONS)))
              if n.endswith(".js") and n != "all-packages.js"]
    return files


def check_version(path):
    """Fail on another MathJax: the config in conf.py and the file list are for 3.2.2."""
    with open(path, encoding="utf-8") as f:
        found = re.search(r'VERSION="(\d+\.\d+\.\d+)"', f.read())
    if not found or found.group(1) != VERSION:
        raise ExtensionError(f"lstmdoc_mathjax: expected MathJax {VERSION} in {path}, "
                             f"found {found.group(1) if found else 'no version'}")


def copy_mathjax(app):
    if app.builder.format != "html":
        return
    src = mathjax_source()
    check_version(os.path.join(src, "tex-chtml.js"))
    dest = os.path.join(app.outdir, "_static", os.path.dirname(app.config.mathjax_path))
    copied = 0
    for rel in files_to_copy(src):
        target = os.path.join(dest, rel)
        if os.path.exists(target) and filecmp.cmp(os.path.join(src, rel), target, shallow=False):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(src, rel), target)
        copied += 1
    if copied:
        logger.info(f"lstmdoc_mathjax: copied {copied} MathJax files to {dest}")


def setup(app):
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("builder-inited", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
