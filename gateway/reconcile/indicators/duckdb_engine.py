"""The columnar indicator engine: DuckDB reads the snapshots and classifies with SQL set operations.

Same rules as :mod:`gateway.reconcile.indicators.reference` (read its docstring); a property test holds
the two to identical reports. No Python object is built per input row: DuckDB parses, validates, joins
and aggregates, and only the pair summaries and the breaks come back to Python. A malformed cell is
detected in SQL and then located exactly (file, line, column) by re-reading that one file with the
reference loader, which is the slow path for a failing run only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from gateway.reconcile._duckdb import (
    EngineSettings,
    Progress,
    check_loaded,
    full_match,
    literal,
    open_snapshot,
    quote,
    read_snapshot,
    session,
    silent,
)
from gateway.reconcile.breaks import Break, BreakType, FieldDifference
from gateway.reconcile.errors import (
    MissingColumnsError,
    MissingColumnsInSnapshots,
    ReconcileError,
    SnapshotFormatError,
)
from gateway.reconcile.indicators.ledger_columns import (
    ALL_COLUMNS,
    CODE9_PATTERN,
    COLUMN_NAMES_ZH,
    COMPARED_ATTRIBUTES,
    REQUIRED_COLUMNS,
    YEAR_PATTERN,
    Side,
    amount_sql,
    create_time_sql,
    doc_date_sql,
    in_transit_cutoff,
)
from gateway.reconcile.indicators.reference import check_record, iter_ledger
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary, empty_counts
from gateway.reconcile.indicators.snapshot_columns import FIELD_SEPARATOR, ROW_SEPARATOR, SnapshotColumns
from gateway.reconcile.snapshot_files import snapshot_header


def _typed_select(side: Side, source: str, present: set[str]) -> str:
    """SELECT turning the all-VARCHAR snapshot into typed columns plus a ``bad`` flag."""
    cols = {c: (quote(c) if c in present else "CAST(NULL AS VARCHAR)") for c in ALL_COLUMNS}
    amount, year, deleted = cols["AMOUNT"], cols["FISCAL_YEAR"], cols["IS_DELETED"]
    doc, created = cols["DOC_DATE"], cols["CREATE_TIME"]
    doc_date, create_time = doc_date_sql(doc), create_time_sql(created)
    code_checks = [f"NOT coalesce({full_match(cols['MOF_DIV_CODE'], CODE9_PATTERN)}, false)"]
    if side is Side.UPPER:
        code_checks.append(f"NOT coalesce({full_match(cols['REC_DIV_CODE'], CODE9_PATTERN)}, false)")
    bad = " OR ".join(
        [
            f"{cols['BGT_ID']} IS NULL",
            *code_checks,
            "_fy_v IS NULL",
            "_amount_v IS NULL",
            f"coalesce({deleted} NOT IN ('1', '2'), false)",
            f"({doc} IS NOT NULL AND _doc_date_v IS NULL)",
            f"({created} IS NOT NULL AND _create_time_v IS NULL)",
        ]
    )
    non_empty = "coalesce(" + ", ".join(quote(c) for c in sorted(present)) + ") IS NOT NULL"
    # Only the columns classification reads on this side: the upper ledger's SUP_BGT_DOC_NO and
    # ORI_BGT_ID, the lower ledger's REC_DIV_CODE, COR_BGT_DOC_NO and CREATE_TIME are validated, not kept.
    if side is Side.UPPER:
        own = f"{cols['REC_DIV_CODE']} AS rec, {cols['COR_BGT_DOC_NO']} AS cor,"
        tail = "_create_time_v AS create_time,"
    else:
        own = f"{cols['SUP_BGT_DOC_NO']} AS sup,"
        tail = f"{cols['ORI_BGT_ID']} AS ori,"
    return f"""
        SELECT
            {cols["BGT_ID"]} AS bgt_id,
            {cols["MOF_DIV_CODE"]} AS mof,
            {own}
            _fy_v AS fy,
            {cols["BGT_DOC_TITLE"]} AS title,
            _doc_date_v AS doc_date,
            {cols["PRO_CODE"]} AS pro,
            {cols["FUND_TYPE_CODE"]} AS fund,
            {cols["TP_FUNC_CODE"]} AS tp,
            {cols["GOV_BGT_ECO_CODE"]} AS eco,
            {cols["DISTRI_TYPE_CODE"]} AS distri,
            {cols["IS_TRACK"]} AS track,
            _amount_v AS amount,
            {tail}
            coalesce({deleted} = '1', false) AS deleted,
            {bad} AS bad
        FROM (
            SELECT *, {doc_date} AS _doc_date_v, {create_time} AS _create_time_v,
                CASE WHEN {full_match(year, YEAR_PATTERN)} THEN CAST({year} AS INTEGER) END AS _fy_v,
                {amount_sql(amount)} AS _amount_v
            FROM {source} WHERE {non_empty}
        )
    """


class _Loader:
    def __init__(self, con: duckdb.DuckDBPyConnection, workdir: Path, progress: Progress) -> None:
        self._con = con
        self._workdir = workdir
        self._progress = progress

    def load(self, path: Path, side: Side, table: str) -> None:
        if not path.is_file():
            raise SnapshotFormatError(str(path), "no such file")
        self._progress(f"reading {side} ledger {path}")
        snapshot = open_snapshot(path, self._workdir, table)
        missing = [c for c in REQUIRED_COLUMNS[side] if c not in snapshot.header]
        if missing:
            raise MissingColumnsError(str(path), missing, COLUMN_NAMES_ZH)
        present = {c for c in snapshot.header if c in ALL_COLUMNS}

        def create(read_csv: str) -> None:
            self._con.execute(f"CREATE OR REPLACE TABLE {table} AS {_typed_select(side, read_csv, present)}")

        def locate() -> None:
            _locate(path, side)

        snapshot = read_snapshot(snapshot, create, locate, self._workdir, table, self._progress)
        check_loaded(self._con, table, snapshot, locate)

    def load_columns(self, snapshot: SnapshotColumns, side: Side, table: str, label: str) -> None:
        """The in-memory twin of :meth:`load`: the same typed SELECT over the unpacked text cells."""
        missing = [c for c in REQUIRED_COLUMNS[side] if c not in snapshot.names]
        if missing:
            raise MissingColumnsError(label, missing, COLUMN_NAMES_ZH)
        present = {c for c in snapshot.names if c in ALL_COLUMNS}
        source = f"{table}_text"
        unpack = f"CREATE OR REPLACE TEMP TABLE {source} AS {_unpack_sql(snapshot)}"
        self._con.execute(unpack, _unpack_params(snapshot))
        self._con.execute(f"CREATE OR REPLACE TABLE {table} AS {_typed_select(side, source, present)}")
        bad = self._con.execute(f"SELECT bool_or(bad) FROM {table}").fetchone()
        assert bad is not None
        if bad[0]:
            # the slow path of a failing run: the reference's cell rules name the row and column
            cursor = self._con.execute(f"SELECT * FROM {source}")
            names = [d[0] for d in cursor.description]
            for line, cells in enumerate(cursor.fetchall(), start=2):
                record = dict(zip(names, cells, strict=True))
                if any(v is not None for v in record.values()):
                    check_record(label, side, line, record)
            raise ReconcileError(f"{label}: a malformed value was found but could not be located")
        self._con.execute(f"DROP TABLE {source}")


def _unpack_sql(snapshot: SnapshotColumns) -> str:
    """SELECT of the snapshot's cells as VARCHAR columns named by its header, ``""`` read as no value (as
    ``read_csv`` reads an empty cell)."""
    names = [quote(n) for n in snapshot.names]
    if snapshot.count == 0:
        return "SELECT " + ", ".join(f"CAST(NULL AS VARCHAR) AS {n}" for n in names) + " WHERE false"
    if snapshot.text is not None:
        cells = ", ".join(f"nullif(f[{i}], '') AS {n}" for i, n in enumerate(names, start=1))
        return (
            f"SELECT {cells} FROM (SELECT string_split(unnest(string_split(?, {literal(ROW_SEPARATOR)})), "
            f"{literal(FIELD_SEPARATOR)}) AS f)"
        )
    values = ", ".join(f"unnest(CAST(? AS VARCHAR[])) AS {n}" for n in names)
    return "SELECT " + ", ".join(f"nullif({n}, '') AS {n}" for n in names) + f" FROM (SELECT {values})"


def _unpack_params(snapshot: SnapshotColumns) -> list[Any]:
    if snapshot.count == 0:
        return []
    if snapshot.text is not None:
        return [snapshot.text]
    assert snapshot.columns is not None
    return [list(column) for column in snapshot.columns]


def _locate(path: Path, side: Side) -> None:
    """Stream the file through the reference loader, which raises naming line and column."""
    for _row in iter_ledger(path, side):
        pass


_UPPER_ATTRIBUTE_COLUMNS = ("title", "cor", "doc_date", "pro", "fund", "tp", "eco", "distri", "track")
_LOWER_ATTRIBUTE_COLUMNS = ("title", "sup", "doc_date", "pro", "fund", "tp", "eco", "distri", "track")
_ATTRIBUTE_COLUMNS = tuple(zip(_UPPER_ATTRIBUTE_COLUMNS, _LOWER_ATTRIBUTE_COLUMNS, strict=True))


def _attribute_list_sql() -> str:
    """The list of {field, upper, lower} structs of the compared attributes that differ."""
    items = ", ".join(
        f"{{'field': {literal(name)}, 'upper': u.{up}, 'lower': l.{low}}}"
        for name, (up, low) in zip(COMPARED_ATTRIBUTES, _ATTRIBUTE_COLUMNS, strict=True)
    )
    return f"list_filter([{items}], lambda x: x.upper IS DISTINCT FROM x.lower)"


def _attributes_differ_sql() -> str:
    pairs = _ATTRIBUTE_COLUMNS
    return " OR ".join(f"u.{up} IS DISTINCT FROM l.{low}" for up, low in pairs)


def _classify_sql(cutoff: datetime) -> str:
    key = "type || '|' || upper || '|' || lower || '|' || CAST(fy AS VARCHAR) || '|' || ident"
    return f"""
    CREATE OR REPLACE TEMP VIEW u AS
        SELECT rowid AS rid, mof AS upper, rec AS lower, * EXCLUDE (mof, rec, bad, deleted)
        FROM upper_raw WHERE NOT deleted;
    CREATE OR REPLACE TEMP VIEW lv AS
        SELECT rowid AS rid, mof AS lower, * EXCLUDE (mof, bad, deleted)
        FROM lower_raw WHERE NOT deleted;
    -- One aggregate over both sides finds every key seen more than once: an upper (year, BGT_ID) (upper
    -- duplicates, or one id issued to a lower by several uppers) and a lower (lower, year, ORI_BGT_ID).
    CREATE OR REPLACE TEMP TABLE repeated AS
        SELECT side, lower, fy, id FROM (
            SELECT 'U' AS side, '' AS lower, fy, bgt_id AS id FROM u
            UNION ALL
            SELECT 'L', lower, fy, ori FROM lv WHERE ori IS NOT NULL)
        GROUP BY side, lower, fy, id HAVING count(*) > 1;
    -- The upper rows of a repeated (year, BGT_ID): duplicate or not, and whether each is the id target of
    -- its (lower, year, BGT_ID) — the lowest upper code, the one a lower row naming the id belongs to.
    CREATE OR REPLACE TEMP TABLE u_rep AS
        SELECT rid, upper, lower, fy, bgt_id, cor, amount,
               count(*) OVER (PARTITION BY upper, fy, bgt_id) > 1 AS dup,
               row_number() OVER (PARTITION BY lower, fy, bgt_id ORDER BY upper, rid) = 1 AS target
        FROM u SEMI JOIN (SELECT fy, id FROM repeated WHERE side = 'U') r ON r.fy = u.fy AND r.id = u.bgt_id;
    CREATE OR REPLACE TEMP TABLE upper_dup AS
        SELECT upper, fy, bgt_id, min(lower) AS lower, min(cor) AS doc, sum(amount) AS amount
        FROM u_rep WHERE dup GROUP BY upper, fy, bgt_id;
    -- Every lower row once, with its attribution by id and its id match, in one join: the narrow
    -- attribution / match table (no copy of the lower ledger), attributes compared inside the join.
    CREATE OR REPLACE TEMP TABLE j AS
        SELECT lrid, urid, upper, lower, fy, amount, matched, flagged, ldup,
               CASE WHEN NOT matched THEN bgt_id END AS bgt_id,
               CASE WHEN NOT matched THEN sup END AS sup,
               CASE WHEN NOT matched THEN tp END AS tp,
               CASE WHEN NOT matched THEN fund END AS fund,
               CASE WHEN ldup THEN ori END AS ori
        FROM (
            SELECT l.rid AS lrid, l.lower, l.fy, l.amount, l.bgt_id, l.sup, l.tp, l.fund, l.ori,
                   u.upper, d.id IS NOT NULL AS ldup,
                   u.rid IS NOT NULL AND d.id IS NULL AND NOT coalesce(r.dup, false) AS matched,
                   CASE WHEN matched THEN u.rid END AS urid,
                   matched AND (u.amount <> l.amount OR {_attributes_differ_sql()}) AS flagged
            FROM lv l
            LEFT JOIN (SELECT lower, fy, id FROM repeated WHERE side = 'L') d
                   ON d.lower = l.lower AND d.fy = l.fy AND d.id = l.ori
            LEFT JOIN (u LEFT JOIN u_rep r USING (rid)) ON coalesce(r.target, true)
                   AND u.lower = l.lower AND u.fy = l.fy AND u.bgt_id = l.ori
        );
    CREATE OR REPLACE TEMP TABLE l_other_upper AS
        WITH pending AS (SELECT lrid, lower, fy, sup FROM j WHERE upper IS NULL),
             by_doc AS (
                SELECT lower, fy, cor, min(upper) AS upper FROM u
                WHERE cor IS NOT NULL AND (lower, fy, cor) IN (SELECT lower, fy, sup FROM pending)
                GROUP BY ALL),
             by_lower AS (SELECT lower, min(upper) AS upper FROM u GROUP BY ALL)
        SELECT p.lrid, coalesce(d.upper, a.upper,
                   CASE WHEN p.lower = '100000000' THEN ''
                        WHEN p.lower LIKE '%0000000' THEN '100000000'
                        WHEN p.lower LIKE '%00000' THEN left(p.lower, 2) || '0000000'
                        WHEN p.lower LIKE '%000' THEN left(p.lower, 4) || '00000'
                        ELSE left(p.lower, 6) || '000' END) AS upper
        FROM pending p
        LEFT JOIN by_doc d ON d.lower = p.lower AND d.fy = p.fy AND d.cor = p.sup
        LEFT JOIN by_lower a ON a.lower = p.lower;
    UPDATE j SET upper = o.upper FROM l_other_upper o WHERE j.lrid = o.lrid;
    CREATE OR REPLACE TEMP TABLE lower_dup AS
        SELECT lower, fy, ori, min(upper) AS upper, min(sup) AS doc, sum(amount) AS amount
        FROM j WHERE ldup GROUP BY lower, fy, ori;
    CREATE OR REPLACE TEMP TABLE id_breaks AS
        SELECT u.upper, u.lower, u.fy, u.bgt_id, l.bgt_id AS lower_bgt_id, u.cor AS doc,
               u.amount AS ua, l.amount AS la, {_attribute_list_sql()} AS fields
        FROM (SELECT urid, lrid FROM j WHERE flagged) m
        JOIN u ON u.rid = m.urid JOIN lv l ON l.rid = m.lrid;
    CREATE OR REPLACE TEMP TABLE u2 AS
        -- the upper rows neither duplicated nor matched by id: only the columns later steps read
        SELECT rid, upper, lower, fy, bgt_id, cor, tp, fund, amount, create_time
        FROM u ANTI JOIN (SELECT urid AS rid FROM j WHERE matched) m USING (rid)
        ANTI JOIN (SELECT rid FROM u_rep WHERE dup) d USING (rid);
    CREATE OR REPLACE TEMP VIEW l2 AS
        SELECT lrid AS rid, upper, lower, fy, bgt_id, sup, tp, fund, amount
        FROM j WHERE NOT matched AND NOT ldup;
    CREATE OR REPLACE TEMP TABLE ug AS
        SELECT upper, lower, fy, cor AS doc, coalesce(tp, '') AS tp, coalesce(fund, '') AS fund,
               sum(amount) AS amount, count(*) AS n, min(bgt_id) AS one_id
        FROM u2 WHERE cor IS NOT NULL GROUP BY ALL;
    CREATE OR REPLACE TEMP TABLE lg AS
        SELECT upper, lower, fy, sup AS doc, coalesce(tp, '') AS tp, coalesce(fund, '') AS fund,
               sum(amount) AS amount, count(*) AS n, min(bgt_id) AS one_id
        FROM l2 WHERE sup IS NOT NULL GROUP BY ALL;
    CREATE OR REPLACE TEMP TABLE found AS
        WITH parts AS (
            SELECT 'DUPLICATE' AS type, upper, lower, fy, 'upper-id:' || bgt_id AS ident, bgt_id,
                   NULL AS lower_bgt_id, doc, amount AS ua, NULL::DECIMAL(38, 2) AS la, [] AS fields
            FROM upper_dup
            UNION ALL
            SELECT 'DUPLICATE', upper, lower, fy, 'lower-ori:' || ori, ori, NULL, doc, NULL, amount, []
            FROM lower_dup
            UNION ALL
            SELECT CASE WHEN ua <> la THEN 'AMOUNT_MISMATCH' ELSE 'ATTRIBUTE_MISMATCH' END,
                   upper, lower, fy, 'id:' || bgt_id, bgt_id, lower_bgt_id, doc, ua, la, fields
            FROM id_breaks
            UNION ALL
            SELECT 'AMOUNT_MISMATCH', g.upper, g.lower, g.fy, 'doc:' || g.doc || '|' || g.tp || '|' || g.fund,
                   CASE WHEN g.n = 1 THEN g.one_id END, CASE WHEN h.n = 1 THEN h.one_id END,
                   g.doc, g.amount, h.amount, []
            FROM ug g JOIN lg h USING (upper, lower, fy, doc, tp, fund)
            WHERE g.amount <> h.amount
            UNION ALL
            SELECT CASE WHEN create_time > TIMESTAMP '{cutoff.isoformat(sep=" ")}'
                        THEN 'IN_TRANSIT' ELSE 'MISSING_IN_LOWER' END,
                   upper, lower, fy, 'id:' || bgt_id, bgt_id, NULL, cor, amount, NULL, []
            FROM u2 WHERE NOT EXISTS (
                SELECT 1 FROM lg WHERE lg.upper = u2.upper AND lg.lower = u2.lower AND lg.fy = u2.fy
                  AND lg.doc = u2.cor AND lg.tp = coalesce(u2.tp, '') AND lg.fund = coalesce(u2.fund, ''))
            UNION ALL
            SELECT 'MISSING_IN_UPPER', upper, lower, fy,
                   'lower-id:' || bgt_id || CASE WHEN k > 1 THEN '#' || CAST(k AS VARCHAR) ELSE '' END,
                   NULL, bgt_id, sup, NULL, amount, []
            FROM (
                SELECT *, row_number() OVER (PARTITION BY upper, lower, fy, bgt_id ORDER BY rid) AS k
                FROM l2 WHERE NOT EXISTS (
                    SELECT 1 FROM ug WHERE ug.upper = l2.upper AND ug.lower = l2.lower AND ug.fy = l2.fy
                      AND ug.doc = l2.sup AND ug.tp = coalesce(l2.tp, '') AND ug.fund = coalesce(l2.fund, ''))
            )
        )
        SELECT {key} AS key, * FROM parts;
    """


_PAIRS_SQL = """
    WITH up AS (SELECT upper, lower, fy, count(*) AS n, sum(amount) AS amount FROM u GROUP BY ALL),
         lo AS (SELECT upper, lower, fy, count(*) AS n, sum(amount) AS amount FROM j GROUP BY ALL)
    SELECT upper, lower, fy, coalesce(up.n, 0), coalesce(lo.n, 0),
           coalesce(up.amount, 0)::DECIMAL(38, 2), coalesce(lo.amount, 0)::DECIMAL(38, 2)
    FROM up FULL OUTER JOIN lo USING (upper, lower, fy)
    ORDER BY upper, lower, fy
