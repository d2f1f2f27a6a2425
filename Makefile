# The two commands a maintainer needs: `make build` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build test golden bench check clean-venv bytecode

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# The package's compiled bytecode, kept fresh: where Python is told not to write it
# (PYTHONDONTWRITEBYTECODE), every run would otherwise compile the sources again (~40 ms).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src/awesome_prune

## build: validate the records, regenerate README, concept pages and challenge notes, check local links
build: bytecode
	$(BIN)/awesome-prune build
	$(BIN)/awesome-prune links

## test: run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## golden: regenerate the golden output trees the tests compare against
golden: $(STAMP)
	$(BIN)/python -m tests.golden

## bench: print speed figures (build at 1,000 and 10,000 papers; link checker)
bench: bytecode
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
