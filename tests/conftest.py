"""Shared test helpers."""

import importlib
import types
from pathlib import Path

import pytest


def scaled_copy(out, factor):
    """``out`` with every number in it multiplied by ``factor``: arrays, floats, and the
    tuples and dicts holding them (a deep model's gradients are a dict of tuples of dicts).
    A NamedTuple keeps its type, so that its fields are still read by name."""
    if isinstance(out, dict):
        return {k: scaled_copy(v, factor) for k, v in out.items()}
    if isinstance(out, tuple) and hasattr(out, "_fields"):
        return type(out)(*(scaled_copy(o, factor) for o in out))
    if isinstance(out, tuple):
        return tuple(scaled_copy(o, factor) for o in out)
    return None if out is None else factor * out


@pytest.fixture
def scale_by(monkeypatch):
    """``scale_by(module, name, factor)``: replace ``lstmdoc.<module>.<name>`` by the same
    function with every output multiplied by ``factor`` — a gradient off by a little,
    which verification must catch. Patched where it is called, undone after the test."""
    def patch(module, name, factor=1.001):
        mod = importlib.import_module(f"lstmdoc.{module}")
        original = getattr(mod, name)

        def scaled(*args, **kwargs):
            return scaled_copy(original(*args, **kwargs), factor)

        monkeypatch.setattr(mod, name, scaled)
    return patch


@pytest.fixture
def verify_hook(monkeypatch, tmp_path):
    """The build's hook (docs/_ext/lstmdoc_verify.py) and an app to call its checks with:
    the hook writes its tables under ``tmp_path``. Skips without Sphinx."""
    pytest.importorskip("sphinx")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
    import lstmdoc_verify

    app = types.SimpleNamespace(srcdir=str(tmp_path),
                                config=types.SimpleNamespace(lstmdoc_tolerance=1e-6))
    return lstmdoc_verify, app
