"""The columnar payment engine: DuckDB reads the inputs and classifies the chain with SQL set operations.

Same rules as :mod:`gateway.reconcile.payments.reference` (read its docstring: receipts are matched on
division, voucher number and bank); a property test holds the two to identical reports. No Python object
is built per input row on the CSV / XLSX path: DuckDB parses, validates (the cell rules of
:mod:`gateway.reconcile.payments.columns`), aggregates per voucher, joins the four sides and classifies;
only group summaries and breaks come back. A malformed cell is located
exactly by re-reading that file with the reference loader (the slow path of a failing run only).

Two entry points:

* :func:`reconcile_payment_files` — the CLI: CSV / XLSX snapshots and e-voucher / CFX documents;
* :func:`reconcile_payment_columns` — in-memory inputs (:class:`PaymentInputs`, plain column lists with
  integer fen), for a caller that already holds the rows (the store-side scheduler). The lists go to DuckDB
  as list parameters and are unnested there, not inserted row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from gateway.reconcile._duckdb import (
    EngineSettings,
    Progress,
    check_loaded,
    full_match,
    open_snapshot,
    quote,
    read_snapshot,
    session,
    silent,
)
from gateway.reconcile.errors import (
    MissingColumnsError,
    MissingColumnsInSnapshots,
)
from gateway.reconcile.indicators.ledger_columns import amount_sql
from gateway.reconcile.payments.columns import (
    ADM_PATTERN,
    COMPACT_DATE_PATTERN,
    PAYMENT_COLUMN_NAMES_ZH,
    REQUIRED_COLUMNS,
    PaymentInputs,
    Role,
    known_columns,
)
from gateway.reconcile.payments.files import FileKind, file_kind, load_documents, load_table
from gateway.reconcile.payments.report import (
    DEFAULT_UNCLEARED_WINDOW,
    DEFAULT_UNPAID_WINDOW,
    FoundRow,
    GroupRow,
    PaymentReport,
    assemble_report,
    china_cutoff,
)
from gateway.reconcile.snapshot_files import snapshot_header
from schemas.money import MAX_INTEGER_DIGITS

_TABLES_SQL = """
CREATE TABLE v_cols (rid BIGINT, adm VARCHAR, voucher_no VARCHAR, day DATE, bank VARCHAR, amount HUGEINT);
CREATE TABLE r_cols (rid BIGINT, adm VARCHAR, voucher_no VARCHAR, day DATE, bank VARCHAR, paid HUGEINT,
                    pay_day DATE);
CREATE TABLE f_cols (rid BIGINT, adm VARCHAR, refund_no VARCHAR, original_no VARCHAR, day DATE,
                    bank VARCHAR, amount HUGEINT);
CREATE TABLE c_cols (rid BIGINT, adm VARCHAR, vt VARCHAR, clearing_no VARCHAR, voucher_no VARCHAR, day DATE,
                    bank VARCHAR, amount HUGEINT);
CREATE TABLE q_cols (rid BIGINT, adm VARCHAR, statement_no VARCHAR, day DATE, bank VARCHAR, pre HUGEINT,
                    clr HUGEINT, reck HUGEINT, cur HUGEINT);
