# The two commands a maintainer needs: `make build` and `make test`. Both set up .venv on first use.
# `make -f path/to/this/Makefile -C LIST build` builds another list with this checkout's tool.
PYTHON ?= python3
HERE := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
VENV := $(HERE).venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp
# A build that succeeded touches BUILT; make then rebuilds only when an input, an output or one of
# their folders (a file added or deleted) is newer: that is the whole no-op check.
BUILT := .cache/built
WATCHED := pyproject.toml papers templates concepts challenge data schema .github/ISSUE_TEMPLATE README.md _site
BUILD_INPUTS = $(wildcard $(WATCHED)) $(shell find $(wildcard $(WATCHED)) -newer $(BUILT) 2>/dev/null | head -1)

.PHONY: build test golden bench check clean-venv python-version

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "awesome-prune needs Python >= 3.11, found $$($(PYTHON) --version 2>&1 | head -n 1); set PYTHON=python3.11 (or newer)"; \
	  exit 1; }

$(STAMP): $(HERE)pyproject.toml
	@$(MAKE) --no-print-directory -f $(HERE)Makefile python-version
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e '$(HERE)'
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -e '$(HERE)[test]'
	touch $@

## build: validate the records, regenerate every output and the site, check their local links
build: $(BUILT)

$(BUILT): $(STAMP) $(BUILD_INPUTS)
	$(BIN)/awesome-prune build
	@mkdir -p $(dir $@) && touch $@

## test: run the whole test suite
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

## golden: regenerate the golden output trees the tests compare against
golden: $(TEST_STAMP)
	$(BIN)/python -m tests.golden

## bench: print speed figures (build at 1,000 and 10,000 papers; link checker)
bench: $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '$(HERE)[test,bench]'
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_links.py

## check: what CI runs on pull requests (validate, outputs up to date)
check: $(STAMP)
	$(BIN)/awesome-prune validate
	$(BIN)/awesome-prune build --check

clean-venv:
	rm -rf $(VENV)
