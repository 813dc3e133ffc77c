# Two commands do all the set-up on a fresh machine (see README.md):
#   make lab    open the collection in JupyterLab
#   make test   run every test (unit tests, then every notebook under nbval)
# Both create .venv if absent and install the pinned environment and `helpers` into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The test, browser and site tools come on top, only for the targets that need them.
DEV_STAMP := $(VENV)/.installed-dev
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told (containers, CI machines run as root).
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
REPO ?=
NBVAL_ARGS := --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
# The real-browser test (JupyterLab in headless Chromium; needs `apt-get install chromium`).
BROWSER_TESTS := tests/browser

.PHONY: lab test unit nbval execute bench fidelity binder-links site browser-test clean help

help:
	@echo "make lab | test | execute | bench | site | browser-test | fidelity | binder-links REPO=owner/name | clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,browser,site]'
	touch $(DEV_STAMP)

## Open JupyterLab at the start page (prints the URL; LAB_ARGS="--no-browser --port 8899" passes flags)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

## Run every test: unit tests, then every notebook under nbval (exits non-zero on any failure)
test: unit nbval

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests

nbval: $(DEV_STAMP)
	$(BIN)/python -m pytest -q $(NBVAL_ARGS) $(NOTEBOOKS)

## Re-execute every notebook in place, top to bottom, so committed outputs are fresh
execute: $(STAMP)
	$(BIN)/python -m helpers._execute $(NOTEBOOKS)

## Check the cohort against every number the paper prints
fidelity: $(STAMP)
	$(BIN)/python -m helpers.fidelity

## Timing figures against the budgets in bench/budgets.toml (reports; never fails)
bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py

## Build the static course site into _site/ (offline; renders the committed outputs, executes nothing)
site: $(DEV_STAMP)
	$(BIN)/python tools/build_site.py --out _site

## Only the real-browser test: every explorer driven in JupyterLab in headless Chromium
browser-test: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m browser $(BROWSER_TESTS)

## Print Binder launch links for a fork: make binder-links REPO=owner/name
binder-links:
	@$(PYTHON) tools/binder_links.py $(REPO)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
