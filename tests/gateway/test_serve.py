"""`fiscalgw serve` really serves: the process is started and spoken to over HTTP on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys

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
