"""The page filters every template uses: amounts ``1,234,567.89`` (exact, never a float), times in 北京时间
with their +08:00 offset (also without a tz database), and 区划 / bank codes with their registered names."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gateway.web import display
from tests.web.conftest import Site


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("3850000.00", "3,850,000.00"),
        (Decimal("1234567.89"), "1,234,567.89"),
        ("-1234.00", "-1,234.00"),
        ("12.5", "12.50"),
        (None, "—"),
        ("", "—"),
        ("n/a", "n/a"),  # not an amount: shown as it is, never guessed at
    ],
)
def test_money_groups_thousands(value: Decimal | str | None, shown: str) -> None:
    assert display.money(value) == shown


def test_money_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        display.money(1234.5)  # type: ignore[arg-type]


def test_times_are_shown_in_beijing_time_with_the_offset() -> None:
    moment = datetime(2026, 3, 16, 1, 30, tzinfo=UTC)
    markup = str(display.beijing_markup(moment))
    assert (
        markup
        == '<time datetime="2026-03-16T09:30:00+08:00" title="北京时间 (UTC+8)">2026-03-16 09:30:00</time>'
    )
    assert display.beijing_text("2026-03-15T17:05:00Z", seconds=False) == "2026-03-16 01:05"
    assert display.beijing_text(datetime(2026, 3, 16, 1, 30)) == "2026-03-16 09:30:00"  # naive = UTC (store)
    assert str(display.beijing_markup("not a time <b>")) == "not a time &lt;b&gt;"
    assert str(display.beijing_markup(None)) == ""


def test_without_a_tz_database_beijing_time_is_a_fixed_utc_plus_8(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(_key: str) -> zoneinfo.ZoneInfo:
        raise zoneinfo.ZoneInfoNotFoundError("No time zone found with key Asia/Shanghai")

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    zone = display.beijing_zone()
    assert zone is display.BEIJING_FIXED
    for moment in (datetime(2026, 1, 1, 16, 0, tzinfo=UTC), datetime(2026, 7, 1, 16, 0, tzinfo=UTC)):
        shown = display.to_beijing(moment, zone)
        assert shown.utcoffset() == timedelta(hours=8)
        assert shown.isoformat() == display.to_beijing(moment).isoformat()[:19] + "+08:00"


def test_codes_are_shown_with_their_registered_names(site: Site) -> None:
    registry = site.harness.gateway.registry
    assert display.division_label(registry, "330324") == "330324 永嘉县"  # AdmDivCode
    assert display.division_label(registry, "330324000") == "330324000 永嘉县"  # MOF_DIV_CODE
    assert display.division_label(registry, "330000") == "330000 浙江省"
    assert display.division_label(registry, "102") == "102 中国工商银行永嘉支行 (demo)"  # 代理银行编码
    assert display.division_label(registry, "102333300018") == "102333300018 中国工商银行永嘉支行 (demo)"
    assert display.division_label(registry, "3303240000") == "3303240000 国家金库永嘉县支库 (demo)"
    assert display.division_label(registry, "999999") == "999999"  # unknown: the code alone
    assert display.division_label(registry, None) == "—"
