from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.money import (
    MAX_AMOUNT,
    MAX_FEN,
    MoneyFormatError,
    check_fen,
    format_fen,
    format_grouped,
    format_money,
    from_fen,
    parse_money,
    to_fen,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "12.00"),
        ("12.3", "12.30"),
        ("-0.50", "-0.50"),
        ("-100.00", "-100.00"),  # ADJUST deltas and refunds stay valid
        ("0.00", "0.00"),
        ("007.10", "7.10"),
        ("999999999999.99", "999999999999.99"),
        ("-999999999999.99", "-999999999999.99"),
        (7, "7.00"),
        (999999999999, "999999999999.00"),
        (Decimal("1.10"), "1.10"),
        (Decimal("1.000"), "1.00"),
        (Decimal("-0.00"), "0.00"),  # a computed negative zero is the zero amount
    ],
)
def test_accepts_plain_decimals(raw: object, expected: str) -> None:
    assert format_money(parse_money(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        (1.5, "amount_float", "never float"),
        (True, "amount_float", "never float"),
        ("1.005", "amount_precision", "more than two decimal places"),
        ("1.000", "amount_precision", "more than two decimal places"),
        (Decimal("0.001"), "amount_precision", "more than two decimal places"),
        ("1E3", "amount_not_decimal", "plain decimal"),
        ("1e-2", "amount_not_decimal", "plain decimal"),
        ("NaN", "amount_not_decimal", "plain decimal"),
        ("1,000.00", "amount_not_decimal", "plain decimal"),
        (".50", "amount_not_decimal", "plain decimal"),
        ("5.", "amount_not_decimal", "plain decimal"),
        ("", "amount_not_decimal", "plain decimal"),
        ("--1", "amount_not_decimal", "plain decimal"),
        (Decimal("Infinity"), "amount_not_decimal", "finite"),
        ("１００.００", "amount_not_ascii", "ASCII"),  # full-width digits
        ("١٠٠.٠٠", "amount_not_ascii", "ASCII"),  # Arabic-Indic digits: Decimal() would read them as 100.00
        ("۱۰۰", "amount_not_ascii", "ASCII"),  # extended Arabic-Indic
        ("100.00\u200b", "amount_not_ascii", "ASCII"),
        ("\u2212100.00", "amount_not_ascii", "ASCII"),  # U+2212 MINUS SIGN
        ("+100.00", "amount_sign", "sign"),
        (" 100.00", "amount_whitespace", "whitespace"),
        ("100.00 ", "amount_whitespace", "whitespace"),
        ("\t100.00\n", "amount_whitespace", "whitespace"),
        ("-0.00", "negative_zero", "no sign"),
        ("-0", "negative_zero", "no sign"),
        ("-000.0", "negative_zero", "no sign"),
        ("1000000000000.00", "amount_out_of_range", "maximum"),
        ("-1000000000000", "amount_out_of_range", "maximum"),
        ("1" * 19, "amount_out_of_range", "maximum"),
        ("9" * 10_000, "amount_out_of_range", "maximum"),
        (10**12, "amount_out_of_range", "maximum"),
        (Decimal("1E+15"), "amount_out_of_range", "maximum"),
        ([1], "amount_not_decimal", "not accepted"),
    ],
)
def test_rejects_everything_else_with_a_specific_code(raw: object, code: str, fragment: str) -> None:
    with pytest.raises(MoneyFormatError, match=fragment) as caught:
        parse_money(raw)
    assert caught.value.code == code


def test_the_maximum_is_documented_and_consistent() -> None:
    assert MAX_AMOUNT == Decimal("999999999999.99")
    assert MAX_FEN == 99_999_999_999_999 == to_fen(MAX_AMOUNT)
    # headroom: 10^4 maximal amounts still sum inside a signed 64-bit BIGINT of fen
    assert 10_000 * MAX_FEN < 2**63 - 1
    assert check_fen(-MAX_FEN) == -MAX_FEN
    with pytest.raises(MoneyFormatError) as caught:
        check_fen(MAX_FEN + 1)
    assert caught.value.code == "amount_out_of_range"


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_fen_round_trips_exactly_at_any_size(fen: int) -> None:
    """Sums of amounts may exceed one amount's bound: fen ↔ yuan stays exact, no 28-digit rounding."""
    yuan = from_fen(fen)
    assert yuan.as_tuple().exponent == -2
    assert to_fen(yuan) == fen
    assert format_money(yuan) == format_fen(fen)


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_wire_text_round_trips_within_the_maximum(fen: int) -> None:
    text = format_fen(fen)
    assert to_fen(text) == fen
    assert parse_money(text) == from_fen(fen)


def test_to_fen_refuses_rather_than_rounds() -> None:
    with pytest.raises(MoneyFormatError) as caught:
        to_fen(Decimal("0.005"))
    assert caught.value.code == "amount_precision"
    assert to_fen(Decimal("-0.00")) == 0
    assert format_fen(-5) == "-0.05" and format_fen(0) == "0.00"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.00", "0.00"),
        ("999.99", "999.99"),
        ("1000.00", "1,000.00"),
        ("3850000.00", "3,850,000.00"),
        ("1234567.89", "1,234,567.89"),
        ("-1234.00", "-1,234.00"),
        ("-999.50", "-999.50"),
        ("999999999999.99", "999,999,999,999.99"),
        ("123456789012345678901234567890.01", "123,456,789,012,345,678,901,234,567,890.01"),  # a sum: exact
    ],
)
def test_format_grouped_groups_thousands_exactly(amount: str, shown: str) -> None:
    assert format_grouped(Decimal(amount)) == shown


def test_format_grouped_never_rounds() -> None:
    with pytest.raises(MoneyFormatError) as caught:
        format_grouped(Decimal("1.005"))
    assert caught.value.code == "amount_precision"
    assert format_grouped(Decimal("-0.00")) == "0.00"
