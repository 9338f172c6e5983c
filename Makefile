# One command each: `make serve` runs the gateway, `make test` runs everything CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PKGS   := gateway schemas adapters signing

.PHONY: install system-deps lint typecheck test serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Interop peers for the SM2 tests: the openssl CLI and BouncyCastle (Debian libbcprov-java) run by java.
system-deps:
	bash scripts/system-deps

lint: install
	$(BIN)/ruff check $(PKGS) tests bench
	$(BIN)/ruff format --check $(PKGS) tests bench

typecheck: install
	$(BIN)/mypy $(PKGS)

test: install system-deps lint typecheck
	$(BIN)/pytest

serve: install
	$(BIN)/fiscalgw serve

bench: install
	$(BIN)/python bench/crypto.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
