"""The BA_BGT_INFO snapshot columns the indicator reconciliation reads, and how each cell is validated.

A snapshot is a header row of UPPER_SNAKE column names or their Chinese names (:data:`COLUMN_NAMES_ZH`;
any order, case-insensitive, extra columns ignored) followed by one row per indicator. The rules below
are the single definition of a valid cell; the DuckDB engine expresses the same rules in SQL
(:mod:`gateway.reconcile.indicators.duckdb_engine`) and the reference engine applies these functions directly.

* codes ``MOF_DIV_CODE`` (and ``REC_DIV_CODE`` on the upper side): exactly 9 digits;
* ``FISCAL_YEAR``: 4 digits; ``AMOUNT``: an amount as :func:`schemas.money.parse_money` reads it (ASCII
  ``-?digits[.d[d]]``, at most 12 integer digits, no ``+``, no blanks, no ``-0.00``);
* ``IS_DELETED``: ``1`` (deleted) or ``2`` (not deleted); empty means not deleted;
* ``DOC_DATE``: ``YYYY-MM-DD``, ``yyyyMMdd`` or ``YYYY-MM-DD HH:MM:SS`` (the time is ignored);
* ``CREATE_TIME``: ``YYYY-MM-DD HH:MM:SS`` (or with ``T``), ``yyyyMMddHHmmss`` or ``YYYY-MM-DD`` — local
  China Standard Time (UTC+08:00), as finance systems write it;
* empty cells are NULL; text columns are compared exactly as written.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from schemas.indicator_columns import BA_BGT_INFO_ZH, LEDGER_SNAPSHOT_COLUMNS, SHORT_NAMES_ZH
from schemas.money import AMOUNT_PATTERN, MoneyFormatError, parse_money

CHINA_TZ = timezone(timedelta(hours=8), "CST")

ALL_COLUMNS: tuple[str, ...] = LEDGER_SNAPSHOT_COLUMNS

COLUMN_NAMES_ZH: dict[str, tuple[str, ...]] = {
    column: (BA_BGT_INFO_ZH[column], *SHORT_NAMES_ZH.get(column, ())) for column in ALL_COLUMNS
}
"""Chinese column headers as the 一体化 system's exports write them (the DDL column comments of
``BA_BGT_INFO``, shared/DOMAIN.md §1.3) and their short forms, first the standard one: a snapshot may use
either these or the UPPER_SNAKE names. ``指标文号`` is the ledger's own 本级指标文号 on both sides."""

HEADER_ALIASES: dict[str, str] = {zh: column for column, names in COLUMN_NAMES_ZH.items() for zh in names}


COMPARED_ATTRIBUTES: tuple[str, ...] = (
    "BGT_DOC_TITLE",
    "COR_BGT_DOC_NO",
    "DOC_DATE",
    "PRO_CODE",
    "FUND_TYPE_CODE",
    "TP_FUNC_CODE",
    "GOV_BGT_ECO_CODE",
    "DISTRI_TYPE_CODE",
    "IS_TRACK",
)
"""Attributes compared on an id match, in report order. ``COR_BGT_DOC_NO`` compares the upper's
COR_BGT_DOC_NO with the lower's SUP_BGT_DOC_NO; every other field compares the same column."""


class Side(enum.StrEnum):
    """Which ledger a snapshot holds."""

    UPPER = "upper"
    LOWER = "lower"


_COMMON_REQUIRED = ("BGT_ID", "MOF_DIV_CODE", "FISCAL_YEAR", "AMOUNT")
REQUIRED_COLUMNS: dict[Side, tuple[str, ...]] = {
    Side.UPPER: (*_COMMON_REQUIRED, "REC_DIV_CODE", "COR_BGT_DOC_NO"),
    Side.LOWER: (*_COMMON_REQUIRED, "SUP_BGT_DOC_NO"),
}

CODE9_PATTERN = r"[0-9]{9}"
YEAR_PATTERN = r"[0-9]{4}"
ISO_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
COMPACT_DATE_PATTERN = r"[0-9]{8}"
DATE_WITH_TIME_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}"
COMPACT_TIME_PATTERN = r"[0-9]{14}"

