"""Sphinx extension: small fixes to the HTML that furo writes.

furo wraps every table and display equation in a scrollable container and copies
*all* attributes onto it, ids included, so a labelled equation's anchor
(``#equation-eq-z``) was on two elements. The id belongs to the equation itself
(that is where Sphinx's permalink points), so it is removed from the wrapper.

The search page also gets ``_static/search-offline.js``, so that search over
``file://`` lists its hits without the page fetches the browser would block.
"""

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

WRAPPERS = {"math-wrapper", "table-wrapper"}


class UniqueIdsInFuroWrappers(SphinxPostTransform):
    default_priority = 510  # after furo's WrapTableAndMathInAContainerTransform (500)
    formats = ("html",)

    def run(self, **kwargs):
        for wrapper in self.document.findall(nodes.container):
            if WRAPPERS & set(wrapper["classes"]) and len(wrapper.children) == 1:
                wrapper["ids"] = [i for i in wrapper["ids"] if i not in wrapper[0]["ids"]]


def search_offline(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file("search-offline.js")  # added in this event: on this page only


def setup(app):
    app.add_post_transform(UniqueIdsInFuroWrappers)
    app.connect("html-page-context", search_offline)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
