"""Shortcuts in schemas/ (issue #3 performance work) answer exactly as the general code does.

``parse_money`` takes a fast path for plain decimal strings; division codes, expenditure codes and wire
dates remember values that already passed; code lists are looked up through a memo. None of these may
accept a value the general rule refuses, return a different value, or grow without bound.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas import dates, divisions
from schemas.base import build
from schemas.codelists import check_codes, default_registry
from schemas.dates import parse_wire_date
from schemas.divisions import check_adm_div_code, check_mof_div_code
from schemas.money import MoneyFormatError, parse_money
from schemas.payments import PaymentVoucher
from tests.adapters.payments_samples import PAYMENT_5201

PLAIN_AMOUNTS = st.from_regex(r"\A-?[0-9]{1,12}(\.[0-9]{1,2})?\Z").filter(
    lambda text: not (text.startswith("-") and Decimal(text).is_zero())  # "-0.00" is refused
)


@given(PLAIN_AMOUNTS)
def test_plain_string_amount_equals_the_decimal_path(text: str) -> None:
    """The string fast path returns what the Decimal path returns for the same number, digit for digit
    (exponent included)."""
    expected = parse_money(Decimal(text))
    assert parse_money(text).as_tuple() == expected.as_tuple()
    assert parse_money(text).as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    ["1E3", "12.345", "1e-2", "NaN", "1,000.00", "1234567890123", "", " 1.00", "+1.00", "-0.00", "１.００"],
)
def test_non_plain_amount_strings_are_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_money(text)


def test_division_code_memo_never_holds_a_refused_code() -> None:
    for _ in range(2):  # the second call must not be answered from memory
        with pytest.raises(ValueError):
            check_mof_div_code("330012345")  # zero city part, non-zero county part
        with pytest.raises(ValueError):
            check_adm_div_code("990000")  # not a province
    assert "330012345" not in divisions._valid_mof_div
    assert check_mof_div_code("330324000") == "330324000"
    assert "330324000" in divisions._valid_mof_div


def test_division_code_memo_is_bounded() -> None:
    for county in range(1, 100):
        for city in range(1, 50):  # 4,851 distinct valid codes, more than the memo holds
            check_mof_div_code(f"33{city:02d}{county:02d}000")
    assert len(divisions._valid_mof_div) <= divisions._VALID_CACHE_SIZE


def test_wire_date_memo_keeps_refusing_impossible_dates_and_is_bounded() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="not a real calendar date"):
            parse_wire_date("20260230")
    assert "20260230" not in dates._parsed
    for day in range(dates._CACHE_SIZE + 10):
        year, rest = divmod(day, 336)
        month, dom = divmod(rest, 28)
        text = f"{2000 + year:04d}{month + 1:02d}{dom + 1:02d}"
        assert parse_wire_date(text) == parse_wire_date(f"{text[:4]}-{text[4:6]}-{text[6:]}")
    assert len(dates._parsed) <= dates._CACHE_SIZE


def test_code_list_problems_keep_field_order_with_a_warm_memo() -> None:
    """A known code answered from the memo, an unknown one still reported with its list and version."""
    registry = default_registry()
    good = build(PaymentVoucher, {k: v for k, v in PAYMENT_5201.items() if v is not None})
    assert check_codes(good, registry, "330324000", 2026) == []
    bad = good.model_copy(update={"pay_type_code": "99", "fund_type_code": "7"})
    problems = check_codes(bad, registry, "330324000", 2026, "[4]")
    assert [(p.path, p.rule, p.value) for p in problems] == [
        ("[4].fund_type_code", "code_list:EV_FUND_TYPE", "7"),
        ("[4].pay_type_code", "code_list:PAY_TYPE", "99"),
    ]
