"""The 一体化 tables the ``mof`` family carries, their UPPER_SNAKE columns, and row ⇄ model conversion.

Column names are the standard's, defined once in :mod:`schemas.indicator_columns` (which names the source
of each: ``BaBgtInfoPO`` / ``BaBgtAdjsubPO`` of ``zhouxiaolejoe/micro-service-parent``). Three tables, one
canonical meaning each:

* ``BA_BGT_INFO`` — :class:`TransferIndicator` with ``event = ISSUE``; ``AMOUNT`` is the issued (or, in a
  ledger snapshot, the current net) amount.
* ``BA_BGT_ADJSUB`` — ``ADJUST`` and ``RECALL`` events, in the real table's columns: ``ADJ_SUB_ID`` (the
  adjustment row's key ← ``bgt_id``), ``BGT_ID`` (调入指标主键, the indicator receiving the amount ←
  ``in_bgt_id``), ``ORI_BGT_ID`` (源指标主键), ``BAT_NUM`` (← ``adj_batch_no``), ``ADJ_DATE``,
  ``ADD_AMOUNT`` (调入金额: the signed delta). ``ADJ_TYPE_CODE`` (``1`` 调整 / ``2`` 收回) is **our
  convention** and optional: without it a row is an ``ADJUST`` (the real table has no type column; the
  standard's way to tell a 收回 from a 调减 was NOT FOUND); with ``2`` a recall is written as a
  **negative** ``ADD_AMOUNT`` and read back as the positive amount taken back.
* ``BA_BGT_RECEIPT`` — :class:`IndicatorReceipt`; table and column names are **our convention** (the
  standard's 接收回执 layout was NOT FOUND).

Wire values: text as is; ``FISCAL_YEAR`` 4 digits; dates ``YYYY-MM-DD`` (``YYYY-MM-DD 00:00:00``, the form a
Java ``Date`` column is sent in, accepted on input); times ``YYYY-MM-DD HH:MM:SS`` (Beijing local time,
``T`` also accepted on input); amounts plain decimals ``1234.50`` (integers accepted on input and read as
yuan). Flags and short codes (``IS_TRACK``, ``IS_DELETED``, ``BUDGET_LEVEL_CODE``, …) may come as JSON
integers (``"IS_TRACK": 1`` is ``"1"``). An empty value is the same as an absent column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cached_property
from operator import itemgetter
from typing import Any, cast

from pydantic import BaseModel

from adapters.base import Document, Record
from adapters.errors import MalformedDocument, TranslationError
from adapters.layout import Layout
from adapters.limits import Limits
from schemas.base import CanonicalModel, build
from schemas.codelists import NATIONAL, check_codes, default_registry
from schemas.errors import Problem, ValidationFailed, short_value
from schemas.indicator_columns import (
    BA_BGT_ADJSUB_COLUMNS,
    BA_BGT_ADJSUB_EXTRA_COLUMNS,
    BA_BGT_INFO_COLUMNS,
    ColumnKind,
    StandardColumn,
)
from schemas.indicators import IndicatorEvent, IndicatorReceipt, TransferIndicator
from schemas.money import MoneyFormatError, format_money, parse_money

Kind = ColumnKind

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]00:00:00$")
_NUMBER_KINDS = frozenset({"year", "money", "recall_money", "flag", "decimal", "adj_type"})
"""Column kinds whose value may be a JSON integer (``"FISCAL_YEAR": 2026``, ``"IS_TRACK": 1``)."""
_FORMS: dict[str, re.Pattern[str]] = {"date": _DATE, "datetime": _DATETIME, "year": _YEAR}
"""The text-form check of each column kind that has one (see :func:`_check_text_form`)."""
_ADJ_TYPES = {"1": IndicatorEvent.ADJUST, "2": IndicatorEvent.RECALL}


class JsonFloat(str):
    """Marks a JSON number with a fraction or exponent (kept as text so nothing is rounded)."""

    __slots__ = ()


@dataclass(frozen=True)
class Column:
    wire: str
    field: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    name: str
    model: type[CanonicalModel]
    columns: tuple[Column, ...]

    @cached_property
    def by_wire(self) -> Mapping[str, Column]:
        return {c.wire: c for c in self.columns}

    @cached_property
    def fields_by_wire(self) -> Mapping[str, str]:
        """Wire name → canonical field name, for every column."""
        return {c.wire: c.field for c in self.columns}

    @cached_property
    def form_checks(self) -> tuple[tuple[str, re.Pattern[str]], ...] | None:
        """``(field, pattern)`` for the columns whose text form is checked before the model sees it, or None
        if a column needs more than a form check (``ADJ_TYPE_CODE``, a recall amount): such a table always
        takes the general path of :func:`row_to_model`."""
        out = []
        for column in self.columns:
            if column.kind in ("adj_type", "recall_money"):
                return None
            pattern = _FORMS.get(column.kind)
            if pattern is not None:
                out.append((column.field, pattern))
        return tuple(out)

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Wire names of the columns every row must have."""
        fields = {name for name, info in self.model.model_fields.items() if info.is_required()}
        return tuple(c.wire for c in self.columns if c.field in fields)


