"""Shared test helpers."""

import importlib

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
