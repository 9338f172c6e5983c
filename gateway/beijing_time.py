"""北京时间 for people: the ops pages and the HTML reports show every stored (UTC) time in Asia/Shanghai.

China has kept no daylight saving time since 1991, so UTC+8 is Asia/Shanghai for every time the gateway
stores; :func:`beijing_zone` takes the tz database's zone when there is one and the fixed offset when there
is none (a slim container without ``tzdata``) — the two give the same times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

BEIJING_FIXED = timezone(timedelta(hours=8), "北京时间")

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MINUTE_FORMAT = "%Y-%m-%d %H:%M"


def beijing_zone() -> tzinfo:
    """``Asia/Shanghai`` from the tz database, or :data:`BEIJING_FIXED` where there is none."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - zoneinfo is in the standard library since 3.9
        return BEIJING_FIXED
    try:
        return ZoneInfo("Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return BEIJING_FIXED


BEIJING: tzinfo = beijing_zone()


def to_beijing(value: datetime | str, zone: tzinfo | None = None) -> datetime:
    """An aware or naive-UTC ``datetime``, or ISO 8601 / RFC 3339 text (``Z`` allowed), in 北京时间."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or BEIJING)


def beijing_text(value: datetime | str | None, seconds: bool = True) -> str:
    """The plain text ``2026-03-16 09:30:00`` (北京时间); ``""`` for no time."""
    if value is None or value == "":
        return ""
    return to_beijing(value).strftime(TIME_FORMAT if seconds else MINUTE_FORMAT)
