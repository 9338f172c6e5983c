"""The PBOC on the ``cfx`` profile: a bank's 2301 reaches it as a TIPS 2201 package, its 3143 answer comes
back as the e-voucher clearing receipt to finance and the bank; the e-voucher profile keeps working."""

from __future__ import annotations

import base64
import tomllib
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from adapters.base import Document
from adapters.registry import default_registry
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport, Push
from gateway.simulators.behaviour import replies
from schemas.clearing import ClearingReceipt, PbocClearingApply
from tests.adapters.payments_samples import evoucher_document
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.samples import signed_headers

COUNTY, BANK, PBC = "330324000", "102333300018", "3303240000"
REQUEST_NO = "3303242301260000031"


def use_cfx_treasury(config_dir: Path, *, also_accepts: tuple[str, ...] = ("evoucher",)) -> None:
    """The demo configuration with the PBOC treasury's wire format switched to ``cfx`` (quota notices still
    reach it as e-vouchers)."""
    path = config_dir / "fiscalgw.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for party in data["parties"]:
        if party["kind"] == "pbc":
            party["wire_format"] = "cfx"
            party["also_accepts"] = list(also_accepts)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


@pytest.fixture
def cfx_harness(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    use_cfx_treasury(demo_dir)
    h = build_harness(demo_dir, database_url)
    try:
        yield h
    finally:
        h.client.close()
        h.gateway.close()


def send(h: Harness, sender: str, body: bytes) -> Any:
    headers = signed_headers(h.config_dir, sender, body, uuid.uuid4().hex, h.clock.now)
    return h.client.post("/v1/messages", content=body, headers=headers)


def evoucher(name: str) -> bytes:
    return default_registry().get("evoucher").render(evoucher_document(name))


def clearing_request(h: Harness) -> Any:
    """The bank's 2301 sample, after the county's 5201 vouchers it clears were routed to the bank."""
    assert send(h, COUNTY, evoucher("5201")).status_code == 202
    return send(h, BANK, evoucher("2301"))


def pushed_to_pbc(h: Harness) -> Push:
    pushes: list[Push] = []
    Relay(h.gateway, MockTransport(pushes.append)).run_once()
    url = h.gateway.registry.get(PBC).push_url
    (push,) = [p for p in pushes if p.url == url]
    return push


def test_a_2301_reaches_a_cfx_treasury_as_a_2201_package(cfx_harness: Harness) -> None:
    answer = clearing_request(cfx_harness)
    assert answer.status_code == 202, answer.text
    assert answer.json()["records"][0]["receivers"] == [PBC]
    push = pushed_to_pbc(cfx_harness)
    assert push.headers["X-Wire-Format"] == "cfx"
    assert push.body.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    package = default_registry().get("cfx").parse(push.body)
    assert package.envelope["MsgNo"] == "2201"
    assert package.envelope["SRC"] == BANK and package.envelope["DES"] == "100000000000"
    (bill,) = [r.message for r in package.records]
    assert isinstance(bill, PbocClearingApply)
    assert bill.vou_no == REQUEST_NO and bill.agent_bnk_code == BANK
    assert bill.amt == Decimal("13205.67") and bill.tre_code == PBC and bill.fin_org_code == COUNTY
    assert [d.amt for d in bill.details] == [Decimal("12345.67"), Decimal("860.00")]
    # the stored original is the bank's e-voucher, byte for byte
    with cfx_harness.gateway.database.unit_of_work() as uow:
        stored = uow.messages.find(BANK, push.headers["X-Message-Id"])
        assert stored is not None and uow.messages.body(stored.pk) == evoucher("2301")


def test_the_treasurys_3143_returns_to_finance_and_the_bank_as_clearing_receipts(
    cfx_harness: Harness,
) -> None:
    assert clearing_request(cfx_harness).status_code == 202
    package = default_registry().get("cfx").parse(pushed_to_pbc(cfx_harness).body)
    (answer,) = replies("pbc", package, today=cfx_harness.clock.now.date(), reference="pbc-1")
    body = default_registry().get("cfx").render(answer)
    accepted = send(cfx_harness, PBC, body)
    assert accepted.status_code == 202, accepted.text
    (record,) = accepted.json()["records"]
    assert record["message_type"] == "clearing_receipt"
    assert sorted(record["receivers"]) == [BANK, COUNTY]
    assert accepted.json()["format"] == "cfx"

    pull = signed_headers(
        cfx_harness.config_dir, COUNTY, b"", "pull-1", cfx_harness.clock.now, path="/v1/inbox", method="GET"
    )
    (item,) = cfx_harness.client.get("/v1/inbox", headers=pull).json()["items"]
    assert item["format"] == "evoucher"  # the county (mof.json) also accepts e-vouchers
    delivered = default_registry().get("evoucher").parse(base64.b64decode(item["body_base64"]))
    (receipt,) = [r.message for r in delivered.records]
    assert isinstance(receipt, ClearingReceipt)
    assert receipt.voucher_no == REQUEST_NO
    assert receipt.x_pay_amt == Decimal("13205.67")
    assert receipt.x_pay_snd_bnk_no == BANK
    assert receipt.x_add_word == "处理成功"
    assert [d.voucher_no for d in receipt.details] == ["3303245201260000123", "3303245201260000124"]


def test_a_3143_for_a_request_never_received_is_unroutable(cfx_harness: Harness) -> None:
    body = default_registry().get("cfx").render(_made_up_return(cfx_harness))
    response = send(cfx_harness, PBC, body)
    assert response.status_code == 422
    assert response.json()["error"] == "unroutable"
    assert REQUEST_NO in response.json()["detail"]


def _made_up_return(h: Harness) -> Document:
    """A 3143 answering the 2301 sample, built as the treasury would — without the gateway having it."""
    from adapters.translate import clearing_requests_to_cfx

    request = evoucher_document("2301").records[0].message
    apply = clearing_requests_to_cfx(
        [request],  # type: ignore[list-item]
        {"SRC": BANK, "DES": "100000000000", "MsgID": "A" * 20, "WorkDate": "20260302"},
        agent_bnk_code=BANK,
        entrust_date=h.clock.now.date(),
        pack_no="00000001",
    )
    (answer,) = replies("pbc", apply, today=h.clock.now.date(), reference="made-up")
    return answer


def test_the_e_voucher_profile_still_delivers_the_2301_as_is(harness: Harness) -> None:
    assert clearing_request(harness).status_code == 202
    push = pushed_to_pbc(harness)
    assert push.headers["X-Wire-Format"] == "evoucher"
    assert push.body == evoucher("2301")


def test_quota_notices_reach_a_cfx_treasury_through_its_e_voucher_library(cfx_harness: Harness) -> None:
    answer = send(cfx_harness, COUNTY, evoucher("5108"))
    assert answer.status_code == 202, answer.text
    push = pushed_to_pbc(cfx_harness)
    assert push.headers["X-Wire-Format"] == "evoucher" and push.body == evoucher("5108")


def test_a_cfx_only_treasury_cannot_take_a_quota_notice(demo_dir: Path, database_url: str) -> None:
    use_cfx_treasury(demo_dir, also_accepts=())
    h = build_harness(demo_dir, database_url)
    try:
        response = send(h, COUNTY, evoucher("5108"))
        assert response.status_code == 422 and response.json()["error"] == "untranslatable"
        assert clearing_request(h).status_code == 202  # clearing still goes out as CFX
        assert pushed_to_pbc(h).headers["X-Wire-Format"] == "cfx"
    finally:
        h.client.close()
        h.gateway.close()


def test_a_negative_2302_reaches_a_cfx_treasury_as_a_2202_and_its_3144_comes_back_negative(
    cfx_harness: Harness,
) -> None:
    """ITFE: a 2302's amounts are negative (VoucherVerify.java), the 2202 on the TIPS wire carries the refund
    as a positive amount (VoucherDto2MapFor2202.java) and the 2302 回单's XPayAmt is negative again
    (VoucherDto2MapFor2302.java)."""
    assert send(cfx_harness, COUNTY, evoucher("5201")).status_code == 202
    answer = send(cfx_harness, BANK, evoucher("2302"))
    assert answer.status_code == 202, answer.text
    push = pushed_to_pbc(cfx_harness)
    assert push.headers["X-Wire-Format"] == "cfx"
    assert b"<Head2202>" in push.body and b"<BatchHead2202>" not in push.body
    package = default_registry().get("cfx").parse(push.body)
    assert package.envelope["MsgNo"] == "2202"
    (bill,) = [r.message for r in package.records]
    assert isinstance(bill, PbocClearingApply) and bill.msg_no == "2202"
    assert bill.amt == Decimal("2345.67") and [d.amt for d in bill.details] == [Decimal("2345.67")]
    assert bill.ori_vou_no == "3303245201260000123" and bill.ori_payer_acct == "3303240000000001"

    (reply,) = replies("pbc", package, today=cfx_harness.clock.now.date(), reference="pbc-2202")
    assert reply.envelope["MsgNo"] == "3144"
    accepted = send(cfx_harness, PBC, default_registry().get("cfx").render(reply))
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["records"][0]["message_type"] == "clearing_receipt"
    pull = signed_headers(
        cfx_harness.config_dir, COUNTY, b"", "pull-2", cfx_harness.clock.now, path="/v1/inbox", method="GET"
    )
    items = cfx_harness.client.get("/v1/inbox", headers=pull).json()["items"]
    receipts = [
        m
        for item in items
        for m in default_registry().get("evoucher").parse(base64.b64decode(item["body_base64"])).messages
        if isinstance(m, ClearingReceipt)
    ]
    (receipt,) = receipts
    assert receipt.vt_code == "2302" and receipt.x_pay_amt == Decimal("-2345.67")
