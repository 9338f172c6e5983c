# One command each: `make serve` runs the gateway, `make test` runs everything CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PKGS   := gateway schemas adapters signing

.PHONY: install system-deps lint typecheck audit test serve bench clean

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

# Known vulnerabilities in the installed dependencies (pip-audit; accepted exceptions with reasons in
# scripts/audit-exceptions.txt). FISCALGW_AUDIT_STRICT=1 also fails when the service cannot be reached.
audit: install
	$(BIN)/python scripts/audit

test: install system-deps lint typecheck audit
	$(BIN)/pytest

# make serve [PORT=8000] [HOST=127.0.0.1]: a busy port is one line, before anything is written.
PORT ?= 8000
HOST ?= 127.0.0.1
serve: install
	$(BIN)/fiscalgw serve --host $(HOST) --port $(PORT)

bench: install
	$(BIN)/python bench/crypto.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
