"""Reading ledger snapshot files: CSV in UTF-8 (with or without BOM) or GBK, and XLSX (first sheet).

The columnar engine hands CSV files to DuckDB as they are; a GBK file is first transcoded to UTF-8 in
streaming chunks into a temporary file, and an XLSX sheet is streamed (openpyxl read-only mode) into a
temporary UTF-8 CSV. The reference engine and error location read records here with :mod:`csv`.

Line endings: LF, CRLF (what Excel and Python's csv module write) and CR (old Mac exports) are all read.
The columnar engines take the ending of the header line (:func:`csv_layout`) and tell DuckDB, whose reader
silently returns no rows at all when told the wrong one. And since a reader that drops rows is worse than
one that fails, every load is checked with :func:`check_rows_read`: fewer (or more) rows read than the file
holds is an error naming both counts, never a smaller report.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from gateway.reconcile import column_map
from gateway.reconcile.errors import SnapshotFormatError
from gateway.reconcile.indicators.ledger_columns import HEADER_ALIASES
from gateway.reconcile.payments.columns import PAYMENT_HEADER_ALIASES

_CHUNK = 1 << 22
_ZIP_MAGIC = b"PK\x03\x04"
_BOM = codecs.BOM_UTF8
GBK_CODEC = "gb18030"  # a superset of GBK: every GBK file decodes the same way


def is_xlsx(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _ZIP_MAGIC
    except OSError as exc:
        raise SnapshotFormatError(str(path), f"cannot read: {exc.strerror}") from None


HEADER_NAMES: dict[str, str] = {**HEADER_ALIASES, **PAYMENT_HEADER_ALIASES}
"""Every built-in Chinese header → its UPPER_SNAKE column (indicator and payment snapshots)."""
if len(HEADER_NAMES) != len(HEADER_ALIASES) + len(PAYMENT_HEADER_ALIASES):  # pragma: no cover
    raise RuntimeError("a Chinese header names both an indicator and a payment column")


def normalise_header(path: Path, names: list[str]) -> list[str]:
    """Header cells → UPPER_SNAKE names (a name in the ``--columns`` map in force, :mod:`column_map`, or a
    built-in Chinese column name, :data:`HEADER_NAMES`, becomes its UPPER_SNAKE twin); refuses an empty
    header and repeated names, also when two cells name one column."""
    mapped = column_map.active()
    cleaned = (name.replace("\ufeff", "").strip() for name in names)
    result = [mapped.get(name) or HEADER_NAMES.get(name, name.upper()) for name in cleaned]
    if not any(result):
        raise SnapshotFormatError(str(path), "the first row is not a header of column names")
    seen: set[str] = set()
    for name in result:
        if name and name in seen:
            raise SnapshotFormatError(str(path), f"column {name} appears twice in the header")
        seen.add(name)
    return result


@dataclass(frozen=True)
class CsvLayout:
    """The header of a CSV snapshot and the line ending of its header line (LF, CRLF or CR)."""

    header: list[str]
    newline: str


_HEADER_LIMIT = 1 << 20


def csv_layout(path: Path) -> CsvLayout:
    """The header row of a CSV snapshot (UTF-8 or GBK) and its line ending."""
    with path.open("rb") as handle:
        start = handle.read(_HEADER_LIMIT + 2)
    if start.startswith(_BOM):
        start = start[len(_BOM) :]
    ends = [i for i in (start.find(b"\r"), start.find(b"\n")) if i >= 0]
    end = min(ends) if ends else len(start)
    if end > _HEADER_LIMIT:
        raise SnapshotFormatError(str(path), f"the header line is longer than {_HEADER_LIMIT} bytes")
    first = start[:end]
    if start[end : end + 2] == b"\r\n":
        newline = "\r\n"
    elif start[end : end + 1] == b"\r":
        newline = "\r"
    else:
        newline = "\n"  # LF, or a file that is only a header line
    if not first.strip():
        raise SnapshotFormatError(str(path), "empty file: no header row")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = first.decode(GBK_CODEC)
        except UnicodeDecodeError:
            raise SnapshotFormatError(str(path), "the header is neither UTF-8 nor GBK") from None
    row = next(csv.reader([text]))
    return CsvLayout(normalise_header(path, row), newline)


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV snapshot (UTF-8 or GBK)."""
    return csv_layout(path).header


def duckdb_read_csv(path: Path, header: list[str], newline: str) -> str:
    """The DuckDB ``read_csv`` call for a snapshot: every column VARCHAR (the engines type and validate them
    in SQL), RFC 4180 quoting, short rows padded, and the file's own line ending."""
    columns = ", ".join(f"{_sql_text(name or f'_EMPTY_{i}')}: 'VARCHAR'" for i, name in enumerate(header))
    escaped = newline.replace("\r", "\\r").replace("\n", "\\n")
    return (
        f"read_csv({_sql_text(str(path))}, header = true, auto_detect = false, columns = {{{columns}}}, "
        f"delim = ',', quote = '\"', escape = '\"', null_padding = true, new_line = '{escaped}')"
    )


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _data_lines(path: Path, newline: str) -> int:
    """Physical data lines (after the header), counted by the last byte of ``newline`` — the LF of a CRLF, so
    one single-byte count per chunk (about 1 GB/s), no decoding (neither UTF-8 nor GBK has a CR or LF byte
    inside a character) — plus an unterminated last line."""
    end = newline[-1].encode("ascii")
    count = 0
    last = b""
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            count += chunk.count(end)
            last = chunk
    unterminated = bool(last.strip()) and not last.endswith(end)
    return max(count + int(unterminated) - 1, 0)