"""

_UNNEST_TYPES: dict[str, tuple[str, ...]] = {
    "v_cols": ("VARCHAR", "VARCHAR", "DATE", "VARCHAR", "HUGEINT"),
    "r_cols": ("VARCHAR", "VARCHAR", "DATE", "VARCHAR", "HUGEINT", "DATE"),
    "f_cols": ("VARCHAR", "VARCHAR", "VARCHAR", "DATE", "VARCHAR", "HUGEINT"),
    "c_cols": ("VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DATE", "VARCHAR", "HUGEINT"),
    "q_cols": ("VARCHAR", "VARCHAR", "DATE", "VARCHAR", "HUGEINT", "HUGEINT", "HUGEINT", "HUGEINT"),
}


def _match(expr: str, pattern: str) -> str:
    return f"coalesce({full_match(expr, pattern)}, false)"


def day_sql(expr: str) -> str:
    """The SQL twin of :func:`~gateway.reconcile.payments.columns.parse_day`: a ``DATE``, NULL when refused.

    ``YYYY-MM-DD`` as the indicator engine reads DOC_DATE (``ledger_columns.doc_date_sql``): the ``DATE``
    cast printed back must be the cell, which is the shape and the calendar check at once and refuses the
    year 0 DuckDB would read as 1 BC and Python refuses; ``yyyyMMdd`` keeps ``strptime``, without year 0.
    """
    return (
        f"CASE WHEN {_match(expr, COMPACT_DATE_PATTERN)} AND NOT starts_with({expr}, '0000') "
        f"THEN CAST(try_strptime({expr}, '%Y%m%d') AS DATE) "
        f"WHEN strlen({expr}) = 10 AND CAST(try_cast({expr} AS DATE) AS VARCHAR) = {expr} "
        f"THEN try_cast({expr} AS DATE) END"
    )


def _fen(expr: str) -> str:
    """An amount cell as integer fen (``HUGEINT``), NULL when refused (:func:`amount_sql`'s rule).

    A cell that is exactly how DuckDB prints its own ``DECIMAL(18, 2)`` (``-?digits.dd``, no leading zero,
    never ``-0.00``) of at most :data:`~schemas.money.MAX_INTEGER_DIGITS` integer digits is valid under
    the amount rule, so it is cast without the regex; any other cell (``12``, ``1.5``, ``007.00``, ``-0.00``,
    ``+1``, blanks …) goes through :func:`amount_sql` as before."""
    decimal = f"try_cast({expr} AS DECIMAL(18, 2))"
    longest = MAX_INTEGER_DIGITS + 3
    return (
        f"CAST(CASE WHEN CAST({decimal} AS VARCHAR) = {expr} "
        f"AND strlen({expr}) <= CASE WHEN starts_with({expr}, '-') THEN {longest + 1} ELSE {longest} END "
        f"THEN {decimal} ELSE {amount_sql(expr)} END * 100 AS HUGEINT)"
    )


def _typed_sql(role: Role, source: str, present: set[str]) -> str:
    """SELECT over the all-VARCHAR file: typed columns, ``kind`` (receipts: 'R' / 'F') and a ``bad`` flag."""
    col = {c: (quote(c) if c in present else "CAST(NULL AS VARCHAR)") for c in known_columns(role)}
    adm_bad = f"NOT {_match('adm', ADM_PATTERN)}"
    bank = f"coalesce({col['PAY_BANK_CODE']}, '')"
    if role is Role.VOUCHERS:
        vt = col["VT_CODE"]
        select = f"""{col["ADM_DIV_CODE"]} AS adm, {col["VOUCHER_NO"]} AS voucher_no,
            {day_sql(col["VOU_DATE"])} AS day, {bank} AS bank, {_fen(col["PAY_AMT"])} AS amount, {vt} AS vt"""
        bad = (
            f"{adm_bad} OR voucher_no IS NULL OR day IS NULL OR amount IS NULL OR amount < 0 "
            "OR coalesce(vt NOT IN ('5201', '8202'), false)"
        )
    elif role is Role.RECEIPTS:
        vt = col["VT_CODE"]
        x_date = col["X_PAY_DATE"]
        select = f"""{col["ADM_DIV_CODE"]} AS adm, {col["VOUCHER_NO"]} AS voucher_no,
            {day_sql(col["VOU_DATE"])} AS day, {bank} AS bank, {vt} AS vt,
            CASE WHEN {vt} = '2252' THEN 'F' ELSE 'R' END AS kind,
            {_fen(col["X_PAY_AMT"])} AS paid, {day_sql(x_date)} AS pay_day, {x_date} AS pay_day_text,
            {col["ORIGINAL_VOUCHER_NO"]} AS original_no, {_fen(col["PAY_AMT"])} AS amount"""
        bad = (
            f"{adm_bad} OR voucher_no IS NULL OR day IS NULL "
            "OR coalesce(vt NOT IN ('5201', '8202', '2252'), false) "
            "OR (kind = 'F' AND (original_no IS NULL OR amount IS NULL OR amount >= 0)) "
            "OR (kind = 'R' AND (paid IS NULL OR paid < 0 OR (pay_day_text IS NOT NULL AND pay_day IS NULL)))"
        )
    elif role is Role.CLEARING:
        select = f"""{col["ADM_DIV_CODE"]} AS adm, {col["VT_CODE"]} AS vt,
            {col["CLEARING_NO"]} AS clearing_no, {col["VOUCHER_NO"]} AS voucher_no,
            {day_sql(col["VOU_DATE"])} AS day, {bank} AS bank,
            {_fen(col["PAY_AMT"])} AS amount"""
        bad = (
            f"{adm_bad} OR NOT coalesce(vt IN ('2301', '2302'), false) OR clearing_no IS NULL "
            "OR voucher_no IS NULL OR day IS NULL OR amount IS NULL OR (vt = '2301' AND amount < 0)"
        )
    else:
        select = f"""{col["ADM_DIV_CODE"]} AS adm, {col["VOUCHER_NO"]} AS statement_no,
            {day_sql(col["END_DATE"])} AS day, {bank} AS bank, {_fen(col["PRE_DATE_MONEY"])} AS pre,
            {_fen(col["CLEAR_AMT"])} AS clr, {_fen(col["CUR_RECK_MONEY"])} AS reck,
            {_fen(col["CUR_DATE_MONEY"])} AS cur"""
        bad = (
            f"{adm_bad} OR statement_no IS NULL OR day IS NULL OR pre IS NULL OR clr IS NULL "
            "OR reck IS NULL OR cur IS NULL"
        )
    non_empty = "coalesce(" + ", ".join(quote(c) for c in sorted(present)) + ") IS NOT NULL"
    return f"""
        SELECT *, ({bad}) AS bad FROM (
            SELECT {select}
            FROM {source} WHERE {non_empty}
        )
    """


_KEPT: dict[Role, str] = {
    Role.VOUCHERS: "adm, voucher_no, day, bank, amount",
    Role.RECEIPTS: "adm, voucher_no, day, bank, kind, paid, pay_day, original_no, amount",
    Role.CLEARING: "adm, vt, clearing_no, voucher_no, day, bank, amount",
    Role.QUOTA: "adm, statement_no, day, bank, pre, clr, reck, cur",
}
"""The typed columns a loaded file keeps (and its ``bad`` flag until checked)."""

_PARTS: dict[str, tuple[Role, str, str]] = {
    "v_raw": (Role.VOUCHERS, "adm, voucher_no, day, bank, amount", "true"),
    "r_raw": (Role.RECEIPTS, "adm, voucher_no, day, bank, paid, pay_day", "kind = 'R'"),
    "f_raw": (Role.RECEIPTS, "adm, voucher_no AS refund_no, original_no, day, bank, amount", "kind = 'F'"),
    "c_raw": (Role.CLEARING, "adm, vt, clearing_no, voucher_no, day, bank, amount", "true"),
    "q_raw": (Role.QUOTA, "adm, statement_no, day, bank, pre, clr, reck, cur", "true"),
}
"""Each input table the classification reads: the role of the files it comes from, their columns, and
which of their rows (a receipts file holds both 回单 and 2252 refunds)."""


class _Loader:
    """Loads each file into a table of its own and in-memory columns into the ``*_cols`` tables;
    :meth:`finish` then names the classification's inputs ``*_raw``: views over those tables (no copy).
    ``rid`` numbers rows across inputs in input order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, workdir: Path, progress: Progress) -> None:
        self._con = con
        self._workdir = workdir
        self._progress = progress
        self._next_rid = 0
        self._count = 0
        self._files: list[tuple[Role, str, int]] = []

    def load_file(self, path: Path, role: Role) -> None:
        self._progress(f"reading {role} {path}")
        self._count += 1
        name = f"f{self._count}"
        snapshot = open_snapshot(path, self._workdir, name)
        missing = [c for c in REQUIRED_COLUMNS[role] if c not in snapshot.header]
        if missing:
            raise MissingColumnsError(str(path), missing, PAYMENT_COLUMN_NAMES_ZH)
        present = {c for c in snapshot.header if c}
        table = f"file_{self._count}"

        def create(read_csv: str) -> None:
            typed = _typed_sql(role, read_csv, present)
            self._con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {_KEPT[role]}, bad FROM ({typed})")

        def locate() -> None:
            _locate(path, role)

        snapshot = read_snapshot(snapshot, create, locate, self._workdir, name, self._progress)
        count = check_loaded(self._con, table, snapshot, locate)
        self._files.append((role, table, self._next_rid))
        self._next_rid += count

    def finish(self) -> None:
        """The ``*_raw`` views the classification reads: the in-memory columns and every file, in order."""
        for view, (role, columns, rows) in _PARTS.items():
            parts = [f"SELECT * FROM {view.replace('_raw', '_cols')}"] + [
                f"SELECT rowid + {offset} AS rid, {columns} FROM {table} WHERE {rows}"
                for file_role, table, offset in self._files
                if file_role is role
            ]
            self._con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS " + " UNION ALL ".join(parts))

    def load_columns(self, inputs: PaymentInputs) -> None:
        """Unnest in-memory column lists into the ``*_cols`` tables (no per-row Python work)."""
        parts = (
            ("v_cols", inputs.vouchers.columns()),
            ("r_cols", inputs.receipts.columns()),
            ("f_cols", inputs.refunds.columns()),
            ("c_cols", inputs.clearing.columns()),
            ("q_cols", inputs.quota.columns()),
        )
        for table, columns in parts:
            n = len(columns[0])
            if n == 0:
                continue
            types = _UNNEST_TYPES[table]
            values = ", ".join(f"unnest(CAST(? AS {t}[]))" for t in types)
            self._con.execute(
                f"INSERT INTO {table} SELECT {self._next_rid} + row_number() OVER () - 1, * "
                f"FROM (SELECT {values})",
                columns,
            )
            self._next_rid += n


