"""``csv``: indicator ledger snapshots, the reconciliation import format.

One header row of ``BA_BGT_INFO`` column names (UPPER_SNAKE, the standard's; see
:mod:`adapters.mof.tables`; or their Chinese names, ``指标主键``, ``财政区划代码`` …, read as the
reconciliation reads them), then one row per indicator as booked. Each row parses to a
:class:`~schemas.indicators.TransferIndicator` with ``event = ISSUE`` whose ``amount`` is the **current net
amount** of the indicator (issued + adjustments − recalls). Adjustment and receipt records have no form here
(:class:`TranslationError`): fold them into the snapshot first.

Input encoding is detected, never guessed silently: a UTF-8 byte-order mark → UTF-8; else bytes that are
valid UTF-8 → UTF-8; else strict GBK (what Chinese Excel writes as "CSV"), else GB18030 (its superset);
else ``invalid_encoding``. Output is **UTF-8 with a byte-order mark and CRLF line ends**, because Excel —
which is how finance staff open these files — reads BOM-less UTF-8 as the ANSI code page and garbles 中文.

The header is kept in ``Document.envelope["columns"]`` so a file renders back with the same columns; a
document without it renders the non-empty columns in the standard's order. An empty cell is an absent value.
Positions are 0-based data rows; ``Record.meta["line"]`` is the 1-based line of the row in the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

from adapters.base import Adapter, Document, Signature
from adapters.errors import DocumentTooLarge, MalformedDocument, TranslationError
from adapters.limits import DEFAULT_LIMITS, Limits
from adapters.mof.tables import BA_BGT_INFO, Table, model_to_row, plain_row, rows_to_document, table_for
from schemas.errors import Problem, ValidationFailed
from schemas.indicator_columns import BA_BGT_INFO_HEADER_ALIASES

BOM = b"\xef\xbb\xbf"
_HEADER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def decode_ledger_bytes(raw: bytes) -> tuple[str, str]:
    """``(text, encoding)`` by the rule: BOM → utf-8-sig; valid UTF-8 → utf-8; else GBK, else GB18030
    (strict)."""
    if raw.startswith(BOM):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise MalformedDocument(
                "invalid_encoding", f"UTF-8 byte-order mark, but byte {exc.start + 3} is not UTF-8"
            ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gbk"), "gbk"
    except UnicodeDecodeError:
        pass
    try:  # GB18030, the superset of GBK the reconciliation also reads (characters GBK lacks)
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise MalformedDocument(
            "invalid_encoding", f"neither UTF-8 nor GBK / GB18030 (first bad byte at offset {exc.start})"
        ) from None


def standard_header(names: Sequence[str]) -> list[str]:
    """Header cells → column names: a Chinese ``BA_BGT_INFO`` header (the standard name, e.g. ``指标主键``,
    or a short form, :data:`schemas.indicator_columns.BA_BGT_INFO_HEADER_ALIASES`) becomes its UPPER_SNAKE
    name, as the reconciliation reads it; anything else is kept as written (after trimming blanks and a
    BOM)."""
    cleaned = (name.replace("\ufeff", "").strip() for name in names)
    return [BA_BGT_INFO_HEADER_ALIASES.get(name, name) for name in cleaned]


def check_header(header: Sequence[str], table: Table) -> None:
    """Refuse unknown, duplicate and missing required columns before looking at any row."""
    known = table.by_wire
    unknown = [name for name in header if name not in known]
    if unknown:
        raise MalformedDocument(
            "unknown_column", f"not {table.name} columns: {', '.join(repr(n) for n in unknown[:10])}"
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise MalformedDocument("duplicate_column", f"columns appear twice: {', '.join(duplicates)}")
    missing = [name for name in table.required if name not in header]
    if missing:
        raise MalformedDocument("missing_column", f"required columns missing: {', '.join(missing)}")


def header_for(document: Document, table: Table) -> list[str]:
    """The columns to write: the parsed header if it covers every value, else the non-empty columns."""
    rows = [model_to_row(table, m) for m in document.messages]
    used = {name for row in rows for name in row}
    kept = document.envelope.get("columns")
    if kept:
        header = kept.split(",")
        if used <= set(header) and all(name in table.by_wire for name in header):
            return header
    return [c.wire for c in table.columns if c.wire in used or c.wire in table.required]


class CsvLedgerAdapter(Adapter):
    format: ClassVar[str] = "csv"
    media_type: ClassVar[str] = "text/csv; charset=utf-8"
    signature: ClassVar[Signature | None] = Signature("csv", ("BGT_ID", "MOF_DIV_CODE"))

    def identify(self, raw: bytes) -> bool:
        first = raw[:4096].replace(b"\r", b"\n").split(b"\n", 1)[0]
        if first.startswith(BOM):
            first = first[3:]
        for encoding in ("utf-8", "gbk"):
            try:
                line = first.decode(encoding).strip()
            except UnicodeDecodeError:
                continue
            names = standard_header([name.strip('"') for name in line.split(",")])
            return "BGT_ID" in names and "MOF_DIV_CODE" in names
        return False

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        if len(raw) > limits.max_bytes:
            raise DocumentTooLarge(len(raw), limits.max_bytes)
        text, encoding = decode_ledger_bytes(raw)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader, None)
            if header is None or not any(header):
                raise MalformedDocument("missing_header", "the file has no header row")
            header = standard_header(header)
            if not all(_HEADER_NAME.match(name) for name in header):
                raise MalformedDocument("bad_header", "the header row must hold UPPER_SNAKE column names")
            check_header(header, BA_BGT_INFO)
            fields = [BA_BGT_INFO.by_wire[name].field for name in header]  # known and distinct: checked
            rows: list[Mapping[str, object]] = []
            metas: list[dict[str, str]] = []
            problems: list[Problem] = []
            for cells in reader:
                if not any(cells):
                    continue
                if len(rows) >= limits.max_records:
                    raise MalformedDocument("too_many_records", f"more than {limits.max_records} rows")
                position = len(rows)
                if len(cells) != len(header):
                    problems.append(
                        Problem(
                            f"[{position}]",
                            "wrong_cell_count",
                            str(len(cells)),
                            f"line {reader.line_num} has {len(cells)} cells, the header {len(header)}",
                        )
                    )
                plain = plain_row(BA_BGT_INFO, fields, cells) if len(cells) == len(header) else None
                rows.append(plain if plain is not None else dict(zip(header, cells, strict=False)))
                metas.append({"line": str(reader.line_num)})
        except csv.Error as exc:
            raise MalformedDocument("not_well_formed", f"CSV line {reader.line_num}: {exc}") from None
        if problems:
            raise ValidationFailed(problems)
        envelope = {"columns": ",".join(header), "encoding": encoding}
        return rows_to_document(self.format, BA_BGT_INFO, rows, limits, metas, envelope)

    def render(self, document: Document) -> bytes:
        table = table_for(document.messages, self.format)
        if table is not BA_BGT_INFO:
            raise TranslationError(
                "csv ledger snapshots hold BA_BGT_INFO rows with net amounts; "
                f"{table.name} records have no form here"
            )
        header = header_for(document, table)
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for message in document.messages:
            row = model_to_row(table, message)
            writer.writerow([row.get(name, "") for name in header])
        return BOM + out.getvalue().encode("utf-8")
