# lstmdoc: `make html` builds the verified site, `make test` runs every test.
# Each target creates .venv and installs what it needs (only python3 and make are assumed).

PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
# Extras installed for `make test`. playwright is small and drives the system's chromium
# (no browser download); CI adds torch, whose CPU wheel it has locally (PyPI's is CUDA, GBs).
TEST_EXTRAS ?= test,browser
comma      := ,
TEST_STAMP := $(VENV)/.test-$(subst $(comma),-,$(TEST_EXTRAS))
BUILDDIR   ?= _build
SPHINXOPTS ?= -W --keep-going -n
SPHINXBUILD = $(BIN)/sphinx-build -c . $(SPHINXOPTS)

# Deterministic numbers and figures in every run.
export OPENBLAS_NUM_THREADS = 1
export MKL_NUM_THREADS = 1
export MPLBACKEND = Agg
export PYTHONHASHSEED = 0
# Within the copyright year of conf.py: with an earlier year, Sphinx rewrites the current
# year in the footer's copyright to this one (2023 for 1700000000), depending on the build date.
export SOURCE_DATE_EPOCH = 1767225600

.PHONY: html doctest test pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.docs: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[docs]'
	touch $@

$(TEST_STAMP): pyproject.toml constraints.txt $(VENV)/.docs
	$(BIN)/pip install -q -c constraints.txt -e '.[docs,$(TEST_EXTRAS)]'
	touch $@

html: $(VENV)/.docs
	$(SPHINXBUILD) -b html docs $(BUILDDIR)/html
	@echo "The verified site is in $(BUILDDIR)/html/index.html (the whole book on one page:"
	@echo "$(BUILDDIR)/html/book.html; every chapter as a Jupyter notebook: $(BUILDDIR)/html/_notebooks)"

doctest: $(VENV)/.docs
	$(SPHINXBUILD) -b doctest docs $(BUILDDIR)/doctest

# One worker per core; a test file stays on one worker, so each module-wide fixture
# (the notebooks run, the browser and its server) is set up once.
pytest: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

# The browser tests open the built site, so the site is built first.
test: $(TEST_STAMP)
	$(MAKE) html
	$(MAKE) pytest
	$(MAKE) doctest

bench: $(VENV)/.docs
	$(BIN)/python -m lstmdoc.bench

clean:
	rm -rf _build docs/_generated