def _locate(path: Path, role: Role) -> None:
    """Re-read the file with the reference loader, which raises naming line and column."""
    load_table(path, role, PaymentInputs())


def _ts(value: datetime) -> str:
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


_CLASSIFY_SQL = """
    CREATE OR REPLACE TEMP TABLE k AS
        WITH v AS (
            SELECT adm, voucher_no, min(bank) AS bank, min(day) AS day, sum(amount) AS amount
            FROM v_raw GROUP BY adm, voucher_no
        ), r AS (
            SELECT adm, voucher_no, count(*) AS n, sum(paid) AS paid, max(coalesce(pay_day, day)) AS last,
                   min(day) AS day, min(bank) AS b_min, max(bank) AS b_max
            FROM r_raw GROUP BY adm, voucher_no
        ), c AS (
            SELECT adm, voucher_no, min(bank) AS bank, min(day) AS day,
                   sum(CASE WHEN vt = '2301' THEN amount ELSE -abs(amount) END) AS cleared,
                   count(*) FILTER (WHERE vt = '2301') AS applies, count(*) AS n
            FROM c_raw GROUP BY adm, voucher_no
        ), fv AS (
            SELECT adm, original_no AS voucher_no, -sum(amount) AS amount, max(day) AS last
            FROM f_raw GROUP BY adm, original_no
        ), j AS (
            SELECT adm, voucher_no, v.voucher_no IS NOT NULL AS has_v, v.bank, v.day, v.amount,
                   r.n AS rn, r.paid AS rpaid, r.last AS rlast, r.day AS r_day, r.b_min, r.b_max,
                   c.cleared, coalesce(c.applies, 0) AS applies, coalesce(c.n, 0) AS c_n,
                   c.bank AS c_bank, c.day AS c_day
            FROM v FULL JOIN r USING (adm, voucher_no) FULL JOIN c USING (adm, voucher_no)
        ), m AS (
            SELECT *,
                   coalesce(has_v AND rn IS NOT NULL
                            AND (bank = '' OR b_max = '' OR (b_min = b_max AND b_min = bank)), false)
                       AS pays_all,
                   coalesce(rn IS NOT NULL
                            AND CASE WHEN has_v THEN bank <> '' AND b_min = b_max AND b_min NOT IN ('', bank)
                                     ELSE b_min = b_max END, false) AS stray_all
            FROM j
        )
        SELECT m.adm, m.voucher_no, has_v, bank, day, m.amount,
               CASE WHEN pays_all THEN rpaid END AS paid, CASE WHEN pays_all THEN rn END AS r_n,
               CASE WHEN pays_all THEN rlast END AS r_last, fv.amount AS refund, fv.last AS f_last,
               cleared, applies, c_n, c_bank, c_day,
               stray_all, rn IS NOT NULL AND NOT pays_all AND NOT stray_all AS slow,
               rn, rpaid, r_day, b_min AS r_bank
        FROM m LEFT JOIN fv ON has_v AND fv.adm = m.adm AND fv.voucher_no = m.voucher_no;
    CREATE OR REPLACE TEMP TABLE r_stray AS
        SELECT adm, voucher_no, r_bank AS bank, r_day AS day, rpaid AS paid, rn AS n FROM k WHERE stray_all;
"""
"""Each side aggregated once per (adm, voucher number) and the sides joined once into ``k``.

A 回单 pays the voucher when it names no bank, the voucher names none, or both name the same. The
receipts' aggregate keeps the smallest and largest bank they name (``''`` for none), which decides a
number at once when its 回单 all pay the voucher (``pays_all``: the voucher names no bank, no 回单 names
one, or all name the voucher's) or none do and they are one stray (``stray_all``: all of one bank, and
not the voucher's). Anything else — 回单 of two banks, or bank-less 回单 beside banked ones of a voucher
with a bank — is ``slow`` and matched row by row afterwards (:data:`_SLOW_RECEIPTS_SQL`)."""


