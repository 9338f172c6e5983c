"""What the two DuckDB engines share: the session, SQL quoting, and the snapshot loader's error handling.

:func:`session` opens a DuckDB bounded by :class:`EngineSettings` (it spills to a temporary directory removed
afterwards). Small inputs are held in memory as they are; inputs too large for that
(:func:`tables_on_disk`) go to a database file in the same temporary directory, where DuckDB stores the
loaded tables compressed (dictionary, FSST, bit packing) as it writes them, so they take a fraction of the
memory limit instead of spilling uncompressed.

:func:`read_snapshot` turns one CSV / XLSX snapshot into a table through an engine's own typed SELECT: XLSX
is first written out as CSV, a file DuckDB refuses as non-UTF-8 is read again transcoded from GBK, and a
file DuckDB refuses for any other reason is re-read by the engine's reference loader (``locate``), which
names the exact line and column.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

import duckdb

from gateway.reconcile.errors import ReconcileError, SnapshotFormatError
from gateway.reconcile.snapshot_files import (
    check_rows_read,
    csv_layout,
    duckdb_read_csv,
    is_xlsx,
    refusal_reason,
    transcode_gbk,
    xlsx_to_csv,
)

Progress = Callable[[str], None]


Storage = Literal["auto", "memory", "disk"]


@dataclass(frozen=True)
class EngineSettings:
    """DuckDB resources: ``memory_limit`` bounds its buffer pool (it spills to ``temp_directory``);
    ``storage`` where the loaded tables live: ``memory``, ``disk`` (a compressed database file in the scratch
    directory) or ``auto`` (disk once the input is large for the memory limit, :func:`tables_on_disk`)."""

    memory_limit: str = "3GB"
    threads: int | None = None
    storage: Storage = "auto"


_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*")

DISK_SHARE = 0.4
"""Input bytes (CSV text) above this share of the memory limit are loaded into a database file: the typed
tables take about 1.1 times their CSV, and the joins need the rest of the limit."""


def size_bytes(text: str) -> int | None:
    """A DuckDB size setting (``3GB``, ``512MiB`` …) in bytes; ``None`` if it is not one."""
    match = _SIZE.fullmatch(text)
    if match is None or match.group(2).lower() not in _UNITS:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def tables_on_disk(settings: EngineSettings, input_bytes: int) -> bool:
    """Whether a session for ``input_bytes`` of input keeps its tables in a database file."""
    if settings.storage != "auto":
        return settings.storage == "disk"
    limit = size_bytes(settings.memory_limit)
    return limit is not None and input_bytes > DISK_SHARE * limit


def silent(_message: str) -> None:
    return None


def quote(name: str) -> str:
    """A SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def full_match(expr: str, pattern: str) -> str:
    """``expr`` matches ``pattern`` as a whole (NULL for a NULL ``expr``)."""
    return f"regexp_full_match({expr}, {literal(pattern)})"


def first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(exc).__name__


@contextmanager
def session(
    settings: EngineSettings, prefix: str, input_bytes: int = 0
) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A connection and its scratch directory (spill files, XLSX / GBK conversions, the database file of a
    large input)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        config: dict[str, Any] = {"memory_limit": settings.memory_limit, "temp_directory": tmp}
        if settings.threads is not None:
            config["threads"] = settings.threads
        database = str(Path(tmp) / "tables.duckdb") if tables_on_disk(settings, input_bytes) else ":memory:"
        con = duckdb.connect(database, config=config)
        # DuckDB's own progress bar writes to stdout, where the CLI may be writing the report.
        con.execute("SET enable_progress_bar = false")
        try:
            yield con, Path(tmp)
        finally:
            con.close()


@dataclass(frozen=True)
class Snapshot:
    """One snapshot as DuckDB reads it: the CSV ``source`` (the file itself, or its XLSX conversion)."""

    path: Path
    source: Path
    header: tuple[str, ...]
    newline: str


def open_snapshot(path: Path, workdir: Path, name: str) -> Snapshot:
    """The header and CSV source of ``path`` (XLSX converted to ``workdir/name.csv``)."""
    if is_xlsx(path):
        source, header = xlsx_to_csv(path, workdir / f"{name}.csv")
        return Snapshot(path, source, tuple(header), "\n")
    layout = csv_layout(path)
    return Snapshot(path, path, tuple(layout.header), layout.newline)


def refuse(snapshot: Snapshot, exc: Exception, locate: Callable[[], None]) -> NoReturn:
    """DuckDB refused the file: ``locate`` (the reference loader) raises naming line and column; else the
    reason DuckDB gave."""
    locate()
    raise SnapshotFormatError(str(snapshot.path), refusal_reason(snapshot.path, first_line(exc))) from None


def read_snapshot(
    snapshot: Snapshot,
    create: Callable[[str], None],
    locate: Callable[[], None],
    workdir: Path,
    name: str,
    progress: Progress,
) -> Snapshot:
    """``create(read_csv_expression)`` over the snapshot; on a UTF-8 refusal again over its GBK transcoding.

    Returns the snapshot as finally read (``source`` the transcoded file after a GBK retry)."""
    try:
        create(duckdb_read_csv(snapshot.source, list(snapshot.header), snapshot.newline))
        return snapshot
    except duckdb.InvalidInputException as exc:
        if "unicode" not in str(exc).lower():
            refuse(snapshot, exc, locate)
        progress(f"transcoding {snapshot.path} from GBK")
        source = transcode_gbk(snapshot.path, workdir / f"{name}.utf8.csv")
        again = Snapshot(snapshot.path, source, snapshot.header, snapshot.newline)
        try:
            create(duckdb_read_csv(source, list(snapshot.header), snapshot.newline))
        except duckdb.Error as second:
            refuse(again, second, locate)
        return again
    except (duckdb.ConversionException, duckdb.ParserException) as exc:
        refuse(snapshot, exc, locate)
    except duckdb.Error as exc:  # out of memory, disk full …: not the file's fault
        raise ReconcileError(f"{snapshot.path}: DuckDB failed: {first_line(exc)}") from None


def check_loaded(
    con: duckdb.DuckDBPyConnection, table: str, snapshot: Snapshot, locate: Callable[[], None]
) -> int:
    """Refuse the snapshot if a row of ``table`` is flagged ``bad`` (``locate`` names the cell), check that
    DuckDB read every line; returns the row count."""
    row = con.execute(f"SELECT bool_or(bad), count(*) FROM {table}").fetchone()
    assert row is not None
    if row[0]:
        locate()
        raise ReconcileError(f"{snapshot.path}: a malformed value was found but could not be located")
    count = int(row[1])
    check_rows_read(snapshot.path, snapshot.source, snapshot.newline, count)
    return count
