"""Report cells are data, never formulas (formula / CSV injection, OWASP).

An id, a document number or a title comes from a counterparty's ledger: ``=HYPERLINK(…)``, ``+1``, ``-2+3``
or ``@SUM(…)`` in a BGT_ID or 指标文号 would be a live formula when ops open the report in Excel or WPS.

* CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'`` (the OWASP
  rule; spreadsheet programs show the rest as text). Amount cells (:class:`AmountText`, which may be
  negative) and integers are numbers and are written as they are.
* XLSX: every ``str`` is an inline string cell (``t="inlineStr"``), whatever it starts with — openpyxl
  would otherwise store a string starting with ``=`` as a formula. Long ids (20-digit voucher numbers,
  BGT_IDs) stay text, integers stay numbers. Nothing is prefixed: the cell type already says "text".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from gateway.reconcile.money_text import AmountText

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Value = str | int


def csv_cell(value: Value) -> Value:
    """``value`` as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, str) and not isinstance(value, AmountText) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: Iterable[Value]) -> list[Value]:
    return [csv_cell(v) for v in values]


def xlsx_row(sheet: WriteOnlyWorksheet, values: Sequence[Value | None]) -> list[Cell | Value | None]:
    """``values`` as write-only cells: each ``str`` a text (inline string) cell, never a formula."""
    out: list[Cell | Value | None] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out
