"""Payment-family canonical models: the rules a treasury system enforces, each with its path and rule."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from schemas.base import build
from schemas.clearing import (
    ClearingRequest,
    GeneralReply,
    PbocClearingApply,
    PbocClearingReceipt,
    PbocQuota,
    QuotaNotice,
)
from schemas.codelists import check_codes, default_registry
from schemas.dates import parse_wire_date
from schemas.errors import ValidationFailed
from schemas.messages import MESSAGE_MODELS, canonical_json, parse_canonical
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement
from tests.adapters.payments_samples import (
    CHECK_3501,
    CLEARING_2301,
    CLEARING_2302,
    PAYMENT_5201,
    QUOTA_5102,
    QUOTA_5106,
    QUOTA_5108,
    QUOTA_CHECK_3510,
    RECEIPT_3143,
    RECEIPT_3144,
    RECEIPT_5201,
    REFUND_2202,
    REFUND_2252,
)


def _problems(model: Any, data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        build(model, {k: v for k, v in data.items() if v is not None}, "[0]")
    return [(p.path, p.rule) for p in info.value.problems]


def _ok(model: Any, data: dict[str, Any]) -> Any:
    return build(model, {k: v for k, v in data.items() if v is not None})


def test_samples_are_valid() -> None:
    voucher = _ok(PaymentVoucher, PAYMENT_5201)
    assert voucher.pay_amt == Decimal("12345.67")
    assert voucher.vou_date == date(2026, 3, 16)


def test_header_amount_must_equal_the_sum_of_details() -> None:
    data = {**PAYMENT_5201, "pay_amt": "12345.68"}
    assert _problems(PaymentVoucher, data) == [("[0].details", "detail_sum_mismatch")]


def test_sum_mismatch_message_names_both_amounts() -> None:
    with pytest.raises(ValidationFailed) as info:
        build(PaymentVoucher, {**PAYMENT_5201, "pay_amt": "1.00"})
    assert "12345.67" in info.value.problems[0].message and "1.00" in info.value.problems[0].message


def test_a_voucher_needs_details() -> None:
    assert _problems(PaymentVoucher, {**PAYMENT_5201, "details": []}) == [("[0].details", "no_details")]


def test_all_problems_of_a_message_are_reported_at_once() -> None:
    data = {
        **PAYMENT_5201,
        "vou_date": "20260230",
        "pay_amt": "-1.00",
        "adm_div_code": "99032",
        "st_year": 1899,
    }
    assert sorted(_problems(PaymentVoucher, data)) == [
        ("[0].adm_div_code", "value_error"),
        ("[0].pay_amt", "amount_negative"),
        ("[0].st_year", "value_error"),
        ("[0].vou_date", "value_error"),
    ]


@pytest.mark.parametrize(
    ("amount", "rule"),
    [
        ("1.234", "amount_precision"),
        ("1E3", "amount_not_decimal"),
        ("1,000.00", "amount_not_decimal"),
        ("NaN", "amount_not_decimal"),
        ("0x10", "amount_not_decimal"),
        ("１００.００", "amount_not_ascii"),
        ("١٠٠.٠٠", "amount_not_ascii"),
        ("+100.00", "amount_sign"),
        (" 100.00", "amount_whitespace"),
        ("100.00\n", "amount_whitespace"),
        ("-0.00", "negative_zero"),
        ("1000000000000.00", "amount_out_of_range"),
    ],
)
def test_bad_amount_forms(amount: str, rule: str) -> None:
    data = {**PAYMENT_5201, "details": [{"pay_amt": amount}], "pay_amt": amount}
    problems = _problems(PaymentVoucher, data)
    assert ("[0].pay_amt", rule) in problems
    assert ("[0].details[0].pay_amt", rule) in problems


def test_float_amounts_are_refused() -> None:
    assert ("[0].pay_amt", "amount_float") in _problems(PaymentVoucher, {**PAYMENT_5201, "pay_amt": 12345.67})


def test_unknown_vt_code_for_the_model() -> None:
    assert _problems(PaymentVoucher, {**PAYMENT_5201, "vt_code": "2301"}) == [
        ("[0].vt_code", "literal_error")
    ]


def test_receipt_cannot_report_more_paid_than_asked() -> None:
    assert _problems(PaymentReceipt, {**RECEIPT_5201, "x_pay_amt": "12345.68"}) == [
        ("[0].x_pay_amt", "paid_exceeds_amount")
    ]


def test_receipt_detail_cannot_report_more_paid_than_asked() -> None:
    details = [{**RECEIPT_5201["details"][0], "x_pay_amt": "10000.01"}, RECEIPT_5201["details"][1]]
    assert _problems(PaymentReceipt, {**RECEIPT_5201, "details": details}) == [
        ("[0].details[0].x_pay_amt", "paid_exceeds_amount")
    ]


def test_failed_payment_receipt_with_reason() -> None:
    details = [{**d, "x_pay_amt": "0.00"} for d in RECEIPT_5201["details"]]
    receipt = _ok(
        PaymentReceipt, {**RECEIPT_5201, "x_pay_amt": "0", "x_add_word": "账户已销户", "details": details}
    )
    assert receipt.x_pay_amt == Decimal("0.00") and receipt.x_add_word == "账户已销户"


def test_refund_notice_is_negative_by_definition() -> None:
    assert _ok(RefundNotice, REFUND_2252).pay_amt == Decimal("-2345.67")
    assert _problems(RefundNotice, {**REFUND_2252, "pay_amt": "2345.67"}) == [
        ("[0].pay_amt", "amount_not_negative")
    ]
    assert _problems(RefundNotice, {**REFUND_2252, "pay_amt": "0.00"}) == [
        ("[0].pay_amt", "amount_not_negative")
    ]


def test_refund_pay_msg_no_is_large_or_small_value() -> None:
    assert _problems(RefundNotice, {**REFUND_2252, "pay_msg_no": "200"}) == [
        ("[0].pay_msg_no", "literal_error")
    ]


def test_clearing_2301_is_never_negative_but_2302_may_be() -> None:
    assert _ok(ClearingRequest, CLEARING_2302).pay_amt == Decimal("-2345.67")
    details = [{**CLEARING_2301["details"][0], "pay_amt": "-12345.67"}, CLEARING_2301["details"][1]]
    data = {**CLEARING_2301, "pay_amt": "-11485.67", "details": details}
    assert _problems(ClearingRequest, data) == [("[0].pay_amt", "amount_negative")]


def test_clearing_all_num_counts_the_details() -> None:
    assert _problems(ClearingRequest, {**CLEARING_2301, "all_num": 3}) == [
        ("[0].details", "detail_count_mismatch")
    ]


def test_quota_notice_total_field_depends_on_the_vtcode() -> None:
    assert _ok(QuotaNotice, QUOTA_5108).total == Decimal("500000.00")
    assert _ok(QuotaNotice, QUOTA_5106).total == Decimal("80000.00")
    assert _problems(QuotaNotice, {**QUOTA_5106, "plan_amt": None, "pay_amt": "80000.00"}) == [
        ("[0].plan_amt", "value_error")
    ]
    assert _problems(QuotaNotice, {**QUOTA_5108, "plan_amt": "500000.00"}) == [
        ("[0].plan_amt", "value_error")
    ]


def test_quota_notice_set_month() -> None:
    assert _problems(QuotaNotice, {**QUOTA_5106, "set_month": "13"}) == [
        ("[0].set_month", "string_pattern_mismatch")
    ]


def test_voucher_statement_control_totals() -> None:
    assert _ok(VoucherReconciliationStatement, CHECK_3501).all_num == 2
    assert _problems(VoucherReconciliationStatement, {**CHECK_3501, "all_amt": "1.00"}) == [
        ("[0].details", "detail_sum_mismatch")
    ]


def test_quota_balance_identity_is_a_helper_not_a_validation_error() -> None:
    statement = _ok(QuotaReconciliationStatement, QUOTA_CHECK_3510)
    assert statement.identity_difference() == Decimal("0.00")
    assert statement.identity_holds
    broken = _ok(QuotaReconciliationStatement, {**QUOTA_CHECK_3510, "cur_date_money": "206794.00"})
    assert broken.identity_difference() == Decimal("0.33")
    assert not broken.identity_holds


def test_quota_balance_identity_also_checks_each_line() -> None:
    details = [{**QUOTA_CHECK_3510["details"][0], "clear_amt": "499999.00"}]
    statement = _ok(QuotaReconciliationStatement, {**QUOTA_CHECK_3510, "details": details})
    assert statement.identity_difference() == 0
    assert statement.details[0].identity_difference() == Decimal("-1.00")
    assert not statement.identity_holds


def test_quota_header_balances_left_out_are_the_sums_of_the_details() -> None:
    # 3510/5510 header balances are conditional (ITFE voucher_3510_java2xml.ftl, VoucherDto2MapFor5510.java)
    second = {
        **QUOTA_CHECK_3510["details"][0],
        "pre_date_money": "1.00",
        "clear_amt": "2.00",
        "cur_reck_money": "0.50",
        "cur_date_money": "2.50",
    }
    details = [QUOTA_CHECK_3510["details"][0], second]
    data = {**QUOTA_CHECK_3510, "all_num": 2, "details": details, "pre_date_money": None, "clear_amt": None}
    statement = _ok(QuotaReconciliationStatement, {k: v for k, v in data.items() if v is not None})
    assert statement.pre_date_money is None and statement.clear_amt is None
    # the two missing ones are summed; the two present ones are the header's own
    assert statement.balances() == (
        Decimal("120001.00"),
        Decimal("500002.00"),
        Decimal("413205.67"),
        Decimal("206794.33"),
    )
    assert statement.identity_difference() == Decimal("3.00")


def test_statement_period_must_not_be_reversed() -> None:
    data = {**QUOTA_CHECK_3510, "begin_date": "20260401"}
    assert _problems(QuotaReconciliationStatement, data) == [("[0].end_date", "value_error")]


def test_tips_result_code() -> None:
    assert _ok(PbocClearingReceipt, RECEIPT_3143).succeeded
    assert not _ok(PbocClearingReceipt, {**RECEIPT_3143, "pay_result": "94001"}).succeeded
    # ITFE Recv3143MsgServer: PayResult 90000 or 0 is 拨付成功; a 3144 answers with Result
    assert _ok(PbocClearingReceipt, {**RECEIPT_3143, "pay_result": "0"}).succeeded
    assert _ok(PbocClearingReceipt, RECEIPT_3144).succeeded
    assert not _ok(PbocClearingReceipt, {**RECEIPT_3144, "result": "94001"}).succeeded
    assert _problems(PbocClearingReceipt, {**RECEIPT_3143, "result": "90000"}) == [("[0]", "msgno_fields")]
    assert _problems(PbocClearingReceipt, {**RECEIPT_3144, "result": None}) == [("[0]", "msgno_fields")]
    assert _problems(GeneralReply, {"ori_msg_no": "2201", "result": "9000"}) == [
        ("[0].result", "string_pattern_mismatch")
    ]


def test_each_msgno_carries_its_own_itfe_fields() -> None:
    """One model, two ITFE layouts (itfe_2201/2202_java2xml.ftl, itfe_5102/5103_java2xml.ftl): a field of the
    other MsgNo's layout is refused as ``msgno_fields``, as is a missing one the MsgNo needs."""
    assert _ok(PbocClearingApply, REFUND_2202).ori_vou_no == "3303242301260000031"
    assert _problems(PbocClearingApply, {**REFUND_2202, "payer_acct": "3303240000000001"}) == [
        ("[0]", "msgno_fields")
    ]
    assert _problems(PbocClearingApply, {**REFUND_2202, "ori_payee_acct": None}) == [("[0]", "msgno_fields")]
    grant = {**QUOTA_5102, "msg_no": "5103", "of_month": "03"}
    assert _problems(PbocQuota, grant) == [("[0]", "msgno_fields")]  # Detail5103 has no BdgOrgCode
    details = [
        {k: v for k, v in d.items() if k != "bdg_org_code"} | {"acct_prop": "1"}
        for d in QUOTA_5102["details"]
    ]
    assert _ok(PbocQuota, {**grant, "details": details}).of_month == "03"
    assert _problems(PbocQuota, {**QUOTA_5102, "of_month": "03"}) == [("[0]", "msgno_fields")]


