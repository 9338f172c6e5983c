"""The 一体化 tables the ``mof`` family carries, their UPPER_SNAKE columns, and row ⇄ model conversion.

Column names are the standard's (DOMAIN.md §1.3: ``BA_BGT_INFO`` 指标信息, ``BA_BGT_ADJSUB`` 指标调整明细).
Three tables, one canonical meaning each:

* ``BA_BGT_INFO`` — :class:`TransferIndicator` with ``event = ISSUE``; ``AMOUNT`` is the issued (or, in a
  ledger snapshot, the current net) amount.
* ``BA_BGT_ADJSUB`` — ``ADJUST`` and ``RECALL`` events. The standard's own names are used where it has
  them: ``ADJ_SUB_ID`` (the adjustment row's key ← ``bgt_id``), ``BAT_NUM`` (← ``adj_batch_no``),
  ``ADD_AMOUNT`` (调入金额: the signed delta; a recall is written as a **negative** ``ADD_AMOUNT`` and read
  back as the positive amount taken back), ``ORI_BGT_ID`` (the indicator changed). ``ADJ_TYPE_CODE``
  (``1`` 调整 / ``2`` 收回) is **our convention**: the standard's way to tell a 收回 from a 调减 was NOT
  FOUND.
* ``BA_BGT_RECEIPT`` — :class:`IndicatorReceipt`; table and column names are **our convention** (the
  standard's 接收回执 layout was NOT FOUND).

Wire values: text as is; ``FISCAL_YEAR`` 4 digits; dates ``YYYY-MM-DD``; times ``YYYY-MM-DD HH:MM:SS``
(Beijing local time, ``T`` also accepted on input); amounts plain decimals ``1234.50`` (integers accepted on
input and read as yuan). An empty value is the same as an absent column.
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
from typing import Any, Literal, cast

from pydantic import BaseModel

from adapters.base import Document, Record
from adapters.errors import MalformedDocument, TranslationError
from adapters.layout import Layout
from adapters.limits import Limits
from schemas.base import CanonicalModel, build
from schemas.errors import Problem, ValidationFailed, short_value
from schemas.indicators import IndicatorEvent, IndicatorReceipt, TransferIndicator
from schemas.money import MoneyFormatError, format_money, parse_money

Kind = Literal["text", "year", "date", "datetime", "money", "recall_money", "adj_type"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
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
        out = [c.wire for c in self.columns if c.field in fields]
        if self.name == "BA_BGT_ADJSUB":
            out.append("ADJ_TYPE_CODE")
        return tuple(out)


_KINDS: dict[str, Kind] = {
    "fiscal_year": "year",
    "doc_date": "date",
    "create_time": "datetime",
    "rec_time": "datetime",
    "amount": "money",
}


def _columns(
    model: type[CanonicalModel], renames: Mapping[str, Column] | None = None, skip: Iterable[str] = ()
) -> tuple[Column, ...]:
    out = []
    for name in model.model_fields:
        if name in ("message_type", "event", *skip):
            continue
        column = (renames or {}).get(name) or Column(name.upper(), name, _KINDS.get(name, "text"))
        out.append(column)
    return tuple(out)


BA_BGT_INFO = Table("BA_BGT_INFO", TransferIndicator, _columns(TransferIndicator))
BA_BGT_ADJSUB = Table(
    "BA_BGT_ADJSUB",
    TransferIndicator,
    (
        Column("ADJ_SUB_ID", "bgt_id"),
        Column("ADJ_TYPE_CODE", "event", "adj_type"),
        Column("ORI_BGT_ID", "ori_bgt_id"),
        *_columns(
            TransferIndicator,
            {
                "adj_batch_no": Column("BAT_NUM", "adj_batch_no"),
                "amount": Column("ADD_AMOUNT", "amount", "recall_money"),
            },
            skip=("bgt_id", "ori_bgt_id"),
        ),
    ),
)
BA_BGT_RECEIPT = Table("BA_BGT_RECEIPT", IndicatorReceipt, _columns(IndicatorReceipt))

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


def row_to_model(table: Table, row: Mapping[str, object], position: int) -> CanonicalModel:
    """One wire row (or a :class:`PlainRow`) → its canonical model, or :class:`ValidationFailed` with every
    problem of the row."""
    plain = row if type(row) is PlainRow else _plain_row_data(table, row)
    if plain is not None:
        return build(table.model, plain, f"[{position}]")
    return _general_row_to_model(table, row, position)


def _general_row_to_model(table: Table, row: Mapping[str, object], position: int) -> CanonicalModel:
    """:func:`row_to_model` cell by cell, diagnosing every cell (the path for rows that need it)."""
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
        if isinstance(value, JsonFloat):
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
        if isinstance(value, int) and column.kind not in ("year", "money", "recall_money"):
            problems.append(
                Problem(path, "bad_value_type", str(value), f"{wire} must be a string, not a number")
            )
            bad_fields.add(column.field)
            continue
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
        else:
            data[column.field] = value
    if table.name == "BA_BGT_ADJSUB" and "event" not in data and "event" not in bad_fields:
        problems.append(
            Problem(
                _field_path(position, "event"), "missing", None, "ADJ_TYPE_CODE is required in BA_BGT_ADJSUB"
            )
        )
        bad_fields.add("event")
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
    return model


def _check_text_form(column: Column, value: str | int, path: str) -> Problem | None:
    if isinstance(value, int):
        return None
    if column.kind == "date" and not _DATE.match(value):
        return Problem(path, "bad_date", short_value(value), "dates are written YYYY-MM-DD")
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
        try:
            model = row_to_model(table, row, position)
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
        records.append(Record(position, model, meta, layouts[position] if layouts is not None else None))
    if problems:
        raise ValidationFailed(problems)
    return Document(format_name, tuple(records), dict(envelope or {}))


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
