"""What the fault tests drive: signed indicator messages, the gateway in-process with a settable clock, and
``fiscalgw serve`` as a real process that a test can SIGKILL and start again on the same port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from gateway.api.app import create_app
from gateway.bootstrap import build_gateway
from gateway.config import DatabaseSection, load_settings
from tests.conftest import free_port, wait_until_up
from tests.gateway.conftest import Clock, Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY = "330000000", "330300000"

Key = tuple[str, str]


def indicator(n: int, prefix: str = "R") -> tuple[str, bytes]:
    """(message id, body): one 指标 下达 from the province to the city, unique per ``n``."""
    body = indicator_document(indicator_row(PROVINCE, CITY, f"33000026{prefix}{n:06d}", Decimal("100.00")))
    return f"{prefix}-{n:06d}", body


def in_process(config_dir: Path, database_url: str, **delivery: Any) -> Harness:
    """The gateway in-process (TestClient for ingest) with ``delivery`` settings overridden."""
    settings = load_settings(config_dir)
    settings = settings.model_copy(
        update={
            "database": DatabaseSection(url=database_url),
            "delivery": settings.delivery.model_copy(update=delivery),
        }
    )
    clock = Clock()
    gw = build_gateway(settings, clock=clock)
    gw.database.upgrade()
    return Harness(config_dir, gw, TestClient(create_app(gw)), clock)


def post(h: Harness, n: int) -> Key:
    message_id, body = indicator(n)
    headers = signed_headers(h.config_dir, PROVINCE, body, message_id, h.clock.now)
    answer = h.client.post("/v1/messages", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    return (PROVINCE, message_id)


def env_for(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a gateway process: the database URL and ``FISCALGW_DELIVERY__*`` overrides."""
    env = {**os.environ, "FISCALGW_DATABASE__URL": database_url}
    env.update({f"FISCALGW_DELIVERY__{k.upper()}": v for k, v in settings.items()})
    return env


def fiscalgw(config_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run one ``fiscalgw`` command to completion (bounded)."""
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args, "--config", str(config_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class GatewayProcess:
    """``fiscalgw serve`` on a fixed 127.0.0.1 port; :meth:`kill` is SIGKILL (no shutdown of any kind)."""

    config_dir: Path
    env: dict[str, str]
    log: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "gateway", "serve", "--config", str(self.config_dir)]
        command += ["--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers)]
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until_up(f"{self.base}/healthz", self.process, timeout=60)

    def kill(self) -> None:
        """SIGKILL the server and every worker it started (its process group)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


@contextmanager
def gateway_process(
    config_dir: Path, database_url: str, log: Path, **delivery: str
) -> Iterator[GatewayProcess]:
    env = env_for(database_url, **delivery)
    upgrade = fiscalgw(config_dir, env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    server = GatewayProcess(config_dir, env, log)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Outcomes:
    """What the clients saw: 2xx (accepted) versus an error or no answer at all (unanswered)."""

    accepted: set[Key] = field(default_factory=set)
    unanswered: dict[Key, bytes] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: Key, body: bytes, outcome: str | None) -> None:
        with self.lock:
            if outcome is None:
                self.accepted.add(key)
                self.unanswered.pop(key, None)
            else:
                self.unanswered[key] = body
                self.errors[outcome] = self.errors.get(outcome, 0) + 1


def send(base: str, config_dir: Path, message_id: str, body: bytes, client: httpx.Client) -> str | None:
    """POST one signed message; ``None`` on a 2xx, otherwise what went wrong (status or exception name)."""
    headers = signed_headers(config_dir, PROVINCE, body, message_id, datetime.now(UTC))
    try:
        answer = client.post(f"{base}/v1/messages", content=body, headers=headers)
    except httpx.HTTPError as exc:
        return type(exc).__name__
    return None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"


def fire(
    base: str,
    config_dir: Path,
    numbers: range,
    outcomes: Outcomes,
    stop: threading.Event,
    prefix: str = "R",
    pause_on_error: float = 0.0,
) -> None:
    """One client: send ``numbers`` in order until ``stop``; every outcome is recorded; after an error the
    client waits ``pause_on_error`` s before its next message (a sender backing off)."""
    with httpx.Client(timeout=15.0) as client:
        for n in numbers:
            if stop.is_set():
                return
            message_id, body = indicator(n, prefix)
            outcome = send(base, config_dir, message_id, body, client)
            outcomes.record((PROVINCE, message_id), body, outcome)
            if outcome is not None and pause_on_error:
                stop.wait(pause_on_error)


def resend(base: str, config_dir: Path, outcomes: Outcomes) -> None:
    """What a sender does with a message that got no 2xx: send it again, same id and body (idempotent)."""
    with httpx.Client(timeout=15.0) as client:
        for key, body in sorted(outcomes.unanswered.items()):
            result = send(base, config_dir, key[1], body, client)
            assert result is None, f"resending {key[1]}: {result}"
            outcomes.record(key, body, None)
