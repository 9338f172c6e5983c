"""`fiscalgw serve` really serves: the process is started and spoken to over HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest


@pytest.mark.e2e
def test_healthz_answers_without_authentication(served: str) -> None:
    response = httpx.get(f"{served}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_unknown_command_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "no-such-command"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_the_sqlite_database_is_readable_by_its_owner_only(served: str, tmp_path: Path) -> None:
    """Issue 13: the demo database (and its WAL and shared-memory files) is 0600, like the keys — whatever
    the umask (the test process's, typically 022, is inherited by the server)."""
    previous = os.umask(0)
    os.umask(previous)
    assert previous & 0o077 != 0o077, "the umask alone would already hide the file"
    response = httpx.get(f"{served}/readyz", timeout=5)  # a query: the WAL and -shm files exist now
    assert response.status_code == 200
    database = tmp_path / ".fiscalgw" / "fiscalgw.db"
    files = [database, database.with_name("fiscalgw.db-wal"), database.with_name("fiscalgw.db-shm")]
    modes = {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files if f.exists()}
    assert database.name in modes and len(modes) >= 2, modes
    assert set(modes.values()) == {"0o600"}, modes
