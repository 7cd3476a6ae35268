"""Shared test helpers."""

import importlib

import pytest


@pytest.fixture
def scale_by(monkeypatch):
    """``scale_by(module, name, factor)``: replace ``lstmdoc.<module>.<name>`` by the same
    function with every output multiplied by ``factor`` (inside tuples and dicts too, such
    as ``loss_and_grads``'s ``(loss, grads)``) — a gradient off by a little, which
    verification must catch. Patched where it is called, undone after the test."""
    def patch(module, name, factor=1.001):
        mod = importlib.import_module(f"lstmdoc.{module}")
        original = getattr(mod, name)

        def scaled(*args, **kwargs):
            return _scaled(original(*args, **kwargs), factor)

        monkeypatch.setattr(mod, name, scaled)
    return patch


def _scaled(out, factor):
    """``out`` with every number and array in it multiplied by ``factor`` (None stays None)."""
    if isinstance(out, dict):
        return {key: _scaled(value, factor) for key, value in out.items()}
    if isinstance(out, tuple) and hasattr(out, "_fields"):  # a NamedTuple keeps its type
        return type(out)(*(_scaled(value, factor) for value in out))
    if isinstance(out, (tuple, list)):
        return tuple(_scaled(value, factor) for value in out)
    return None if out is None else factor * out
