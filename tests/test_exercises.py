"""The exercise notebooks (docs/_ext/lstmdoc_exercises.py): shipped, solved, and solved wrong.

Each notebook of the built site's ``_notebooks/exercises`` is run in one kernel: as
shipped (every grade says which function is still to be written, nothing raises), then
with each function filled with lstmdoc's own (graded ok), with a classic mistake (the
grader names it) and with a wrong signature (the grader's message, not a traceback).
"""

import re

import pytest
from notebook_run import NOTEBOOKS, built_site, errors, execute_all, shown

nbformat = pytest.importorskip("nbformat")


@pytest.fixture(scope="module")
def site():
    return built_site()


EXERCISES = NOTEBOOKS / "exercises"
# A classic mistake in each function (the body replacing `raise NotImplementedError`), and
# the id the grader must name it by.
MISTAKES = {
    "dlogits": ("y = np.zeros_like(probs)\ny[target, np.arange(probs.shape[1])] = 1\n"
                "return probs - y", "mean-missing"),
    "dWy": ("return h @ dlogits.T", "transposed"),
    "dBy": ("return dlogits.sum(axis=1)", "wrong-shape"),
    "dh_output": ("return -(Wy.T @ dlogits)", "sign-flipped"),
    "dHt": ("return dh_out", "dh-next-missing"),
    "dOt": ("return dh * cache.tanh_c", "sigmoid-prime-missing"),
    "dCt": ("return dh * cache.o * (1 - cache.tanh_c**2)", "dc-next-missing"),
    "dCprojt": ("return dc * cache.i", "tanh-prime-missing"),
    "dFt": ("return dc * cache.c_prev", "sigmoid-prime-missing"),
    "dIt": ("return dc * cache.cproj", "sigmoid-prime-missing"),
    "dW": ("return cache.z @ da.T", "transposed"),
    "db": ("return -da.sum(axis=1, keepdims=True)", "sign-flipped"),
    "dHX": ("H = W.shape[0] // 4\ndz = W.T @ da\nreturn dz[H:], dz[:H]", "hx-order"),
    "dC_next": ("return dc", "factor-missing"),
    "layernorm_backward": (
        "dx = cache.inv_std * (dy - dy.mean(axis=0, keepdims=True)\n"
        "                      - cache.xhat * (dy * cache.xhat).mean(axis=0, keepdims=True))\n"
        "return dx, (dy * cache.xhat).sum(axis=1, keepdims=True), dy.sum(axis=1, keepdims=True)",
        "ln-gain-missing"),
}
SKELETON = re.compile(r"^def (\w+)\((.*?)\):\n(.*)    raise NotImplementedError\(.*\)$", re.S)
OWN = {"layernorm_backward": "lstmdoc.layernorm"}


def exercise_notebooks():
    return sorted(EXERCISES.glob("*.ipynb")) if EXERCISES.is_dir() else []


def filled(cell, body):
    """The skeleton ``cell`` with ``body`` in place of its ``raise NotImplementedError``."""
    name, args, head = SKELETON.match(cell.source).groups()
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return nbformat.v4.new_code_cell(f"def {name}({args}):\n{head}{lines}".rstrip("\n"))


def own_body(name, args):
    """A body that returns lstmdoc's own function's result."""
    module = OWN.get(name, "lstmdoc.output" if name in ("dlogits", "dWy", "dBy", "dh_output")
                     else "lstmdoc.cell_backward")
    names = ", ".join(a.split("=")[0].strip() for a in args.split(","))
    return f"import {module}\nreturn {module}.{name}({names})"


def graded_output(cell):
    assert not errors(cell), cell.outputs
    return shown(cell)


def with_tries(path):
    """The shipped notebook, then each function filled with lstmdoc's own, with its classic
    mistake and with a wrong signature, each graded: ``(notebook, shipped cells, skeletons)``."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    skeletons = [k for k, c in enumerate(cells)
                 if c.cell_type == "code" and SKELETON.match(c.source)]
    extra = []
    for k in skeletons:
        name, args, _ = SKELETON.match(cells[k].source).groups()
        grade = nbformat.v4.new_code_cell(f"grade({name})")
        extra += [filled(cells[k], own_body(name, args)), grade,
                  filled(cells[k], MISTAKES[name][0]), grade,
                  nbformat.v4.new_code_cell(f"def {name}():\n    return None"), grade]
    nb.cells = cells + [nbformat.v4.new_code_cell(c.source) for c in extra]
    return nb, len(cells), skeletons


@pytest.fixture(scope="module")
def executed(site, tmp_path_factory):
    """Every exercise notebook with its tries, run (a few kernels at a time)."""
    runs = {path: with_tries(path) for path in exercise_notebooks()}
    errors = execute_all({path: nb for path, (nb, _, _) in runs.items()},
                         tmp_path_factory.mktemp("exercises"))
    return {path: (*run, errors[path]) for path, run in runs.items()}


@pytest.mark.parametrize("path", exercise_notebooks() or ["(no exercises)"],
                         ids=lambda p: getattr(p, "stem", p))
def test_exercise_as_shipped_with_lstmdoc_s_functions_and_with_a_mistake(site, executed, path):
    """One kernel runs the notebook as shipped, then each function filled with lstmdoc's own
    (graded ok), with a classic mistake (named), and with a wrong signature (the grader's
    message, not a traceback)."""
    nb, n, skeletons, error = executed[path]
    assert error is None, error
    shipped, tried = nb.cells[:n], nb.cells[n:]
    assert skeletons and all(shipped[k + 1].source.startswith("grade(") for k in skeletons)
    assert not [c.source for c in shipped if errors(c)]
    names = [SKELETON.match(shipped[k].source)[1] for k in skeletons]
    for k, name in zip(skeletons, names):
        assert graded_output(shipped[k + 1]) == (
            f"Still to be written: {name} (its body is still `raise NotImplementedError`).\n")
    if len(skeletons) > 1:  # the last cell grades them all
        todo = f"Still to be written: {', '.join(names)} (its body is still "
        assert graded_output(shipped[-1]).endswith(todo + "`raise NotImplementedError`).\n")
    for j, name in enumerate(names):
        right, wrong, signature = (graded_output(tried[6 * j + m]) for m in (1, 3, 5))
        assert right.startswith(f"ok    {name} ") and "matches at all" in right, right
        assert right.count("\n") == 1, right
        assert wrong.startswith("WRONG"), wrong
        assert f"likely mistake {MISTAKES[name][1]}: yours: " in wrong, wrong
        assert "could not be graded: yours takes (); lstmdoc's takes (" in signature, signature
        assert "Traceback" not in signature, signature
