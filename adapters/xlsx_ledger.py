"""``xlsx``: the same indicator ledger snapshots as :mod:`adapters.csv_ledger`, as an Excel workbook.

The **first sheet** holds the rows: a header row of ``BA_BGT_INFO`` column names (or their Chinese names),
then one indicator per row (``event = ISSUE``, ``AMOUNT`` = current net amount). Read with openpyxl in
read-only mode.

Hardening before openpyxl sees the file: the size limit, a bound on the total uncompressed size
(``document_too_large``; zip bombs), and a scan of every XML part for DOCTYPE / ENTITY declarations
(``dtd_forbidden`` / ``entity_forbidden``).

Cells: we write every value as a **text** cell, even one starting with ``=`` (amounts ``1234.50``, dates
``2026-03-15``, codes with their leading zeros), so nothing is rounded and nothing becomes a formula. On
input, numeric and date cells typed by people are accepted: integers as their digits, an amount typed as a
number by its shortest decimal form (more than two places is refused by the money rule), a date cell as
``YYYY-MM-DD``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from adapters.base import Adapter, Document, Signature
from adapters.csv_ledger import check_header, header_for, standard_header
from adapters.errors import DocumentTooLarge, MalformedDocument, TranslationError
from adapters.limits import DEFAULT_LIMITS, Limits
from adapters.mof.tables import BA_BGT_INFO, Column, model_to_row, rows_to_document, table_for
from schemas.errors import Problem, ValidationFailed

ZIP_MAGIC = b"PK\x03\x04"
#: uncompressed parts may be this many times larger than the document limit
UNCOMPRESSED_FACTOR = 8
_DTD = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def _open_zip(raw: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise MalformedDocument("not_well_formed", f"not a valid XLSX (zip) file: {exc}") from None


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    budget = limits.max_bytes * UNCOMPRESSED_FACTOR
    total = sum(info.file_size for info in archive.infolist())
    if total > budget:
        raise MalformedDocument(
            "document_too_large", f"the workbook unpacks to {total} bytes; the limit is {budget}"
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise MalformedDocument(
            "not_well_formed", "the zip file is not an Excel workbook (no xl/workbook.xml)"
        )
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(info) as part:
                data = part.read(budget + 1)
        except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError, zlib.error) as exc:
            raise MalformedDocument("not_well_formed", f"{info.filename} cannot be unpacked: {exc}") from None
        if b"!" not in data:  # both patterns hold "!": a one-byte (memchr) scan gates the regexes
            continue
        if _DTD.search(data):
            raise MalformedDocument("dtd_forbidden", f"{info.filename} declares a DOCTYPE")
        if _ENTITY.search(data):
            raise MalformedDocument("entity_forbidden", f"{info.filename} declares entities")


def _cell_text(column: Column | None, value: object) -> object:
    """A typed cell → the wire text the shared row conversion expects (unknown types pass through)."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return value if column is not None and column.kind in ("year", "money") else str(value)
    if isinstance(value, float):
        if column is not None and column.kind in ("money", "recall_money"):
            return format(Decimal(repr(value)), "f")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if column is not None and column.kind == "date" and value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text_cell(sheet: Any, value: str | None) -> Cell | None:
    """A cell that is text whatever it looks like: ``=…`` is never written as a formula (formula
    injection; and a formula has no cached value to read back)."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


class XlsxLedgerAdapter(Adapter):
    format: ClassVar[str] = "xlsx"
    media_type: ClassVar[str] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    signature: ClassVar[Signature | None] = Signature("zip", ("xl/workbook.xml",))

    def identify(self, raw: bytes) -> bool:
        if not raw.startswith(ZIP_MAGIC):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return False

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        if len(raw) > limits.max_bytes:
            raise DocumentTooLarge(len(raw), limits.max_bytes)
        with _open_zip(raw) as archive:
            _check_parts(archive, limits)
        try:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many unrelated types for broken parts
            raise MalformedDocument("not_well_formed", f"openpyxl cannot read the workbook: {exc}") from None
        try:
            sheet = workbook.worksheets[0]
            lines = sheet.iter_rows(values_only=True)
            first = next(lines, None)
            header = standard_header([str(v) if v is not None else "" for v in (first or ())])
            while header and header[-1] == "":
                header.pop()
            if not header:
                raise MalformedDocument("missing_header", "the first sheet has no header row")
            check_header(header, BA_BGT_INFO)
            columns = [BA_BGT_INFO.by_wire[name] for name in header]
            rows: list[dict[str, object]] = []
            metas: list[dict[str, str]] = []
            problems: list[Problem] = []
            for line_no, values in enumerate(lines, start=2):
                cells = list(values)
                if all(v is None or v == "" for v in cells):
                    continue
                if len(rows) >= limits.max_records:
                    raise MalformedDocument("too_many_records", f"more than {limits.max_records} rows")
                if any(v not in (None, "") for v in cells[len(header) :]):
                    message = f"row {line_no} has values right of the header"
                    problems.append(Problem(f"[{len(rows)}]", "wrong_cell_count", None, message))
                rows.append({c.wire: _cell_text(c, v) for c, v in zip(columns, cells, strict=False)})
                metas.append({"line": str(line_no)})
        finally:
            workbook.close()
        if problems:
            raise ValidationFailed(problems)
        envelope = {"columns": ",".join(header), "sheet": sheet.title}
        return rows_to_document(self.format, BA_BGT_INFO, rows, limits, metas, envelope)

    def render(self, document: Document) -> bytes:
        table = table_for(document.messages, self.format)
        if table is not BA_BGT_INFO:
            raise TranslationError(
                f"xlsx ledger snapshots hold BA_BGT_INFO rows with net amounts; {table.name} has no form here"
            )
        header = header_for(document, table)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(document.envelope.get("sheet") or table.name)
        sheet.append(header)
        for message in document.messages:
            row = model_to_row(table, message)
            sheet.append([_text_cell(sheet, row.get(name)) for name in header])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
