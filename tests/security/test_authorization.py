"""Who may answer for a voucher, and who may send each message type (issue 13, items 1 and 2), through
``POST /v1/messages`` on SQLite and PostgreSQL.

* A 回单, a 2252 refund or a 2301/2302 clearing request naming a voucher is accepted only from the bank the
  stored voucher was routed to: another bank gets ``403 forbidden`` (whatever the document's own bank
  fields say, or when it has none), a voucher the gateway never routed gets ``422 voucher_unknown``. Nothing
  is stored, one ``message.rejected`` audit entry is written, and the reconciliation still sees the voucher
  unpaid.
* A 3510 清算额度对账 is the PBOC's: a county's or a bank's is ``403 forbidden`` and cannot make the
  ``QUOTA_IDENTITY`` break of the PBOC's statement vanish.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from gateway.services.reconciliation.runs import get_run, run_now
from schemas.statements import QuotaReconciliationStatement
from tests.adapters.payments_samples import QUOTA_CHECK_3510
from tests.conftest import free_port, wait_until_up
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.payment_flows import ADM, clearing, receipt, refund, render, send, voucher
from tests.gateway.samples import NOW, signed_headers
from tests.security.helpers import (
    BANK,
    COUNTY,
    OTHER_BANK,
    PBC,
    add_other_bank,
    audit_actions,
    error_code,
    post,
    stored,
)

DAY = date(2026, 3, 16)
AS_OF = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
OTHER_CODE = "104"
"""OTHER_BANK's 代理银行编码 (PayBankCode)."""


