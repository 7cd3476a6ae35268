"""Sphinx extension: small fixes to the HTML that furo writes.

furo wraps every table and display equation in a scrollable container and copies
*all* attributes onto it, ids included, so a labelled equation's anchor
(``#equation-eq-z``) was on two elements. The id belongs to the equation itself
(that is where Sphinx's permalink points), so it is removed from the wrapper.

The search page also gets ``_static/lstmdoc-search.js``: search over ``file://``
lists its hits without the page fetches the browser would block, and the summary
under each hit shows no raw TeX delimiters.

And an incremental build keeps the search index's index entries (autodoc's
"astype() (lstmdoc.LSTMParams method)", ...). Sphinx rebuilds them only for the
pages it rewrites and drops the others' (sphinx-doc/sphinx#12599), so after
``touch docs/notation.md`` searchindex.js lost them and differed from a clean
build's. Just before the index is written, they are recomputed for every page from
the pickled doctrees, in the order a clean build feeds them (sorted page names).
"""

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.index_entries import split_index_msg

WRAPPERS = {"math-wrapper", "table-wrapper"}


class UniqueIdsInFuroWrappers(SphinxPostTransform):
    default_priority = 510  # after furo's WrapTableAndMathInAContainerTransform (500)
    formats = ("html",)

    def run(self, **kwargs):
        for wrapper in self.document.findall(nodes.container):
            if WRAPPERS & set(wrapper["classes"]) and len(wrapper.children) == 1:
                wrapper["ids"] = [i for i in wrapper["ids"] if i not in wrapper[0]["ids"]]


def search_page_script(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file("lstmdoc-search.js")  # added in this event: on this page only


def index_entries(doctree):
    """A page's search-index entries, computed as Sphinx's ``IndexBuilder.feed`` does."""
    entries = set()
    for node in doctree.findall(addnodes.index):
        for entry_type, value, target_id, main, _category_key in node["entries"]:
            try:
                result = split_index_msg(entry_type, value)
            except ValueError:
                continue
            target_id = target_id or ""
            if entry_type in {"see", "seealso"}:
                entries.add((result[0], target_id, main))
            entries |= {(x, target_id, main) for x in result}
    return sorted(entries)


def restore_index_entries(app):
    """Runs on html-collect-pages, which the HTML builder emits before dumping the index."""
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None or not isinstance(getattr(indexer, "_index_entries", None), dict):
        return []  # no search index, or a Sphinx whose internals differ: leave it alone
    env = app.builder.env
    restored = {}
    for docname in sorted(indexer._titles):
        metadata = env.metadata.get(docname, {})
        searchable = "no-search" not in metadata and "nosearch" not in metadata
        restored[docname] = index_entries(env.get_doctree(docname)) if searchable else []
    indexer._index_entries.clear()
    indexer._index_entries.update(restored)
    return []


def setup(app):
    app.add_post_transform(UniqueIdsInFuroWrappers)
    app.connect("html-page-context", search_page_script)
    app.connect("html-collect-pages", restore_index_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
