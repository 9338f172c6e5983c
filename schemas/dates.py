"""Calendar dates on the wire: the e-voucher and CFX formats write ``yyyyMMdd`` (``20260315``).

:data:`WireDate` accepts a ``date``, an ISO ``YYYY-MM-DD`` string (canonical JSON) or a compact
``yyyyMMdd`` string (the wire), and refuses anything else — in particular bare integers and digit strings
of other lengths, which pydantic would otherwise read as Unix timestamps. Impossible dates such as
``20260230`` are rejected with a clear message. Values serialise as ISO dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


_CACHE_SIZE = 4096
_parsed: dict[str, date] = {}
"""Valid date strings already parsed (a batch repeats the same few dates); bounded, cleared when full."""


def parse_wire_date(value: object) -> date:
    """``date`` / ``"2026-03-15"`` / ``"20260315"`` → ``date``; ``ValueError`` for anything else."""
    if type(value) is str:
        known = _parsed.get(value)
        if known is not None:
            return known
        result = _parse_date_text(value)
        if len(_parsed) >= _CACHE_SIZE:
            _parsed.clear()
        _parsed[value] = result
        return result
    if isinstance(value, datetime):
        raise ValueError("expected a date, not a date and time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("date must be a yyyyMMdd or YYYY-MM-DD string")
    return _parse_date_text(value)


def _parse_date_text(value: str) -> date:
    match = _COMPACT.match(value) or _ISO.match(value)
    if match is None:
        raise ValueError("date must be yyyyMMdd (e.g. 20260315) or YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{value} is not a real calendar date") from None


def format_compact_date(value: date) -> str:
    """The wire form ``yyyyMMdd``."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


WireDate = Annotated[date, BeforeValidator(parse_wire_date)]
