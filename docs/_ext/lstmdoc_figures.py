"""Sphinx extension: draw the figures in figures/ from real runs (issue 3 fills this in)."""


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