@pytest.fixture
def two_banks(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    add_other_bank(demo_dir, NOW - timedelta(days=1))
    h = build_harness(demo_dir, database_url)
    try:
        yield h
    finally:
        h.client.close()
        h.gateway.close()


def refused(h: Harness, sender: str, message: Any, message_id: str) -> httpx.Response:
    """Post ``message`` and check it was refused without storing anything but one audit entry."""
    before, actions = stored(h), audit_actions(h)
    response = post(h, sender, render(message), message_id)
    assert response.status_code in (403, 422), response.text
    assert stored(h) == before
    assert audit_actions(h) == [*actions, "message.rejected"]
    return response


def breaks(h: Harness) -> list[tuple[str, str]]:
    run = run_now(h.gateway, kind="payments", adm_div_code=ADM, day=DAY, actor="ops:test", as_of=AS_OF)
    _, body = get_run(h.gateway, run.id)
    assert body is not None
    return sorted((b["type"], b["voucher_no"]) for b in body["breaks"])


# ---- item 1: a bank answers only for the vouchers routed to it --------------------------------------------


def test_another_bank_cannot_return_a_receipt_naming_itself(two_banks: Harness) -> None:
    send(two_banks, COUNTY, voucher("V1", 100_00, DAY))  # routed to BANK (PayBankCode 102)
    forged = receipt("V1", 100_00, 100_00, DAY).model_copy(update={"pay_bank_code": OTHER_CODE})
    response = refused(two_banks, OTHER_BANK, forged, "r-names-itself")
    assert response.status_code == 403 and error_code(response) == "forbidden"
    assert "V1" in response.json()["detail"] and BANK not in response.json()["detail"]
    assert breaks(two_banks) == [("UNPAID", "V1")]


def test_another_bank_cannot_return_a_receipt_naming_no_bank(two_banks: Harness) -> None:
    send(two_banks, COUNTY, voucher("V1", 100_00, DAY))
    forged = receipt("V1", 100_00, 100_00, DAY).model_copy(update={"pay_bank_code": None})
    response = refused(two_banks, OTHER_BANK, forged, "r-no-bank")
    assert response.status_code == 403 and error_code(response) == "forbidden"
    assert breaks(two_banks) == [("UNPAID", "V1")]


def test_another_bank_cannot_refund_or_clear_a_voucher(two_banks: Harness) -> None:
    send(two_banks, COUNTY, voucher("V1", 100_00, DAY))
    send(two_banks, BANK, receipt("V1", 100_00, 100_00, DAY))
    response = refused(two_banks, OTHER_BANK, refund("F1", "V1", 10_00, DAY), "f-not-mine")
    assert response.status_code == 403 and error_code(response) == "forbidden"
    request = clearing("C1", [("V1", 100_00)], DAY).model_copy(update={"pay_bank_no": OTHER_BANK})
    response = refused(two_banks, OTHER_BANK, request, "c-not-mine")
    assert response.status_code == 403 and error_code(response) == "forbidden"
    assert "V1" in response.json()["detail"]


def test_a_clearing_request_must_own_every_voucher_it_lists(two_banks: Harness) -> None:
    send(two_banks, COUNTY, voucher("V1", 100_00, DAY))  # BANK's
    other = voucher("W1", 50_00, DAY).model_copy(update={"pay_bank_code": OTHER_CODE})
    answer = send(two_banks, COUNTY, other)
    assert answer["records"][0]["receivers"] == [OTHER_BANK]
    send(two_banks, OTHER_BANK, receipt("W1", 50_00, 50_00, DAY).model_copy(update={"pay_bank_code": "104"}))
    request = clearing("C9", [("W1", 50_00), ("V1", 100_00)], DAY).model_copy(
        update={"pay_bank_no": OTHER_BANK}
    )
    response = refused(two_banks, OTHER_BANK, request, "c-mixed")
    assert response.status_code == 403 and "V1" in response.json()["detail"]
    own = clearing("C9", [("W1", 50_00)], DAY).model_copy(update={"pay_bank_no": OTHER_BANK})
    assert post(two_banks, OTHER_BANK, render(own), "c-own").status_code == 202


@pytest.mark.parametrize(
    "message",
    [
        receipt("V9", 100_00, 100_00, DAY),
        refund("F9", "V9", 10_00, DAY),
        clearing("C9", [("V9", 100_00)], DAY),
    ],
    ids=["receipt", "refund", "clearing"],
)
def test_an_answer_for_a_voucher_the_gateway_never_routed_is_voucher_unknown(
    harness: Harness, message: Any
) -> None:
    response = refused(harness, BANK, message, "unknown-voucher")
    assert response.status_code == 422 and error_code(response) == "voucher_unknown"
    assert "V9" in response.json()["detail"]


def test_the_routed_bank_answers_and_the_chain_reconciles(two_banks: Harness) -> None:
    send(two_banks, COUNTY, voucher("V1", 100_00, DAY), voucher("V2", 200_00, DAY))
    # the bank spells its PayBankCode as its 12-digit 行号 on one 回单: still its voucher, still matched
    spelled = receipt("V2", 200_00, 200_00, DAY).model_copy(update={"pay_bank_code": BANK})
    assert send(two_banks, BANK, receipt("V1", 100_00, 100_00, DAY), spelled)["records"][0]["receivers"] == [
        COUNTY
    ]
    send(two_banks, BANK, clearing("C1", [("V1", 100_00), ("V2", 200_00)], DAY))
    assert breaks(two_banks) == []


# ---- item 2: quota statements only from the PBOC ---------------------------------------------------------


def statement(cur_date_money: str, no: str = "3303243510260316001") -> QuotaReconciliationStatement:
    data = {
        **QUOTA_CHECK_3510,
        "voucher_no": no,
        "end_date": DAY.strftime("%Y%m%d"),
        "begin_date": "20260301",
    }
    detail = {**QUOTA_CHECK_3510["details"][0], "cur_date_money": cur_date_money}
    return QuotaReconciliationStatement.model_validate(
        {**data, "cur_date_money": cur_date_money, "details": [detail]}
    )


@pytest.mark.parametrize("sender", [COUNTY, BANK])
def test_only_the_pboc_sends_a_3510(harness: Harness, sender: str) -> None:
    send(harness, PBC, statement("206794.34"))  # the PBOC's: off by 0.01
    assert breaks(harness) == [("QUOTA_IDENTITY", "3303243510260316001")] * 2
    response = refused(harness, sender, statement("206794.33"), "q-forged")  # a balanced forgery
    assert response.status_code == 403 and error_code(response) == "forbidden"
    assert "3510" in response.json()["detail"] or "quota" in response.json()["detail"]
    assert breaks(harness) == [("QUOTA_IDENTITY", "3303243510260316001")] * 2


def test_the_binding_is_one_query_per_document(harness: Harness) -> None:
    """The look-up behind the binding reads the store once per document, however many vouchers it names."""
    numbers = [f"V{i:03d}" for i in range(60)]
    send(harness, COUNTY, *(voucher(n, 1_00, DAY) for n in numbers))
    lookups: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "JOIN routes" in statement and "payment_lines" in statement:
            lookups.append(statement)

    engine = harness.gateway.database.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        send(harness, BANK, *(receipt(n, 1_00, 1_00, DAY) for n in numbers))
        send(harness, BANK, clearing("C1", [(n, 1_00) for n in numbers], DAY))
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert len(lookups) == 2
    assert breaks(harness) == []


@pytest.mark.e2e
def test_the_rules_hold_through_the_real_server(demo_dir: Path, database_url: str) -> None:
    """The same refusals from ``fiscalgw serve`` over a real socket: another bank's 回单 is 403, a voucher
    the gateway never routed is 422 ``voucher_unknown``, a county's 3510 is 403; the routed bank is 202."""
    add_other_bank(demo_dir, NOW - timedelta(days=1))
    port = free_port()
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(demo_dir), "--port", str(port)]
    env = {**os.environ, "FISCALGW_DATABASE__URL": database_url}
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def post_live(sender: str, *messages: Any) -> httpx.Response:
        body = render(*messages)
        headers = signed_headers(demo_dir, sender, body, uuid.uuid4().hex, datetime.now(UTC))
        return httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=30)

    try:
        wait_until_up(f"{base}/readyz", process, timeout=60)
        assert post_live(COUNTY, voucher("V1", 100_00, DAY)).status_code == 202
        forged = receipt("V1", 100_00, 100_00, DAY).model_copy(update={"pay_bank_code": None})
        answers = {
            "another bank's receipt": post_live(OTHER_BANK, forged),
            "unknown voucher": post_live(BANK, receipt("V9", 100_00, 100_00, DAY)),
            "county's 3510": post_live(COUNTY, statement("206794.33")),
            "routed bank": post_live(BANK, receipt("V1", 100_00, 100_00, DAY)),
        }
        assert {name: (a.status_code, a.json().get("error")) for name, a in answers.items()} == {
            "another bank's receipt": (403, "forbidden"),
            "unknown voucher": (422, "voucher_unknown"),
            "county's 3510": (403, "forbidden"),
            "routed bank": (202, None),
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