_RECEIPT_KINDS: dict[str, Kind] = {"fiscal_year": "year", "rec_time": "datetime"}


def _standard(columns: Iterable[StandardColumn]) -> tuple[Column, ...]:
    return tuple(Column(c.name, c.field, c.kind) for c in columns)


def _columns(model: type[CanonicalModel], kinds: Mapping[str, Kind]) -> tuple[Column, ...]:
    return tuple(
        Column(name.upper(), name, kinds.get(name, "text"))
        for name in model.model_fields
        if name != "message_type"
    )


BA_BGT_INFO = Table("BA_BGT_INFO", TransferIndicator, _standard(BA_BGT_INFO_COLUMNS))
BA_BGT_ADJSUB = Table(
    "BA_BGT_ADJSUB", TransferIndicator, _standard((*BA_BGT_ADJSUB_COLUMNS, *BA_BGT_ADJSUB_EXTRA_COLUMNS))
)
BA_BGT_RECEIPT = Table("BA_BGT_RECEIPT", IndicatorReceipt, _columns(IndicatorReceipt, _RECEIPT_KINDS))

TABLES: Mapping[str, Table] = {t.name: t for t in (BA_BGT_INFO, BA_BGT_ADJSUB, BA_BGT_RECEIPT)}


# ---------------------------------------------------------------------------------------------- parsing


def _field_path(position: int, field: str) -> str:
    return f"[{position}].{field}"


_TEXT_OR_NONE = frozenset({str, type(None)})
_NON_EMPTY: Callable[[tuple[str, str | None]], object] = itemgetter(1)


class PlainRow(dict[str, str]):
    """The model data of one row that needs no per-cell diagnosis (see :func:`plain_row`);
    :func:`row_to_model` validates it as it is."""

    __slots__ = ()


def plain_row(table: Table, fields: Iterable[str], texts: Iterable[str | None]) -> PlainRow | None:
    """The model data of a row given as canonical field names (each a column of ``table``, no two alike) and
    their texts (``None`` or ``""`` = empty), built in one pass; None when the row needs the general path
    of :func:`row_to_model` (a table with more than form checks, or a text form to diagnose). For a row
    this returns, the general path would add no problem of its own and build exactly this data."""
    checks = table.form_checks
    if checks is None:
        return None
    pairs = filter(_NON_EMPTY, zip(fields, texts, strict=True))  # an empty value is an absent value
    data = PlainRow(cast("Iterator[tuple[str, str]]", pairs))
    for field, pattern in checks:
        value = data.get(field)
        if value is not None and not pattern.match(value):
            return None
    return data


def _plain_row_data(table: Table, row: Mapping[str, object]) -> PlainRow | None:
    """:func:`plain_row` for a wire row (column name → value), if every column is known and every value
    is text or None."""
    if table.form_checks is None or not _TEXT_OR_NONE.issuperset(map(type, row.values())):
        return None
    names = table.fields_by_wire
    try:
        fields = [names[wire] for wire in row]
    except KeyError:  # an unknown column: the general path reports it
        return None
    return plain_row(table, fields, row.values())  # type: ignore[arg-type]  # str | None: checked above


def row_to_model(
    table: Table, row: Mapping[str, object], position: int, forms: dict[str, str] | None = None
) -> CanonicalModel:
    """One wire row (or a :class:`PlainRow`) → its canonical model, or :class:`ValidationFailed` with every
    problem of the row. ``forms``, when given, receives the wire form of each cell that was accepted in a
    form other than the one :func:`wire_value` writes (see :data:`WIRE_FORMS`)."""
    plain = row if type(row) is PlainRow else _plain_row_data(table, row)
    if plain is not None:
        return build(table.model, plain, f"[{position}]")
    return _general_row_to_model(table, row, position, forms)


WIRE_FORMS = ("midnight", "midnight_t", "number")
"""Accepted wire forms other than the written one, kept per record (``Record.meta["wire_forms"]``,
``COLUMN=form`` joined by ``,``) so a record renders back as it came: ``midnight`` — a date column sent as
``YYYY-MM-DD 00:00:00`` (a Java ``Date``), ``midnight_t`` — the same with ``T``, ``number`` — a JSON integer
(``"IS_TRACK": 1``, ``"AMOUNT": 1500000``)."""


