"""Done-when, payment leg (in-process): a 5201 voucher reaches the agency bank, its 回单 returns to finance,
the bank's 2301 clearing request reaches the PBOC and its receipt comes back — all signed, routed and in the
audit chain."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from adapters.registry import default_registry
from gateway import audit
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport, Push
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.conftest import Harness
from tests.gateway.samples import signed_headers

COUNTY, BANK, PBC = "330324000", "102333300018", "3303240000"


def envelope(name: str) -> bytes:
    return default_registry().get("evoucher").render(evoucher_document(name))


def send(h: Harness, sender: str, body: bytes) -> dict[str, Any]:
    message_id = uuid.uuid4().hex
    headers = signed_headers(h.config_dir, sender, body, message_id, h.clock.now)
    response = h.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def receivers(answer: dict[str, Any]) -> set[str]:
    return {r for record in answer["records"] for r in record["receivers"]}


def test_voucher_receipt_clearing_round_trip(harness: Harness) -> None:
    pushes: list[Push] = []
    relay = Relay(harness.gateway, MockTransport(pushes.append))

    voucher = envelope("5201")
    assert receivers(send(harness, COUNTY, voucher)) == {BANK}
    relay.run_once()
    assert [p.url for p in pushes] == [harness.gateway.registry.get(BANK).push_url]
    assert pushes[0].body == voucher  # same format, whole document: the original bytes

    receipt = send(harness, BANK, envelope("5201_receipt"))
    assert receivers(receipt) == {COUNTY}
    pull_headers = signed_headers(
        harness.config_dir, COUNTY, b"", "pull-1", harness.clock.now, path="/v1/inbox", method="GET"
    )
    items = harness.client.get("/v1/inbox", headers=pull_headers).json()["items"]
    assert [i["format"] for i in items] == ["evoucher"]
    assert default_registry().get("evoucher").parse(base64.b64decode(items[0]["body_base64"])).records

    assert receivers(send(harness, BANK, envelope("2301"))) == {PBC}
    assert receivers(send(harness, PBC, envelope("2301_receipt"))) == {COUNTY, BANK}
    relay.run_once()
    assert {p.url for p in pushes[1:]} == {
        harness.gateway.registry.get(PBC).push_url,
        harness.gateway.registry.get(BANK).push_url,
    }
    with harness.gateway.database.unit_of_work() as uow:
        assert audit.verify(uow.audit) == 4
        assert [e.action for e in uow.audit.entries()] == ["message.accepted"] * 4


def trace(h: Harness, party: str, query: str) -> dict[str, Any]:
    path = "/v1/trace"
    headers = signed_headers(
        h.config_dir, party, b"", uuid.uuid4().hex, h.clock.now, path=f"{path}?{query}", method="GET"
    )
    response = h.client.get(f"{path}?{query}", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_trace_follows_a_voucher_to_its_receipt_and_clearing(harness: Harness) -> None:
    for sender, name in ((COUNTY, "5201"), (BANK, "5201_receipt"), (BANK, "2301"), (PBC, "2301_receipt")):
        send(harness, sender, envelope(name))
    bank_view = trace(harness, BANK, "voucher_no=3303245201260000123")["chain"]
    assert [(c["sender"], c["message_type"]) for c in bank_view] == [
        (COUNTY, "payment_voucher"),
        (BANK, "payment_receipt"),
        (BANK, "clearing_request"),
        (PBC, "clearing_receipt"),
    ]
    # parties see only what they sent or received: the county is no party to the bank's 2301
    county_view = trace(harness, COUNTY, "voucher_no=3303245201260000123")["chain"]
    assert [c["message_type"] for c in county_view] == [
        "payment_voucher",
        "payment_receipt",
        "clearing_receipt",
    ]
    assert trace(harness, "330300000", "voucher_no=3303245201260000123")["chain"] == []


def test_trace_needs_exactly_one_key(harness: Harness) -> None:
    path = "/v1/trace"
    headers = signed_headers(
        harness.config_dir,
        COUNTY,
        b"",
        "t-1",
        harness.clock.now,
        path=f"{path}?bgt_id=a&voucher_no=b",
        method="GET",
    )
    response = harness.client.get(f"{path}?bgt_id=a&voucher_no=b", headers=headers)
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
