"""资金追踪 and 控制 read one voucher → indicator link (issue 17), on SQLite and PostgreSQL.

The county books two indicators under one 指标文号 (COR_BGT_DOC_NO) told apart by 功能科目 — the 20599 one
first, so the *oldest* row (what 资金追踪 used to pick) is not the one 控制 links — and spends them under
control policy ``off`` (linked, not checked), then ``hold`` (a voucher over the balance is held, 待审核),
then ``off`` again once a third indicator makes the 文号 ambiguous (the voucher passes unlinked and is listed
as 未关联指标的凭证).

Documents: the county's BA_BGT_INFO booking (DOMAIN.md §1.3 field list) and the 5201 voucher / 回单 of ITFE
``Voucher5201MsgServer`` (FileNoCode, ExpFuncCode, DepProCode, PayAmt, XPayAmt), through the builders of
:mod:`tests.gateway.control_flows` and :mod:`tests.gateway.payment_flows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport
from gateway.services import tracking
from gateway.store.tables import indicator_spends, ledger_indicators
from tests.gateway import payment_flows
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.control_flows import BANK, COUNTY, DAY, DOC, book, indicator, load, voucher
from tests.web.conftest import sign_in
from tests.web.seed import tokens

EVERYONE = tracking.Scope(None, "test")


@pytest.fixture
def h(demo_dir: Path, database_url: str) -> Iterator[Harness]:
    harness = build_harness(demo_dir, database_url)
    try:
        load(harness, "off")
        book(harness, "L-OTHER", "2000.00", "b1", TP_FUNC_CODE="20599")  # the oldest row of DOC
        book(harness, "L-EDU", "1000.00", "b2")  # TP_FUNC_CODE 20502: the voucher's ExpFuncCode 2050202
        payment_flows.send(harness, COUNTY, voucher("V1", 30000))  # 300.00, control off: linked
        Relay(harness.gateway, MockTransport(lambda _push: None)).run_once()
        payment_flows.send(harness, BANK, payment_flows.receipt("V1", 30000, 25000, DAY))  # paid 250.00
        payment_flows.send(harness, COUNTY, voucher("V4", 10000))  # 100.00 in flight
        load(harness, "hold")
        answer = payment_flows.send(harness, COUNTY, voucher("V3", 200000))  # 2000.00 > the 600.00 left
        assert [r["result"] for r in answer["records"]] == ["held"]
        load(harness, "off")
        book(harness, "L-EDU2", "1000.00", "b3")  # a second 20502 indicator under DOC, same project
        payment_flows.send(harness, COUNTY, voucher("V2", 5000))  # ambiguous: passes unlinked
        yield harness
    finally:
        harness.client.close()
        harness.gateway.close()


def _ids(h: Harness) -> dict[str, int]:
    t = ledger_indicators.c
    with h.gateway.database.engine.connect() as c:
        rows = c.execute(sa.select(t.bgt_id, t.id).where(t.division == COUNTY)).all()
    return {str(b): int(i) for b, i in rows}


def _links(h: Harness) -> dict[str, tuple[int | None, str, str]]:
    """控制's record: voucher no → (indicator id, state, codes)."""
    s = indicator_spends.c
    with h.gateway.database.engine.connect() as c:
        rows = c.execute(sa.select(s.voucher_no, s.indicator_id, s.state, s.codes)).all()
    return {str(v): (None if i is None else int(i), str(st), str(cd)) for v, i, st, cd in rows}


def _tree(h: Harness, bgt_id: str) -> dict[str, Any]:
    return tracking.indicator_tree(h.gateway, EVERYONE, bgt_id, division=COUNTY)


def test_control_links_by_function_even_with_control_off_and_tracking_reads_the_same_link(h: Harness) -> None:
    ids = _ids(h)
    assert _links(h) == {
        "V1": (ids["L-EDU"], "paid", ""),
        "V4": (ids["L-EDU"], "in_flight", ""),
        "V3": (ids["L-EDU"], "held", "indicator_exhausted"),
        "V2": (None, "in_flight", "indicator_ambiguous"),
    }
    assert indicator(h, "L-EDU") == (100000, 25000 + 10000)  # paid + in flight; the held V3 reserves nothing
    assert indicator(h, "L-OTHER") == (200000, 0)
    edu, other = _tree(h, "L-EDU"), _tree(h, "L-OTHER")
    (node,) = edu["nodes"]
    assert (node["vouchers"], node["voucher_amount"], node["paid"], node["in_flight"], node["held"]) == (
        3,
        "2400.00",
        "250.00",
        "100.00",
        "2000.00",
    )
    assert (node["receipted"], node["local_balance"], node["progress"]) == ("250.00", "750.00", "25.00")
    (empty,) = other["nodes"]
    assert (empty["vouchers"], empty["paid"], empty["in_flight"]) == (0, "0.00", "0.00")
    # every voucher is counted once, on the indicator 控制 linked it to
    listed = {v["voucher_no"]: v["indicator_id"] for t in (edu, other) for v in t["vouchers"]}
    assert listed == {no: link[0] for no, link in _links(h).items() if link[0] is not None}
    # 已支付 is 控制's paid: the 回单's XPayAmt (250.00 of the 300.00 sent), what spent_fen keeps as paid
    paid = {v["voucher_no"]: v["paid"] for v in edu["vouchers"]}
    assert paid == {"V1": "250.00", "V4": "0.00", "V3": "0.00"}


def test_a_held_voucher_is_shown_as_waiting_for_review(h: Harness) -> None:
    states = {v["voucher_no"]: (v["state"], v["state_label"]) for v in _tree(h, "L-EDU")["vouchers"]}
    assert states == {"V1": ("paid", "已支付"), "V4": ("in_flight", "在途"), "V3": ("held", "待审核")}
    held = next(v for v in _tree(h, "L-EDU")["vouchers"] if v["voucher_no"] == "V3")
    assert held["vou_date"] is None and held["codes"] == ["indicator_exhausted"]  # not in the payment chain
    client = TestClient(h.client.app)
    sign_in(client, tokens(h.config_dir)["viewer"])
    html = client.get(f"/ui/tracking/L-EDU?division={COUNTY}").text
    row = html[html.index('data-voucher="V3"') :]
    assert "待审核" in row[: row.index("</tr>")]
    assert "待审核 2,000.00 元" in html and "在途 100.00 元" in html


def test_an_unlinked_voucher_is_listed_per_division_not_dropped(h: Harness) -> None:
    listing = tracking.list_indicators(h.gateway, EVERYONE, division=COUNTY)
    unlinked = listing["unlinked"]
    assert unlinked["divisions"] == [{"division": COUNTY, "vouchers": 1, "amount": "50.00"}]
    [v2] = unlinked["vouchers"]
    assert (v2["voucher_no"], v2["indicator_id"], v2["file_no_code"], v2["codes"]) == (
        "V2",
        None,
        DOC,
        ["indicator_ambiguous"],
    )
    assert sum(int(i["vouchers"]) for i in listing["items"]) == 3  # V1, V4, V3 on L-EDU; V2 on none
    assert [v["voucher_no"] for v in _tree(h, "L-EDU")["unlinked"]["vouchers"]] == ["V2"]  # cites its 文号
    client = TestClient(h.client.app)
    sign_in(client, tokens(h.config_dir)["viewer"])
    html = client.get(f"/ui/tracking?division={COUNTY}").text
    assert "未关联指标的凭证" in html and 'data-unlinked="V2"' in html
    assert "指标文号对应多条指标，无法确定" in html
