"""TransferIndicator / IndicatorReceipt: field rules, cross-field rules (all reported at once) and
canonical JSON (schemas.messages)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings

from schemas.codelists import check_codes, default_registry
from schemas.errors import ValidationFailed
from schemas.indicators import IndicatorEvent, IndicatorReceipt, ReceiptStatus, TransferIndicator
from schemas.messages import MESSAGE_MODELS, canonical_json, parse_canonical, parse_canonical_many
from tests.schemas.indicator_factories import example_issue, indicator_receipts, transfer_indicators


def _rules(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{path: rule}`` of every problem ``data`` has."""
    with pytest.raises(ValidationFailed) as info:
        parse_canonical(data, prefix)
    return {p.path: p.rule for p in info.value.problems}


def _receipt(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_type": "indicator_receipt",
        "bgt_id": "3300002026ZJ0000000000000000000012",
        "mof_div_code": "330000000",
        "rec_div_code": "330300000",
        "fiscal_year": 2026,
        "rec_status": "1",
        "rec_bgt_id": "3303002026WZ0000000000000000000101",
        "rec_time": "2026-01-21T08:45:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_valid_issue_builds_with_exact_money() -> None:
    model = parse_canonical(example_issue())
    assert isinstance(model, TransferIndicator)
    assert model.event is IndicatorEvent.ISSUE
    assert model.amount == Decimal("12345678.90")
    assert model.model_dump(mode="json")["amount"] == "12345678.90"


def test_province_may_issue_directly_to_a_county() -> None:
    """省直管县: 浙江省 → 永嘉县 skips the city level and is allowed."""
    model = parse_canonical(example_issue(rec_div_code="330324000"))
    assert isinstance(model, TransferIndicator) and model.rec_div_code == "330324000"


def test_received_indicator_row_needs_no_receiver() -> None:
    model = parse_canonical(
        example_issue(
            mof_div_code="330324000",
            rec_div_code=None,
            tp_func_code=None,
            sup_bgt_doc_no="浙财农〔2026〕12号",
        )
    )
    assert isinstance(model, TransferIndicator) and model.rec_div_code is None


@pytest.mark.parametrize(
    ("receiver", "why"),
    [("330000000", "same level"), ("440100000", "other province"), ("100000000", "upwards")],
)
def test_receiver_must_be_below_the_issuer(receiver: str, why: str) -> None:
    assert _rules(example_issue(rec_div_code=receiver)) == {"rec_div_code": "rec_div_not_below"}, why


def test_city_cannot_issue_to_a_county_of_another_city() -> None:
    assert _rules(example_issue(mof_div_code="330300000", rec_div_code="330102000")) == {
        "rec_div_code": "rec_div_not_below"
    }


def test_transfer_needs_tp_func_code() -> None:
    assert _rules(example_issue(tp_func_code=None)) == {"tp_func_code": "tp_func_required"}


def test_doc_date_must_be_near_the_fiscal_year() -> None:
    assert _rules(example_issue(doc_date="2023-12-31")) == {"doc_date": "doc_date_out_of_year"}
    assert parse_canonical(example_issue(doc_date="2025-11-20"))  # 提前下达 in the previous year is normal


def test_issue_cannot_be_negative() -> None:
    assert _rules(example_issue(amount="-1.00")) == {"amount": "negative_amount"}


def test_adjust_needs_origin_batch_and_a_non_zero_delta() -> None:
    assert _rules(example_issue(event="ADJUST", amount="0")) == {
        "ori_bgt_id": "ori_bgt_id_required",
        "amount": "zero_adjustment",
        "adj_batch_no": "adj_batch_no_required",
    }


def test_adjust_may_be_negative() -> None:
    model = parse_canonical(
        example_issue(event="ADJUST", amount="-80000.00", ori_bgt_id="X1", adj_batch_no="000001")
    )
    assert isinstance(model, TransferIndicator) and model.amount == Decimal("-80000.00")


def test_recall_carries_a_positive_amount() -> None:
    assert _rules(example_issue(event="RECALL", amount="-5.00", ori_bgt_id="X1")) == {
        "amount": "recall_not_positive"
    }


def test_origin_cannot_be_the_row_itself() -> None:
    data = example_issue(ori_bgt_id="3300002026ZJ0000000000000000000012")
    assert _rules(data) == {"ori_bgt_id": "self_reference"}


def _code_rules(data: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    """``{path: (rule, value)}`` of the code-list problems of a (valid) indicator."""
    model = parse_canonical(data)
    assert isinstance(model, TransferIndicator)
    problems = check_codes(model, default_registry(), model.mof_div_code, model.fiscal_year)
    return {p.path: (p.rule, p.value) for p in problems}


def test_an_unknown_code_is_not_a_model_error_but_a_code_problem_naming_the_list() -> None:
    """Code lists are applied by the caller's policy (warn or refuse), not by the model (issue 12)."""
    data = example_issue(fund_type_code="999")
    assert isinstance(parse_canonical(data), TransferIndicator)
    assert _code_rules(data) == {"fund_type_code": ("code_list:FUND_TYPE", "999")}


def test_budget_level_uses_the_zhejiang_2026_list() -> None:
    assert _code_rules(example_issue(budget_level_code="3")) == {
        "budget_level_code": ("code_list:BUDGET_LEVEL", "3")
    }
    assert _code_rules(example_issue(budget_level_code="3", fiscal_year=2025, doc_date="2025-03-01")) == {}


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("amount", 1.5, "amount_float"),
        ("amount", "1.005", "amount_precision"),
        ("amount", "1E3", "amount_not_decimal"),
        ("mof_div_code", "33000000", "value_error"),
        ("fiscal_year", 1899, "value_error"),
        ("doc_date", "2026-02-30", "date_from_datetime_parsing"),
        ("tp_func_code", "1130101", "value_error"),
        ("gov_bgt_eco_code", "30101", "value_error"),
        ("bgt_doc_title", "a\x00b", "string_pattern_mismatch"),
        ("bgt_doc_title", "", "string_too_short"),
        ("create_time", "2026-01-20T09:30:00.5", "value_error"),
        ("create_time", "2026-01-20T09:30:00+08:00", "value_error"),
        ("pro_code", "x" * 22, "string_too_long"),
        ("bgt_id", "has space", "string_pattern_mismatch"),
    ],
)
def test_field_rules(field: str, value: object, rule: str) -> None:
    assert _rules(example_issue(**{field: value})) == {field: rule}