_SLOW_RECEIPTS_SQL = """
    CREATE OR REPLACE TEMP TABLE r_slow AS
        SELECT x.adm, x.voucher_no, x.bank, x.day, x.paid, coalesce(x.pay_day, x.day) AS last,
               coalesce(s.has_v AND (x.bank = '' OR s.bank = '' OR x.bank = s.bank), false) AS pays
        FROM r_raw x JOIN (SELECT adm, voucher_no, has_v, bank FROM k WHERE slow) s
             ON s.adm = x.adm AND s.voucher_no = x.voucher_no;
    UPDATE k SET paid = p.paid, r_n = p.n, r_last = p.last
        FROM (SELECT adm, voucher_no, sum(paid) AS paid, count(*) AS n, max(last) AS last
              FROM r_slow WHERE pays GROUP BY adm, voucher_no) p
        WHERE k.adm = p.adm AND k.voucher_no = p.voucher_no;
    INSERT INTO r_stray
        SELECT adm, voucher_no, bank, min(day), sum(paid), count(*) FROM r_slow WHERE NOT pays
        GROUP BY adm, voucher_no, bank;
"""
"""The 回单 of the ``slow`` numbers, each matched to the voucher on its own (those rows only)."""


def _found_sql(unpaid_cutoff: datetime, uncleared_cutoff: datetime) -> str:
    return f"""
    CREATE OR REPLACE TEMP VIEW chain AS
        SELECT adm, voucher_no, bank, day, amount, paid, refund, cleared, applies, r_n, c_n,
               coalesce(paid, 0) - coalesce(refund, 0) - coalesce(cleared, 0) AS outstanding,
               CAST(day AS TIMESTAMP) + INTERVAL 1 DAY <= {_ts(unpaid_cutoff)} AS unpaid_due,
               CAST(greatest(r_last, coalesce(f_last, r_last)) AS TIMESTAMP) + INTERVAL 1 DAY
                   <= {_ts(uncleared_cutoff)} AS clear_due
        FROM k WHERE has_v;
    -- The vouchers that may be a break (a small share): the break queries below read these, not the chain.
    CREATE OR REPLACE TEMP TABLE flagged AS
        SELECT * FROM chain WHERE paid IS NULL OR paid <> amount OR applies > 1 OR outstanding <> 0;
    CREATE OR REPLACE TEMP VIEW c_unknown AS
        SELECT adm, voucher_no, c_bank AS bank, c_day AS day, cleared, c_n AS n FROM k
        WHERE NOT has_v AND c_n > 0;
    CREATE OR REPLACE TEMP TABLE f AS
        SELECT adm, refund_no, original_no, min(bank) AS bank, min(day) AS day, -sum(amount) AS amount,
               count(*) AS n
        FROM f_raw GROUP BY adm, refund_no, original_no;
    CREATE OR REPLACE TEMP TABLE c_twice AS
        SELECT x.adm, x.voucher_no, list_sort(list(x.clearing_no)) AS nos
        FROM c_raw x SEMI JOIN (SELECT adm, voucher_no FROM k WHERE applies > 1) d
             ON d.adm = x.adm AND d.voucher_no = x.voucher_no
        WHERE x.vt = '2301' GROUP BY x.adm, x.voucher_no;
    CREATE OR REPLACE TEMP TABLE found AS
        SELECT 'UNPAID' AS type, adm, bank, day, 'voucher:' || voucher_no AS ident, voucher_no,
               amount AS va, paid AS pa, refund AS fa, cleared AS ca, amount AS diff,
               CAST(NULL AS VARCHAR[]) AS nos, CAST(NULL AS VARCHAR) AS refund_no,
               CAST(NULL AS HUGEINT[]) AS quota
        FROM flagged WHERE paid IS NULL AND unpaid_due
        UNION ALL
        SELECT 'PAY_AMOUNT_MISMATCH', adm, bank, day, 'voucher:' || voucher_no, voucher_no,
               amount, paid, refund, cleared, amount - paid, NULL, NULL, NULL
        FROM flagged WHERE paid IS NOT NULL AND paid <> amount
        UNION ALL
        SELECT 'DOUBLE_CLEARED', ch.adm, ch.bank, ch.day, 'voucher:' || ch.voucher_no, ch.voucher_no,
               ch.amount, ch.paid, ch.refund, ch.cleared, ch.outstanding, t.nos, NULL, NULL
        FROM flagged ch JOIN c_twice t ON t.adm = ch.adm AND t.voucher_no = ch.voucher_no
        UNION ALL
        SELECT 'NOT_CLEARED', adm, bank, day, 'voucher:' || voucher_no, voucher_no,
               amount, paid, refund, cleared, outstanding, NULL, NULL, NULL
        FROM flagged WHERE applies <= 1 AND paid IS NOT NULL AND outstanding <> 0 AND clear_due
        UNION ALL
        SELECT 'PAY_AMOUNT_MISMATCH', s.adm, s.bank, s.day, 'receipt:' || s.voucher_no, s.voucher_no,
               NULL, s.paid, NULL, NULL, -s.paid, NULL, NULL, NULL
        FROM r_stray s
        UNION ALL
        SELECT 'CLEARED_UNKNOWN', adm, bank, day, 'voucher:' || voucher_no, voucher_no,
               NULL, NULL, NULL, cleared, -cleared, NULL, NULL, NULL
        FROM c_unknown
        UNION ALL
        SELECT 'REFUND_UNMATCHED', f.adm,
               CASE WHEN k.has_v THEN k.bank ELSE f.bank END,
               CASE WHEN k.has_v THEN k.day ELSE f.day END,
               'refund:' || f.refund_no || '|' || f.original_no, f.original_no,
               k.amount, NULL, f.amount, k.cleared, NULL, NULL, f.refund_no, NULL
        FROM f LEFT JOIN k ON k.adm = f.adm AND k.voucher_no = f.original_no
        WHERE NOT coalesce(k.has_v, false) OR k.r_n IS NULL
        UNION ALL
        SELECT 'QUOTA_IDENTITY', adm, bank, day, 'quota:' || statement_no || '#' || CAST(k AS VARCHAR),
               statement_no, NULL, NULL, NULL, NULL, pre + clr - reck - cur, NULL, NULL,
               [pre, clr, reck, cur]
        FROM (SELECT *, row_number() OVER (PARTITION BY adm, statement_no ORDER BY rid) AS k FROM q_raw)
        WHERE pre + clr - reck <> cur;
    """


