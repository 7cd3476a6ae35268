"""Shared test helpers."""

import importlib

import pytest


@pytest.fixture
def scale_by(monkeypatch):
    """``scale_by(module, name, factor)``: replace ``lstmdoc.<module>.<name>`` by the same
    function with every output multiplied by ``factor`` — a gradient off by a little,
    which verification must catch. Patched where it is called, undone after the test."""
    def patch(module, name, factor=1.001):
        mod = importlib.import_module(f"lstmdoc.{module}")
        original = getattr(mod, name)

        def scaled(*args):
            out = original(*args)
            return tuple(factor * o for o in out) if isinstance(out, tuple) else factor * out

        monkeypatch.setattr(mod, name, scaled)
    return patch
