"""mof.json: round trips and every way a document can be refused, each with its code."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters.errors import TranslationError
from adapters.limits import Limits
from adapters.mof import MofJsonAdapter
from schemas.indicators import IndicatorEvent, IndicatorReceipt, TransferIndicator
from tests.adapters.mof_helpers import (
    GOLDEN,
    document,
    golden_issue_rows,
    malformed_code,
    mof_json,
    problem_rules,
)
from tests.schemas.indicator_factories import indicator_receipts, transfer_indicators

ADAPTER = MofJsonAdapter()
ADJ_RAW = (GOLDEN / "mof" / "indicators_adjust_recall.json").read_bytes()


@settings(max_examples=100, deadline=None)
@given(st.lists(transfer_indicators(), min_size=1, max_size=4, unique_by=lambda m: m.bgt_id))
def test_indicators_round_trip(models: list[TransferIndicator]) -> None:
    events = {m.event == "ISSUE" for m in models}
    if len(events) > 1:
        with pytest.raises(TranslationError):
            ADAPTER.render(document(*models))
        return
    parsed = ADAPTER.parse(ADAPTER.render(document(*models)))
    assert list(parsed.messages) == models
    assert [m.amount for m in parsed.messages if isinstance(m, TransferIndicator)] == [
        m.amount for m in models
    ]


@settings(max_examples=50, deadline=None)
@given(indicator_receipts())
def test_receipts_round_trip(model: IndicatorReceipt) -> None:
    assert ADAPTER.parse(ADAPTER.render(document(model))).messages == (model,)


def test_integer_amounts_are_yuan() -> None:
    rows = golden_issue_rows()
    rows[0]["AMOUNT"] = 1200
    rows[0]["FISCAL_YEAR"] = 2026
    message = ADAPTER.parse(mof_json(rows)).messages[0]
    assert isinstance(message, TransferIndicator) and message.amount == Decimal("1200.00")


def test_empty_strings_are_absent_values() -> None:
    rows = golden_issue_rows()
    rows[0]["BGT_DEC"] = ""
    message = ADAPTER.parse(mof_json(rows)).messages[0]
    assert isinstance(message, TransferIndicator) and message.bgt_dec is None


def test_byte_order_mark_is_tolerated() -> None:
    assert len(ADAPTER.parse(b"\xef\xbb\xbf" + mof_json(golden_issue_rows())).records) == 3


def test_float_amount_is_refused_with_its_path() -> None:
    raw = mof_json(golden_issue_rows()).replace(b'"AMOUNT": "880000.00"', b'"AMOUNT": 880000.5')
    assert problem_rules(ADAPTER, raw) == {"[2].amount": "float_not_allowed"}


def test_exponent_amount_is_refused() -> None:
    raw = mof_json(golden_issue_rows()).replace(b'"AMOUNT": "880000.00"', b'"AMOUNT": 8.8e5')
    assert problem_rules(ADAPTER, raw) == {"[2].amount": "float_not_allowed"}


def test_exponent_string_amount_is_refused() -> None:
    rows = golden_issue_rows()
    rows[1]["AMOUNT"] = "1E3"
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[1].amount": "amount_not_decimal"}


def test_three_decimal_amount_is_refused() -> None:
    rows = golden_issue_rows()
    rows[0]["AMOUNT"] = "1.005"
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[0].amount": "amount_precision"}


def test_number_for_a_code_is_refused() -> None:
    rows = golden_issue_rows()
    rows[0]["FUND_TYPE_CODE"] = 111
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[0].fund_type_code": "bad_value_type"}


def test_nested_value_is_refused() -> None:
    rows = golden_issue_rows()
    rows[0]["BGT_DEC"] = {"x": 1}
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[0].bgt_dec": "bad_value_type"}


def test_unknown_column_is_kept_in_place() -> None:
    """Issue 12 "preserve, don't refuse" (this test used to assert ``unknown_column``): the column and its
    JSON value stay on the record and render back in their place."""
    rows = golden_issue_rows()
    rows[1] = {"FOO": 1, **rows[1], "BAR": {"nested": ["x"]}}
    raw = mof_json(rows)
    parsed = ADAPTER.parse(raw)
    layout = parsed.records[1].layout
    assert layout is not None
    assert json.loads(ADAPTER.render(parsed)) == json.loads(raw)
    assert list(json.loads(ADAPTER.render(parsed))["BA_BGT_INFO"][1]) == list(rows[1])


def test_impossible_date_and_bad_division_are_reported_together() -> None:
    rows = golden_issue_rows()
    rows[0]["DOC_DATE"] = "2026-02-30"
    rows[2]["REC_DIV_CODE"] = "33038100"
    rows[2]["CREATE_TIME"] = "2026/01/21"
    assert problem_rules(ADAPTER, mof_json(rows)) == {
        "[0].doc_date": "date_from_datetime_parsing",
        "[2].rec_div_code": "value_error",
        "[2].create_time": "bad_datetime",
    }


def test_date_in_another_form_is_refused() -> None:
    rows = golden_issue_rows()
    rows[0]["DOC_DATE"] = "20260120"
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[0].doc_date": "bad_date"}


def test_missing_required_column() -> None:
    rows = golden_issue_rows()
    del rows[1]["BGT_ID"]
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[1].bgt_id": "missing"}


def test_duplicate_bgt_id_in_one_document() -> None:
    rows = golden_issue_rows()
    rows[2]["BGT_ID"] = rows[0]["BGT_ID"]
    assert problem_rules(ADAPTER, mof_json(rows)) == {"[2].bgt_id": "duplicate_record"}


def test_adjsub_row_without_adj_type_code_is_an_adjustment() -> None:
    """The real BA_BGT_ADJSUB has no type column (BaBgtAdjsubPO.java): a row without our ADJ_TYPE_CODE is
    an ADJUST whose signed ADD_AMOUNT is the delta."""
    raw = ADJ_RAW.replace(b',\n      "ADJ_TYPE_CODE": "1"', b"")
    assert b'"ADJ_TYPE_CODE": "1"' not in raw
    with_type = ADAPTER.parse(ADJ_RAW).messages
    without = ADAPTER.parse(raw).messages
    assert without == with_type
    assert [m.event for m in without if isinstance(m, TransferIndicator)][:2] == [IndicatorEvent.ADJUST] * 2


def test_unknown_adj_type() -> None:
    bad = ADJ_RAW.replace(b'"ADJ_TYPE_CODE": "2"', b'"ADJ_TYPE_CODE": "7"')
    assert problem_rules(ADAPTER, bad) == {"[2].event": "unknown_adj_type"}


def test_recall_written_as_positive_add_amount_is_refused() -> None:
    bad = ADJ_RAW.replace(b'"ADD_AMOUNT": "-200000.00"', b'"ADD_AMOUNT": "200000.00"')
    assert problem_rules(ADAPTER, bad) == {"[2].amount": "recall_not_positive"}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff\xfe{}", "invalid_encoding"),
        (b'{"BA_BGT_INFO": [', "not_json"),
        (b'{"BA_BGT_INFO": [{"AMOUNT": NaN}]}', "not_json"),
        (b"[]", "bad_shape"),
        (b'{"BA_BGT_INFO": [], "BA_BGT_ADJSUB": []}', "bad_shape"),
        (b'{"BA_BGT_INFO": {}}', "bad_shape"),
        (b'{"BA_BGT_INFO": ["row"]}', "bad_shape"),
        (b'{"PAY_VOUCHER": []}', "unknown_table"),
        (b'{"BA_BGT_INFO": []}', "empty_document"),
        (b'{"BA_BGT_INFO": [' + b"[" * 100000 + b"]" * 100000 + b"]}", "too_deep"),
        (b'{"BA_BGT_INFO": [{"AMOUNT": "1.00", "AMOUNT": "9.00"}]}', "duplicate_key"),
        (b'{"BA_BGT_INFO": [{"A": {"x": 1, "x": 2}}]}', "duplicate_key"),
        (b'{"BA_BGT_INFO": [], "BA_BGT_INFO": [{"AMOUNT": "1.00"}]}', "duplicate_key"),
        (b'{"BA_BGT_INFO": [{"AMOUNT": 1' + b"0" * 30 + b"}]}", "number_too_large"),
        (b'{"BA_BGT_INFO": [{"AMOUNT": -1' + b"0" * 30 + b"}]}", "number_too_large"),
        (b'{"BA_BGT_INFO": [{"AMOUNT": 1' + b"0" * 5000 + b"}]}", "number_too_large"),
        (b'{"BA_BGT_INFO": [{"BGT_DEC": "x\\ud800"}]}', "invalid_text"),
        (b'{"BA_BGT_INFO": [{"BGT_DEC": "\\udfff"}]}', "invalid_text"),
        (b'{"BA_BGT_INFO": [{"\\ud83d": "x"}]}', "invalid_text"),
        (b'{"BA_BGT_INFO": [{"BGT_DEC": ["\\ude00"]}]}', "invalid_text"),
    ],
)
def test_malformed_documents(raw: bytes, code: str) -> None:
    assert malformed_code(ADAPTER, raw) == code


def test_oversize_document() -> None:
    raw = mof_json(golden_issue_rows())
    assert malformed_code(ADAPTER, raw, Limits(max_bytes=len(raw) - 1)) == "document_too_large"


def test_too_many_records() -> None:
    assert malformed_code(ADAPTER, mof_json(golden_issue_rows()), Limits(max_records=2)) == "too_many_records"


def test_render_refuses_mixed_tables() -> None:
    issue = ADAPTER.parse(mof_json(golden_issue_rows())).messages[0]
    recall = ADAPTER.parse(ADJ_RAW).messages[2]
    with pytest.raises(TranslationError, match="one table"):
        ADAPTER.render(document(issue, recall))


class _Foreign(BaseModel):
    message_type: str = "payment_voucher"


def test_render_refuses_foreign_messages() -> None:
    with pytest.raises(TranslationError, match="not payment_voucher"):
        ADAPTER.render(document(_Foreign()))


def test_duplicate_key_is_refused_even_with_equal_values() -> None:
    """A first-key-wins receiver and this last-key-wins parser must never read different documents: any
    repeated key is refused, whatever the values."""
    rows = golden_issue_rows()
    raw = mof_json(rows).replace(b'"BGT_ID": ', b'"BGT_ID": "X", "BGT_ID": ', 1)
    assert malformed_code(ADAPTER, raw) == "duplicate_key"


def test_surrogate_pairs_and_long_integers_within_bounds_are_accepted() -> None:
    rows = golden_issue_rows()
    rows[0]["BGT_DEC"] = "耕地😀补贴"
    rows[0]["AMOUNT"] = 999_999_999_999  # a bare 12-digit JSON integer: the largest whole yuan allowed
    raw = json.dumps({"BA_BGT_INFO": rows}).encode("ascii")  # "\\ud83d\\ude00": an escaped pair
    assert b"\\ud83d\\ude00" in raw
    message = ADAPTER.parse(raw).messages[0]
    assert isinstance(message, TransferIndicator)
    assert message.bgt_dec == "耕地😀补贴" and message.amount == Decimal(999_999_999_999)
