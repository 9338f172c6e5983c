"""Done-when, payment leg over real HTTP: a 5201 voucher reaches the simulated bank, its 回单 returns to the
county, the bank's 2301 reaches the simulated PBOC and its clearing receipt comes back — signed, traced and
in the audit chain; SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.registry import default_registry
from gateway.demo.processes import simulator
from tests.conftest import free_port
from tests.gateway.peer import audit_verifies, envelope, post, signed
from tests.gateway.test_e2e_indicator import point_party_at, running_gateway

COUNTY, BANK, PBC = "330324000", "102333300018", "3303240000"
VOUCHER_NO = "3303245201260000123"


def wait_for_inbox(base: str, config: Path, party: str, message_type: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = httpx.get(f"{base}/v1/inbox", headers=signed(config, party, "GET", "/v1/inbox")).json()[
            "items"
        ]
        for item in items:
            document = default_registry().identify(base64.b64decode(item["body_base64"]))
            parsed = document.parse(base64.b64decode(item["body_base64"]))
            types = {getattr(r.message, "message_type", "") for r in parsed.records}
            ack = f"/v1/inbox/{item['id']}/ack"
            httpx.post(f"{base}{ack}", headers=signed(config, party, "POST", ack))
            if message_type in types:
                return dict(item)
        time.sleep(0.2)
    raise AssertionError(f"no {message_type} reached {party}'s inbox")


@pytest.mark.e2e
def test_voucher_receipt_and_clearing_over_simulated_bank_and_pboc(demo_dir: Path, database_url: str) -> None:
    bank_port, pbc_port = free_port(), free_port()
    point_party_at(demo_dir, BANK, bank_port)
    point_party_at(demo_dir, PBC, pbc_port)
    with (
        running_gateway(demo_dir, database_url) as base,
        simulator("bank", demo_dir, bank_port, base, database_url),
        simulator("pbc", demo_dir, pbc_port, base, database_url),
    ):
        assert post(base, demo_dir, COUNTY, envelope("5201"))["records"][0]["receivers"] == [BANK]
        receipt = wait_for_inbox(base, demo_dir, COUNTY, "payment_receipt")
        assert receipt["original_sender"] == BANK
        assert post(base, demo_dir, BANK, envelope("2301"))["records"][0]["receivers"] == [PBC]
        cleared = wait_for_inbox(base, demo_dir, COUNTY, "clearing_receipt")
        assert cleared["original_sender"] == PBC
        target = f"/v1/trace?voucher_no={VOUCHER_NO}"  # the query is signed too
        chain = httpx.get(f"{base}{target}", headers=signed(demo_dir, COUNTY, "GET", target)).json()["chain"]
        assert [c["message_type"] for c in chain] == [
            "payment_voucher",
            "payment_receipt",
            "clearing_receipt",
        ]
    audit_verifies(demo_dir, database_url)
