# One task runner for the project; the README names its targets.
# `make site` and `make test` set up everything they need on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test check serve lint format golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the site from briefings/ into site/ (the previous site survives a failure).
site: $(STAMP)
	$(BIN)/briefings build

## Run the test suite (unit, golden, end-to-end build).
test: $(STAMP)
	$(BIN)/python -m pytest

## Validate the briefs only.
check: $(STAMP)
	$(BIN)/briefings check

## Preview the site on http://127.0.0.1:8000, rebuilding when a brief is saved.
serve: $(STAMP)
	$(BIN)/briefings serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Rewrite the golden Markdown files after an intended change to the output.
golden: $(STAMP)
	$(BIN)/python -m tests.golden

clean:
	rm -rf build site .site-* .pytest_cache .ruff_cache
