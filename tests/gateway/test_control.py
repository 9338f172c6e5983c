"""控制 at intake (issue 17): the voucher ↔ indicator link, the balance, every code, refuse and hold."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from gateway.services import control_review
from gateway.services.control_rules import RuleFileInvalid
from gateway.store.tables import audit_log, messages, outbox, payment_lines
from tests.gateway import payment_flows
from tests.gateway.conftest import Harness
from tests.gateway.control_flows import (
    BANK,
    COUNTY,
    DAY,
    DOC,
    book,
    indicator,
    load,
    spends,
    voucher,
)
from tests.gateway.indicator_flows import change, document
from tests.gateway.indicator_flows import send as send_indicator


def _count(h: Harness, table: sa.Table, *where: Any) -> int:
    with h.gateway.database.engine.connect() as c:
        return int(c.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())


def _to_bank(h: Harness) -> int:
    return _count(h, outbox, outbox.c.receiver == BANK)


def test_without_rules_vouchers_are_linked_and_the_payment_chain_moves_the_balance(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    payment_flows.send(harness, COUNTY, voucher("V1", 30000))
    assert indicator(harness, "L-1") == (100000, 30000)  # in flight
    payment_flows.send(harness, BANK, payment_flows.receipt("V1", 30000, 25000, DAY))
    assert indicator(harness, "L-1") == (100000, 25000)  # paid 250.00; the unpaid 50.00 released
    payment_flows.send(harness, BANK, payment_flows.refund("R1", "V1", 5000, DAY))
    assert indicator(harness, "L-1") == (100000, 20000)  # the refund gives 50.00 back
    assert spends(harness) == [("V1", "paid", 0, 20000, "")]


def test_a_resent_voucher_is_linked_once(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    payment_flows.send(harness, COUNTY, voucher("V1", 30000))
    payment_flows.send(harness, COUNTY, voucher("V1", 30000))
    assert indicator(harness, "L-1") == (100000, 30000)
    assert [s[0] for s in spends(harness)] == ["V1"]


def test_exhausted_indicator_refuses_the_whole_document_naming_each_voucher(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    version = load(harness, "refuse")
    payment_flows.send(harness, COUNTY, voucher("V1", 60000))
    stored = _count(harness, messages)
    answer = payment_flows.submit(harness, COUNTY, voucher("V2", 30000), voucher("V3", 20000))
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "indicator_exhausted"
    assert body["detail"]["rule_version"] == version
    results = [(v["voucher_no"], v["result"], v["codes"]) for v in body["detail"]["vouchers"]]
    assert results == [("V2", "passed", []), ("V3", "failed", ["indicator_exhausted"])]
    failed = body["detail"]["vouchers"][1]
    assert (failed["available"], failed["amount"], failed["bgt_id"]) == ("100.00", "200.00", "L-1")
    assert _count(harness, messages) == stored  # nothing of the refused document kept
    assert indicator(harness, "L-1") == (100000, 60000)  # V2's reservation rolled back with it
    rejected = _count(harness, audit_log, audit_log.c.action == "message.rejected")
    assert rejected == 1


def test_the_last_fen_passes_and_one_more_does_not(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    load(harness, "refuse")
    payment_flows.send(harness, COUNTY, voucher("V1", 99999))
    assert payment_flows.submit(harness, COUNTY, voucher("V2", 2)).json()["error"] == "indicator_exhausted"
    payment_flows.send(harness, COUNTY, voucher("V3", 1))
    assert indicator(harness, "L-1") == (100000, 100000)


def test_a_recall_through_the_ledger_lowers_what_is_available(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    load(harness, "refuse")
    recall = change("LA-1", "L-1", "600.00", recall=True)
    recall.update({"MOF_DIV_CODE": COUNTY, "COR_BGT_DOC_NO": DOC})
    recall.pop("REC_DIV_CODE")
    send_indicator(harness, COUNTY, document("BA_BGT_ADJSUB", recall), "r1")
    assert indicator(harness, "L-1") == (40000, 0)
    assert (
        payment_flows.submit(harness, COUNTY, voucher("V1", 40001)).json()["error"] == "indicator_exhausted"
    )
    payment_flows.send(harness, COUNTY, voucher("V2", 40000))


def _refused(h: Harness, *vouchers: Any) -> list[str]:
    answer = payment_flows.submit(h, COUNTY, *vouchers)
    assert answer.status_code == 422, answer.text
    [failed] = [v for v in answer.json()["detail"]["vouchers"] if v["result"] == "failed"]
    codes: list[str] = failed["codes"]
    assert answer.json()["error"] == codes[0]
    return codes


def test_identity_codes(harness: Harness) -> None:
    load(harness, "refuse")
    assert _refused(harness, voucher("V1", 100)) == ["indicator_unknown"]
    assert _refused(harness, voucher("V1", 100, file_no_code=None)) == ["indicator_unknown"]
    book(harness, "L-25", "1000.00", "b1", FISCAL_YEAR="2025")
    assert _refused(harness, voucher("V1", 100)) == ["indicator_year_mismatch"]
    book(harness, "L-1", "1000.00", "b2")
    book(harness, "L-1", "1000.00", "b3", IS_DELETED="1")  # 删除
    assert _refused(harness, voucher("V1", 100)) == ["indicator_recalled"]


def test_two_indicators_under_one_doc_no_are_told_apart_by_function_then_ambiguous(harness: Harness) -> None:
    load(harness, "refuse")
    book(harness, "L-1", "10.00", "b1")
    book(harness, "L-2", "1000.00", "b2", TP_FUNC_CODE="20599")
    payment_flows.send(harness, COUNTY, voucher("V1", 500))  # ExpFuncCode 2050202 is under 20502 only
    assert indicator(harness, "L-1") == (1000, 500)
    book(harness, "L-3", "1000.00", "b3")  # a second 20502 indicator, same project
    assert _refused(harness, voucher("V2", 100)) == ["indicator_ambiguous"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"exp_func_code": "2080101"}, "func_subject_mismatch"),
        ({"dep_pro_code": "330324260000000000999"}, "project_mismatch"),
        ({"exp_eco_code": "30217"}, "sangong_mismatch"),
        ({"fund_type_code": "2"}, "revenue_fund_mismatch"),
    ],
)
def test_element_rules(harness: Harness, fields: dict[str, str], code: str) -> None:
    book(harness, "L-1", "1000.00", "b1")
    load(harness, "refuse")
    detail_fields = {
        k: v for k, v in fields.items() if k in ("exp_func_code", "exp_eco_code", "dep_pro_code")
    }
    v = voucher("V1", 100, **fields)
    v = v.model_copy(update={"details": tuple(d.model_copy(update=detail_fields) for d in v.details)})
    assert _refused(harness, v) == [code]
    assert indicator(harness, "L-1") == (100000, 0)


def test_sangong_spends_only_the_indicator_of_its_item(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1", GOV_BGT_ECO_CODE="50206")  # 公务接待费
    load(harness, "refuse")
    v = voucher("V1", 100, exp_eco_code="30217")
    v = v.model_copy(
        update={"details": tuple(d.model_copy(update={"exp_eco_code": "30217"}) for d in v.details)}
    )
    payment_flows.send(harness, COUNTY, v)
    assert indicator(harness, "L-1") == (100000, 100)


def test_off_policy_links_without_checking(harness: Harness) -> None:
    book(harness, "L-1", "10.00", "b1")
    load(harness, "off")
    payment_flows.send(harness, COUNTY, voucher("V1", 5000))  # over the balance: not controlled
    assert indicator(harness, "L-1") == (1000, 5000)


def test_hold_accepts_without_routing_then_release_routes_it(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    load(harness, "hold")
    before = _to_bank(harness)
    answer = payment_flows.send(harness, COUNTY, voucher("V1", 20000), voucher("V2", 200000))
    results = [(r["result"], r["receivers"]) for r in answer["records"]]
    assert results == [("accepted", [BANK]), ("held", [])]
    assert answer["records"][1]["control"] == {"codes": ["indicator_exhausted"]}
    assert _to_bank(harness) == before + 1  # only V1's document went out
    assert indicator(harness, "L-1") == (100000, 20000)
    [held] = control_review.held(harness.gateway)
    assert (held.voucher_no, held.codes) == ("V2", "indicator_exhausted")
    v2_lines = (payment_lines.c.voucher_no == "V2", payment_lines.c.role == "voucher")
    assert _count(harness, payment_lines, *v2_lines) == 0  # not in the payment chain while held
    with pytest.raises(Exception, match="指标余额不足"):
        control_review.release(harness.gateway, held.id, "ops-a")  # still no balance
    top_up = change("LA-1", "L-1", "2000.00")
    top_up.update({"MOF_DIV_CODE": COUNTY, "COR_BGT_DOC_NO": DOC})
    top_up.pop("REC_DIV_CODE")
    send_indicator(harness, COUNTY, document("BA_BGT_ADJSUB", top_up), "a1")
    control_review.release(harness.gateway, held.id, "ops-a", "指标已追加")
    assert _to_bank(harness) == before + 2
    assert _count(harness, payment_lines, *v2_lines) == 1
    assert indicator(harness, "L-1") == (300000, 220000)
    assert ("V2", "in_flight", 200000, 0, "indicator_exhausted") in spends(harness)
    assert _count(harness, audit_log, audit_log.c.action == "control.held") == 1
    assert _count(harness, audit_log, audit_log.c.action == "control.released") == 1
    payment_flows.send(harness, BANK, payment_flows.receipt("V2", 200000, 200000, DAY))  # the bank got it


def test_large_payment_is_held_under_refuse_and_refused_by_ops(harness: Harness) -> None:
    book(harness, "L-1", "20000000.00", "b1")
    load(harness, "refuse")
    answer = payment_flows.send(harness, COUNTY, voucher("V1", 100000000))
    assert answer["records"][0]["result"] == "held"
    assert answer["status"] == "stored"
    [held] = control_review.held(harness.gateway)
    with pytest.raises(Exception, match="reason"):
        control_review.refuse(harness.gateway, held.id, "ops-a", " ")
    control_review.refuse(harness.gateway, held.id, "ops-a", "收款人信息待核实")
    assert control_review.held(harness.gateway) == []
    assert spends(harness) == [("V1", "refused", 0, 0, "large_payment")]
    assert indicator(harness, "L-1") == (2000000000, 0)
    with pytest.raises(Exception, match="not held"):
        control_review.release(harness.gateway, held.id, "ops-a")


def test_a_large_payment_released_is_reserved(harness: Harness) -> None:
    book(harness, "L-1", "20000000.00", "b1")
    load(harness, "hold")
    payment_flows.send(harness, COUNTY, voucher("V1", 100000000))
    [held] = control_review.held(harness.gateway)
    detail = control_review.release(harness.gateway, held.id, "ops-b")
    assert detail["receivers"] == [BANK]
    assert indicator(harness, "L-1") == (2000000000, 100000000)


def test_rule_versions_are_audited_and_recorded_with_decisions(harness: Harness) -> None:
    book(harness, "L-1", "1000.00", "b1")
    assert load(harness, "off") == 1
    assert load(harness, "refuse") == 2
    payment_flows.send(harness, COUNTY, voucher("V1", 100))
    with harness.gateway.database.unit_of_work() as uow:
        [spend] = uow.spending.spends_of(uow.spending.indicator_of("330324", "V1") or 0)
        assert spend.rule_version == 2
        assert [v for v, *_ in uow.control_rules.history()] == [2, 1]
    assert _count(harness, audit_log, audit_log.c.action == "control.rules_loaded") == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[divisions", "not valid TOML"),
        ('[divisions."3303"]\npolicy = "refuse"', "9 digits"),
        (f'[divisions."{COUNTY}"]\npolicy = "maybe"', "policy"),
        (f'[divisions."{COUNTY}"]\nlarge_payment = {{ threshold = 100 }}', "in quotes"),
        (f'[divisions."{COUNTY}"]\nlarge_payment = {{ threshold = "1.001" }}', "threshold"),
        (f'[divisions."{COUNTY}"]\nspeed = 1', "unknown key"),
    ],
)
def test_a_bad_rule_file_is_refused_with_its_problem(harness: Harness, text: str, problem: str) -> None:
    with pytest.raises(RuleFileInvalid, match=problem):
        load(harness, text=text)
    with harness.gateway.database.unit_of_work() as uow:
        assert uow.control_rules.latest() is None


def test_the_ops_api_lists_releases_and_refuses_held_vouchers(harness: Harness) -> None:
    lines = (harness.config_dir / "tokens.txt").read_text(encoding="utf-8").splitlines()
    tokens = dict(line.split(" ", 1) for line in lines if line.strip())
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    ops = {"Authorization": f"Bearer {tokens['ops']}"}
    book(harness, "L-1", "100.00", "b1")
    load(harness, "hold")
    payment_flows.send(harness, COUNTY, voucher("V1", 50000), voucher("V2", 5000))
    listed = harness.client.get("/v1/ops/control/held", headers=viewer).json()["items"]
    assert [(i["voucher_no"], i["amount"], i["reasons"]) for i in listed] == [
        ("V1", "500.00", ["指标余额不足"])
    ]
    ident = listed[0]["id"]
    assert harness.client.post(f"/v1/ops/control/held/{ident}/release", headers=viewer).status_code == 403
    still = harness.client.post(f"/v1/ops/control/held/{ident}/release", headers=ops)
    assert (still.status_code, still.json()["error"]) == (409, "conflict")
    no_reason = harness.client.post(f"/v1/ops/control/held/{ident}/refuse", headers=ops, json={})
    assert (no_reason.status_code, no_reason.json()["error"]) == (400, "bad_request")
    done = harness.client.post(f"/v1/ops/control/held/{ident}/refuse", headers=ops, json={"reason": "超指标"})
    assert done.json() == {"id": ident, "status": "refused"}
    assert harness.client.get("/v1/ops/control/held", headers=viewer).json()["items"] == []
    assert (
        harness.client.post(
            "/v1/ops/control/held/999999/refuse", headers=ops, json={"reason": "x"}
        ).status_code
        == 404
    )


def test_a_refused_document_lists_vouchers_in_order_with_running_balances(harness: Harness) -> None:
    book(harness, "L-1", "20000000.00", "b1")  # row 1
    book(harness, "L-2", "100.00", "b2", COR_BGT_DOC_NO="永财教〔2026〕16号")  # row 2
    load(harness, "refuse")
    other = {"file_no_code": "永财教〔2026〕16号"}
    answer = payment_flows.submit(
        harness,
        COUNTY,
        voucher("V1", 6000, **other),  # L-2: 60.00 of 100.00
        voucher("V2", 100000000),  # L-1: 1,000,000.00 — 大额支付, would be held
        voucher("V3", 5000, **other),  # L-2: 50.00 of the 40.00 left
        voucher("V4", 100),  # L-1
    )
    assert answer.status_code == 422
    detail = answer.json()["detail"]["vouchers"]
    assert [(v["voucher_no"], v["result"], v["available"]) for v in detail] == [
        ("V1", "passed", "100.00"),
        ("V2", "needs_review", "20000000.00"),
        ("V3", "failed", "40.00"),
        ("V4", "passed", "20000000.00"),
    ]
    assert indicator(harness, "L-1") == (2000000000, 0) and indicator(harness, "L-2") == (10000, 0)