def test_every_field_problem_is_reported_at_once_with_the_record_prefix() -> None:
    rules = _rules(example_issue(amount="1.005", mof_div_code="x", doc_date="bad", unknown="1"), "[3]")
    assert set(rules) == {"[3].amount", "[3].mof_div_code", "[3].doc_date", "[3].unknown"}
    assert rules["[3].unknown"] == "extra_forbidden"


def test_cross_field_problems_are_reported_together_with_the_record_prefix() -> None:
    rules = _rules(example_issue(rec_div_code="330000000", tp_func_code=None, amount="-1"), "[2]")
    assert rules == {
        "[2].rec_div_code": "rec_div_not_below",
        "[2].tp_func_code": "tp_func_required",
        "[2].amount": "negative_amount",
    }


def test_receipt_rules() -> None:
    assert isinstance(parse_canonical(_receipt()), IndicatorReceipt)
    assert _rules(_receipt(rec_bgt_id=None)) == {"rec_bgt_id": "rec_bgt_id_required"}
    assert _rules(_receipt(reject_reason="x")) == {"reject_reason": "reason_on_accept"}
    assert _rules(_receipt(rec_status="2", rec_bgt_id=None)) == {"reject_reason": "reason_required"}
    assert _rules(_receipt(rec_status="2", reject_reason="  ")) == {"reject_reason": "reason_required"}
    assert _rules(_receipt(rec_div_code="330000000")) == {"rec_div_code": "rec_div_not_below"}
    assert _rules(_receipt(rec_status="3")) == {"rec_status": "enum"}
    rejected = parse_canonical(_receipt(rec_status="2", rec_bgt_id=None, reject_reason="项目代码不一致"))
    assert isinstance(rejected, IndicatorReceipt) and rejected.rec_status is ReceiptStatus.REJECTED


def test_unknown_message_type() -> None:
    assert _rules({"message_type": "nope"}, "[0]") == {"[0].message_type": "unknown_message_type"}
    with pytest.raises(ValidationFailed) as info:
        parse_canonical([1, 2])
    assert info.value.problems[0].rule == "not_an_object"


def test_message_models_are_keyed_by_their_discriminator() -> None:
    assert MESSAGE_MODELS["transfer_indicator"] is TransferIndicator
    assert MESSAGE_MODELS["indicator_receipt"] is IndicatorReceipt


def test_canonical_json_writes_amounts_as_strings_and_leaves_out_nulls() -> None:
    model = parse_canonical(example_issue())
    value = json.loads(canonical_json(model))
    assert value["amount"] == "12345678.90"
    assert "sup_bgt_doc_no" not in value
    assert json.loads(canonical_json([model, model])) == [value, value]


def test_parse_canonical_many_reports_every_bad_item_with_its_position() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_canonical_many([example_issue(), example_issue(amount="-1"), {"message_type": "x"}])
    assert [(p.path, p.rule) for p in info.value.problems] == [
        ("[1].amount", "negative_amount"),
        ("[2].message_type", "unknown_message_type"),
    ]


@settings(max_examples=150, deadline=None)
@given(transfer_indicators())
def test_indicator_survives_canonical_json(model: TransferIndicator) -> None:
    again = parse_canonical(json.loads(canonical_json(model)))
    assert again == model
    assert isinstance(again, TransferIndicator) and again.amount == model.amount


@settings(max_examples=100, deadline=None)
@given(indicator_receipts())
def test_receipt_survives_canonical_json(model: IndicatorReceipt) -> None:
    assert parse_canonical(json.loads(canonical_json(model))) == model
