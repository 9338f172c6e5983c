"""Reading ledger snapshot files: CSV in UTF-8 (with or without BOM) or GBK, and XLSX (first sheet).

The columnar engine hands CSV files to DuckDB as they are; a GBK file is first transcoded to UTF-8 in
streaming chunks into a temporary file, and an XLSX sheet is streamed (openpyxl read-only mode) into a
temporary UTF-8 CSV. The reference engine and error location read records here with :mod:`csv`.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from gateway.reconcile.errors import SnapshotFormatError

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


def normalise_header(path: Path, names: list[str]) -> list[str]:
    """Header cells → UPPER_SNAKE names; refuses an empty header and repeated names."""
    result = [name.replace("\ufeff", "").strip().upper() for name in names]
    if not any(result):
        raise SnapshotFormatError(str(path), "the first row is not a header of column names")
    seen: set[str] = set()
    for name in result:
        if name and name in seen:
            raise SnapshotFormatError(str(path), f"column {name} appears twice in the header")
        seen.add(name)
    return result


def csv_header(path: Path) -> list[str]:
    """The header row of a CSV snapshot (UTF-8 or GBK)."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    if not first.strip():
        raise SnapshotFormatError(str(path), "empty file: no header row")
    if first.startswith(_BOM):
        first = first[len(_BOM) :]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = first.decode(GBK_CODEC)
        except UnicodeDecodeError:
            raise SnapshotFormatError(str(path), "the header is neither UTF-8 nor GBK") from None
    row = next(csv.reader([text.rstrip("\r\n")]))
    return normalise_header(path, row)


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
