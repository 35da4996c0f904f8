# One task runner for developers and CI. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_HOME ?= var/demo

.PHONY: install demo test lint typecheck unit pg-test browser bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Seed the demo world into SQLite under var/demo and serve it on 127.0.0.1:8000.
demo: install
	DATADEED_HOME=$(DEMO_HOME) $(BIN)/datadeed demo

## Everything: system packages, lint, types, tests on SQLite (with Chromium), then PostgreSQL.
test: install
	bash scripts/ensure-system-deps.sh
	bash scripts/run-tests.sh

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

bench: install
	@if ls bench/*.py >/dev/null 2>&1; then for f in bench/*.py; do $(BIN)/python $$f; done; \
	else echo "no benchmarks yet"; fi

## Re-extract page messages into the zh_CN and en catalogs.
messages: install
	$(BIN)/python scripts/update_messages.py

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
