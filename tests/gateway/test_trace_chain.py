"""``GET /v1/trace``: the whole business chain of an indicator — indicator → 接收回执 → the vouchers that cite
it by 指标文号 → 回单 → refund → clearing request → clearing receipt — each entry with message id, type,
sender, receivers, delivery state, status and timestamps; parties see only their own part."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from adapters.base import Document, Record
from adapters.registry import default_registry
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport
from gateway.simulators.behaviour import Context, replies
from schemas.payments import PaymentVoucher
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBC = "102333300018", "3303240000"
BGT_ID = "3300002026YJ01"
DOC_NO = "浙财农〔2026〕12号"  # the sample indicator's 本级指标文号
V1, V2, V_OTHER = "3303245201260000123", "3303245201260000124", "3303248202260000045"


def send(h: Harness, sender: str, body: bytes) -> str:
    h.clock.now += timedelta(minutes=1)  # one message a minute: the chain's order is the arrival order
    message_id = uuid.uuid4().hex
    headers = signed_headers(h.config_dir, sender, body, message_id, h.clock.now)
    response = h.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 202, response.text
    return message_id


def evoucher(document: Document) -> bytes:
    return default_registry().get("evoucher").render(document)


def vouchers_citing_the_indicator() -> Document:
    """The 5201 sample: voucher V1 cites the indicator by BGT_ID, V2 by its 指标文号."""
    sample = evoucher_document("5201")
    cites = {V1: BGT_ID, V2: DOC_NO}
    records = []
    for record in sample.records:
        voucher = record.message
        assert isinstance(voucher, PaymentVoucher)
        records.append(
            replace(record, message=voucher.model_copy(update={"file_no_code": cites[voucher.voucher_no]}))
        )
    return Document("evoucher", tuple(records))


def build_chain(h: Harness) -> dict[str, str]:
    ids: dict[str, str] = {}
    indicator = indicator_document(indicator_row(PROVINCE, COUNTY, BGT_ID, Decimal("500000.00")))
    ids["indicator"] = send(h, PROVINCE, indicator)
    parsed = default_registry().identify(indicator).parse(indicator)
    (receipt,) = replies(
        "finance",
        parsed,
        today=h.clock.now.date(),
        reference="r",
        context=Context(h.clock.now.date(), "r", now=h.clock.now),
    )
    ids["indicator_receipt"] = send(h, COUNTY, default_registry().get("mof.json").render(receipt))
    ids["voucher"] = send(h, COUNTY, evoucher(vouchers_citing_the_indicator()))
    ids["unrelated"] = send(h, COUNTY, evoucher(evoucher_document("8202")))
    Relay(h.gateway, MockTransport(lambda _push: None)).run_once()  # the bank takes its vouchers
    ids["receipt"] = send(h, BANK, evoucher(evoucher_document("5201_receipt")))
    ids["refund"] = send(h, BANK, evoucher(evoucher_document("2252")))
    ids["clearing"] = send(h, BANK, evoucher(evoucher_document("2301")))
    ids["clearing_receipt"] = send(h, PBC, evoucher(evoucher_document("2301_receipt")))
    return ids


def person_trace(h: Harness, query: str) -> dict[str, Any]:
    token = dict(line.split(" ", 1) for line in (h.config_dir / "tokens.txt").read_text().splitlines())[
        "viewer"
    ]
    response = h.client.get(f"/v1/ops/trace?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def party_trace(h: Harness, party: str, query: str) -> dict[str, Any]:
    path = "/v1/trace"
    headers = signed_headers(
        h.config_dir, party, b"", uuid.uuid4().hex, h.clock.now, path=f"{path}?{query}", method="GET"
    )
    response = h.client.get(f"{path}?{query}", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_chain_of_an_indicator_from_issue_to_clearing_receipt(harness: Harness) -> None:
    ids = build_chain(harness)
    chain = person_trace(harness, f"bgt_id={BGT_ID}")["chain"]
    assert [(c["stage"], c["sender"], c["message_id"]) for c in chain] == [
        ("indicator", PROVINCE, ids["indicator"]),
        ("indicator_receipt", COUNTY, ids["indicator_receipt"]),
        ("voucher", COUNTY, ids["voucher"]),
        ("voucher", COUNTY, ids["voucher"]),
        ("receipt", BANK, ids["receipt"]),
        ("refund", BANK, ids["refund"]),
        ("clearing", BANK, ids["clearing"]),
        ("clearing_receipt", PBC, ids["clearing_receipt"]),
    ]
    by_stage = {c["stage"]: c for c in chain}
    assert [c["record"]["voucher_no"] for c in chain if c["stage"] == "voucher"] == [V1, V2]
    assert all(V_OTHER not in str(c["record"]) for c in chain)  # a voucher citing another 指标文号

    indicator = by_stage["indicator"]
    assert indicator["message_type"] == "transfer_indicator" and indicator["receivers"] == [COUNTY]
    assert indicator["record"]["amount"] == "500000.00" and indicator["record"]["bgt_id"] == BGT_ID
    assert (
        indicator["deliveries"][0]["receiver"] == COUNTY and indicator["deliveries"][0]["channel"] == "pull"
    )
    assert [e["status"] for e in indicator["events"]][:4] == ["received", "validated", "stored", "routed"]
    assert all(e["at"].startswith("2026-03-02T09:") for e in indicator["events"])

    voucher = by_stage["voucher"]
    assert voucher["receivers"] == [BANK] and voucher["status"] == "delivered"
    assert voucher["deliveries"][0]["state"] == "sent" and "sent_at" in voucher["deliveries"][0]
    assert {e["status"] for e in voucher["events"]} >= {"routed", "delivered"}

    assert by_stage["indicator_receipt"]["receivers"] == [PROVINCE]
    assert by_stage["receipt"]["record"]["x_pay_amt"] == "12345.67"
    assert by_stage["refund"]["record"]["original_voucher_no"] == V1
    assert by_stage["refund"]["record"]["pay_amt"] == "-2345.67"
    assert by_stage["clearing"]["receivers"] == [PBC]
    assert by_stage["clearing"]["record"]["cleared_vouchers"] == [V1, V2]
    # each voucher's own line of the batch, so a voucher's chain can show its share of the 清算金额
    assert by_stage["clearing"]["record"]["cleared_amounts"] == {V1: "12345.67", V2: "860.00"}
    assert by_stage["clearing_receipt"]["record"]["cleared_amounts"] == {V1: "12345.67", V2: "860.00"}
    assert by_stage["clearing_receipt"]["receivers"] == [BANK, COUNTY]
    assert by_stage["clearing_receipt"]["record"]["x_pay_amt"] == "13205.67"
    assert all(
        c["received_at"] < d["received_at"]
        for c, d in itertools.pairwise(chain)
        if c["message_id"] != d["message_id"]
    )


def test_parties_see_only_their_part_of_the_chain(harness: Harness) -> None:
    build_chain(harness)
    county = [c["stage"] for c in party_trace(harness, COUNTY, f"bgt_id={BGT_ID}")["chain"]]
    # the county is no party to the bank's 2301 (bank → treasury)
    assert county == [
        "indicator",
        "indicator_receipt",
        "voucher",
        "voucher",
        "receipt",
        "refund",
        "clearing_receipt",
    ]
    bank = [c["stage"] for c in party_trace(harness, BANK, f"bgt_id={BGT_ID}")["chain"]]
    assert bank == ["voucher", "voucher", "receipt", "refund", "clearing", "clearing_receipt"]
    assert party_trace(harness, CITY, f"bgt_id={BGT_ID}")["chain"] == []


def test_the_chain_of_a_voucher_starts_at_the_indicator_it_cites(harness: Harness) -> None:
    ids = build_chain(harness)
    chain = person_trace(harness, f"voucher_no={V2}")["chain"]
    assert [(c["stage"], c["message_id"]) for c in chain] == [
        ("indicator", ids["indicator"]),
        ("voucher", ids["voucher"]),
        ("clearing", ids["clearing"]),
        ("clearing_receipt", ids["clearing_receipt"]),
    ]
    assert chain[1]["record"]["voucher_no"] == V2  # only the traced voucher's record of the batch
    unknown = person_trace(harness, "voucher_no=NOSUCHVOUCHER")
    assert unknown == {"voucher_no": "NOSUCHVOUCHER", "chain": []}


@pytest.mark.parametrize("query", ["bgt_id=a&voucher_no=b", "", f"bgt_id={'x' * 65}"])
def test_a_trace_needs_one_sane_key(harness: Harness, query: str) -> None:
    token = dict(line.split(" ", 1) for line in (harness.config_dir / "tokens.txt").read_text().splitlines())[
        "viewer"
    ]
    response = harness.client.get(f"/v1/ops/trace?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


def test_a_receipt_alone_is_refused_and_not_traced(harness: Harness) -> None:
    """A 回单 for a voucher the gateway never routed is ``voucher_unknown`` (issue 13): no lone receipt."""
    body = evoucher(Document("evoucher", (Record(0, evoucher_document("5201_receipt").records[0].message),)))
    headers = signed_headers(harness.config_dir, BANK, body, uuid.uuid4().hex, harness.clock.now)
    response = harness.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 422 and response.json()["error"] == "voucher_unknown"
    assert person_trace(harness, f"voucher_no={V1}")["chain"] == []


def test_a_document_number_links_only_the_vouchers_of_its_own_divisions(harness: Harness) -> None:
    build_chain(harness)
    # the province issues to the city under the same 指标文号; the county's voucher citing it is not the
    # city's
    to_city = indicator_document(indicator_row(PROVINCE, CITY, "3300002026WZ01", Decimal("1.00")))
    city_indicator = send(harness, PROVINCE, to_city)
    chain = person_trace(harness, "bgt_id=3300002026WZ01")["chain"]
    assert [(c["stage"], c["message_id"]) for c in chain] == [("indicator", city_indicator)]
    upstream = [c for c in person_trace(harness, f"voucher_no={V2}")["chain"] if c["stage"] == "indicator"]
    assert [c["record"]["rec_div_code"] for c in upstream] == [COUNTY]


def test_a_control_character_in_the_key_is_a_bad_request(harness: Harness) -> None:
    token = dict(line.split(" ", 1) for line in (harness.config_dir / "tokens.txt").read_text().splitlines())[
        "viewer"
    ]
    response = harness.client.get(
        "/v1/ops/trace?voucher_no=%00abc", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_text"  # (issue #13)
    response = harness.client.get(
        "/v1/ops/trace?voucher_no=%01abc", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
