"""End to end over real HTTP with the simulated parties as separate processes (SQLite and, when configured,
PostgreSQL):

* the PBOC on the ``cfx`` profile — a voucher is paid by the simulated bank, which asks for clearing (2301);
  the treasury gets it as a TIPS 2201, answers 3143, and the county receives the clearing receipt;
* the incidents the demo relies on, injected by rule — a short payment, a refund (2252) the bank returns to
  the treasury (2302, cleared by the PBOC, so it reconciles cleanly), a voucher never cleared and an
  indicator lost on the way (the other one acknowledged with a 接收回执).
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.registry import default_registry
from gateway.demo.processes import simulator
from tests.conftest import free_port
from tests.gateway.peer import audit_verifies, envelope, post, signed
from tests.gateway.samples import indicator_document, indicator_row
from tests.gateway.test_cfx_profile import use_cfx_treasury
from tests.gateway.test_e2e_indicator import point_party_at, running_gateway

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
BANK, PBC = "102333300018", "3303240000"
V1, V2 = "3303245201260000123", "3303245201260000124"  # 12345.67 and 860.00


def collect_inbox(base: str, config: Path, party: str, wanted: dict[str, int]) -> list[Any]:
    """Pull and 签收 ``party``'s inbox until it has received ``wanted`` (message type → count) records."""
    messages: list[Any] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = httpx.get(
            f"{base}/v1/inbox", headers=signed(config, party, "GET", "/v1/inbox"), timeout=10
        )
        for item in response.json()["items"]:
            body = base64.b64decode(item["body_base64"])
            messages += default_registry().identify(body).parse(body).messages
            ack = f"/v1/inbox/{item['id']}/ack"
            assert (
                httpx.post(f"{base}{ack}", headers=signed(config, party, "POST", ack), timeout=10).status_code
                == 200
            )
        counts = {kind: sum(1 for m in messages if m.message_type == kind) for kind in wanted}
        if all(counts[kind] >= n for kind, n in wanted.items()):
            return messages
        time.sleep(0.2)
    raise AssertionError(
        f"{party}'s inbox did not receive {wanted}; got {[m.message_type for m in messages]}"
    )


