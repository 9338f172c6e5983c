"""A small, realistic store for the web tests and the screenshots: indicators, one voucher's whole payment
chain, and a push delivery killed to a dead letter — all through the real ingest path and relay."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from adapters.registry import default_registry
from gateway.bootstrap import Gateway
from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport, Push
from gateway.services import browse
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.conftest import Clock
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBC = "102333300018", "3303240000"
VOUCHER_NO = "3303245201260000123"
"""The 5201 sample's voucher number (tests/adapters/payments_samples.py)."""


@dataclass(frozen=True)
class Seeded:
    voucher_message_id: str
    dead_message_id: str
    dead_outbox_id: int
    indicator_message_ids: tuple[str, ...]


def tokens(config_dir: Path) -> dict[str, str]:
    """The demo's bearer tokens by role (``fiscalgw init`` writes ``tokens.txt``)."""
    lines = (config_dir / "tokens.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split(" ", 1) for line in lines if line.strip())


def send(
    client: TestClient, config_dir: Path, clock: Clock, sender: str, body: bytes, message_id: str
) -> None:
    headers = signed_headers(config_dir, sender, body, message_id, clock.now)
    response = client.post("/v1/messages", content=body, headers=headers)
    if response.status_code != 202:
        raise RuntimeError(f"seeding {message_id} failed: {response.status_code} {response.text}")


def _down(_push: Push) -> None:
    raise DeliveryFailed("connection refused (127.0.0.1:8101)")


def seed(gateway: Gateway, client: TestClient, config_dir: Path, clock: Clock) -> Seeded:
    evoucher = default_registry().get("evoucher")
    indicator_ids = []
    for n in range(3):
        message_id = f"IND-2026-{n + 1:04d}"
        body = indicator_document(
            indicator_row(PROVINCE, CITY, f"BGT-3300-2026-{n + 1:04d}", Decimal("1250000.00") + n)
        )
        send(client, config_dir, clock, PROVINCE, body, message_id)
        indicator_ids.append(message_id)
        clock.now += timedelta(minutes=3)
    # Every push to the city fails until the delivery is dead.
    relay = Relay(gateway, MockTransport(_down), rng=random.Random(0))
    for _ in range(gateway.settings.delivery.max_attempts):
        relay.run_once()
        clock.now += timedelta(hours=1)
    with gateway.database.unit_of_work() as uow:
        if uow.outbox.pending_ids(CITY):
            raise RuntimeError("every delivery to the city should be dead by now")
    # The payment chain of one voucher (5201 → 回单 → 2301 → PBOC receipt); pushes succeed.
    voucher_id = f"PAY-{uuid.uuid4().hex[:12]}"
    chain = (
        (COUNTY, "5201", voucher_id),
        (BANK, "5201_receipt", None),
        (BANK, "2301", None),
        (PBC, "2301_receipt", None),
    )
    for sender, sample, message_id in chain:
        send(
            client,
            config_dir,
            clock,
            sender,
            evoucher.render(evoucher_document(sample)),
            message_id or f"M-{uuid.uuid4().hex[:12]}",
        )
        clock.now += timedelta(minutes=7)
    Relay(gateway, MockTransport(lambda _push: None)).run_once()
    dead_rows = browse.queue_view(gateway, "dead").page.items
    first = min(dead_rows, key=lambda d: d.id)
    return Seeded(voucher_id, first.original_message_id, first.id, tuple(indicator_ids))