_GROUPS_SQL = """
    WITH parts AS (
        SELECT adm, bank, day, 1 AS nv, amount AS av, coalesce(r_n, 0) AS nr, coalesce(paid, 0) AS ar,
               0 AS nf, 0 AS af, c_n AS nc, coalesce(cleared, 0) AS ac, 0 AS nq,
               CASE WHEN paid IS NULL AND NOT unpaid_due THEN 1 ELSE 0 END AS wp,
               CASE WHEN applies <= 1 AND paid IS NOT NULL AND outstanding <> 0 AND NOT clear_due
                    THEN 1 ELSE 0 END AS wc
        FROM chain
        UNION ALL
        SELECT adm, bank, day, 0, 0, n, paid, 0, 0, 0, 0, 0, 0, 0 FROM r_stray
        UNION ALL
        SELECT f.adm, CASE WHEN v.voucher_no IS NULL THEN f.bank ELSE v.bank END,
               CASE WHEN v.voucher_no IS NULL THEN f.day ELSE v.day END,
               0, 0, 0, 0, f.n, f.amount, 0, 0, 0, 0, 0
        FROM f LEFT JOIN (SELECT adm, voucher_no, bank, day FROM k WHERE has_v) v
             ON v.adm = f.adm AND v.voucher_no = f.original_no
        UNION ALL
        SELECT adm, bank, day, 0, 0, 0, 0, 0, 0, n, cleared, 0, 0, 0 FROM c_unknown
        UNION ALL
        SELECT adm, bank, day, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 FROM q_raw
    )
    SELECT adm, bank, day, CAST(sum(nv) AS BIGINT), CAST(sum(av) AS HUGEINT), CAST(sum(nr) AS BIGINT),
           CAST(sum(ar) AS HUGEINT), CAST(sum(nf) AS BIGINT), CAST(sum(af) AS HUGEINT),
           CAST(sum(nc) AS BIGINT), CAST(sum(ac) AS HUGEINT), CAST(sum(nq) AS BIGINT),
           CAST(sum(wp) AS BIGINT), CAST(sum(wc) AS BIGINT)
    FROM parts GROUP BY adm, bank, day
"""

