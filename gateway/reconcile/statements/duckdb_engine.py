"""The columnar statement engine: the inputs go to DuckDB as one joined string per column (split, cast and
unnested there, not inserted row by row) and the rules of :mod:`gateway.reconcile.statements.reference`
are SQL set operations; only statement summaries and breaks come back. A property test holds the two
engines to identical reports.

Entry point: :func:`reconcile_statement_columns` (plain column lists with integer fen, as the store reads
them: :meth:`gateway.store.statement_lines.StatementLineRepository.scope_inputs`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from gateway.reconcile._duckdb import EngineSettings, first_line, session
from gateway.reconcile.errors import ReconcileError
from gateway.reconcile.statements.columns import StatementInputs
from gateway.reconcile.statements.report import FoundRow, StatementReport, SummaryRow, assemble_report

_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "s_raw": (
        ("adm", "VARCHAR"),
        ("vt", "VARCHAR"),
        ("no", "VARCHAR"),
        ("day", "DATE"),
        ("bank", "VARCHAR"),
        ("etype", "VARCHAR"),
        ("all_num", "BIGINT"),
        ("all_amt", "HUGEINT"),
    ),
    "d_raw": (
        ("adm", "VARCHAR"),
        ("vt", "VARCHAR"),
        ("no", "VARCHAR"),
        ("voucher_no", "VARCHAR"),
        ("amt", "HUGEINT"),
        ("pro_state", "VARCHAR"),
    ),
    "v_raw": (("adm", "VARCHAR"), ("voucher_no", "VARCHAR")),
    "r_raw": (
        ("adm", "VARCHAR"),
        ("voucher_no", "VARCHAR"),
        ("bank", "VARCHAR"),
        ("day", "DATE"),
        ("amount", "HUGEINT"),
    ),
    "c_raw": (
        ("adm", "VARCHAR"),
        ("vt", "VARCHAR"),
        ("clearing_no", "VARCHAR"),
        ("voucher_no", "VARCHAR"),
        ("day", "DATE"),
        ("bank", "VARCHAR"),
        ("amount", "HUGEINT"),
    ),
    "q_raw": (
        ("adm", "VARCHAR"),
        ("vt", "VARCHAR"),
        ("no", "VARCHAR"),
        ("line", "BIGINT"),
        ("begin_day", "DATE"),
        ("end_day", "DATE"),
        ("bank", "VARCHAR"),
        ("pre", "HUGEINT"),
        ("clr", "HUGEINT"),
        ("reck", "HUGEINT"),
        ("cur", "HUGEINT"),
    ),
}

_CLASSIFY_SQL = """
CREATE TEMP TABLE vouchers AS SELECT DISTINCT adm, voucher_no FROM v_raw;
CREATE TEMP TABLE stmt AS
SELECT *,
       CASE WHEN etype IN ('2301', '2302') THEN 'C' || etype WHEN vt = '3502' THEN 'R' ELSE 'V' END AS src,
       CASE WHEN vt = '3502' THEN bank ELSE '' END AS gbank
FROM s_raw;
CREATE TEMP TABLE grp AS
SELECT adm, vt, src, gbank, day, min(no) AS first_no FROM stmt GROUP BY ALL;
CREATE TEMP TABLE facts AS
SELECT 'R' AS src, r.adm, r.voucher_no AS ident, r.bank, r.day, r.amount
FROM r_raw r SEMI JOIN vouchers v ON v.adm = r.adm AND v.voucher_no = r.voucher_no
UNION ALL
SELECT 'V', c.adm, c.voucher_no, c.bank, c.day,
       CASE WHEN c.vt = '2301' THEN c.amount ELSE -abs(c.amount) END
FROM c_raw c SEMI JOIN vouchers v ON v.adm = c.adm AND v.voucher_no = c.voucher_no
UNION ALL
SELECT 'C' || vt, adm, clearing_no, bank, day, amount FROM c_raw;
CREATE TEMP TABLE known AS
SELECT 'R' AS src, adm, voucher_no AS ident FROM vouchers
UNION ALL SELECT 'V', adm, voucher_no FROM vouchers
UNION ALL SELECT DISTINCT 'C' || vt, adm, clearing_no FROM c_raw;
CREATE TEMP TABLE listed AS
SELECT s.adm, s.vt, s.src, s.gbank, s.day, d.voucher_no AS ident, sum(d.amt) AS amount
FROM stmt s JOIN d_raw d ON d.adm = s.adm AND d.vt = s.vt AND d.no = s.no
GROUP BY ALL;
CREATE TEMP TABLE held AS
SELECT g.adm, g.vt, g.src, g.gbank, g.day, f.ident, sum(f.amount) AS amount
FROM grp g JOIN facts f
  ON f.src = g.src AND f.adm = g.adm AND f.day = g.day
 AND (g.gbank = '' OR f.bank = '' OR f.bank = g.gbank)