def test_unknown_code_list_values_name_the_list_and_value() -> None:
    voucher = _ok(PaymentVoucher, {**PAYMENT_5201, "pay_type_code": "13", "fund_type_code": "7"})
    problems = check_codes(voucher, default_registry(), "330324000", 2026)
    assert sorted((p.path, p.rule, p.value) for p in problems) == [
        ("fund_type_code", "code_list:EV_FUND_TYPE", "7"),
        ("pay_type_code", "code_list:PAY_TYPE", "13"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20260316", date(2026, 3, 16)),
        ("2026-03-16", date(2026, 3, 16)),
        (date(2026, 3, 16), date(2026, 3, 16)),
    ],
)
def test_wire_dates(value: object, expected: date) -> None:
    assert parse_wire_date(value) == expected


@pytest.mark.parametrize("value", ["20260230", "2026316", "1773619200", 20260316, "2026/03/16", "20261301"])
def test_wire_dates_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_wire_date(value)


def test_payment_models_are_in_the_canonical_registry_and_round_trip_as_json() -> None:
    for name in (
        "payment_voucher",
        "payment_receipt",
        "refund_notice",
        "clearing_request",
        "pboc_clearing_apply",
    ):
        assert name in MESSAGE_MODELS
    voucher = _ok(PaymentVoucher, PAYMENT_5201)
    obj = json.loads(canonical_json(voucher))
    assert obj["pay_amt"] == "12345.67" and obj["vou_date"] == "2026-03-16"
    assert parse_canonical(obj) == voucher


def test_models_are_frozen_and_strict() -> None:
    voucher = _ok(PaymentVoucher, PAYMENT_5201)
    with pytest.raises(ValueError):
        voucher.pay_amt = Decimal("1.00")
    assert _problems(PaymentVoucher, {**PAYMENT_5201, "surprise": "1"}) == [
        ("[0].surprise", "extra_forbidden")
    ]


def test_a_record_stored_before_the_2302_sign_rule_is_still_readable_from_the_store() -> None:
    """Nothing already accepted becomes unreadable: the store reads back a positive 2302 (accepted before the
    ITFE sign rule) and a 5106 whose details carry PayAmt; on the wire both are refused."""
    legacy = {
        **CLEARING_2302,
        "message_type": "clearing_request",
        "pay_amt": "2345.67",
        "details": [{**CLEARING_2302["details"][0], "pay_amt": "2345.67"}],
    }
    with pytest.raises(ValidationFailed) as refused:
        parse_canonical(legacy)
    assert {p.rule for p in refused.value.problems} == {"amount_not_negative"}
    stored = parse_canonical(legacy, stored=True)
    assert isinstance(stored, ClearingRequest) and stored.pay_amt == Decimal("2345.67")
