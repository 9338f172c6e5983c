from __future__ import annotations

import pytest

from schemas.divisions import DivisionLevel, division_level, parent_division


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("330000000", DivisionLevel.PROVINCE),
        ("330300000", DivisionLevel.CITY),
        ("330324000", DivisionLevel.COUNTY),
        ("330324101", DivisionLevel.SUB_COUNTY),
        ("100000000", DivisionLevel.CENTRAL),
    ],
)
def test_level_is_derived_from_trailing_zeros(code: str, level: DivisionLevel) -> None:
    assert division_level(code) is level


@pytest.mark.parametrize("code", ["33000000", "3300000000", "99000000A", "990000000", "330012000"])
def test_invalid_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValueError):
        division_level(code)


def test_parents_walk_up_the_levels() -> None:
    assert parent_division("330324000") == "330300000"
    assert parent_division("330300000") == "330000000"
    assert parent_division("330000000") == "100000000"
    assert parent_division("100000000") is None
