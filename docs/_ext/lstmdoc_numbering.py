"""Sphinx extension: the book's parts continue one another's chapter numbers.

docs/index.md has one toctree per part of the book, each with its own caption. Sphinx
numbers every ``:numbered:`` toctree from 1 again ("every numbered toctree gets new
numbering", ``TocTreeCollector.assign_section_numbers``; a known gap, sphinx-doc/sphinx
#3357 and #8128): the second part's first page would be a second chapter 1, and "(1.2)"
would no longer say which page an equation is on. Here the numbered toctrees of the root
document continue one another: the second starts after the first one's last chapter, and
so on. Equations and figures follow, because Sphinx derives their numbers ("(14.2)") from
the section numbers.

How it hooks in: Sphinx's own ``TocTreeCollector`` is replaced by a subclass (same
events). Its ``assign_section_numbers`` runs Sphinx's and then shifts the chapter number
(the first component) of every page under the second and later numbered toctrees of the
root document, in all three places Sphinx keeps it: ``env.toc_secnumbers`` (headings,
and where ``assign_figure_numbers``, run right after it, reads the chapter of each
equation and figure), the ``secnumber`` of the references in ``env.tocs`` (sidebar,
tables of contents) and of the page titles in ``env.titles`` (previous/next links).
The pages to rewrite are found by comparing the shifted numbers with the previous
build's: an incremental build rewrites nothing for numbering unless a number really
changed, and then every page, since every page's sidebar shows every chapter number.
"""

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.errors import ExtensionError
from sphinx.util import url_re


def _shifted(number, offset):
    """A section number with its chapter moved by offset; () (unnumbered) stays ()."""
    return (number[0] + offset, *number[1:]) if number else number


def _entries(toctree):
    """The pages a toctree lists, without external links and 'self'."""
    return [ref for _title, ref in toctree["entries"] if ref != "self" and not url_re.match(ref)]


class ContinuedNumbering(TocTreeCollector):
    """Sphinx's toctree collector, with the root document's numbered toctrees continued."""

    def assign_section_numbers(self, env):
        old = env.toc_secnumbers  # Sphinx's method replaces the dict, so this is the last build's
        # Sphinx sets a secnumber on the toc entries of numbered pages but never removes one:
        # a page whose toctree stopped being numbered kept its old number in the sidebar.
        for docname, toc in env.tocs.items():
            for node in [*toc.findall(nodes.reference), env.titles.get(docname)]:
                if node is not None:
                    node.attributes.pop("secnumber", None)
        super().assign_section_numbers(env)
        shifted = set()
        offset = 0
        for toctree in env.get_doctree(env.config.root_doc).findall(_is_numbered_toctree):
            chapters = [ref for ref in _entries(toctree) if ref in env.toc_secnumbers]
            last = max((n[0] for ref in chapters for n in env.toc_secnumbers[ref].values() if n),
                       default=0)
            if offset:
                for ref in chapters:
                    self._shift(env, ref, offset, shifted)
            offset += last
        changed = [doc for doc in env.toc_secnumbers.keys() | old.keys()
                   if doc in env.all_docs and env.toc_secnumbers.get(doc) != old.get(doc)]
        # Every page's sidebar lists every chapter number: when one changes, all pages are stale.
        return sorted(env.all_docs) if changed else []

    def _shift(self, env, docname, offset, shifted):
        """Shift docname's numbers, and those of the pages its own toctrees number."""
        if docname in shifted or docname not in env.toc_secnumbers:
            return
        shifted.add(docname)
        env.toc_secnumbers[docname] = {anchor: _shifted(number, offset)
                                       for anchor, number in env.toc_secnumbers[docname].items()}
        # The title and the first reference share one list: build new lists, never edit in place.
        numbered = [ref for ref in env.tocs[docname].findall(nodes.reference)
                    if ref.get("secnumber")]
        title = env.titles.get(docname)
        if title is not None and title.get("secnumber"):
            numbered.append(title)
        for node in numbered:
            node["secnumber"] = list(_shifted(node["secnumber"], offset))
        for child in env.toctree_includes.get(docname, ()):
            self._shift(env, child, offset, shifted)


def _is_numbered_toctree(node):
    return isinstance(node, addnodes.toctree) and bool(node.get("numbered"))


def _replace_builtin_collector(app):
    """Disable Sphinx's TocTreeCollector (registered by a built-in extension) and add ours."""
    builtins = {
        listener.handler.__self__
        for listener in app.events.listeners.get("env-get-updated", [])
        if type(getattr(listener.handler, "__self__", None)) is TocTreeCollector
    }
    if len(builtins) != 1:
        raise ExtensionError(
            f"lstmdoc_numbering: expected Sphinx's TocTreeCollector once, found {len(builtins)}")
    builtins.pop().disable(app)
    app.add_env_collector(ContinuedNumbering)


def setup(app):
    app.setup_extension("sphinx.environment.collectors.toctree")
    _replace_builtin_collector(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
