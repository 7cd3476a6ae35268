"""Sphinx extension: the whole book on one page, ``book.html``, to print or read offline.

Sphinx's ``singlehtml`` builder is a second build: it reads and resolves every page
again, highlights every code block again, and runs every gradient check again (each
build does), which cost more than the build's budget allows; and its page has duplicate
ids (every page's "derivation", "the-code", ...) and ~190 broken links
(``#document-steps/dot#derivation``: two fragments, which no browser follows).

So the book is made from the HTML build's own pages, already numbered, verified and
highlighted: each page's body, as the builder renders it (``html-page-context``), is
kept in the doctree folder, and when the build has finished the bodies are joined in
reading order (the "next" links' order) in one page of the site's theme, next to
``index.html`` (it shares ``_static``, MathJax included, and ``_images``). Joining them:

- an id used by more than one page becomes ``<page>-<id>`` (``steps-dot-derivation``);
  an id used once is kept, so the equations' anchors (``#equation-eq-dot``) are the site's;
- a link to another page (``dht.html#derivation``) becomes a link to that anchor's id
  on the book's page, a link to a whole page one to its start (``#book-steps-dht``);
- a link to anything else (images, notebooks) is made relative to the book.

The result is checked before it is written: no id twice, every ``#`` link lands.
"""

import os
import posixpath
import re
import time
from collections import Counter
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

BOOK = "book"
BODIES = "lstmdoc-book"  # in the doctree folder: not part of the site
ATTR = re.compile(r'\s(id|href|src)="([^"]*)"')


def body_path(app, pagename):
    return Path(app.doctreedir, BODIES, f"{pagename}.html")


def keep_body(app, pagename, templatename, context, doctree):
    """``html-page-context``: keep each page's body for the book (only when it changes)."""
    if app.builder.name == "html" and pagename == BOOK:
        app.add_css_file("lstmdoc-book.css")  # added in this event: on the book only
    if app.builder.name != "html" or pagename not in app.env.found_docs:
        return
    path = body_path(app, pagename)
    if not path.is_file() or path.read_text(encoding="utf-8") != context["body"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(context["body"], encoding="utf-8")
        os.replace(tmp, path)


def reading_order(env):
    """The pages in the order of the "next" links, from the index."""
    relations = env.collect_relations()
    order, page = [], env.config.root_doc
    while page is not None and page not in order:
        order.append(page)
        page = relations.get(page, [None, None, None])[2]
    return order


def page_anchor(page):
    return f"book-{page.replace('/', '-')}"


class Joiner:
    """The pages' bodies, their ids made unique and their links pointed into the one page."""

    def __init__(self, bodies):
        self.bodies = bodies  # {page: html}, in reading order
        self.count = Counter(i for html in bodies.values()
                             for kind, i in ATTR.findall(html) if kind == "id")

    def new_id(self, page, anchor):
        return anchor if self.count[anchor] <= 1 else f"{page.replace('/', '-')}-{anchor}"

    def attribute(self, page, kind, value):
        if kind == "id":
            return self.new_id(page, value)
        if value.startswith("#"):
            return "#" + self.new_id(page, value[1:])
        if re.match(r"[a-z][a-z0-9+.-]*:|//", value):
            return value  # off the site (furo's credits)
        path, _, fragment = value.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if target.endswith(".html") and target[:-5] in self.bodies:
            other = target[:-5]
            return "#" + (self.new_id(other, fragment) if fragment else page_anchor(other))
        return target + (f"#{fragment}" if fragment else "")

    def page(self, page):
        html = ATTR.sub(lambda m: f' {m[1]}="{self.attribute(page, m[1], m[2])}"',
                        self.bodies[page])
        return f'<div class="lstmdoc-book-page" id="{page_anchor(page)}">\n{html}\n</div>\n'

    def join(self):
        return "".join(self.page(page) for page in self.bodies)


def check(html):
    """Every id once, every in-page link to one of them: else the build fails."""
    ids = Counter(i for kind, i in ATTR.findall(html) if kind == "id")
    twice = sorted(i for i, n in ids.items() if n > 1)
    broken = sorted({v for kind, v in ATTR.findall(html)
                     if kind == "href" and v.startswith("#") and v != "#" and v[1:] not in ids})
    if twice or broken:
        raise ExtensionError(f"lstmdoc_book: the book has ids used twice {twice[:10]} "
                             f"and links to no id {broken[:10]}")


def write_book(app, exception):
    """``build-finished``: the bodies joined into ``book.html``, in the site's theme."""
    if exception is not None or app.builder.name != "html":
        return
    start = time.perf_counter()
    pages = reading_order(app.env)
    missing = [p for p in pages if not body_path(app, p).is_file()]
    if missing:
        raise ExtensionError(f"lstmdoc_book: no HTML body kept for {missing}: build from clean")
    body = Joiner({p: body_path(app, p).read_text(encoding="utf-8") for p in pages}).join()
    check(body)
    title = "The whole book"
    app.builder.handle_page(BOOK, {
        "title": title, "body": body, "has_maths_elements": True, "parents": [], "prev": None,
        "next": None, "rellinks": [], "sourcename": "", "toc": "", "display_toc": False,
        "metatags": "", "meta": None}, "page.html")
    logger.info(f"lstmdoc_book: {len(pages)} pages in {BOOK}.html, "
                f"in {time.perf_counter() - start:.2f} s")


class BookLink(Directive):
    """``{lstmdoc-book}``: a paragraph, its content a link to the book's page."""

    has_content = True

    def run(self):
        text = " ".join(self.content) or "The whole book on one page"
        para = nodes.paragraph(classes=["lstmdoc-book-link"])
        para += nodes.reference("", text, refuri=f"{BOOK}.html", internal=True)
        return [para]


def setup(app):
    app.add_directive("lstmdoc-book", BookLink)
    app.connect("html-page-context", keep_body)
    app.connect("build-finished", write_book)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
