"""A small, fast XLSX writer for the reports: typed cells, frozen header, autofilter, column widths.

An XLSX file is a zip of a few XML parts; this module writes them as text (no per-cell objects), which is
an order of magnitude cheaper than openpyxl and lets an amount's exact decimal text go straight into the
sheet. Cell types, by the Python value given:

* ``str`` — an inline string (``t="inlineStr"``), never a formula, whatever it starts with (formula
  injection, :mod:`gateway.reconcile.report.cells`). Long ids (20-digit voucher numbers, BGT_IDs) stay text.
* :class:`~gateway.reconcile.money_text.AmountText` (``"-1234.50"``) — a number cell in ``#,##0.00``
  whose ``<v>`` is that exact decimal text; ``""`` is an empty cell. No float ever touches the amount.
  Excel holds numbers as IEEE-754 doubles: every amount up to the documented maximum
  999,999,999,999.99 has at most 14 significant digits, and a double keeps 15 significant decimal digits
  exactly (DBL_DIG = 15), so the cell reads back — and is shown — to the fen exactly (tested with the
  maximum and its neighbours in ``tests/gateway/reconcile/test_report_sheets.py``). A total of 10¹³ yuan
  or more (16+ significant digits, only a sum of many amounts can have them) would not be exact in a
  double: it is written as text instead, so nothing is ever silently rounded.
* ``int`` — a number cell (counts, fiscal years).
* ``date`` — a real date: the Excel serial day number (1900 date system) in ``yyyy-mm-dd``.
* ``datetime`` (naive) — serial day number with the time as a day fraction, in ``yyyy-mm-dd hh:mm:ss``.
* ``None`` and ``""`` — no cell.

Text is escaped for XML; characters XML 1.0 cannot hold (C0 controls other than TAB/LF/CR) are written
as the OOXML ``_xHHHH_`` escape, and a literal ``_xHHHH_`` in the data has its ``_`` escaped, so every
string reads back exactly in Excel / WPS (openpyxl leaves the escape to ``openpyxl.utils.escape.unescape``).
CR is written as ``&#13;`` (an XML parser would turn a literal CR into LF).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from gateway.reconcile.money_text import AmountText

CellValue = str | int | date | datetime | None

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

# style ids in styles.xml cellXfs (0: plain)
_HEADER, _AMOUNT, _DATE, _DATETIME = 1, 2, 3, 4

_EPOCH = date(1899, 12, 30)  # serial 0 of the 1900 date system (serial 61 = 1900-03-01 onwards)
_MIN_WIDTH, _MAX_WIDTH = 6, 60

_AMOUNT_TEXT = re.compile(r"-?[0-9]+\.[0-9]{2}")
_EXACT_AMOUNT_CHARS = 16  # 13 integer digits, ".", 2 decimals: 15 significant digits, exact in a double


def _escape_char(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_SPECIAL = re.compile("[&<>\r\n\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text_xml(value: str) -> str:
    if not value or not (
        _SPECIAL.search(value) or "_x" in value or value[0].isspace() or value[-1].isspace()
    ):  # the common case: nothing to escape, no space to keep
        return f"<t>{value}</t>"
    text = escape(_ILLEGAL.sub(_escape_char, value)).replace("\r", "&#13;")
    if text != text.strip() or "\n" in text or "&#13;" in text:
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    if index < len(_LETTERS):
        return _LETTERS[index]
    return _letters(index)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [_letters(i) for i in range(64)]


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK (wide / full-width) characters count double."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def serial_day(day: date) -> int:
    return (day - _EPOCH).days


def serial_datetime(moment: datetime) -> str:
    """Exact decimal text of the serial (day + fraction of 86 400 s), 10 places (≈ 9 µs)."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + Decimal(moment.microsecond) / 10**6
    day = serial_day(moment.date()) + seconds / 86400
    return format(day.quantize(Decimal("1e-10")), "f")


