"""What a MyST page refers to, answered from the Sphinx environment, for :mod:`myst_notebook`.

A page's equation numbers, API names, links to other pages, included code and figures
are known to Sphinx once the pages are read and numbered; :class:`Resolver` answers the
converter's questions about them for one page (``lstmdoc_notebooks`` makes one per page).
"""

import os
import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx.directives.code import LiteralIncludeReader
from sphinx.errors import ExtensionError

OUT = "_notebooks"
MIME = {".svg": "image/svg+xml", ".png": "image/png"}
PY_ROLES = {"func", "meth", "class", "attr", "mod", "data", "obj", "exc"}


def notebook_path(docname):
    """Where a page's notebook is, in the built site."""
    return f"{OUT}/{docname}.ipynb"


def chapter_title(env, docname):
    """The page's title with its chapter number, as the site shows it: "6. DOt: ..."."""
    number = env.toc_secnumbers.get(docname, {}).get("", ())
    title = env.titles[docname].astext()
    return f"{'.'.join(map(str, number))}. {title}" if number else title


class Resolver:
    """What a page's MyST refers to, answered from the Sphinx environment (see myst_notebook)."""

    def __init__(self, app, docname, pages):
        self.app, self.env, self.docname, self.pages = app, app.env, docname, set(pages)
        self.figures = sorted(self.env.toc_fignumbers.get(docname, {}).get("figure", {}).values())

    def equation(self, label):
        docname, _ = self.env.domains["math"].equations.get(label, (None, None))
        ids = self.env.toc_fignumbers.get(docname, {}).get("displaymath", {})
        number = ids.get(nodes.make_id(f"equation-{label}"))
        if not number:
            raise ExtensionError(f"lstmdoc_notebooks: no number for the equation {label!r}")
        text = ".".join(map(str, number))
        return self.app.config.math_numsep.join(text.rsplit(".", 1))

    def role(self, name, target, path):
        name = name.removeprefix("py:")
        if name == "eq":
            return f"({self.equation(target)})"
        if name in PY_ROLES:
            title = re.match(r"(.*?)\s*<(.*)>$", target)
            if title:
                return f"`{title[1]}`"
            shown = target.lstrip("~").split(".")[-1] if target.startswith("~") else target
            return f"`{shown}()`" if name in ("func", "meth") else f"`{shown}`"
        if name in ("doc", "ref"):
            return self.cross_reference(name, target, path)
        raise ExtensionError(f"lstmdoc_notebooks: {path}: no notebook form for the {{{name}}} role")

    def cross_reference(self, name, target, path):
        """``{doc}`` and ``{ref}`` as Markdown links, to the page's notebook or the site."""
        titled = re.match(r"(.*?)\s*<(.*)>$", target)
        title, target = (titled[1], titled[2]) if titled else (None, target)
        if name == "doc":
            doc = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            anchor = ""
            title = title or self.env.titles[doc].astext()
        else:
            doc, anchor, section = self.env.domains["std"].labels.get(target, (None, None, None))
            if doc is None:
                raise ExtensionError(f"lstmdoc_notebooks: {path}: no label {target!r}")
            title = title or section
        docs_path = posixpath.relpath(f"{doc}.md", posixpath.dirname(path))
        return f"[{title}]({self.link(docs_path + (f'#{anchor}' if anchor else ''), path)})"

    def link(self, url, path):
        """A page's notebook for a link to a page that has one; else the page in the site."""
        if re.match(r"[a-z][a-z0-9+.-]*:|#", url):
            return url
        target, _, fragment = url.partition("#")
        doc = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        here = posixpath.dirname(notebook_path(self.docname))
        if doc.endswith(".md") and doc[:-3] in self.pages:
            return posixpath.relpath(notebook_path(doc[:-3]), here)
        site_target = doc[:-3] + ".html" if doc.endswith(".md") else doc
        return posixpath.relpath(site_target, here) + (f"#{fragment}" if fragment else "")

    def literalinclude(self, path, argument, options):
        # Normalised as Sphinx's directive does, so the module analysed then is reused.
        folder = os.path.join(self.app.srcdir, posixpath.dirname(path))
        filename = os.path.normpath(os.path.join(folder, argument))
        return LiteralIncludeReader(filename, options, self.app.config).read()[0]

    def read(self, path):
        return Path(self.app.srcdir, path).read_text(encoding="utf-8")

    def directive(self, name, argument, options, body):
        """Markdown for an extension's own directive, from the converter it registered."""
        convert = self.app.lstmdoc_notebook_directives.get(name)
        return convert and convert(self, argument, options, body)

    def figure(self, src):
        """The image's bytes, its MIME type and its number, figures taken in page order."""
        data = Path(self.app.srcdir, src).read_bytes()
        number = ".".join(map(str, self.figures.pop(0)))
        return data, MIME[os.path.splitext(src)[1]], number