_FOUND_SQL = "SELECT * FROM found"


@contextmanager
def _session(
    settings: EngineSettings, progress: Progress, input_bytes: int = 0
) -> Iterator[tuple[duckdb.DuckDBPyConnection, _Loader]]:
    with session(settings, "fiscalgw-payments-", input_bytes) as (con, workdir):
        con.execute(_TABLES_SQL)
        yield con, _Loader(con, workdir, progress)


def _classify(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    unpaid_window: timedelta,
    uncleared_window: timedelta,
    progress: Progress,
) -> PaymentReport:
    progress("matching vouchers, receipts, refunds and clearing")
    con.execute("SET preserve_insertion_order = false")
    unpaid_cutoff = china_cutoff(as_of, unpaid_window)
    uncleared_cutoff = china_cutoff(as_of, uncleared_window)
    con.execute(_CLASSIFY_SQL)
    slow = con.execute("SELECT count(*) FROM k WHERE slow").fetchone()
    if slow is not None and slow[0]:
        con.execute(_SLOW_RECEIPTS_SQL)
    con.execute(_found_sql(unpaid_cutoff, uncleared_cutoff))
    progress("summarising")
    groups: list[GroupRow] = [tuple(row) for row in con.execute(_GROUPS_SQL).fetchall()]
    found: list[FoundRow] = [
        (*row[:13], tuple(row[13]) if row[13] is not None else None)
        for row in con.execute(_FOUND_SQL).fetchall()
    ]
    return assemble_report(as_of, unpaid_window, uncleared_window, groups, found)


