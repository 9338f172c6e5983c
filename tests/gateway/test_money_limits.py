"""Issue 13 items 5 and 6: money is exact integer arithmetic from intake through the store export to the
report, and one documented maximum amount (``schemas.money.MAX_AMOUNT``) is enforced at intake — on SQLite
and PostgreSQL (``FISCALGW_TEST_DATABASE_URL``)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
from openpyxl import load_workbook

from gateway.rows import NewIndicator
from schemas.money import MAX_AMOUNT, MAX_FEN, format_fen
from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import CITY, PROVINCE, booking, change, document, issue, send
from tests.gateway.reconcile.ledgers import upper_row
from tests.gateway.samples import signed_headers
from tests.gateway.test_reconciliation_api import RUN, auth
from tests.gateway.test_reconciliation_store import to_store

MAX = f"{MAX_AMOUNT}"  # 999999999999.99


def _post(h: Harness, sender: str, body: bytes, message_id: str) -> httpx.Response:
    headers = signed_headers(h.config_dir, sender, body, message_id, h.clock.now)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


def _rules(response: httpx.Response) -> list[tuple[str, str]]:
    body = response.json()
    assert body["error"] == "schema_validation_failed", body
    return [(p["path"], p["rule"]) for p in body["detail"]]


def _export(h: Harness) -> dict[str, str]:
    """BGT_ID → AMOUNT text of the upper snapshot the store exports for (PROVINCE, CITY, 2026)."""
    folder = h.config_dir / "export"
    folder.mkdir(exist_ok=True)
    upper, lower = folder / "upper.csv", folder / "lower.csv"
    with h.gateway.database.unit_of_work() as uow:
        uow.ledger.export_pair(PROVINCE, CITY, 2026, upper, lower)
    rows = csv.DictReader(io.StringIO(upper.read_text(encoding="utf-8")))
    return {row["BGT_ID"]: row["AMOUNT"] for row in rows}


def _ledger_amounts(h: Harness) -> list[int]:
    return [_fen(text) for text in _export(h).values()]


def _fen(text: str) -> int:
    whole, _, cents = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int(cents)
    return -value if text.startswith("-") else value


# ---- item 6: the maximum, refused at intake with a specific code --------------------------------------


def test_an_amount_above_the_maximum_is_refused_at_intake_and_nothing_is_posted(harness: Harness) -> None:
    for n, amount in enumerate(["1000000000000.00", "1000000000000000.00", "92233720368547758.08"]):
        refused = _post(harness, PROVINCE, document("BA_BGT_INFO", issue(f"B-{n}", amount)), f"big-{n}")
        assert refused.status_code == 422, refused.text
        assert _rules(refused) == [("[0].amount", "amount_out_of_range")]
    assert _ledger_amounts(harness) == []


def test_an_adjustment_past_the_maximum_is_refused_and_the_ledger_is_unchanged(harness: Harness) -> None:
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", MAX)), "m1")
    up = _post(harness, PROVINCE, document("BA_BGT_ADJSUB", change("A-1", "B-1", "0.01")), "a1")
    assert up.status_code == 422, up.text
    assert _rules(up) == [("[0].amount", "amount_out_of_range")]
    assert _ledger_amounts(harness) == [MAX_FEN]
    send(harness, PROVINCE, document("BA_BGT_ADJSUB", change("A-2", "B-1", "-0.01")), "a2")
    assert _ledger_amounts(harness) == [MAX_FEN - 1]


# ---- item 5: exact amounts through the store export and the reconciliation ----------------------------


def test_the_store_export_writes_large_fen_exactly(harness: Harness) -> None:
    """The export SQL renders fen as text in integer arithmetic; before, PostgreSQL computed
    ``FLOOR(abs(fen) / 100)`` in double precision and wrote ``1e+15.00`` from 10^15 yuan up."""
    amounts = [MAX_FEN, -MAX_FEN, 10**17, 2**63 - 1, -(2**63) + 1, 10**15 + 7, 5, -5, 0, 100]
    template = to_store(upper_row("X"), "issued")
    rows: list[NewIndicator] = [
        replace(template, bgt_id=f"B-{i}", amount_fen=a) for i, a in enumerate(amounts)
    ]
    with harness.gateway.database.unit_of_work() as uow:
        uow.ledger.add_many(rows, harness.clock.now)
        uow.commit()
    exported = _export(harness)
    assert exported == {f"B-{i}": format_fen(a) for i, a in enumerate(amounts)}
    assert exported["B-2"] == "1000000000000000.00" and exported["B-3"] == "92233720368547758.07"


def _run(h: Harness) -> dict[str, Any]:
    response = h.client.post("/v1/reconciliations", json=RUN, headers=auth(h, "ops"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_pair_at_the_maximum_reconciles_with_exact_amounts_over_http(harness: Harness) -> None:
    """Two indicators at the maximum (their sum is twice it) and a booking short by all but one fen: the run
    succeeds and every amount — totals, differences, persisted breaks, CSV and XLSX — is exact."""
    send(harness, PROVINCE, document("BA_BGT_INFO", issue("B-1", MAX), issue("B-2", MAX)), "m1")
    send(
        harness,
        CITY,
        document("BA_BGT_INFO", booking("L-1", "B-1", MAX), booking("L-2", "B-2", "0.01")),
        "c1",
    )
    run = _run(harness)
    assert run["status"] == "succeeded", run
    viewer = auth(harness, "viewer")
    report = harness.client.get(f"/v1/reconciliations/{run['id']}", headers=viewer).json()
    [pair] = report["pairs"]
    assert (pair["upper_amount"], pair["lower_amount"]) == ("1999999999999.98", "1000000000000.00")
    [mismatch] = report["breaks"]
    assert (mismatch["type"], mismatch["bgt_id"]) == ("AMOUNT_MISMATCH", "B-2")
    assert (mismatch["upper_amount"], mismatch["lower_amount"], mismatch["difference"]) == (
        MAX,
        "0.01",
        "999999999999.98",
    )
    stored = harness.client.get("/v1/breaks?type=AMOUNT_MISMATCH", headers=viewer).json()["items"]
    assert [(b["upper_amount"], b["lower_amount"], b["difference"]) for b in stored] == [
        (MAX, "0.01", "999999999999.98")
    ]
    csv_text = harness.client.get(f"/v1/reconciliations/{run['id']}?format=csv", headers=viewer)
    assert f",{MAX},0.01,999999999999.98," in csv_text.content.decode("utf-8-sig")
    xlsx = harness.client.get(f"/v1/reconciliations/{run['id']}?format=xlsx", headers=viewer)
    sheet = load_workbook(io.BytesIO(xlsx.content))["差异明细"]
    # number cells (#,##0.00): a double printed with 15 significant digits gives the fen back
    cells = [sheet.cell(2, c) for c in (9, 10, 11)]
    assert all((c.data_type, c.number_format) == ("n", "#,##0.00") for c in cells)
    assert [Decimal(f"{c.value:.15g}") for c in cells] == [
        MAX_AMOUNT,
        Decimal("0.01"),
        MAX_AMOUNT - Decimal("0.01"),
    ]
