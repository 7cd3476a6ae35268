"""The build's checks in worker processes (docs/_ext/lstmdoc_background.py)."""

import os
import sys
import textwrap
import types

import pytest

sphinx = pytest.importorskip("sphinx")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "docs", "_ext"))
try:
    import lstmdoc_background as background
finally:
    sys.path.pop(0)


def failing(app):
    raise background.BackgroundError("dOt[2] rel. error 1e-3")


def raising_value_error(app):
    raise ValueError("not a SphinxError")


def dying(app):
    os._exit(3)


def test_a_failed_check_is_raised_where_the_build_waits():
    app = types.SimpleNamespace()
    background.start(app, "verification", failing)
    with pytest.raises(background.BackgroundError, match=r"dOt\[2\]"):
        background.wait(app)
    background.wait(app)  # nothing left to wait for


def test_any_exception_fails_the_build_with_its_message():
    app = types.SimpleNamespace()
    background.start(app, "a", lambda app: None)
    background.start(app, "b", raising_value_error)
    with pytest.raises(background.BackgroundError, match="not a SphinxError"):
        background.wait(app)


def test_a_worker_that_dies_is_a_failure():
    app = types.SimpleNamespace()
    background.start(app, "verification", dying)
    with pytest.raises(background.BackgroundError, match="verification: the worker process ended "
                                                          "with exit code 3"):
        background.wait(app)


def build(tmp_path, check_body):
    """A two-page project whose check (run in the background) writes the file index.md includes."""
    src = tmp_path / "src"
    src.mkdir()
    ext = os.path.join(os.path.dirname(__file__), "..", "docs", "_ext")
    body = textwrap.indent(textwrap.dedent(check_body).strip(), "    ")
    (src / "conf.py").write_text("\n".join([
        "import os, sys, time",
        f"sys.path.insert(0, {os.path.abspath(ext)!r})",
        "import lstmdoc_background",
        'extensions = ["myst_parser"]',
        'exclude_patterns = ["_generated/*"]',
        "def check(app):",
        body,
        "def setup(app):",
        '    app.setup_extension("lstmdoc_background")',
        '    app.connect("builder-inited", lambda app: lstmdoc_background.start(',
        '        app, "check", check, writes=("_generated/table.md",)))',
        ""]))
    (src / "index.md").write_text("# Index\n\n```{include} _generated/table.md\n```\n\n"
                                  "```{toctree}\nother\n```\n")
    (src / "other.md").write_text("# Other\n\nNo table here.\n")
    from sphinx.application import Sphinx

    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, warningiserror=True)
    app.build()
    return tmp_path / "out"


def test_a_page_that_includes_the_checks_file_waits_for_it(tmp_path):
    out = build(tmp_path, """
        time.sleep(1)  # slower than reading the other page
        os.makedirs(os.path.join(app.srcdir, "_generated"), exist_ok=True)
        with open(os.path.join(app.srcdir, "_generated", "table.md"), "w") as f:
            f.write("| quantity | error |\\n| --- | --- |\\n| W | 1e-9 |\\n")
        """)
    assert "1e-9" in (out / "index.html").read_text(encoding="utf-8")


def test_a_failed_check_writes_no_page(tmp_path):
    with pytest.raises(Exception, match="wrong gradient"):
        build(tmp_path, """
            os.makedirs(os.path.join(app.srcdir, "_generated"), exist_ok=True)
            open(os.path.join(app.srcdir, "_generated", "table.md"), "w").close()
            raise ValueError("wrong gradient")
            """)
    assert not list((tmp_path / "out").glob("*.html"))