@dataclass
class Sheet:
    """One worksheet: ``header`` is row 1 (bold, frozen, with an autofilter over the table below it);
    :meth:`note` rows follow the table after a blank row and stay outside the filter."""

    name: str
    header: Sequence[str]
    _rows: list[str] = field(default_factory=list)
    _widths: list[int] = field(default_factory=list)
    _table_rows: int = 0

    def __post_init__(self) -> None:
        self._widths = [display_width(h) for h in self.header]
        self._append(self.header, header=True)
        self._table_rows = 1

    def row(self, values: Sequence[CellValue]) -> None:
        """A row of the table (under the header, inside the autofilter)."""
        self._append(values)
        self._table_rows = len(self._rows)

    def rows(self, rows: Iterable[Sequence[CellValue]]) -> None:
        for values in rows:
            self.row(values)

    def note(self, values: Sequence[CellValue]) -> None:
        """A row after the table (a blank row is left before the first one)."""
        if len(self._rows) == self._table_rows:
            self._rows.append(f'<row r="{len(self._rows) + 1}"/>')
        self._append(values)

    def _append(self, values: Sequence[CellValue], *, header: bool = False) -> None:
        number = len(self._rows) + 1
        cells: list[str] = []
        widths = self._widths
        if len(values) > len(widths):
            widths.extend([0] * (len(values) - len(widths)))
        text_style = f' s="{_HEADER}"' if header else ""
        for index, value in enumerate(values):
            if value is None:
                continue
            ref = f"{column_letter(index)}{number}"
            known = widths[index]
            if isinstance(value, AmountText):
                if not value:
                    continue
                if not _AMOUNT_TEXT.fullmatch(value):
                    raise ValueError(f"not an amount: {value!r}")
                if len(value) > _EXACT_AMOUNT_CHARS + (value[0] == "-"):  # > 15 significant digits
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    cells.append(f'<c r="{ref}" s="{_AMOUNT}"><v>{value}</v></c>')
                # with the thousands separators of #,##0.00: 1234567.89 → 1,234,567.89
                width = len(value) + (len(value) - 4 - (value[0] == "-")) // 3
            elif isinstance(value, str):
                if not value:  # an empty text is no cell (Excel's filter shows it as 空白)
                    continue
                cells.append(f'<c r="{ref}"{text_style} t="inlineStr"><is>{_text_xml(value)}</is></c>')
                # a text is at most 2 × len wide: measure it only when it might widen its column
                width = display_width(value) if 2 * len(value) > known and known < _MAX_WIDTH else 0
            elif isinstance(value, bool):
                raise TypeError("booleans are not report cells")
            elif isinstance(value, int):
                text = str(value)
                cells.append(f'<c r="{ref}"><v>{text}</v></c>')
                width = len(text)
            elif isinstance(value, datetime):
                if value.tzinfo is not None:
                    raise ValueError("write a datetime in the reader's local time (naive)")
                cells.append(f'<c r="{ref}" s="{_DATETIME}"><v>{serial_datetime(value)}</v></c>')
                width = len(DATETIME_FORMAT)
            else:
                cells.append(f'<c r="{ref}" s="{_DATE}"><v>{serial_day(value)}</v></c>')
                width = len(DATE_FORMAT)
            if width > known:
                widths[index] = width
        self._rows.append(f'<row r="{number}">{"".join(cells)}</row>')

    @property
    def table_ref(self) -> str:
        """The autofilter range: the header and the table rows, e.g. ``A1:M1601``."""
        return f"A1:{column_letter(max(len(self.header), 1) - 1)}{self._table_rows}"

    def xml(self) -> str:
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH)}" customWidth="1"/>'
            for i, w in enumerate(self._widths, 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            '<sheetFormatPr defaultRowHeight="15"/>'
            f"{f'<cols>{cols}</cols>' if cols else ''}"
            f"<sheetData>{''.join(self._rows)}</sheetData>"
            f'<autoFilter ref="{self.table_ref}"/>'
            "</worksheet>"
        )


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="3">'
    f'<numFmt numFmtId="164" formatCode="{AMOUNT_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="166" formatCode="{DATETIME_FORMAT}"/>'
    "</numFmts>"
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _sheet_name_ref(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file of ``sheets`` (in order; names unique, ≤ 31 characters, no ``[]:*?/\\``)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheet_entries = "".join(
        f'<sheet name="{escape(s.name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, 1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_sheet_name_ref(s.name))}!{_absolute(s.table_ref)}</definedName>"
        for i, s in enumerate(sheets)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<workbookPr date1904="0"/>'
        f"<sheets>{sheet_entries}</sheets>"
        f"<definedNames>{filters}</definedNames>"
        "</workbook>"
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    n = len(sheets) + 1
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL_NS}">{sheet_rels}'
        f'<Relationship Id="rId{n}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml())
    return buffer.getvalue()


def _absolute(ref: str) -> str:
    """``A1:M9`` → ``$A$1:$M$9``."""
    return ":".join(re.sub(r"([A-Z]+)([0-9]+)", r"$\1$\2", part) for part in ref.split(":"))