_CODE9 = re.compile(CODE9_PATTERN)
_YEAR = re.compile(YEAR_PATTERN)
_ISO_DATE = re.compile(ISO_DATE_PATTERN)
_COMPACT_DATE = re.compile(COMPACT_DATE_PATTERN)
_DATE_WITH_TIME = re.compile(DATE_WITH_TIME_PATTERN)
_COMPACT_TIME = re.compile(COMPACT_TIME_PATTERN)


class CellError(ValueError):
    """A malformed cell; the message says what is wrong (the caller adds file, line and column)."""


def parse_required(value: str | None) -> str:
    if value is None:
        raise CellError("must not be empty")
    return value


def parse_code9(value: str | None) -> str:
    text = parse_required(value)
    if not _CODE9.fullmatch(text):
        raise CellError(f"division code must be exactly 9 digits, got {text[:40]!r}")
    return text


def parse_year(value: str | None) -> int:
    text = parse_required(value)
    if not _YEAR.fullmatch(text):
        raise CellError(f"fiscal year must be 4 digits, got {text[:40]!r}")
    return int(text)


def parse_amount(value: str | None) -> Decimal:
    text = parse_required(value)
    try:
        return parse_money(text)
    except MoneyFormatError as exc:
        raise CellError(f"{exc.message} ({exc.code}), got {text[:40]!r}") from None


def amount_sql(column: str) -> str:
    """The SQL (DuckDB) twin of :func:`parse_amount`: ``DECIMAL(18, 2)`` (at most 14 digits, so DuckDB holds
    it in 64 bits), NULL when the cell is refused. A cell of the amount pattern is a negative zero exactly
    when it starts with ``-`` and holds no digit but ``0`` (the ``ltrim``: one string scan, no second
    regex)."""
    return (
        f"CASE WHEN regexp_full_match({column}, '{AMOUNT_PATTERN}') "
        f"AND NOT (starts_with({column}, '-') AND ltrim({column}, '-0.') = '') "
        f"THEN CAST({column} AS DECIMAL(18, 2)) END"
    )


def doc_date_sql(column: str) -> str:
    """The SQL (DuckDB) twin of :func:`parse_doc_date`: the ISO ``YYYY-MM-DD`` text, NULL when the cell is
    refused (or empty).

    No ``strptime``: a 10-character cell is a valid ISO date exactly when DuckDB's ``DATE`` cast of it prints
    back as the cell itself — the cast's canonical text is ``YYYY-MM-DD`` for the years 1–9999 and nothing
    else (year 0 prints ``(BC)``, an invalid day does not cast), so the round trip is also the shape check. A
    date with a time keeps its regex (the time is not validated, as in Python) and checks its first ten
    characters the same way; ``yyyyMMdd`` keeps ``strptime``, without the year 0 Python refuses.
    """
    head = f"left({column}, 10)"
    return (
        f"CASE WHEN strlen({column}) = 10 AND CAST(try_cast({column} AS DATE) AS VARCHAR) = {column} "
        f"THEN {column} "
        f"WHEN regexp_full_match({column}, '{DATE_WITH_TIME_PATTERN}') "
        f"AND CAST(try_cast({head} AS DATE) AS VARCHAR) = {head} THEN {head} "
        f"WHEN regexp_full_match({column}, '{COMPACT_DATE_PATTERN}') AND NOT starts_with({column}, '0000') "
        f"THEN strftime(try_strptime({column}, '%Y%m%d'), '%Y-%m-%d') END"
    )


