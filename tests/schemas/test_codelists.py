from __future__ import annotations

from schemas.codelists import default_registry


def test_national_list_applies_where_no_region_overrides() -> None:
    registry = default_registry()
    assert registry.get("PAY_TYPE", "330324000", 2026).values["91"] == "实拨"


def test_province_release_overrides_for_its_counties_from_its_year() -> None:
    registry = default_registry()
    assert registry.get("BUDGET_LEVEL", "330324000", 2026).values["4"] == "市级"
    assert registry.get("BUDGET_LEVEL", "330324000", 2025).values["4"] == "县"
    assert registry.get("BUDGET_LEVEL", "440000000", 2026).values["4"] == "县"


def test_unknown_code_names_the_list_and_value() -> None:
    problem = default_registry().check("PAY_TYPE", "13", "330000000", 2026, "pay_type_code")
    assert problem is not None
    assert problem.rule == "code_list:PAY_TYPE"
    assert problem.value == "13"
    assert problem.path == "pay_type_code"
    assert default_registry().check("PAY_TYPE", "12", "330000000", 2026, "x") is None
