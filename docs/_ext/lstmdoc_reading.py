"""Sphinx extension: reading comfort on phones and in the dark.

- ``_static/lstmdoc-reading.css``: a display equation scrolls inside its own box
  instead of running under its number (on a phone the number goes above it), and
  the figures, drawn for a light page, are inverted in furo's dark theme.
- Every figure's image becomes a link to the image itself, so a tap on a phone
  opens it full size. Sphinx does this only for images given a size
  (``html_scaled_image_link``); the figures here are not, so the same wrapping is
  done for them, just after Sphinx has copied the images and knows their URLs.
"""

import posixpath

from docutils import nodes


def link_figures_to_their_images(builder, doctree):
    for image in list(doctree.findall(nodes.image)):
        if not isinstance(image.parent, nodes.figure):
            continue  # already in a link (a :target:), or not a figure
        uri = image["uri"]
        ref = nodes.reference("", "", internal=True, classes=["lstmdoc-full-size"],
                              refuri=posixpath.join(builder.imgpath, builder.images[uri])
                              if uri in builder.images else uri)
        image.replace_self(ref)
        ref.append(image)


def wrap_post_process_images(app):
    """After the HTML builder's own image step (which copies images and sets their URLs)."""
    if app.builder.format != "html":
        return
    original = app.builder.post_process_images

    def post_process_images(doctree):
        original(doctree)
        link_figures_to_their_images(app.builder, doctree)

    app.builder.post_process_images = post_process_images


def setup(app):
    app.add_css_file("lstmdoc-reading.css")
    app.connect("builder-inited", wrap_post_process_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
