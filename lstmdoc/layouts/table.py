"""The layouts side by side, as a Markdown table written from their descriptions."""

from .convert import cell_roles, role_names
from .spec import LAYOUTS, get, shapes


def _names(lt, role):
    names = role_names(lt, role)
    return ", ".join(f"`{n}`" for n in names) + f" {shapes(lt)[role]}"


def _cells(lt):
    """Each row's cell for layout ``lt``."""
    sh = shapes(lt)
    weights = "; ".join(_names(lt, r) for r in cell_roles(lt) if r.startswith("W"))
    if lt.bias == "first row":
        bias = f"row 0 of `{lt.name_of('W')}`"
    else:
        bias = " + ".join(_names(lt, r) for r in ("b", "b2") if r in lt.names)
    over = ", ".join((["1"] if lt.bias == "first row" else []) + list(lt.z))
    order = ", ".join(lt.gates) + (" (one array per gate)" if lt.per_gate else "")
    output = (f"`{lt.name_of('Wy')}` {sh['Wy']}, `{lt.name_of('by')}` {sh['by']}"
              if lt.output else "none")
    return {
        "whose": lt.title,
        "weights": weights + (f", over [{over}]" if lt.weights == "joint" else ""),
        "bias": bias,
        "gate order (g: the candidate)": order,
        "forget bias": "added at run time" if lt.forget_bias else "in the bias (folded)",
        "inputs": f"`{lt.name_of('x')}` {sh['x']}",
        "initial state": f"`{lt.name_of('h0')}`, `{lt.name_of('c0')}` {sh['h0']}",
        "output layer": output,
        "stacking": lt.stacking,
    }


def table(names=None):
    """A Markdown table of the layouts ``names`` (default all), one column each.

    Examples
    --------
    >>> from lstmdoc.layouts.table import table
    >>> print(table(["cs231n"]).splitlines()[3])
    | weights | `Wx` (D, 4H); `Wh` (H, 4H) |
    """
    lts = [get(n) for n in (names or LAYOUTS)]
    cells = [_cells(lt) for lt in lts]
    lines = ["| | " + " | ".join(lt.name for lt in lts) + " |",
             "|---|" + "---|" * len(lts)]
    lines += [f"| {row} | " + " | ".join(c[row].replace("|", "\\|") for c in cells) + " |"
              for row in cells[0]]
    return "\n".join(lines) + "\n"
