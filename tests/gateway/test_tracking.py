"""资金追踪 (issue 17, 报告) over HTTP, on SQLite and PostgreSQL: the report's arithmetic against the
hand-checked scenario of :mod:`tests.gateway.tracking_flows`, authorization by division (parties and
people, default deny), paging and filters, and the CSV / XLSX exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gateway.reconcile.report.cells import csv_text
from gateway.services.ledger import check_ledger
from gateway.services.tracking import percent
from signing import sm3_hex
from tests.gateway import tracking_flows as tf
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.test_reconciliation_api import tokens

CITY_TOKEN, NOBODY_TOKEN = "city-viewer-token-0123456789", "nobody-viewer-token-0123456789"


@pytest.fixture
def h(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    """The demo gateway with the scenario sent, and two more people: one who reads the city's ledger
    (``tracking_divisions = ["330300000"]``) and one with no tracking scope at all."""
    config = demo_dir / "fiscalgw.toml"
    extra = "".join(
        f'\n[[people]]\nname = "{name}"\nrole = "viewer"\ntoken_sm3 = "{sm3_hex(token.encode())}"\n{scope}'
        for name, token, scope in (
            ("city-viewer", CITY_TOKEN, 'tracking_divisions = ["330300000"]\n'),
            ("nobody", NOBODY_TOKEN, ""),
        )
    )
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    harness = build_harness(demo_dir, database_url)
    try:
        tf.build(harness)
        yield harness
    finally:
        harness.client.close()
        harness.gateway.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ops(h: Harness) -> dict[str, str]:
    return bearer(tokens(h)["ops"])


def get_json(h: Harness, path: str, headers: dict[str, str], status: int = 200) -> Any:
    response = h.client.get(path, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def by_bgt(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {n["bgt_id"]: n for n in nodes}


# ---- arithmetic -------------------------------------------------------------------------------------------


EXPECTED = {
    # bgt_id: (depth, 下达, 调整, 收回, 净额, 转下达, 凭证笔数, 支付凭证, 退款, 已支付, 回单, 清算,
    #          本级余额, 累计支付, 余额, 进度, 在途, 待审核, 累计在途)
    # 已支付 = 回单 XPayAmt − refunds (控制's paid): V3 (C1) has no 回单 yet, so it is 在途, not 已支付
    tf.P1: (0, "1000000.00", "200000.00", "100000.00", "1100000.00", "1100000.00", 0, "0.00", "0.00", "0.00",
            "0.00", "0.00", "0.00", "190000.00", "910000.00", "17.27", "0.00", "0.00", "100000.00"),
    tf.C1: (1, "1000000.00", "200000.00", "100000.00", "1100000.00", "550000.00", 1, "100000.00", "0.00",
            "0.00", "0.00", "0.00", "550000.00", "190000.00", "910000.00", "17.27", "100000.00", "0.00",
            "100000.00"),
    tf.K1: (2, "600000.00", "0.00", "50000.00", "550000.00", "550000.00", 0, "0.00", "0.00", "0.00", "0.00",
            "0.00", "0.00", "190000.00", "360000.00", "34.55", "0.00", "0.00", "0.00"),
    tf.Y1: (3, "550000.00", "0.00", "0.00", "550000.00", "0.00", 2, "200000.00", "10000.00", "190000.00",
            "200000.00", "200000.00", "360000.00", "190000.00", "360000.00", "34.55", "0.00", "0.00", "0.00"),
}  # fmt: skip
FIELDS = (
    *("depth", "issued", "adjusted", "recalled", "net", "allocated", "vouchers", "voucher_amount"),
    *("refunded", "paid", "receipted", "cleared", "local_balance", "total_paid", "balance", "progress"),
    *("in_flight", "held", "total_in_flight"),
)


def test_the_tree_of_a_province_indicator_matches_the_hand_checked_figures(h: Harness) -> None:
    tree = get_json(h, f"/v1/tracking/indicators/{tf.P1}", ops(h))
    assert [n["bgt_id"] for n in tree["nodes"]] == [tf.P1, tf.C1, tf.K1, tf.Y1]  # tree order
    nodes = by_bgt(tree["nodes"])
    for bgt_id, expected in EXPECTED.items():
        assert tuple(nodes[bgt_id][f] for f in FIELDS) == expected, bgt_id
    assert [nodes[b]["side"] for b in EXPECTED] == ["issued", "received", "issued", "received"]
    assert tree["totals"] == {
        "net": "1100000.00",
        "total_paid": "190000.00",
        "total_in_flight": "100000.00",
        "total_held": "0.00",
        "balance": "910000.00",
        "progress": "17.27",
    }
    # per division and 功能科目
    summary = {s["division"]: s for s in tree["summary"]}
    assert {s["tp_func_code"] for s in tree["summary"]} == {"2130122"}
    assert [
        (s["received"], s["allocated"], s["paid"], s["local_balance"], s["progress"])
        for s in summary.values()
    ] == [
        ("1100000.00", "1100000.00", "0.00", "0.00", None),
        ("1100000.00", "550000.00", "0.00", "550000.00", "0.00"),
        ("550000.00", "0.00", "190000.00", "360000.00", "34.55"),
    ]
    assert summary[tf.COUNTY]["receipted"] == "200000.00" and summary[tf.COUNTY]["cleared"] == "200000.00"
    assert summary[tf.CITY]["in_flight"] == "100000.00" and summary[tf.CITY]["held"] == "0.00"
    # the vouchers with their 回单, refund and 清算; VX (against Y2) and V9 (the city's 文号, on no
    # county row) are not among them — V9 is listed as unlinked instead (it cites K1's 文号)
    vouchers = {v["voucher_no"]: v for v in tree["vouchers"]}
    assert set(vouchers) == {tf.V.v1, tf.V.v2, tf.V.v3} and tree["voucher_count"] == 3
    assert (vouchers[tf.V.v1]["receipted"], vouchers[tf.V.v1]["refunded"], vouchers[tf.V.v1]["cleared"]) == (
        "150000.00",
        "10000.00",
        "150000.00",
    )
    assert vouchers[tf.V.v3]["receipted"] is None and vouchers[tf.V.v3]["cleared"] is None
    assert (vouchers[tf.V.v1]["state"], vouchers[tf.V.v1]["paid"]) == ("paid", "140000.00")
    assert (vouchers[tf.V.v3]["state_label"], vouchers[tf.V.v3]["in_flight"]) == ("在途", "100000.00")
    unlinked = tree["unlinked"]
    assert unlinked["divisions"] == [{"division": tf.COUNTY, "vouchers": 1, "amount": "20000.00"}]
    assert [(v["voucher_no"], v["indicator_id"], v["file_no_code"]) for v in unlinked["vouchers"]] == [
        (tf.V.v9, None, tf.K1_DOC)
    ]
    assert unlinked["vouchers"][0]["codes"] == ["indicator_unknown"]
    ids = {n["bgt_id"]: n["id"] for n in tree["nodes"]}
    assert vouchers[tf.V.v1]["indicator_id"] == ids[tf.Y1] and vouchers[tf.V.v3]["indicator_id"] == ids[tf.C1]


def test_the_ledger_identity_holds_for_every_node(h: Harness) -> None:
    """下达 + 调整 − 收回 = 净额 on every node, and the ledger the report reads is balanced."""
    tree = get_json(h, f"/v1/tracking/indicators/{tf.P1}", ops(h))
    for n in tree["nodes"]:
        cents = [int(n[k].replace(".", "")) for k in ("issued", "adjusted", "recalled", "net")]
        assert cents[0] + cents[1] - cents[2] == cents[3], n["bgt_id"]
    with h.gateway.database.read_unit_of_work() as uow:
        assert check_ledger(uow.ledger).ok


def test_an_own_indicator_counts_only_its_own_vouchers(h: Harness) -> None:
    tree = get_json(h, f"/v1/tracking/indicators/{tf.Y2}", ops(h))
    (node,) = tree["nodes"]
    fields = ("side", "net", "vouchers", "paid", "in_flight", "balance", "progress")
    assert tuple(node[f] for f in fields) == ("own", "80000.00", 1, "0.00", "30000.00", "80000.00", "0.00")
    assert [v["voucher_no"] for v in tree["vouchers"]] == [tf.V.vx]


def test_percent_rounds_half_up_and_has_none_for_nothing() -> None:
    assert percent(1, 8) == "12.50"
    assert percent(1, 3) == "33.33"
    assert percent(2, 3) == "66.67"
    assert percent(5, 0) is None


# ---- listing, paging, filters -------------------------------------------------------------------------


def test_the_list_of_one_level_carries_each_indicators_downstream_totals(h: Harness) -> None:
    page = get_json(h, f"/v1/tracking/indicators?division={tf.PROVINCE}&fiscal_year=2026", ops(h))
    assert [i["bgt_id"] for i in page["items"]] == [tf.P1]
    (item,) = page["items"]
    assert (item["net"], item["total_paid"], item["balance"], item["progress"]) == (
        "1100000.00",
        "190000.00",
        "910000.00",
        "17.27",
    )
    assert page["has_next"] is False
    assert page["unlinked"]["count"] == 0  # the province pays nothing itself
    county = get_json(h, f"/v1/tracking/indicators?division={tf.COUNTY}", ops(h))
    assert [i["bgt_id"] for i in county["items"]] == [tf.Y1, tf.Y2]
    assert county["unlinked"]["divisions"] == [{"division": tf.COUNTY, "vouchers": 1, "amount": "20000.00"}]
    assert [v["voucher_no"] for v in county["unlinked"]["vouchers"]] == [tf.V.v9]
    tracked = get_json(h, f"/v1/tracking/indicators?division={tf.COUNTY}&is_track=1", ops(h))
    assert [i["bgt_id"] for i in tracked["items"]] == [tf.Y1]
    own = get_json(h, f"/v1/tracking/indicators?division={tf.COUNTY}&side=own", ops(h))
    assert [i["bgt_id"] for i in own["items"]] == [tf.Y2]
    other_year = get_json(h, f"/v1/tracking/indicators?division={tf.COUNTY}&fiscal_year=2025", ops(h))
    assert other_year["items"] == []


def test_paging_reads_one_page_and_says_whether_there_is_another(h: Harness) -> None:
    first = get_json(h, "/v1/tracking/indicators?limit=2", ops(h))
    second = get_json(h, "/v1/tracking/indicators?limit=2&offset=2", ops(h))
    third = get_json(h, "/v1/tracking/indicators?limit=2&offset=4", ops(h))
    assert (first["has_next"], second["has_next"], third["has_next"]) == (True, True, False)
    seen = [i["bgt_id"] for p in (first, second, third) for i in p["items"]]
    assert seen == [tf.P1, tf.C1, tf.K1, tf.Y1, tf.Y2]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "bad_request"),
        ("limit=201", "bad_request"),
        ("is_track=3", "bad_request"),
        ("side=lower", "bad_request"),
        ("division=3303", "bad_request"),
        ("fiscal_year=abc", "bad_request"),
        ("format=pdf", "bad_request"),
    ],
)
def test_bad_filters_are_refused_with_a_code(h: Harness, query: str, code: str) -> None:
    body = get_json(h, f"/v1/tracking/indicators?{query}", ops(h), status=400)
    assert body["error"] == code


# ---- authorization ------------------------------------------------------------------------------------


def test_a_province_party_sees_its_indicator_and_everything_downstream(h: Harness) -> None:
    response = tf.party_get(h, tf.PROVINCE, f"/v1/tracking/indicators/{tf.P1}")
    assert response.status_code == 200, response.text
    assert "X-Signature" in response.headers  # the gateway signs what it answers a party
    assert [n["bgt_id"] for n in response.json()["nodes"]] == [tf.P1, tf.C1, tf.K1, tf.Y1]
    listing = tf.party_get(h, tf.PROVINCE, "/v1/tracking/indicators")
    assert [i["bgt_id"] for i in listing.json()["items"]] == [tf.P1]


def test_the_city_sees_its_own_and_downstream_but_not_the_province_row(h: Harness) -> None:
    tree = tf.party_get(h, tf.CITY, f"/v1/tracking/indicators/{tf.C1}")
    assert [n["bgt_id"] for n in tree.json()["nodes"]] == [tf.C1, tf.K1, tf.Y1]
    upper = tf.party_get(h, tf.CITY, f"/v1/tracking/indicators/{tf.P1}")
    assert upper.status_code == 404 and upper.json()["error"] == "not_found"
    listing = tf.party_get(h, tf.CITY, "/v1/tracking/indicators")
    assert [i["bgt_id"] for i in listing.json()["items"]] == [tf.C1, tf.K1]
    named = tf.party_get(h, tf.CITY, "/v1/tracking/indicators", f"division={tf.PROVINCE}")
    assert named.status_code == 403 and named.json()["error"] == "tracking_forbidden"


def test_the_county_sees_only_its_own_rows(h: Harness) -> None:
    listing = tf.party_get(h, tf.COUNTY, "/v1/tracking/indicators")
    assert [i["bgt_id"] for i in listing.json()["items"]] == [tf.Y1, tf.Y2]
    for upper in (tf.P1, tf.C1, tf.K1):
        assert tf.party_get(h, tf.COUNTY, f"/v1/tracking/indicators/{upper}").status_code == 404
    assert tf.party_get(h, tf.COUNTY, "/v1/tracking/indicators", f"division={tf.CITY}").status_code == 403


def test_a_bank_reads_no_ledger(h: Harness) -> None:
    listing = tf.party_get(h, tf.BANK, "/v1/tracking/indicators")
    assert listing.status_code == 200 and listing.json()["items"] == []
    assert tf.party_get(h, tf.BANK, f"/v1/tracking/indicators/{tf.P1}").status_code == 404


def test_people_read_per_their_scope_and_nothing_by_default(h: Harness) -> None:
    city = bearer(CITY_TOKEN)
    listing = get_json(h, "/v1/tracking/indicators", city)
    assert [i["bgt_id"] for i in listing["items"]] == [tf.C1, tf.K1]
    assert get_json(h, f"/v1/tracking/indicators/{tf.P1}", city, status=404)["error"] == "not_found"
    assert [n["bgt_id"] for n in get_json(h, f"/v1/tracking/indicators/{tf.C1}", city)["nodes"]] == [
        tf.C1,
        tf.K1,
        tf.Y1,
    ]
    forbidden = get_json(h, f"/v1/tracking/indicators?division={tf.COUNTY}", city, status=403)
    assert forbidden["error"] == "tracking_forbidden"
    nobody = bearer(NOBODY_TOKEN)
    assert get_json(h, "/v1/tracking/indicators", nobody)["items"] == []
    assert get_json(h, f"/v1/tracking/indicators/{tf.Y1}", nobody, status=404)["error"] == "not_found"
    assert get_json(h, f"/v1/tracking/indicators?division={tf.COUNTY}", nobody, status=403)["error"] == (
        "tracking_forbidden"
    )


def test_no_credentials_no_report(h: Harness) -> None:
    assert h.client.get("/v1/tracking/indicators").status_code == 400  # no signed headers
    response = h.client.get("/v1/tracking/indicators", headers=bearer("not-a-token"))
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


# ---- exports -----------------------------------------------------------------------------------------


def test_the_csv_export_has_chinese_headers_and_exact_amounts(h: Harness) -> None:
    response = h.client.get(f"/v1/tracking/indicators/{tf.P1}?format=csv", headers=ops(h))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:5] == ["层级", "指标主键", "区划", "区划名称", "类型"]
    assert "执行进度 (%)" in header and "本级余额" in header
    records = [dict(zip(header, (csv_text(c) for c in row), strict=True)) for row in rows[1:]]
    assert [r["指标主键"] for r in records] == [tf.P1, tf.C1, tf.K1, tf.Y1]
    county = records[3]
    assert (county["区划名称"], county["已支付"], county["余额"], county["执行进度 (%)"]) == (
        "永嘉县",
        "190000.00",
        "360000.00",
        "34.55",
    )
    assert rows[1][1].startswith("\t")  # the BGT_ID is kept as text in a spreadsheet


def test_the_xlsx_export_opens_with_openpyxl(h: Harness) -> None:
    response = h.client.get(f"/v1/tracking/indicators/{tf.P1}?format=xlsx", headers=ops(h))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["指标", "按区划科目", "支付凭证", "未关联指标的凭证"]
    sheet = book["指标"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["指标主键"] for r in rows] == [tf.P1, tf.C1, tf.K1, tf.Y1]
    assert Decimal(str(rows[0]["余额"])) == Decimal("910000.00")
    assert Decimal(str(rows[1]["在途"])) == Decimal("100000.00")
    assert Decimal(str(rows[3]["执行进度 (%)"])) == Decimal("34.55")
    vouchers = [[c.value for c in row] for row in book["支付凭证"].iter_rows(min_row=2)]
    assert {row[5] for row in vouchers} == {tf.V.v1, tf.V.v2, tf.V.v3}
    unlinked = [[c.value for c in row] for row in book["未关联指标的凭证"].iter_rows(min_row=2)]
    assert [row[5] for row in unlinked if row[5]] == [tf.V.v9]  # then the note: 共 1 笔 …
    listing = h.client.get("/v1/tracking/indicators?format=xlsx", headers=ops(h))
    sheets = openpyxl.load_workbook(io.BytesIO(listing.content)).sheetnames
    assert sheets == ["指标", "按区划科目", "未关联指标的凭证"]


def test_parties_get_json_only(h: Harness) -> None:
    response = tf.party_get(h, tf.PROVINCE, "/v1/tracking/indicators", "format=csv")
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
    assert json.loads(tf.party_get(h, tf.PROVINCE, "/v1/tracking/indicators").content)["items"]


def test_a_page_costs_a_few_set_based_statements_whatever_its_size(h: Harness) -> None:
    """No statement per indicator or voucher: the page, one or two per level followed, the journal sums
    and one spending statement — the same for one root as for every row."""
    from sqlalchemy import event

    from gateway.services import tracking

    engine = h.gateway.database.engine
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    scope = tracking.Scope(None, "test")
    event.listen(engine, "before_cursor_execute", count)
    try:
        one = tracking.list_indicators(h.gateway, scope, division=tf.PROVINCE)
        for_one = len(statements)
        statements.clear()
        every = tracking.list_indicators(h.gateway, scope, limit=50)
        for_every = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [i["bgt_id"] for i in one["items"]] == [tf.P1] and len(every["items"]) == 5
    # page 1 + levels (ORI_BGT_ID, and 上级文号 below an issued row) + journal 1 + spending 1 + unlinked 2
    assert for_one <= 12 and for_every <= 12, (for_one, for_every)  # measured: 11 and 7
