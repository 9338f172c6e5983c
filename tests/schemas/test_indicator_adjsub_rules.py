"""The rules for the BA_BGT_ADJSUB columns (BaBgtAdjsubPO.java): BGT_ID 调入指标主键 (``in_bgt_id``) and
ORI_BGT_ID 源指标主键, ADJ_DATE, and no TP_FUNC_CODE on an adjustment row."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from schemas.errors import ValidationFailed
from schemas.indicators import TransferIndicator
from schemas.messages import parse_canonical
from tests.schemas.indicator_factories import example_issue


def _adjust(**changes: Any) -> dict[str, Any]:
    data = example_issue(event="ADJUST", amount="-80000.00", adj_batch_no="000001", **changes)
    return {k: v for k, v in data.items() if v is not None}


def _rules(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        parse_canonical(data)
    return {p.path: p.rule for p in info.value.problems}


def test_an_adjustment_may_name_only_its_receiving_indicator() -> None:
    model = parse_canonical(_adjust(in_bgt_id="B-IN", adj_date="2026-06-11"))
    assert isinstance(model, TransferIndicator)
    assert (model.in_bgt_id, model.ori_bgt_id, model.changed_bgt_id) == ("B-IN", None, "B-IN")
    assert model.adj_date == date(2026, 6, 11)


def test_the_receiving_indicator_is_the_one_changed() -> None:
    model = parse_canonical(_adjust(in_bgt_id="B-IN", ori_bgt_id="B-SRC"))
    assert isinstance(model, TransferIndicator) and model.changed_bgt_id == "B-IN"
    model = parse_canonical(_adjust(ori_bgt_id="B-SRC"))
    assert isinstance(model, TransferIndicator) and model.changed_bgt_id == "B-SRC"


def test_an_adjustment_names_at_least_one_indicator() -> None:
    assert _rules(_adjust()) == {"ori_bgt_id": "ori_bgt_id_required"}


def test_an_adjustment_row_needs_no_tp_func_code() -> None:
    """BA_BGT_ADJSUB has REC_DIV_CODE but no TP_FUNC_CODE: the adjusted indicator carries it."""
    model = parse_canonical(_adjust(in_bgt_id="B-IN", tp_func_code=None))
    assert isinstance(model, TransferIndicator) and model.rec_div_code is not None
    assert _rules(example_issue(tp_func_code=None)) == {"tp_func_code": "tp_func_required"}  # ISSUE still


def test_the_receiving_indicator_is_not_the_row_itself() -> None:
    row_key = example_issue()["bgt_id"]
    assert _rules(_adjust(in_bgt_id=row_key)) == {"in_bgt_id": "self_reference"}


@pytest.mark.parametrize(("field", "value"), [("in_bgt_id", "B-IN"), ("adj_date", "2026-06-11")])
def test_adjustment_columns_do_not_belong_on_an_issue(field: str, value: str) -> None:
    assert _rules(example_issue(**{field: value})) == {field: "adjustment_only"}


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("param_6", "1.2.3", "string_pattern_mismatch"),
        ("param_6", "1e5", "string_pattern_mismatch"),
        ("cur_amt", "1.234", "amount_precision"),
        ("update_time", "2026-06-11T08:00:00+08:00", "value_error"),
        ("bgt_pman_id", "has space", "string_pattern_mismatch"),
    ],
)
def test_new_column_values_are_typed(field: str, value: str, rule: str) -> None:
    assert _rules(example_issue(**{field: value})) == {field: rule}
