# The two commands a maintainer needs: `make build` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build test golden bench check clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

## build: validate the records, regenerate README, concept pages and challenge notes, check local links
build: $(STAMP)
	$(BIN)/awesome-prune build
	$(BIN)/awesome-prune links

## test: run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## golden: regenerate the golden output trees the tests compare against
golden: $(STAMP)
	$(BIN)/python -m tests.golden

## bench: print speed figures (build at 1,000 and 10,000 papers; link checker)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_links.py
	$(BIN)/python bench/bench_links_local.py

## check: what CI runs on pull requests (validate, outputs up to date)
check: $(STAMP)
	$(BIN)/awesome-prune validate
	$(BIN)/awesome-prune build --check

clean-venv:
	rm -rf $(VENV)