"""

_COUNTS_SQL = "SELECT upper, lower, fy, type, count(*) FROM found GROUP BY ALL"

_BREAKS_SQL = """
    SELECT type, key, upper, lower, fy, bgt_id, lower_bgt_id, doc, ua, la, fields
    FROM found ORDER BY upper, lower, fy, key
"""


def _breaks(rows: Iterable[tuple[Any, ...]]) -> list[Break]:
    result = []
    for kind, key, upper, lower, fy, bgt_id, lower_bgt_id, doc, ua, la, fields in rows:
        up_amount: Decimal | None = ua
        low_amount: Decimal | None = la
        diff = up_amount - low_amount if up_amount is not None and low_amount is not None else None
        result.append(
            Break(
                BreakType(kind),
                key,
                upper,
                lower,
                fy,
                bgt_id,
                lower_bgt_id,
                doc,
                up_amount,
                low_amount,
                diff,
                tuple(FieldDifference(f["field"], f["upper"], f["lower"]) for f in fields),
            )
        )
    return result


@contextmanager
def _session(
    settings: EngineSettings, progress: Progress, input_bytes: int = 0
) -> Iterator[tuple[duckdb.DuckDBPyConnection, _Loader]]:
    with session(settings, "fiscalgw-reconcile-", input_bytes) as (con, workdir):
        yield con, _Loader(con, workdir, progress)


def _file_bytes(*paths: Path) -> int:
    return sum(path.stat().st_size for path in paths if path.is_file())


def _columns_bytes(*snapshots: SnapshotColumns) -> int:
    """About the size of the snapshots as CSV text (the packed text's length; else 16 bytes a cell)."""
    return sum(len(s.text) if s.text is not None else 16 * s.count * len(s.names) for s in snapshots)


def reconcile_indicator_files(
    upper_path: Path,
    lower_path: Path,
    *,
    as_of: datetime,
    in_transit_window: timedelta = timedelta(hours=48),
    settings: EngineSettings | None = None,
    progress: Progress | None = None,
) -> IndicatorReport:
    """Reconcile an upper and a lower BA_BGT_INFO snapshot (CSV UTF-8/GBK or XLSX) as of ``as_of``.

    Raises :class:`~gateway.reconcile.errors.SnapshotError` subclasses for unusable input.
    """
    say: Progress = progress or silent
    cutoff = in_transit_cutoff(as_of, in_transit_window)
    check_columns(upper_path, lower_path)
    size = _file_bytes(upper_path, lower_path)
    with _session(settings or EngineSettings(), say, size) as (con, loader):
        loader.load(upper_path, Side.UPPER, "upper_raw")
        loader.load(lower_path, Side.LOWER, "lower_raw")
        say("matching")
        # Row ids (file order) are fixed once loaded; intermediate tables need no insertion order.
        con.execute("SET preserve_insertion_order = false")
        con.execute(_classify_sql(cutoff))
        say("summarising")
        return _report(con, as_of, in_transit_window)


def reconcile_indicator_columns(
    upper: SnapshotColumns,
    lower: SnapshotColumns,
    *,
    as_of: datetime,
    in_transit_window: timedelta = timedelta(hours=48),
    settings: EngineSettings | None = None,
    progress: Progress | None = None,
) -> IndicatorReport:
    """:func:`reconcile_indicator_files` over snapshots held in memory (the store's export): no file."""
    say: Progress = progress or silent
    cutoff = in_transit_cutoff(as_of, in_transit_window)
    with _session(settings or EngineSettings(), say, _columns_bytes(upper, lower)) as (con, loader):
        loader.load_columns(upper, Side.UPPER, "upper_raw", "upper snapshot")
        loader.load_columns(lower, Side.LOWER, "lower_raw", "lower snapshot")
        say("matching")
        con.execute("SET preserve_insertion_order = false")
        con.execute(_classify_sql(cutoff))
        say("summarising")
        return _report(con, as_of, in_transit_window)


def check_columns(upper_path: Path, lower_path: Path) -> None:
    """Both snapshots' headers before either is read: every missing required column of both files is
    named in one error."""
    problems = []
    for path, side in ((upper_path, Side.UPPER), (lower_path, Side.LOWER)):
        header = snapshot_header(path)
        missing = [c for c in REQUIRED_COLUMNS[side] if c not in header]
        if missing:
            problems.append(MissingColumnsError(str(path), missing, COLUMN_NAMES_ZH))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise MissingColumnsInSnapshots(problems)


def load_only(upper_path: Path, lower_path: Path, settings: EngineSettings | None = None) -> tuple[int, int]:
    """Read and validate both snapshots without reconciling (the read path alone); returns row counts."""
    size = _file_bytes(upper_path, lower_path)
    with _session(settings or EngineSettings(), silent, size) as (con, loader):
        loader.load(upper_path, Side.UPPER, "upper_raw")
        loader.load(lower_path, Side.LOWER, "lower_raw")
        counts = con.execute("SELECT (SELECT count(*) FROM upper_raw), (SELECT count(*) FROM lower_raw)")
        row = counts.fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def validate_indicator_file(path: Path, side: Side, settings: EngineSettings | None = None) -> int:
    """Read and validate one snapshot exactly as :func:`reconcile_indicator_files` reads it (the same
    header check, loader and errors); returns its row count. ``fiscalgw validate --ledger`` uses it, so
    validate and reconcile cannot disagree about a file."""
    header = snapshot_header(path)
    missing = [c for c in REQUIRED_COLUMNS[side] if c not in header]
    if missing:
        raise MissingColumnsError(str(path), missing, COLUMN_NAMES_ZH)
    with _session(settings or EngineSettings(), silent, _file_bytes(path)) as (con, loader):
        loader.load(path, side, "raw")
        row = con.execute("SELECT count(*) FROM raw").fetchone()
        assert row is not None
        return int(row[0])


def _report(con: duckdb.DuckDBPyConnection, as_of: datetime, window: timedelta) -> IndicatorReport:
    counts: dict[tuple[str, str, int], dict[BreakType, int]] = {}
    for upper, lower, fy, kind, n in con.execute(_COUNTS_SQL).fetchall():
        counts.setdefault((upper, lower, fy), empty_counts())[BreakType(kind)] = n
    pairs = tuple(
        PairSummary(
            upper,
            lower,
            fy,
            upper_count=nu,
            lower_count=nl,
            upper_amount=au,
            lower_amount=al,
            break_counts=counts.get((upper, lower, fy), empty_counts()),
        )
        for upper, lower, fy, nu, nl, au, al in con.execute(_PAIRS_SQL).fetchall()
    )
    found = _breaks(con.execute(_BREAKS_SQL).fetchall())
    return IndicatorReport(
        as_of=as_of,
        in_transit_window=window,
        pairs=pairs,
        breaks=tuple(b for b in found if b.type is not BreakType.IN_TRANSIT),
        in_transit=tuple(b for b in found if b.type is BreakType.IN_TRANSIT),
    )
