"""Simulated parties by rule: failed, short and refunded payments, clearing requests, CFX clearing returns,
indicator receipts and lost indicators — deterministic by voucher number and by seed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.base import Document, Record
from adapters.registry import default_registry
from gateway.simulators.behaviour import (
    FAILURE_REASON,
    Behaviour,
    BehaviourError,
    Context,
    describe,
    load_behaviour,
    lost,
    replies,
)
from schemas.clearing import ClearingReceipt, ClearingRequest, PbocClearingApply, PbocClearingReceipt
from schemas.indicators import IndicatorReceipt, ReceiptStatus
from schemas.messages import parse_canonical
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from tests.adapters.payments_samples import cfx_document, evoucher_document
from tests.gateway.samples import indicator_document, indicator_row

TODAY = date(2026, 3, 17)
V1, V2 = "3303245201260000123", "3303245201260000124"  # 12345.67 (two details) and 860.00
BANK = "102333300018"
CONTEXT = Context(TODAY, "m-1", party_id=BANK, fin_org_codes={"330324": "330324000"}, tre_code="3303240000")


def bank(behaviour: Behaviour, document: Document | None = None) -> list[Document]:
    vouchers = document or evoucher_document("5201")
    return replies(
        "bank", vouchers, today=TODAY, reference="m-000000000001", behaviour=behaviour, context=CONTEXT
    )


def receipts(answers: list[Document]) -> dict[str, PaymentReceipt]:
    found = {}
    for document in answers:
        for record in document.records:
            if isinstance(record.message, PaymentReceipt):
                found[record.message.voucher_no] = record.message
    return found


def of_type(answers: list[Document], kind: type) -> list:  # type: ignore[type-arg]
    return [r.message for d in answers for r in d.records if isinstance(r.message, kind)]


def test_by_default_the_bank_pays_in_full_and_sends_nothing_else() -> None:
    answers = bank(Behaviour())
    assert len(answers) == 1
    paid = receipts(answers)
    assert {v: r.x_pay_amt for v, r in paid.items()} == {V1: Decimal("12345.67"), V2: Decimal("860.00")}
    assert [d.x_pay_amt for d in paid[V1].details] == [Decimal("10000.00"), Decimal("2345.67")]


def test_a_failed_payment_pays_nothing_and_says_why() -> None:
    paid = receipts(bank(Behaviour(fail=frozenset({V1}))))
    assert paid[V1].x_pay_amt == Decimal("0.00")
    assert paid[V1].x_add_word == FAILURE_REASON
    assert all(d.x_pay_amt == Decimal("0.00") for d in paid[V1].details)
    assert paid[V2].x_pay_amt == Decimal("860.00")


def test_a_short_payment_pays_ninety_percent_rounded_down_to_the_fen() -> None:
    paid = receipts(bank(Behaviour(short=frozenset({V1}))))
    assert paid[V1].x_pay_amt == Decimal("11111.10")  # 12345.67 × 0.9 = 11111.103
    assert sum(d.x_pay_amt or 0 for d in paid[V1].details) == Decimal("11111.10")
    assert paid[V1].x_pay_amt < paid[V1].pay_amt


def test_a_refund_follows_the_receipt_for_the_last_detail() -> None:
    answers = bank(Behaviour(refund=frozenset({V1})))
    assert len(answers) == 2 and isinstance(answers[0].records[0].message, PaymentReceipt)
    (refund,) = of_type(answers[1:], RefundNotice)
    assert refund.original_voucher_no == V1
    assert refund.pay_amt == Decimal("-2345.67")
    assert refund.vt_code == "2252" and refund.pay_date == TODAY
    rendered = default_registry().get("evoucher").render(answers[1])  # a real wire document
    assert default_registry().get("evoucher").parse(rendered).records[0].message == refund


def test_a_failed_payment_is_never_refunded() -> None:
    answers = bank(Behaviour(fail=frozenset({V1}), refund=frozenset({V1})))
    assert of_type(answers, RefundNotice) == []


def test_the_bank_requests_clearing_of_what_it_paid_leaving_out_never_clear() -> None:
    answers = bank(Behaviour(clear=True, short=frozenset({V1}), never_clear=frozenset({V2})))
    (request,) = of_type(answers, ClearingRequest)
    assert request.vt_code == "2301"
    assert [d.voucher_no for d in request.details] == [V1]
    assert request.pay_amt == Decimal("11111.10")  # clears what was paid, not what was asked
    assert request.tre_code == "3303240000" and request.fin_org_code == "330324000"
    assert request.pay_bank_no == BANK
    again = of_type(
        bank(Behaviour(clear=True, short=frozenset({V1}), never_clear=frozenset({V2}))), ClearingRequest
    )
    assert again == [request]  # same push, same numbers


def test_the_bank_returns_each_refund_to_the_treasury_with_a_2302() -> None:
    behaviour = Behaviour(clear=True, refund=frozenset({V1, V2}))
    answers = bank(behaviour)
    kinds = [{type(r.message).__name__ for r in d.records} for d in answers]
    assert kinds == [{"PaymentReceipt"}, {"RefundNotice"}, {"ClearingRequest"}, {"ClearingRequest"}]
    assert {r.message.vt_code for r in answers[2].records} == {"2301"}  # one VtCode per document
    refunds = {n.original_voucher_no: -n.pay_amt for n in of_type(answers, RefundNotice)}
    assert refunds == {V1: Decimal("2345.67"), V2: Decimal("860.00")}
    returned = [r.message for r in answers[3].records]
    # V1 and V2 draw on different accounts: one 2302 each, the refunded amount negative (退款申请金额为负)
    assert [(r.vt_code, [d.voucher_no for d in r.details], r.pay_amt) for r in returned] == [
        ("2302", [V1], Decimal("-2345.67")),
        ("2302", [V2], Decimal("-860.00")),
    ]
    drawn = {r.agent_acct_no: r.voucher_no for r in of_type(answers[2:3], ClearingRequest)}
    for request in returned:
        assert (
            request.voucher_no.startswith("3303242302") and request.voucher_no != drawn[request.agent_acct_no]
        )
        assert request.tre_code == "3303240000" and request.fin_org_code == "330324000"
        assert request.pay_bank_no == BANK and request.clear_acct_no == behaviour.clear_acct_no
        assert request.all_num == 1 and request.vou_date == TODAY and "退款" in (request.remark or "")
    assert bank(behaviour)[3] == answers[3]  # same push, same numbers
    rendered = default_registry().get("evoucher").render(answers[3])  # a real wire document
    assert [r.message for r in default_registry().get("evoucher").parse(rendered).records] == returned
    (cleared,) = replies("pbc", answers[3], today=TODAY, reference="m-5")  # the PBOC clears the 2302s
    assert [(c.vt_code, c.voucher_no, c.x_pay_amt) for c in of_type([cleared], ClearingReceipt)] == [
        (r.vt_code, r.voucher_no, r.pay_amt) for r in returned
    ]


def test_no_2302_without_clear_or_for_a_voucher_never_cleared() -> None:
    assert [r.vt_code for r in of_type(bank(Behaviour(refund=frozenset({V1}))), ClearingRequest)] == []
    answers = bank(Behaviour(clear=True, refund=frozenset({V1, V2}), never_clear=frozenset({V2})))
    requests = of_type(answers, ClearingRequest)
    assert [(r.vt_code, [d.voucher_no for d in r.details]) for r in requests] == [
        ("2301", [V1]),
        ("2302", [V1]),
    ]
    assert len(of_type(answers, RefundNotice)) == 2  # V2 is still refunded, just never cleared nor returned
    failed = bank(Behaviour(clear=True, fail=frozenset({V1}), refund=frozenset({V1})))
    assert [r.vt_code for r in of_type(failed, ClearingRequest)] == ["2301"]  # V2's; V1 paid nothing


def test_rates_are_deterministic_by_seed_and_voucher_number() -> None:
    numbers = [f"33032452012600{n:05d}" for n in range(400)]
    first = Behaviour(seed=7, fail_rate=0.25)
    failed = [n for n in numbers if first.outcome(n) == "failed"]
    assert failed == [n for n in numbers if Behaviour(seed=7, fail_rate=0.25).outcome(n) == "failed"]
    assert 60 <= len(failed) <= 140  # about a quarter
    other = [n for n in numbers if Behaviour(seed=8, fail_rate=0.25).outcome(n) == "failed"]
    assert other != failed
    assert all(Behaviour(seed=7, fail_rate=1.0).outcome(n) == "failed" for n in numbers[:20])
    assert all(Behaviour(seed=7).outcome(n) == "paid" for n in numbers[:20])


def test_the_pboc_clears_e_vouchers_unless_told_never_to() -> None:
    (answer,) = replies("pbc", evoucher_document("2301"), today=TODAY, reference="m-2")
    (cleared,) = of_type([answer], ClearingReceipt)
    assert cleared.x_pay_amt == cleared.pay_amt and cleared.x_clear_date == TODAY
    silent = replies(
        "pbc",
        evoucher_document("2301"),
        today=TODAY,
        reference="m-2",
        behaviour=Behaviour(never_clear=frozenset({V2})),
    )
    assert silent == []  # the 2301 lists V2 among its vouchers: never answered


def test_the_pboc_answers_a_cfx_2201_package_with_a_3143_package() -> None:
    package = cfx_document("2201")
    applies = [r.message for r in package.records]
    assert all(isinstance(a, PbocClearingApply) for a in applies)
    (answer,) = replies("pbc", package, today=TODAY, reference="m-3")
    assert answer.format == "cfx"
    assert answer.envelope["MsgNo"] == "3143"
    assert answer.envelope["MsgRef"] == package.envelope["MsgID"]
    assert answer.envelope["DES"] == package.envelope["SRC"]
    returns = of_type([answer], PbocClearingReceipt)
    assert [(r.vou_no, r.ori_tra_no, r.amt) for r in returns] == [
        (a.vou_no, a.tra_no, a.amt) for a in applies
    ]
    assert all(r.succeeded for r in returns)
    body = default_registry().get("cfx").render(answer)
    assert default_registry().get("cfx").parse(body).records == answer.records
    skipped = replies(
        "pbc",
        package,
        today=TODAY,
        reference="m-3",
        behaviour=Behaviour(never_clear=frozenset({applies[0].vou_no})),
    )
    assert [r.vou_no for r in of_type(skipped, PbocClearingReceipt)] == [a.vou_no for a in applies[1:]]


def _indicators() -> Document:
    body = indicator_document(
        indicator_row("330000000", "330300000", "3300002026ZJ01", Decimal("100.00")),
        indicator_row("330000000", "330300000", "3300002026ZJ02", Decimal("200.00")),
    )
    return default_registry().identify(body).parse(body)


def test_finance_answers_each_indicator_with_a_receipt_and_loses_those_it_is_told_to() -> None:
    now = datetime(2026, 3, 17, 1, 30, 5, 123456, tzinfo=UTC)
    context = Context(TODAY, "m-4", party_id="330300000", now=now)
    behaviour = Behaviour(lose=frozenset({"3300002026ZJ02"}))
    (answer,) = replies(
        "finance", _indicators(), today=TODAY, reference="m-4", behaviour=behaviour, context=context
    )
    (receipt,) = of_type([answer], IndicatorReceipt)
    assert receipt.bgt_id == "3300002026ZJ01" and receipt.rec_status is ReceiptStatus.ACCEPTED
    assert receipt.mof_div_code == "330000000" and receipt.rec_div_code == "330300000"
    assert receipt.rec_time == datetime(2026, 3, 17, 9, 30, 5)  # Beijing time, whole seconds
    assert lost(_indicators(), behaviour) == ["3300002026ZJ02"]
    body = default_registry().get(answer.format).render(answer)
    assert parse_canonical(receipt.model_dump(mode="json")) == receipt
    assert default_registry().identify(body).parse(body).records[0].message == receipt
    assert (
        replies(
            "finance", _indicators(), today=TODAY, reference="m-4", behaviour=Behaviour(acknowledge=False)
        )
        == []
    )


def test_behaviour_from_a_file_and_rules(tmp_path: Path) -> None:
    path = tmp_path / "behaviour.toml"
    path.write_text(
        'seed = 3\nnever_clear = ["A"]\n[bank]\nfail = ["B", "C"]\nclear = true\nshort_rate = 0.1\n'
        '[finance]\nlose = ["X"]\n',
        encoding="utf-8",
    )
    bank_rules = load_behaviour("bank", path, ["short=D", "seed=4"])
    assert bank_rules == Behaviour(
        seed=4,
        never_clear=frozenset({"A"}),
        fail=frozenset({"B", "C"}),
        clear=True,
        short_rate=0.1,
        short=frozenset({"D"}),
    )
    assert load_behaviour("finance", path).lose == frozenset({"X"})
    assert "fail=B,C" in list(describe(bank_rules))
    assert "clear=True (2301 for what is paid, 2302 for what is refunded)" in list(describe(bank_rules))
    assert not any(rule.startswith("clear=") for rule in describe(Behaviour()))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (["explode=1"], "unknown behaviour rule 'explode'"),
        (["fail_rate=2"], "fail_rate must be between 0 and 1"),
        (["clear=maybe"], "cannot use 'maybe'"),
        (["fail"], "a rule is NAME=VALUE"),
    ],
)
def test_bad_rules_are_refused_in_one_line(rules: list[str], message: str) -> None:
    with pytest.raises(BehaviourError, match=message):
        load_behaviour("bank", None, rules)


def test_a_bank_that_clears_needs_a_treasury() -> None:
    vouchers = Document("evoucher", (Record(0, evoucher_document("8202").records[0].message),))
    assert isinstance(vouchers.records[0].message, PaymentVoucher)
    with pytest.raises(BehaviourError, match="knows no treasury"):
        replies("bank", vouchers, today=TODAY, reference="m-5", behaviour=Behaviour(clear=True))
