"""Ops actions: retry a dead letter, cancel, replay since T — each audited."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest

from gateway import audit
from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.relay import Relay, RelayReport
from gateway.delivery.transport import MockTransport, Push
from gateway.model import OutboxStatus
from gateway.services import ops
from gateway.services.errors import BadRequest, NotFound
from tests.gateway.conftest import Harness
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers

CITY = "330300000"


def submit(h: Harness, message_id: str) -> int:
    body = indicator_document(indicator_row("330000000", CITY, f"B-{message_id}", Decimal("1.00")))
    headers = signed_headers(h.config_dir, "330000000", body, message_id, h.clock.now)
    assert h.client.post("/v1/messages", content=body, headers=headers).status_code == 202
    with h.gateway.database.unit_of_work() as uow:
        return uow.outbox.pending_ids(CITY)[-1]


def down(_push: Push) -> None:
    raise DeliveryFailed("connection refused")


def kill_to_dead(h: Harness) -> None:
    relay = Relay(h.gateway, MockTransport(down), rng=random.Random(0))
    for _ in range(h.gateway.settings.delivery.max_attempts):
        relay.run_once()
        h.clock.now += timedelta(hours=1)


def actions(h: Harness) -> list[str]:
    with h.gateway.database.unit_of_work() as uow:
        audit.verify(uow.audit)
        return [e.action for e in uow.audit.entries()]


def test_retry_brings_a_dead_letter_back(harness: Harness) -> None:
    row = submit(harness, "m-dead")
    kill_to_dead(harness)
    with harness.gateway.database.unit_of_work() as uow:
        assert uow.outbox.depth()[OutboxStatus.DEAD] == 1
    ops.retry(harness.gateway, row, actor="ops:alice")
    delivered: list[Push] = []
    assert Relay(harness.gateway, MockTransport(delivered.append)).run_once() == RelayReport(sent=1)
    assert actions(harness)[-1] == "outbox.retry"
    with pytest.raises(NotFound):
        ops.retry(harness.gateway, row, actor="ops:alice")  # it is sent now


def test_cancel_stops_a_pending_delivery(harness: Harness) -> None:
    row = submit(harness, "m-cancel")
    ops.cancel(harness.gateway, row, actor="ops:bob")
    assert Relay(harness.gateway, MockTransport(down)).run_once() == RelayReport()
    assert actions(harness)[-1] == "outbox.cancel"


def test_replay_since_pushes_again_with_the_original_id(harness: Harness) -> None:
    submit(harness, "m-old")
    harness.clock.now = NOW + timedelta(hours=1)
    submit(harness, "m-new")
    pushes: list[Push] = []
    relay = Relay(harness.gateway, MockTransport(pushes.append))
    assert relay.run_once() == RelayReport(sent=2)
    assert (
        ops.replay_since(harness.gateway, NOW + timedelta(minutes=30), actor="ops:carol", receiver=CITY) == 1
    )
    assert relay.run_once() == RelayReport(sent=1)
    ids = [p.headers["X-Message-Id"] for p in pushes]
    assert sorted(ids[:2]) == ["m-new", "m-old"] and ids[2:] == ["m-new"]  # one pass: pushed concurrently
    assert actions(harness)[-1] == "outbox.replay"


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_cli_action_on_an_unknown_row_says_it_does_not_exist(
    harness: Harness, database_url: str, action: str
) -> None:
    """Issue 15: ``outbox retry 9999`` says the delivery does not exist (not that it is in a wrong state)."""
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "outbox", action, "9999", "--config", str(harness.config_dir)],
        env={**os.environ, "FISCALGW_DATABASE__URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == "fiscalgw: error: outbox row 9999 does not exist\n"


def test_an_action_on_a_row_in_another_state_names_its_state(harness: Harness) -> None:
    row = submit(harness, "m-pending")
    with pytest.raises(NotFound, match=rf"^outbox row {row} is pending, not dead or cancelled$"):
        ops.retry(harness.gateway, row, actor="ops:alice")
    ops.cancel(harness.gateway, row, actor="ops:alice")
    with pytest.raises(NotFound, match=rf"^outbox row {row} is cancelled, not pending or dead$"):
        ops.cancel(harness.gateway, row, actor="ops:alice")
    with pytest.raises(NotFound, match=r"^outbox row 0 does not exist$"):
        ops.retry(harness.gateway, 0, actor="ops:alice")


def test_cancel_audits_its_reason_and_replay_count_previews_replay(
    harness: Harness, database_url: str
) -> None:
    first, second = submit(harness, "m-why-1"), submit(harness, "m-why-2")
    ops.cancel(harness.gateway, first, actor="ops:bob", reason="  接收方停机  ")
    with pytest.raises(BadRequest):
        ops.cancel(harness.gateway, second, actor="ops:bob", reason="x" * (ops.MAX_REASON + 1))
    command = ["outbox", "cancel", str(second), "--reason", "重复推送", "--config", str(harness.config_dir)]
    result = subprocess.run(
        [sys.executable, "-m", "gateway", *command],
        env={**os.environ, "FISCALGW_DATABASE__URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    with harness.gateway.database.unit_of_work() as uow:
        cancels = [e.detail for e in uow.audit.entries() if e.action == "outbox.cancel"]
    assert cancels == [{"reason": "接收方停机"}, {"reason": "重复推送"}]
    ops.retry(harness.gateway, first, actor="ops:bob")
    assert Relay(harness.gateway, MockTransport(lambda _push: None)).run_once() == RelayReport(sent=1)
    assert ops.replay_count(harness.gateway, NOW - timedelta(hours=1)) == 1
    assert ops.replay_count(harness.gateway, NOW - timedelta(hours=1), receiver="330100000") == 0
    assert ops.replay_since(harness.gateway, NOW - timedelta(hours=1), actor="ops:bob") == 1
    assert ops.replay_count(harness.gateway, NOW - timedelta(hours=1)) == 0
