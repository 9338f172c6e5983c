"""`fiscalgw serve` really serves: the process is started and spoken to over HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
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


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that this test holds open (listening) until it ends."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_a_busy_port_is_one_line_before_anything_is_written(tmp_path: Path, busy_port: int) -> None:
    """Issue 15: ``serve`` on a port already taken says so in one line and exits non-zero — before it writes
    the demo configuration or creates (and migrates) the database, not after, as uvicorn's Errno 98."""
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--port", str(busy_port)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert (
        result.stderr
        == f"fiscalgw: error: port {busy_port} on 127.0.0.1 is busy (choose another with --port)\n"
    )
    assert list(tmp_path.iterdir()) == []  # no .fiscalgw/, no fiscalgw.db


def test_make_serve_takes_host_and_port() -> None:
    """``make serve PORT=… HOST=…`` passes them to ``fiscalgw serve`` (dry run: nothing is installed)."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        ["make", "-n", "-C", str(root), "serve", "PORT=8123", "HOST=127.0.0.2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert ".venv/bin/fiscalgw serve --host 127.0.0.2 --port 8123" in result.stdout
