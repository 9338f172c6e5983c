"""The gateway fixtures of tests/gateway (a demo configuration, SQLite and PostgreSQL databases, the
in-process harness) for the security tests."""

from __future__ import annotations

from tests.gateway.conftest import database_url, demo_dir, demo_template, harness

__all__ = ["database_url", "demo_dir", "demo_template", "harness"]
