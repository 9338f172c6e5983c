"""``/v1/reconciliations`` and ``/v1/breaks``: ops run and act, viewers read; reports in four formats;
errors as ``{"error", "detail"}`` from the one table — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.gateway.conftest import Harness
from tests.gateway.indicator_flows import CITY, PROVINCE, booking, document, issue, send


def tokens(h: Harness) -> dict[str, str]:
    lines = (h.config_dir / "tokens.txt").read_text(encoding="utf-8").split("\n")
    return dict(tuple(line.split(" ", 1)) for line in lines if line)  # type: ignore[misc]


def auth(h: Harness, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens(h)[role]}"}


RUN = {
    "kind": "indicators",
    "upper": PROVINCE,
    "lower": CITY,
    "fiscal_year": 2026,
    "as_of": "2026-03-10T09:00:00Z",
}


def seeded_run(h: Harness) -> dict[str, Any]:
    send(h, PROVINCE, document("BA_BGT_INFO", issue("B-1", "1000.00"), issue("B-2", "3.00")), "m1")
    send(h, CITY, document("BA_BGT_INFO", booking("L-1", "B-1", "990.00")), "c1")
    response = h.client.post("/v1/reconciliations", json=RUN, headers=auth(h, "ops"))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    return str(body["error"])


def test_ops_runs_a_reconciliation_and_everyone_reads_the_report(harness: Harness) -> None:
    run = seeded_run(harness)
    assert run["status"] == "succeeded"
    assert run["summary"]["status"] == "不一致"
    assert run["summary"]["break_counts"]["AMOUNT_MISMATCH"] == 1
    report = harness.client.get(f"/v1/reconciliations/{run['id']}", headers=auth(harness, "viewer")).json()
    assert report["kind"] == "indicators"
    assert report["pairs"][0]["upper_amount"] == "1003.00"
    assert [(b["type"], b["bgt_id"], b["difference"]) for b in report["breaks"]] == [
        ("AMOUNT_MISMATCH", "B-1", "10.00"),
        ("MISSING_IN_LOWER", "B-2", None),
    ]
    assert report["run"]["id"] == run["id"]

    csv = harness.client.get(f"/v1/reconciliations/{run['id']}?format=csv", headers=auth(harness, "viewer"))
    assert csv.headers["content-type"].startswith("text/csv")
    assert "金额不一致" in csv.content.decode("utf-8-sig")
    xlsx = harness.client.get(f"/v1/reconciliations/{run['id']}?format=xlsx", headers=auth(harness, "viewer"))
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert len(book.sheetnames) == 2
    html = harness.client.get(f"/v1/reconciliations/{run['id']}?format=html", headers=auth(harness, "viewer"))
    assert "<html" in html.text and "不一致" in html.text
    assert "attachment" in html.headers["content-disposition"]

    listed = harness.client.get(
        f"/v1/reconciliations?upper={PROVINCE}&lower={CITY}&fiscal_year=2026", headers=auth(harness, "viewer")
    ).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]
    assert listed["total"] == 1
    dashboard = harness.client.get("/v1/reconciliations/dashboard", headers=auth(harness, "viewer")).json()
    [pair] = dashboard["pairs"]
    assert pair["status"] == "不一致"
    assert pair["open_by_type"]["AMOUNT_MISMATCH"] == 1 and pair["open_by_age"]["0-1d"] == 2
    assert [t["breaks"] for t in pair["trend"]] == [2]


def test_break_endpoints_filter_and_move_the_lifecycle(harness: Harness) -> None:
    seeded_run(harness)
    viewer, ops = auth(harness, "viewer"), auth(harness, "ops")
    page = harness.client.get("/v1/breaks?type=AMOUNT_MISMATCH&status=open", headers=viewer).json()
    assert page["total"] == 1
    key = page["items"][0]["key"]
    assert harness.client.get("/v1/breaks?min_amount=5&max_amount=20", headers=viewer).json()["total"] == 1
    assert (
        harness.client.get("/v1/breaks?sort=-amount", headers=viewer).json()["items"][0]["amount"] == "10.00"
    )
    one = harness.client.get(f"/v1/breaks/{key}", headers=viewer).json()
    assert one["type_zh"] == "金额不一致" and one["events"][0]["action"] == "opened"

    assert error_code(harness.client.post(f"/v1/breaks/{key}/explain", json={}, headers=ops)) == "bad_request"
    denied = harness.client.post(f"/v1/breaks/{key}/explain", json={"comment": "x"}, headers=viewer)
    assert denied.status_code == 403 and error_code(denied) == "forbidden"
    explained = harness.client.post(f"/v1/breaks/{key}/explain", json={"comment": "少录10元"}, headers=ops)
    assert explained.status_code == 200 and explained.json()["status"] == "explained"
    resolved = harness.client.post(
        f"/v1/breaks/{key}/resolve", json={"comment": "已补录"}, headers=ops
    ).json()
    assert (resolved["status"], resolved["status_comment"]) == ("resolved", "已补录")
    again = harness.client.post(f"/v1/breaks/{key}/resolve", json={"comment": "x"}, headers=ops)
    assert again.status_code == 409 and error_code(again) == "conflict"
    missing = harness.client.get("/v1/breaks/" + "0" * 64, headers=viewer)
    assert missing.status_code == 404 and error_code(missing) == "not_found"


def test_errors_use_the_one_table(harness: Harness) -> None:
    ops, viewer = auth(harness, "ops"), auth(harness, "viewer")
    no_token = harness.client.post("/v1/reconciliations", json=RUN)
    assert no_token.status_code == 401 and error_code(no_token) == "unauthenticated"
    as_viewer = harness.client.post("/v1/reconciliations", json=RUN, headers=viewer)
    assert as_viewer.status_code == 403
    for body in ({**RUN, "upper": "33"}, {**RUN, "fiscal_year": "2026"}, {**RUN, "colour": 1}, [1]):
        bad = harness.client.post("/v1/reconciliations", json=body, headers=ops)
        assert bad.status_code == 400 and error_code(bad) == "bad_request", body
    payments = harness.client.post("/v1/reconciliations", json={**RUN, "kind": "payments"}, headers=ops)
    assert payments.status_code == 400
    assert harness.client.get("/v1/reconciliations/999", headers=viewer).status_code == 404
    assert error_code(harness.client.get("/v1/reconciliations/abc", headers=viewer)) == "bad_request"
    assert error_code(harness.client.get("/v1/breaks?limit=0", headers=viewer)) == "bad_request"
    assert error_code(harness.client.get("/v1/breaks?min_amount=1.234", headers=viewer)) == "bad_request"
    run = seeded_run(harness)
    assert error_code(harness.client.get(f"/v1/reconciliations/{run['id']}?format=pdf", headers=viewer)) == (
        "bad_request"
    )
