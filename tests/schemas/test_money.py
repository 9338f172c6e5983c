from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.money import MoneyFormatError, format_money, from_fen, parse_money, to_fen


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "12.00"),
        ("12.3", "12.30"),
        ("-0.50", "-0.50"),
        (7, "7.00"),
        (Decimal("1.10"), "1.10"),
    ],
)
def test_accepts_plain_decimals(raw: object, expected: str) -> None:
    assert format_money(parse_money(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (1.5, "never float"),
        ("1.005", "more than two decimal places"),
        ("1E3", "plain decimal"),
        ("1e-2", "plain decimal"),
        ("NaN", "plain decimal"),
        (Decimal("Infinity"), "finite"),
        ("1,000.00", "plain decimal"),
        (Decimal("0.001"), "more than two decimal places"),
        ("1" * 19, "plain decimal"),
        (True, "never float"),
    ],
)
def test_rejects_everything_else(raw: object, fragment: str) -> None:
    with pytest.raises(MoneyFormatError, match=fragment):
        parse_money(raw)


@given(st.integers(min_value=-(10**20) + 1, max_value=10**20 - 1))
def test_fen_round_trips_exactly(fen: int) -> None:
    yuan = from_fen(fen)
    assert to_fen(yuan) == fen
    assert parse_money(format_money(yuan)) == yuan
