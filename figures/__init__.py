"""Figures of the Step pages, drawn with matplotlib from real runs of lstmdoc.

- :mod:`figures.cell_diagram` — the LSTM cell, one step's backward path highlighted;
- :mod:`figures.step_plots` — small plots of a gradient's values;
- :mod:`figures.build` — which figure goes into which file, and the writing of them.

The Sphinx extension ``docs/_ext/lstmdoc_figures.py`` calls :func:`figures.build.build`.
"""
