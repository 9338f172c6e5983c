"""Report cells are data, never formulas (formula / CSV injection, OWASP), and ids stay ids.

An id, a document number or a title comes from a counterparty's ledger: ``=HYPERLINK(…)``, ``+1``, ``-2+3``
or ``@SUM(…)`` in a BGT_ID or 指标文号 would be a live formula when ops open the report in Excel or WPS.

* CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'`` (the OWASP
  rule; spreadsheet programs show the rest as text); so does a text that starts with ``'`` itself, so that
  :func:`csv_text` gives every cell back exactly. Amount cells (:class:`AmountText`, which may be
  negative), integers and dates are numbers and are written as they are.
* CSV id columns (:data:`gateway.reconcile.report.rows.ID_HEADERS_ZH`: region and bank codes, BGT_IDs,
  指标文号, voucher numbers): Excel reads ``33032452012600000001`` as the number 3.30325E+19 (digits after
  the 15th lost), drops leading zeros from ``000123`` and turns ``3-5`` into a date. So every non-empty
  id cell that the rule above leaves alone gets a leading TAB (:data:`ID_MARK`): Excel and WPS then keep
  the cell as text and show the id as it is. A TAB followed by a character that cannot start a formula
  is no formula. ``="…"`` (a formula) is not used, and ``'`` is kept for neutralised cells only: Excel
  shows a ``'`` in a CSV cell. To read an id back, :func:`csv_text` drops the one leading TAB or ``'``.
* XLSX: every ``str`` is an inline string cell (``t="inlineStr"``), whatever it starts with
  (:mod:`gateway.reconcile.report.xlsx_writer`). Ids stay text, amounts and counts are numbers. Nothing is
  prefixed: the cell type already says "text".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from gateway.reconcile.money_text import AmountText

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_MARK = "'"
ID_MARK = "\t"
_MARKED = (*FORMULA_START, FORMULA_MARK)  # a text that starts with ' gets one more, so csv_text is exact

Value = str | int | date


def csv_cell(value: Value) -> Value:
    """``value`` as a CSV cell that no spreadsheet evaluates."""
    if isinstance(value, str) and not isinstance(value, AmountText) and value.startswith(_MARKED):
        return FORMULA_MARK + value
    return value


def csv_id_cell(value: Value) -> Value:
    """``value`` of an id column: neutralised like any text, else marked as text with a leading TAB."""
    cell = csv_cell(value)
    if isinstance(cell, str) and cell and not cell.startswith(FORMULA_MARK):
        return ID_MARK + cell
    return cell


def csv_row(values: Iterable[Value], ids: Collection[int] = ()) -> list[Value]:
    """A CSV row; the cells at the indexes ``ids`` are ids (:func:`csv_id_cell`)."""
    return [csv_id_cell(v) if i in ids else csv_cell(v) for i, v in enumerate(values)]


def csv_text(cell: str) -> str:
    """The value a report CSV cell holds: without the ``'`` of a neutralised cell or the TAB of an id.

    Exact for every cell :func:`csv_cell` / :func:`csv_id_cell` wrote: a value that itself starts with
    ``'`` or TAB was written with one more ``'``."""
    return cell[1:] if cell.startswith((FORMULA_MARK, ID_MARK)) else cell
