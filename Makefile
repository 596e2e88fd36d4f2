# Vanco: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 on PATH (pyenv picks 3.13 from .python-version inside the repo).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export VANCO_DATA_DIR ?= $(CURDIR)/var

.PHONY: help run test venv check lint format messages vendor clean

help:
	@echo "make run    - set up, load demo data and serve Vanco at http://127.0.0.1:8000"
	@echo "make test   - set up and run the whole test suite"
	@echo "make check  - ruff, formatting and migration checks"
	@echo "make messages - update and compile the translation catalogues"
	@echo "make vendor - re-fetch the vendored front-end assets from npm"

$(STAMP): pyproject.toml constraints.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Vanco needs Python 3.12 or newer (python3.13, python3.12 or python3); none was found." >&2; \
		echo "Install one (e.g. apt-get install python3.13, or pyenv install 3.13.0) and retry." >&2; \
		exit 1; fi
	@echo "Setting up $(VENV) with $$($(PYTHON) --version)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@mkdir -p "$(VANCO_DATA_DIR)"
	@$(BIN)/vanco migrate --noinput -v0
	@$(BIN)/vanco demo --if-empty
	@$(BIN)/vanco serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	@command -v "$${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { \
		echo "The browser tests drive Chromium: apt-get install chromium (or set CHROMIUM=/path)." >&2; exit 1; }
	@command -v msgfmt >/dev/null || { \
		echo "The translation tests need gettext: apt-get install gettext." >&2; exit 1; }
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/vanco makemigrations --check --dry-run -v0

lint: check

format: $(STAMP)
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

messages: $(STAMP)
	@cd src/vanco && ../../$(BIN)/vanco makemessages -l vi -l en -l zh_Hans --no-obsolete --no-location -i "static/vendor/*"
	@cd src/vanco && ../../$(BIN)/vanco compilemessages -v0

vendor:
	@bash scripts/vendor.sh

clean:
	rm -rf $(VENV) var .pytest_cache
