"""Per-field docstrings for the NamedTuple records, from their numpydoc ``Attributes``.

Without them ``help(CellGrads)`` lists every field as "Alias for field number
0"; with them each field says what it holds and its shape, in the words of the
class docstring (which the API page renders).
"""

import inspect
import re


def field_docs(cls):
    """Class decorator: each field's ``__doc__`` from the class's ``Attributes`` section.

    Raises ``ValueError`` when a field is missing from the section, so a new
    field cannot go undocumented.
    """
    lines = inspect.cleandoc(cls.__doc__).splitlines()
    start = lines.index("Attributes") + 2  # skip the underline
    docs, name = {}, None
    for line in lines[start:]:
        if line and not line.startswith(" "):
            if not re.match(r"[\w, ]+ : ", line):
                break  # the next section
            name = line.split(" : ")[0]
            docs[name] = [line.split(" : ", 1)[1]]
        elif line.strip() and name:
            docs[name].append(line.strip())
    expanded = {n.strip(): text for names, text in docs.items() for n in names.split(",")}
    missing = [f for f in cls._fields if f not in expanded]
    if missing:
        raise ValueError(f"{cls.__name__}: fields {missing} are not in its Attributes section")
    for f in cls._fields:
        kind, *text = expanded[f]
        getattr(cls, f).__doc__ = f"{' '.join(text)} ({kind})"
    return cls
