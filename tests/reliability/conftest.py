"""Fixtures for the fault tests: the gateway tests' database and demo fixtures (SQLite, and PostgreSQL when
``FISCALGW_TEST_DATABASE_URL`` is set — each test in its own schema)."""

from __future__ import annotations

from tests.gateway.conftest import database_url, demo_dir, demo_template

__all__ = ["database_url", "demo_dir", "demo_template"]