def create_time_sql(column: str) -> str:
    """The SQL (DuckDB) twin of :func:`parse_create_time`: a ``TIMESTAMP``, NULL when the cell is refused (or
    empty).

    As :func:`doc_date_sql`: a 19-character cell is ``YYYY-MM-DD HH:MM:SS`` (or with ``T``) of a real
    instant exactly when DuckDB's ``TIMESTAMP`` cast prints back as the cell (``T`` read as a blank) — which
    also refuses ``24:00:00``, which the cast alone would read as the next midnight, and year 0;
    ``YYYY-MM-DD`` likewise through ``DATE``; ``yyyyMMddHHmmss`` keeps ``strptime``, without year 0. The
    blank form is tried first: ``CASE`` evaluates a later branch only for the rows the earlier ones left, so
    the common cell costs no ``replace``.
    """
    stamp = f"try_cast({column} AS TIMESTAMP)"
    printed = f"strlen({column}) = 19 AND CAST({stamp} AS VARCHAR)"
    return (
        f"CASE WHEN {printed} = {column} THEN {stamp} "
        f"WHEN {printed} = replace({column}, 'T', ' ') THEN {stamp} "
        f"WHEN regexp_full_match({column}, '{COMPACT_TIME_PATTERN}') AND NOT starts_with({column}, '0000') "
        f"THEN try_strptime({column}, '%Y%m%d%H%M%S') "
        f"WHEN strlen({column}) = 10 AND CAST(try_cast({column} AS DATE) AS VARCHAR) = {column} "
        f"THEN CAST({column} AS TIMESTAMP) END"
    )


def parse_deleted(value: str | None) -> bool:
    if value is None or value == "2":
        return False
    if value == "1":
        return True
    raise CellError(f"IS_DELETED must be 1 (deleted) or 2 (not deleted), got {value[:40]!r}")


def parse_doc_date(value: str | None) -> str | None:
    """DOC_DATE → ISO ``YYYY-MM-DD`` text (the form compared and reported), or ``None`` if empty."""
    if value is None:
        return None
    try:
        if _ISO_DATE.fullmatch(value) or _DATE_WITH_TIME.fullmatch(value):
            parsed = datetime.strptime(value[:10], "%Y-%m-%d").date()
        elif _COMPACT_DATE.fullmatch(value):
            parsed = datetime.strptime(value, "%Y%m%d").date()
        else:
            raise CellError(f"date must be YYYY-MM-DD or yyyyMMdd, got {value[:40]!r}")
    except ValueError as exc:
        if isinstance(exc, CellError):
            raise
        raise CellError(f"{value[:40]!r} is not a real calendar date") from None
    return date.isoformat(parsed)


def parse_create_time(value: str | None) -> datetime | None:
    """CREATE_TIME → naive China Standard Time ``datetime``, or ``None`` if empty."""
    if value is None:
        return None
    try:
        if _DATE_WITH_TIME.fullmatch(value):
            return datetime.strptime(value.replace("T", " "), "%Y-%m-%d %H:%M:%S")
        if _COMPACT_TIME.fullmatch(value):
            return datetime.strptime(value, "%Y%m%d%H%M%S")
        if _ISO_DATE.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise CellError(f"{value[:40]!r} is not a real date and time") from None
    raise CellError(f"time must be YYYY-MM-DD HH:MM:SS, yyyyMMddHHmmss or YYYY-MM-DD, got {value[:40]!r}")


def in_transit_cutoff(as_of: datetime, window: timedelta) -> datetime:
    """The naive China-time instant after which an unmatched upper row is IN_TRANSIT."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return as_of.astimezone(CHINA_TZ).replace(tzinfo=None) - window


def parent_division_fallback(code: str) -> str:
    """The conventional next level up of a 9-digit code (county → city → province → central).

    Used only to name the pair of a lower row that no upper row points to; mirrored in SQL.
    """
    if code == "100000000":
        return ""
    if code.endswith("0000000"):
        return "100000000"
    if code.endswith("00000"):
        return code[:2] + "0000000"
    if code.endswith("000"):
        return code[:4] + "00000"
    return code[:6] + "000"


@dataclass(frozen=True)
class LedgerRow:
    """One validated snapshot row (reference engine only; the columnar engine never builds these)."""

    line: int
    bgt_id: str
    mof_div_code: str
    rec_div_code: str | None
    fiscal_year: int
    cor_bgt_doc_no: str | None
    sup_bgt_doc_no: str | None
    bgt_doc_title: str | None
    doc_date: str | None
    pro_code: str | None
    fund_type_code: str | None
    tp_func_code: str | None
    gov_bgt_eco_code: str | None
    distri_type_code: str | None
    is_track: str | None
    amount: Decimal
    ori_bgt_id: str | None
    is_deleted: bool
    create_time: datetime | None