def line_endings(path: Path) -> list[str]:
    """The line endings a file uses, of ``CRLF``, ``LF`` and ``CR`` (a CR or LF inside a quoted cell counts
    too): for the message when a reader refuses a file, not for the fast path."""
    crlf = lf = cr = 0
    carry = b""
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            joined = carry + chunk
            carry = joined[-1:] if joined.endswith(b"\r") else b""  # a CRLF may straddle two chunks
            body = joined[: len(joined) - len(carry)]
            pairs = body.count(b"\r\n")
            crlf += pairs
            lf += body.count(b"\n") - pairs
            cr += body.count(b"\r") - pairs
    cr += len(carry)
    return [name for name, n in (("CRLF", crlf), ("LF", lf), ("CR", cr)) if n]


def refusal_reason(path: Path, reader_said: str) -> str:
    """What to tell the user when the columnar reader refused ``path``: mixed line endings by name (the
    reader's own words for them are a parser state), else the reader's first line."""
    endings = line_endings(path)
    if len(endings) > 1:
        return f"mixed line endings ({', '.join(endings)}): save the file with one line ending throughout"
    return reader_said


def check_rows_read(path: Path, source: Path, newline: str, read: int) -> None:
    """Raise unless ``read`` — the non-empty rows a columnar engine loaded from ``source`` (``path`` itself,
    or the UTF-8 CSV made from it) — is every data row ``path`` holds. The count of physical lines decides
    cheaply: a reader never invents rows and a row takes at least one line, so ``read`` equal to the
    physical data lines means nothing was left out. When they differ (blank lines, line breaks inside
    quoted cells, or a short read) the file is counted exactly with :mod:`csv`, as the reference engine
    reads it."""
    if read == _data_lines(source, newline):
        return
    held = sum(1 for _line, record in iter_records(path) if any(v is not None for v in record.values()))
    if read != held:
        raise SnapshotFormatError(
            str(path),
            f"the file holds {held} data rows but {read} were read "
            f"(line ending {newline.encode('unicode_escape').decode()} taken from the header line; "
            "mixed line endings or a damaged file?)",
        )


def transcode_gbk(path: Path, target: Path) -> Path:
    """Stream a GBK file into ``target`` as UTF-8; a byte sequence invalid in GBK is an error."""
    decoder = codecs.getincrementaldecoder(GBK_CODEC)(errors="strict")
    try:
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as sink:
            while chunk := source.read(_CHUNK):
                sink.write(decoder.decode(chunk))
            sink.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        raise SnapshotFormatError(str(path), "the file is neither valid UTF-8 nor valid GBK") from None
    return target


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "2"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
        raise SnapshotFormatError(str(path), f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    finally:
        workbook.close()


def xlsx_to_csv(path: Path, target: Path) -> tuple[Path, list[str]]:
    """Stream the first sheet of ``path`` into a UTF-8 CSV; returns it and the normalised header."""
    rows = _xlsx_rows(path)
    first = next(rows, None)
    if first is None:
        raise SnapshotFormatError(str(path), "the first sheet is empty: no header row")
    header = normalise_header(path, first)
    with target.open("w", encoding="utf-8", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            if any(row):
                writer.writerow((row + [""] * len(header))[: len(header)])
    return target, header


def snapshot_header(path: Path) -> list[str]:
    """The normalised header of a CSV or XLSX snapshot, without reading its rows."""
    if not path.is_file():
        raise SnapshotFormatError(str(path), "no such file")
    if not is_xlsx(path):
        return csv_layout(path).header
    first = next(_xlsx_rows(path), None)
    if first is None:
        raise SnapshotFormatError(str(path), "the first sheet is empty: no header row")
    return normalise_header(path, first)


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Yield ``(line, {COLUMN: value or None})`` for every data record (slow path: tests, errors)."""
    if is_xlsx(path):
        rows = _xlsx_rows(path)
        first = next(rows, None)
        if first is None:
            raise SnapshotFormatError(str(path), "the first sheet is empty: no header row")
        header = normalise_header(path, first)
        for number, row in enumerate(rows, start=2):
            if any(row):
                yield number, _as_dict(header, row)
        return
    with path.open(encoding=detect_encoding(path), newline="") as handle:
        yield from _csv_records(path, handle)


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is valid UTF-8 (BOM or not), else ``gb18030`` (GBK); streams."""
    for encoding in ("utf-8-sig", GBK_CODEC):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as source:
                while chunk := source.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SnapshotFormatError(str(path), "the file is neither valid UTF-8 nor valid GBK")


def _csv_records(path: Path, handle: TextIO) -> Iterator[tuple[int, dict[str, str | None]]]:
    reader = csv.reader(handle)
    first_row = next(reader, None)
    if first_row is None:
        raise SnapshotFormatError(str(path), "empty file: no header row")
    header = normalise_header(path, first_row)
    try:
        for row in reader:
            if len(row) > len(header) and any(row[len(header) :]):
                raise SnapshotFormatError(
                    str(path),
                    f"line {reader.line_num}: {len(row)} values but the header has {len(header)} columns",
                )
            if row:
                yield reader.line_num, _as_dict(header, row)
    except csv.Error as exc:
        raise SnapshotFormatError(str(path), f"line {reader.line_num}: {exc}") from None


def _as_dict(header: list[str], row: list[str]) -> dict[str, str | None]:
    padded = row + [""] * (len(header) - len(row))
    return {name: (value if value != "" else None) for name, value in zip(header, padded, strict=False)}