GROUP BY ALL;
CREATE TEMP TABLE held_any AS
SELECT src, adm, day, ident, sum(amount) AS amount FROM facts GROUP BY ALL;
CREATE TEMP TABLE own AS
SELECT s.adm, s.vt, s.no, s.day, s.bank, s.etype, s.all_num, s.all_amt, s.gbank,
       count(d.voucher_no) AS n, coalesce(sum(d.amt), 0) AS total
FROM stmt s LEFT JOIN d_raw d ON d.adm = s.adm AND d.vt = s.vt AND d.no = s.no
GROUP BY ALL;
CREATE TEMP TABLE cleared AS
SELECT adm, day, sum(CASE WHEN vt = '2301' THEN amount ELSE -abs(amount) END) AS amount
FROM c_raw GROUP BY ALL;
"""

_FLAGGED_SQL = """
CREATE TEMP TABLE flagged AS
SELECT l.*, k.ident IS NULL AS unknown, h.amount AS held
FROM listed l
LEFT JOIN known k ON k.src = l.src AND k.adm = l.adm AND k.ident = l.ident
LEFT JOIN held_any h ON h.src = l.src AND h.adm = l.adm AND h.day = l.day AND h.ident = l.ident
WHERE k.ident IS NULL OR l.amount <> coalesce(h.amount, 0);
CREATE TEMP TABLE flagged_lists AS
SELECT f.adm, f.vt, f.src, f.gbank, f.day, f.ident,
       list(DISTINCT s.no ORDER BY s.no) AS nos, list(DISTINCT d.pro_state ORDER BY d.pro_state) AS states
FROM flagged f
JOIN stmt s ON s.adm = f.adm AND s.vt = f.vt AND s.src = f.src AND s.gbank = f.gbank AND s.day = f.day
JOIN d_raw d ON d.adm = s.adm AND d.vt = s.vt AND d.no = s.no AND d.voucher_no = f.ident
GROUP BY ALL;
"""
"""The listed vouchers that break, and only for them the statements listing them and their ProState."""

_FOUND_SQL = """
SELECT CASE WHEN f.unknown THEN 'STATEMENT_UNKNOWN' ELSE 'STATEMENT_AMOUNT_MISMATCH' END,
       f.adm, f.vt, f.gbank, f.day, x.nos[1], f.src || ':' || f.ident, f.ident, f.amount,
       CASE WHEN f.unknown THEN NULL ELSE f.held END,
       f.amount - CASE WHEN f.unknown THEN 0 ELSE coalesce(f.held, 0) END,
       x.nos, x.states, NULL, NULL, NULL, NULL, NULL, NULL
FROM flagged f
JOIN flagged_lists x ON x.adm = f.adm AND x.vt = f.vt AND x.src = f.src AND x.gbank = f.gbank
                    AND x.day = f.day AND x.ident = f.ident
UNION ALL
SELECT 'STATEMENT_OMITTED', h.adm, h.vt, h.gbank, h.day, g.first_no, h.src || ':' || h.ident, h.ident,
       NULL, h.amount, -h.amount, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM held h
JOIN grp g ON g.adm = h.adm AND g.vt = h.vt AND g.src = h.src AND g.gbank = h.gbank AND g.day = h.day
ANTI JOIN listed l ON l.adm = h.adm AND l.vt = h.vt AND l.src = h.src AND l.gbank = h.gbank
                  AND l.day = h.day AND l.ident = h.ident
WHERE h.amount <> 0
UNION ALL
SELECT 'STATEMENT_TOTALS', adm, vt, gbank, day, no, 'statement:' || no, no, all_amt, total, all_amt - total,
       NULL, NULL, all_num, n, NULL, NULL, NULL, NULL
FROM own WHERE n <> all_num OR total <> all_amt
UNION ALL
SELECT 'QUOTA_IDENTITY', adm, vt, bank, end_day, no, 'quota:' || no || '#' || line, no, NULL, NULL,
       pre + clr - reck - cur, NULL, NULL, NULL, NULL, pre, clr, reck, cur
FROM q_raw WHERE pre + clr - reck - cur <> 0
UNION ALL
SELECT 'QUOTA_CLEARED_MISMATCH', q.adm, q.vt, q.bank, q.end_day, q.no, 'quota:' || q.no, q.no, q.reck,
       c.amount, q.reck - coalesce(c.amount, 0), NULL, NULL, NULL, NULL, q.pre, q.clr, q.reck, q.cur
