"""Two relay processes on one database: no row is pushed by both at once, and when one is killed with
SIGKILL mid-run its claimed rows come back after the lease and reach the receiver — nothing is lost."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.gateway.conftest import build_harness
from tests.gateway.peer import push_receiver
from tests.gateway.samples import indicator_document, indicator_row, signed_headers
from tests.gateway.test_e2e_indicator import point_city_at

DOCUMENTS = 30
LEASE_SECONDS = 3


def relay_process(config: Path, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FISCALGW_DATABASE__URL": database_url,
        "FISCALGW_DELIVERY__LEASE_SECONDS": str(LEASE_SECONDS),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway",
            "relay",
            "--config",
            str(config),
            "--interval",
            "0.1",
            "--batch",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.e2e
@pytest.mark.slow
def test_two_relays_share_the_outbox_and_a_killed_one_loses_nothing(
    demo_dir: Path, database_url: str
) -> None:
    with push_receiver(delay=0.05) as city:
        point_city_at(demo_dir, city.port)
        h = build_harness(demo_dir, database_url)
        try:
            for n in range(DOCUMENTS):
                body = indicator_document(
                    indicator_row("330000000", "330300000", f"R{n:04d}", Decimal("1.00"))
                )
                headers = signed_headers(demo_dir, "330000000", body, f"m-{n:04d}", h.clock.now)
                assert h.client.post("/v1/messages", content=body, headers=headers).status_code == 202
        finally:
            h.client.close()
            h.gateway.close()
        first, second = relay_process(demo_dir, database_url), relay_process(demo_dir, database_url)
        try:
            deadline = time.monotonic() + 60
            while len(city.received) < 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            first.kill()  # SIGKILL: no chance to release its claims
            first.wait(timeout=10)
            wanted = {f"m-{n:04d}" for n in range(DOCUMENTS)}
            while time.monotonic() < deadline:
                if {r.headers["X-Message-Id"] for r in list(city.received)} >= wanted:
                    break
                time.sleep(0.05)
        finally:
            for process in (first, second):
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=10)
                if process.stderr is not None:
                    process.stderr.close()
    deliveries: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for received in city.received:
        deliveries[received.headers["X-Message-Id"]].append((received.started, received.finished))
    assert set(deliveries) == wanted, "a row claimed by the killed relay was lost"
    for message_id, spans in deliveries.items():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, f"{message_id} was being pushed by two relays at once"