def reconcile_payment_files(
    files: list[tuple[Path, Role]],
    *,
    as_of: datetime,
    unpaid_window: timedelta = DEFAULT_UNPAID_WINDOW,
    uncleared_window: timedelta = DEFAULT_UNCLEARED_WINDOW,
    settings: EngineSettings | None = None,
    progress: Progress | None = None,
) -> PaymentReport:
    """Reconcile payment-chain files — each ``(path, role)`` a CSV / XLSX snapshot or an e-voucher / CFX
    document — as of ``as_of``. Raises :class:`~gateway.reconcile.errors.SnapshotError` subclasses for
    unusable input."""
    say: Progress = progress or silent
    china_cutoff(as_of, unpaid_window)  # refuses a naive as_of before any work
    kinds = [file_kind(path) for path, _role in files]
    check_payment_columns([f for f, kind in zip(files, kinds, strict=True) if kind not in _DOCUMENT_KINDS])
    size = sum(path.stat().st_size for path, _role in files if path.is_file())
    with _session(settings or EngineSettings(), say, size) as (con, loader):
        documents: list[tuple[Path, Role]] = []
        for (path, role), kind in zip(files, kinds, strict=True):
            if kind in _DOCUMENT_KINDS:
                documents.append((path, role))
            else:
                loader.load_file(path, role)
        if documents:
            say(f"reading {len(documents)} e-voucher / CFX document(s)")
            loader.load_columns(load_documents(documents))
        loader.finish()
        return _classify(con, as_of, unpaid_window, uncleared_window, say)


