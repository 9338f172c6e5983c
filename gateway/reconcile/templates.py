"""Empty ledger snapshot files to fill in: the header row of each snapshot kind, as CSV or XLSX.

``indicators`` holds every indicator snapshot column
(:data:`gateway.reconcile.indicators.ledger_columns.ALL_COLUMNS`;
the same file serves the upper and the lower level — the required columns differ and are listed on the
XLSX 说明 sheet); ``vouchers`` / ``receipts`` / ``clearing`` / ``quota`` hold the columns of that payment
input (:func:`gateway.reconcile.payments.columns.known_columns`). The header is the standard Chinese names
(``zh``, what finance staff read) or the UPPER_SNAKE names (``en``); both read back as the same columns.
A template has no data rows, so a forgotten example can never be reconciled.

CSV: UTF-8 with a byte-order mark and CRLF line ends (Excel opens it without garbling 中文). XLSX: the
header on the first sheet (the sheet the readers read), a 说明 sheet listing each column.
"""

from __future__ import annotations

import csv
import io
from typing import Literal

from gateway.reconcile.indicators.ledger_columns import ALL_COLUMNS, COLUMN_NAMES_ZH, REQUIRED_COLUMNS, Side
from gateway.reconcile.payments.columns import PAYMENT_COLUMN_NAMES_ZH, Role, known_columns
from gateway.reconcile.payments.columns import REQUIRED_COLUMNS as PAYMENT_REQUIRED
from gateway.reconcile.report.xlsx_writer import Sheet, workbook_bytes

TEMPLATE_KINDS: tuple[str, ...] = ("indicators", *(role.value for role in Role))
Language = Literal["zh", "en"]


def template_columns(kind: str) -> tuple[str, ...]:
    """The UPPER_SNAKE columns of a template kind, in order."""
    if kind == "indicators":
        return ALL_COLUMNS
    return known_columns(Role(kind))


def _zh(column: str) -> str:
    return (COLUMN_NAMES_ZH.get(column) or PAYMENT_COLUMN_NAMES_ZH[column])[0]


def _need(kind: str, column: str) -> str:
    if kind != "indicators":
        return "必填" if column in PAYMENT_REQUIRED[Role(kind)] else "选填"
    upper, lower = column in REQUIRED_COLUMNS[Side.UPPER], column in REQUIRED_COLUMNS[Side.LOWER]
    if upper and lower:
        return "必填"
    if upper:
        return "上级必填"
    if lower:
        return "下级必填"
    return "选填"


def template_header(kind: str, language: Language = "zh") -> list[str]:
    columns = template_columns(kind)
    return [_zh(c) for c in columns] if language == "zh" else list(columns)


def template_csv(kind: str, language: Language = "zh") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(template_header(kind, language))
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def template_xlsx(kind: str, language: Language = "zh") -> bytes:
    data = Sheet("台账", template_header(kind, language))
    notes = Sheet("说明", ["列名", "中文列名", "是否必填"])
    notes.rows([c, _zh(c), _need(kind, c)] for c in template_columns(kind))
    return workbook_bytes([data, notes])


def template_bytes(kind: str, fmt: Literal["csv", "xlsx"], language: Language = "zh") -> bytes:
    """The template file of ``kind`` in ``fmt``."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind {kind!r}")
    return template_csv(kind, language) if fmt == "csv" else template_xlsx(kind, language)
