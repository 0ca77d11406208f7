# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test

.PHONY: serve test lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTING): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

serve: $(RUNTIME)
	$(BIN)/transmit serve example

test: $(TESTING)
	bash scripts/install-test-system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(TESTING)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Speed against Hugo on the same posts (see benchmarks/README.md), e.g.
# make bench BENCH_ARGS="--posts 1000 --posts 10000 --search --json bench.json"
BENCH_ARGS ?= --posts 1000 --search
bench: $(RUNTIME)
	$(PYTHON) benchmarks/run.py --transmit "$(CURDIR)/$(BIN)/transmit" $(BENCH_ARGS)