_DOCUMENT_KINDS = (FileKind.EVOUCHER, FileKind.CFX)


def check_payment_columns(files: list[tuple[Path, Role]]) -> None:
    """Every snapshot's header before any is read: every missing required column of every file is named in
    one error."""
    problems = []
    for path, role in files:
        header = snapshot_header(path)
        missing = [c for c in REQUIRED_COLUMNS[role] if c not in header]
        if missing:
            problems.append(MissingColumnsError(str(path), missing, PAYMENT_COLUMN_NAMES_ZH))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise MissingColumnsInSnapshots(problems)


def validate_payment_file(path: Path, role: Role, settings: EngineSettings | None = None) -> int:
    """Read and validate one payment input exactly as :func:`reconcile_payment_files` reads it (snapshot
    or e-voucher / CFX document; the same loader and errors); returns the rows (or document lines) read.
    ``fiscalgw validate --ledger`` uses it, so validate and reconcile cannot disagree about a file."""
    with _session(settings or EngineSettings(), silent) as (con, loader):
        if file_kind(path) in (FileKind.EVOUCHER, FileKind.CFX):
            loader.load_columns(load_documents([(path, role)]))
        else:
            loader.load_file(path, role)
        loader.finish()
        tables = ("v_raw", "r_raw", "f_raw", "c_raw", "q_raw")
        counts = con.execute("SELECT " + " + ".join(f"(SELECT count(*) FROM {t})" for t in tables)).fetchone()
        assert counts is not None
        return int(counts[0])


def reconcile_payment_columns(
    inputs: PaymentInputs,
    *,
    as_of: datetime,
    unpaid_window: timedelta = DEFAULT_UNPAID_WINDOW,
    uncleared_window: timedelta = DEFAULT_UNCLEARED_WINDOW,
    settings: EngineSettings | None = None,
    progress: Progress | None = None,
) -> PaymentReport:
    """Reconcile in-memory column lists (integer fen, ``date`` days, ``""`` for no bank) as of ``as_of``.

    The entry point for callers that already hold the rows (the store-side scheduler): no files, same
    rules and report as :func:`reconcile_payment_files`."""
    inputs.check()
    say: Progress = progress or silent
    china_cutoff(as_of, unpaid_window)
    with _session(settings or EngineSettings(), say) as (con, loader):
        loader.load_columns(inputs)
        loader.finish()
        return _classify(con, as_of, unpaid_window, uncleared_window, say)
