"""The build hooks' one way of writing a file: only when it changes, never half-written.

An unchanged file keeps its modification time, so Sphinx does not read again the
pages that include it; a new content goes to a temporary file first and is then
renamed over the old one (atomic on POSIX), so an interrupted build leaves either
the old file or the new one.
"""

import os
from pathlib import Path


def write_if_changed(path, text):
    """Write ``text`` to ``path`` unless it holds it already; True when written."""
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True