def person_trace(base: str, config: Path, query: str) -> list[dict[str, Any]]:
    token = dict(line.split(" ", 1) for line in (config / "tokens.txt").read_text().splitlines())["viewer"]
    response = httpx.get(
        f"{base}/v1/ops/trace?{query}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    chain: list[dict[str, Any]] = response.json()["chain"]
    return chain


@pytest.mark.e2e
def test_a_voucher_is_paid_and_cleared_through_a_cfx_treasury(demo_dir: Path, database_url: str) -> None:
    use_cfx_treasury(demo_dir)
    bank_port, pbc_port = free_port(), free_port()
    point_party_at(demo_dir, BANK, bank_port)
    point_party_at(demo_dir, PBC, pbc_port)
    with (
        running_gateway(demo_dir, database_url) as base,
        simulator("bank", demo_dir, bank_port, base, database_url, "clear=true"),
        simulator("pbc", demo_dir, pbc_port, base, database_url),
    ):
        post(base, demo_dir, COUNTY, envelope("5201"))
        # the two vouchers draw on different accounts: two 2301s, one CFX 2201 package, one 3143 back
        received = collect_inbox(base, demo_dir, COUNTY, {"payment_receipt": 2, "clearing_receipt": 2})
        cleared = {m.details[0].voucher_no: m for m in received if m.message_type == "clearing_receipt"}
        assert {v: m.x_pay_amt for v, m in cleared.items()} == {
            V1: Decimal("12345.67"),
            V2: Decimal("860.00"),
        }
        assert cleared[V1].x_add_word == "处理成功"  # the 3143's Description: it came through TIPS
        chain = person_trace(base, demo_dir, f"voucher_no={V1}")
        assert [(c["stage"], c["sender"]) for c in chain] == [
            ("voucher", COUNTY),
            ("receipt", BANK),
            ("clearing", BANK),
            ("clearing_receipt", PBC),
        ]
        assert chain[2]["deliveries"][0]["receiver"] == PBC and chain[2]["deliveries"][0]["state"] == "sent"
        assert chain[3]["format"] == "cfx"
    audit_verifies(demo_dir, database_url)


@pytest.mark.e2e
def test_the_demo_incidents_by_rule(demo_dir: Path, database_url: str) -> None:
    bank_port, pbc_port, city_port = free_port(), free_port(), free_port()
    point_party_at(demo_dir, BANK, bank_port)
    point_party_at(demo_dir, PBC, pbc_port)
    point_party_at(demo_dir, CITY, city_port)
    bank_rules = ("clear=true", f"refund={V1}", f"short={V2}", f"never_clear={V2}")
    with (
        running_gateway(demo_dir, database_url) as base,
        simulator("bank", demo_dir, bank_port, base, database_url, *bank_rules),
        simulator("pbc", demo_dir, pbc_port, base, database_url),
        simulator("finance", demo_dir, city_port, base, database_url, "lose=3300002026LOST", party=CITY),
    ):
        indicators = indicator_document(
            indicator_row(PROVINCE, CITY, "3300002026KEPT", Decimal("1000.00")),
            indicator_row(PROVINCE, CITY, "3300002026LOST", Decimal("2000.00")),
        )
        post(base, demo_dir, PROVINCE, indicators)
        post(base, demo_dir, COUNTY, envelope("5201"))

        county = collect_inbox(
            base, demo_dir, COUNTY, {"payment_receipt": 2, "refund_notice": 1, "clearing_receipt": 2}
        )
        paid = {m.voucher_no: m.x_pay_amt for m in county if m.message_type == "payment_receipt"}
        assert paid == {V1: Decimal("12345.67"), V2: Decimal("774.00")}  # V2 paid short
        (refund,) = [m for m in county if m.message_type == "refund_notice"]
        assert refund.original_voucher_no == V1 and refund.pay_amt == Decimal("-2345.67")
        cleared = {m.vt_code: m for m in county if m.message_type == "clearing_receipt"}
        assert sorted(cleared) == ["2301", "2302"]
        assert [d.voucher_no for d in cleared["2301"].details] == [V1]  # V2 is never cleared
        # the refund went back to the treasury: the bank's 2302 (negative by rule), cleared by the PBOC
        assert [(d.voucher_no, d.pay_amt) for d in cleared["2302"].details] == [(V1, Decimal("-2345.67"))]
        assert cleared["2302"].x_pay_amt == Decimal("-2345.67") and cleared["2302"].x_add_word == "清算成功"
        stages = [(c["stage"], c["sender"]) for c in person_trace(base, demo_dir, f"voucher_no={V1}")]
        assert stages.count(("clearing", BANK)) == 2 and stages.count(("clearing_receipt", PBC)) == 2

        province = collect_inbox(base, demo_dir, PROVINCE, {"indicator_receipt": 1})
        assert [m.bgt_id for m in province if m.message_type == "indicator_receipt"] == ["3300002026KEPT"]

        assert "clearing" not in [c["stage"] for c in person_trace(base, demo_dir, f"voucher_no={V2}")]
        lost = person_trace(base, demo_dir, "bgt_id=3300002026LOST")
        assert [c["stage"] for c in lost] == ["indicator"]  # delivered, never answered
        assert lost[0]["deliveries"][0]["state"] == "sent"
        kept = person_trace(base, demo_dir, "bgt_id=3300002026KEPT")
        assert [c["stage"] for c in kept] == ["indicator", "indicator_receipt"]

        # payment reconciliation from the gateway's store, over the API (issue #5)
        found = store_payment_breaks(base, demo_dir)
        assert found == PAYMENT_BREAKS, found
    audit_verifies(demo_dir, database_url)


# V1 reconciles: paid 12345.67 − refunded 2345.67 = cleared 12345.67 (2301) − 2345.67 (2302)
PAYMENT_BREAKS = [
    ("NOT_CLEARED", V2, "774.00"),  # paid short and then never cleared
    ("PAY_AMOUNT_MISMATCH", V2, "86.00"),  # 860.00 ordered, 774.00 paid
]


def store_payment_breaks(base: str, config: Path) -> list[tuple[str, str, str | None]]:
    """Run the county's payment reconciliation of the vouchers' day and list (type, voucher, difference)."""
    lines = (config / "tokens.txt").read_text(encoding="utf-8").split("\n")
    token = dict(tuple(line.split(" ", 1)) for line in lines if line)["ops"]  # type: ignore[misc]
    headers = {"Authorization": f"Bearer {token}"}
    as_of = datetime.now(UTC) + timedelta(days=3)  # the simulated bank dates its 回单 (XPayDate) today
    body = {
        "kind": "payments",
        "adm_div_code": "330324",
        "day": "2026-03-16",
        "as_of": as_of.isoformat(),
    }
    made = httpx.post(f"{base}/v1/reconciliations", json=body, headers=headers, timeout=30)
    assert made.status_code == 201, made.text
    report = httpx.get(f"{base}/v1/reconciliations/{made.json()['id']}", headers=headers, timeout=30).json()
    return sorted((b["type"], b["voucher_no"], b["difference"]) for b in report["breaks"])