def _general_row_to_model(
    table: Table, row: Mapping[str, object], position: int, forms: dict[str, str] | None = None
) -> CanonicalModel:
    """:func:`row_to_model` cell by cell, diagnosing every cell (the path for rows that need it)."""
    seen_forms: dict[str, str] = {}
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    bad_fields: set[str] = set()
    columns = table.by_wire
    recall_amount: object = None
    for wire, value in row.items():
        column = columns.get(wire)
        if column is None:
            problems.append(
                Problem(
                    f"[{position}].{wire}", "unknown_column", None, f"{wire} is not a column of {table.name}"
                )
            )
            continue
        if value is None or value == "":
            continue
        if column.kind == "text" and type(value) is str:
            data[column.field] = value  # the common case: the model validates it
            continue
        path = _field_path(position, column.field)
        if isinstance(value, JsonFloat) and column.kind != "decimal":
            problems.append(
                Problem(
                    path, "float_not_allowed", short_value(str(value)), 'write amounts as strings: "1234.50"'
                )
            )
            bad_fields.add(column.field)
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            problems.append(Problem(path, "bad_value_type", short_value(value), f"{wire} must be text"))
            bad_fields.add(column.field)
            continue
        if isinstance(value, int) and column.kind not in _NUMBER_KINDS:
            problems.append(
                Problem(path, "bad_value_type", str(value), f"{wire} must be a string, not a number")
            )
            bad_fields.add(column.field)
            continue
        if isinstance(value, int):
            seen_forms[wire] = "number"
        if isinstance(value, int) and column.kind in ("flag", "decimal", "adj_type"):
            value = str(value)  # "IS_TRACK": 1 — a flag or code sent as a JSON number is its digits
        problem = _check_text_form(column, value, path)
        if problem is not None:
            problems.append(problem)
            bad_fields.add(column.field)
            continue
        if column.kind == "adj_type":
            event = _ADJ_TYPES.get(str(value))
            if event is None:
                problems.append(
                    Problem(path, "unknown_adj_type", str(value), "ADJ_TYPE_CODE is 1 (调整) or 2 (收回)")
                )
                bad_fields.add(column.field)
                continue
            data["event"] = event
        elif column.kind == "recall_money":
            recall_amount = value
            data[column.field] = value
        elif column.kind == "date" and isinstance(value, str):
            data[column.field] = value[:10]  # "2024-04-01 00:00:00" (a Java Date column) is that day
            if len(value) > 10:
                seen_forms[wire] = "midnight_t" if value[10] == "T" else "midnight"
        else:
            data[column.field] = value
    if table.name == "BA_BGT_ADJSUB" and "event" not in data and "event" not in bad_fields:
        data["event"] = IndicatorEvent.ADJUST  # the real table has no type column: a signed 调整
    if data.get("event") is IndicatorEvent.RECALL and recall_amount is not None:
        try:
            data["amount"] = -parse_money(recall_amount)
        except MoneyFormatError:
            pass  # the model reports the malformed amount with its rule
    if "event" in bad_fields:
        raise ValidationFailed(problems)  # without the event, the row's other rules cannot be judged
    try:
        model = build(table.model, data, f"[{position}]")
    except ValidationFailed as exc:
        known = {_field_path(position, f) for f in bad_fields}
        problems.extend(p for p in exc.problems if p.path not in known)
        raise ValidationFailed(problems) from None
    if problems:
        raise ValidationFailed(problems)
    if forms is not None:
        forms.update(seen_forms)
    return model


def _check_text_form(column: Column, value: str | int, path: str) -> Problem | None:
    if isinstance(value, int):
        return None
    if column.kind == "date" and not (_DATE.match(value) or _MIDNIGHT.match(value)):
        return Problem(
            path, "bad_date", short_value(value), "dates are written YYYY-MM-DD (or YYYY-MM-DD 00:00:00)"
        )
    if column.kind == "datetime" and not _DATETIME.match(value):
        return Problem(path, "bad_datetime", short_value(value), "times are written YYYY-MM-DD HH:MM:SS")
    if column.kind == "year" and not _YEAR.match(value):
        return Problem(path, "bad_year", short_value(value), "FISCAL_YEAR is 4 digits")
    return None