FROM q_raw q LEFT JOIN cleared c ON c.adm = q.adm AND c.day = q.end_day
WHERE q.line = 0 AND q.begin_day = q.end_day AND q.reck <> coalesce(c.amount, 0)
"""

_SUMMARY_SQL = """
SELECT adm, vt, no, day, bank, etype, all_num, all_amt, n, total FROM own
UNION ALL
SELECT h.adm, h.vt, h.no, h.end_day, h.bank, '', count(d.line), NULL, count(d.line), h.reck
FROM q_raw h LEFT JOIN q_raw d ON d.adm = h.adm AND d.no = h.no AND d.line > 0
WHERE h.line = 0
GROUP BY h.adm, h.vt, h.no, h.end_day, h.bank, h.reck
"""


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _found(row: tuple[Any, ...]) -> FoundRow:
    kind, adm, vt, bank, day, no, ident, voucher_no, sa, ha, diff, nos, states, *rest = row
    all_num, n, pre, clr, reck, cur = rest
    counts = None if all_num is None else (int(all_num), int(n))
    quota = None if pre is None else (int(pre), int(clr), int(reck), int(cur))
    return (
        str(kind),
        str(adm),
        str(vt),
        str(bank),
        day,
        str(no),
        str(ident),
        str(voucher_no),
        _int(sa),
        _int(ha),
        _int(diff),
        None if nos is None else [str(x) for x in nos],
        None if states is None else sorted(str(x) for x in states),
        counts,
        quota,
    )


def _summary(row: tuple[Any, ...]) -> SummaryRow:
    adm, vt, no, day, bank, etype, declared, declared_fen, lines, line_fen = row
    assert isinstance(day, date)
    return (
        str(adm),
        str(vt),
        str(no),
        day,
        str(bank),
        str(etype),
        int(declared),
        _int(declared_fen),
        int(lines),
        int(line_fen),
    )


_SEP = "\x1f"
"""Joins a column's values into one string parameter (ASCII unit separator)."""


def _packed(values: list[Any], sql_type: str) -> str | None:
    """A column as one ``\x1f``-joined string (one parameter conversion instead of one per value), or
    ``None`` when a text value itself holds the separator (the column then goes as a list)."""
    if sql_type == "VARCHAR":
        text = _SEP.join(values)
        return text if text.count(_SEP) == len(values) - 1 else None
    if sql_type == "DATE":
        return _SEP.join(map(date.isoformat, values))
    return _SEP.join(map(str, values))


def _load(con: duckdb.DuckDBPyConnection, inputs: StatementInputs) -> None:
    """Create the raw tables and fill them: each column goes to DuckDB as one joined string, split and cast
    there (no per-value Python work), or as a typed list when its text holds the separator."""
    parts = (
        ("s_raw", inputs.statements.columns()),
        ("d_raw", inputs.details.columns()),
        ("v_raw", inputs.vouchers.columns()),
        ("r_raw", inputs.receipts.columns()),
        ("c_raw", inputs.clearing.columns()),
        ("q_raw", inputs.quota.columns()),
    )
    for table, columns in parts:
        spec = _TABLES[table]
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, t in spec)})")
        if not columns[0]:
            continue
        values: list[str] = []
        params: list[Any] = []
        for (_name, sql_type), column in zip(spec, columns, strict=True):
            packed = _packed(column, sql_type)
            if packed is None:
                values.append(f"unnest(CAST(? AS {sql_type}[]))")
                params.append(column)
            else:
                values.append(f"CAST(unnest(string_split(?, chr(31))) AS {sql_type})")
                params.append(packed)
        con.execute(f"INSERT INTO {table} SELECT {', '.join(values)}", params)


def reconcile_statement_columns(
    inputs: StatementInputs, *, as_of: datetime, settings: EngineSettings | None = None
) -> StatementReport:
    """Reconcile in-memory column lists (integer fen, ``date`` days, ``""`` for no code) as of ``as_of``."""
    inputs.check()
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    with session(settings or EngineSettings(), "fiscalgw-statements-") as (con, _tmp):
        try:
            _load(con, inputs)
            con.execute(_CLASSIFY_SQL)
            con.execute(_FLAGGED_SQL)
            found = [_found(tuple(r)) for r in con.execute(_FOUND_SQL).fetchall()]
            summaries = [_summary(tuple(r)) for r in con.execute(_SUMMARY_SQL).fetchall()]
        except duckdb.Error as exc:  # out of memory, disk full …: not the inputs' fault
            raise ReconcileError(f"statement reconciliation: DuckDB failed: {first_line(exc)}") from None
    return assemble_report(as_of, summaries, found)