def rows_to_document(
    format_name: str,
    table: Table,
    rows: Sequence[Mapping[str, object]],
    limits: Limits,
    metas: Sequence[Mapping[str, str]] | None = None,
    envelope: Mapping[str, str] | None = None,
    layouts: Sequence[Layout] | None = None,
) -> Document:
    """Every row of one table → a :class:`Document`; all problems of all rows are reported together."""
    if len(rows) > limits.max_records:
        raise MalformedDocument("too_many_records", f"{len(rows)} rows; the limit is {limits.max_records}")
    if not rows:
        raise MalformedDocument("empty_document", f"the {table.name} document has no rows")
    problems: list[Problem] = []
    records: list[Record] = []
    seen: dict[tuple[str, ...], int] = {}
    for position, row in enumerate(rows):
        forms: dict[str, str] = {}
        try:
            model = row_to_model(table, row, position, forms)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        key = _record_key(model)
        if key in seen:
            problems.append(
                Problem(
                    _field_path(position, "bgt_id"),
                    "duplicate_record",
                    key[0],
                    f"the same key already appears in record [{seen[key]}]",
                )
            )
        seen.setdefault(key, position)
        meta = metas[position] if metas is not None else {}
        if forms:
            meta = {**meta, "wire_forms": ",".join(f"{wire}={form}" for wire, form in forms.items())}
        layout = layouts[position] if layouts is not None else None
        records.append(Record(position, model, meta, layout, _code_problems(model, position)))
    if problems:
        raise ValidationFailed(problems)
    return Document(format_name, tuple(records), dict(envelope or {}))


def _code_problems(model: BaseModel, position: int) -> tuple[Problem, ...]:
    """The row's values outside their code lists for its division and year (warnings or refusals: the
    caller's policy, see :attr:`adapters.base.Record.code_problems`)."""
    region = str(getattr(model, "mof_div_code", NATIONAL))
    year = int(getattr(model, "fiscal_year", 9999))
    return tuple(check_codes(model, default_registry(), region, year, f"[{position}]"))


def _record_key(model: BaseModel) -> tuple[str, ...]:
    if isinstance(model, IndicatorReceipt):
        return (model.bgt_id, model.rec_div_code)
    assert isinstance(model, TransferIndicator)
    return (model.bgt_id,)


# -------------------------------------------------------------------------------------------- rendering


def table_for(messages: Iterable[BaseModel], format_name: str) -> Table:
    """The one table that can carry every message, or :class:`TranslationError`."""
    names: set[str] = set()
    for message in messages:
        if isinstance(message, TransferIndicator):
            names.add("BA_BGT_INFO" if message.event is IndicatorEvent.ISSUE else "BA_BGT_ADJSUB")
        elif isinstance(message, IndicatorReceipt):
            names.add("BA_BGT_RECEIPT")
        else:
            kind = getattr(message, "message_type", type(message).__name__)
            raise TranslationError(f"{format_name} carries indicators and indicator receipts, not {kind}")
    if not names:
        raise TranslationError(f"a {format_name} document needs at least one record")
    if len(names) > 1:
        raise TranslationError(
            f"one {format_name} document holds one table; these records need {', '.join(sorted(names))}"
        )
    return TABLES[names.pop()]


def wire_value(column: Column, model: BaseModel) -> str | None:
    """The wire text of one column of ``model`` (``None`` when the field is empty)."""
    value = getattr(model, column.field)
    if value is None:
        return None
    if column.kind == "adj_type":
        return "2" if value is IndicatorEvent.RECALL else "1"
    if column.kind == "recall_money":
        assert isinstance(value, Decimal) and isinstance(model, TransferIndicator)
        return format_money(-value if model.event is IndicatorEvent.RECALL else value)
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def model_to_row(table: Table, model: BaseModel) -> dict[str, str]:
    """One canonical model → its wire row (columns in table order, empty fields left out)."""
    row: dict[str, str] = {}
    for column in table.columns:
        text = wire_value(column, model)
        if text is not None:
            row[column.wire] = text
    return row


def record_row(table: Table, record: Record) -> dict[str, str | int]:
    """:func:`model_to_row` of a parsed record, each cell in the wire form it came in
    (``Record.meta["wire_forms"]``, :data:`WIRE_FORMS`): a JSON integer stays a number (``int``), a
    ``YYYY-MM-DD 00:00:00`` date keeps its time. A record without forms renders as :func:`model_to_row`."""
    row: dict[str, str | int] = dict(model_to_row(table, record.message))
    kept = record.meta.get("wire_forms")
    if not kept:
        return row
    for item in kept.split(","):
        wire, _, form = item.partition("=")
        text = row.get(wire)
        if not isinstance(text, str):
            continue
        if form == "midnight":
            row[wire] = f"{text} 00:00:00"
        elif form == "midnight_t":
            row[wire] = f"{text}T00:00:00"
        elif form == "number":
            number = Decimal(text)
            if number == number.to_integral_value():
                row[wire] = int(number)
    return row
