"""Benchmark: the payment reconciliation engine against DuckDB's raw join on the same data.

    .venv/bin/python bench/reconcile_payments.py                    # 1 M vouchers
    .venv/bin/python bench/reconcile_payments.py --vouchers 1000000 --repeat 1

It generates one day-range of the three-way chain as CSV snapshots (UTF-8): vouchers, receipts (with 2252
refunds), clearing lines (2301 / 2302) and a few 3510 lines, with about 3 % injected breaks of every type
(i % 200: 0 unpaid, 1 paid amount differs, 2 never cleared, 3 cleared twice, 4 refund of an unknown voucher,
5 a clearing line for a voucher finance never sent; i % 100 = 50 a refund returned by a 2302), then, each
step in its own child process so that peak RSS is per step, measures:

* ``engine``   : our engine end to end (read + validate the four CSVs, aggregate, classify, breaks into
                 Python objects);
* ``raw_join`` : DuckDB reading the same CSVs (auto-detected types) and classifying with one full outer
                 join of per-voucher aggregates (no validation, no windows, no refunds, counts only).

Each step runs ``--repeat`` times (default 3) and the fastest run counts; peak RSS is the largest seen.
CPU seconds (user + system, of the step's process) are printed too: on a shared machine they are steadier
than wall time.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
BANKS = 12

_VOUCHERS_SQL = """
COPY (
    SELECT '330324' AS ADM_DIV_CODE, CASE WHEN i % 3 = 0 THEN '8202' ELSE '5201' END AS VT_CODE,
           'V' || lpad(CAST(i AS VARCHAR), 10, '0') AS VOUCHER_NO,
           strftime(DATE '2026-03-01' + CAST(i % 20 AS INTEGER), '%Y%m%d') AS VOU_DATE,
           CAST(100 + i % {banks} AS VARCHAR) AS PAY_BANK_CODE,
           CAST(CAST(1 + (i * 7919) % 10000000 AS DECIMAL(20, 2)) / 100 AS DECIMAL(20, 2)) AS PAY_AMT
    FROM range({n}) t(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

_RECEIPTS_SQL = """
COPY (
    SELECT '330324' AS ADM_DIV_CODE, '5201' AS VT_CODE,
           'V' || lpad(CAST(i AS VARCHAR), 10, '0') AS VOUCHER_NO,
           strftime(DATE '2026-03-01' + CAST(i % 20 AS INTEGER), '%Y%m%d') AS VOU_DATE,
           CAST(100 + i % {banks} AS VARCHAR) AS PAY_BANK_CODE,
           CAST(CAST(1 + (i * 7919) % 10000000 AS DECIMAL(20, 2)) / 100
                - CASE WHEN i % 200 = 1 THEN 1 ELSE 0 END AS DECIMAL(20, 2)) AS X_PAY_AMT,
           strftime(DATE '2026-03-01' + CAST(i % 20 AS INTEGER), '%Y%m%d') AS X_PAY_DATE,
           '' AS ORIGINAL_VOUCHER_NO, '' AS PAY_AMT
    FROM range({n}) t(i) WHERE i % 200 <> 0
    UNION ALL
    SELECT '330324', '2252', 'R' || lpad(CAST(i AS VARCHAR), 10, '0'),
           strftime(DATE '2026-03-01' + CAST(i % 20 AS INTEGER), '%Y%m%d'), '', '', '',
           CASE WHEN i % 200 = 4 THEN 'U' ELSE 'V' END || lpad(CAST(i AS VARCHAR), 10, '0'), '-1.00'
    FROM range({n}) t(i) WHERE i % 200 = 4 OR i % 100 = 50
) TO '{path}' (HEADER, DELIMITER ',')
"""

_CLEARING_SQL = """
COPY (
    SELECT '330324' AS ADM_DIV_CODE, '2301' AS VT_CODE,
           'C' || CAST(i % {banks} AS VARCHAR) || '-' || CAST(i % 20 AS VARCHAR) AS CLEARING_NO,
           CASE WHEN i % 200 = 5 THEN 'X' ELSE 'V' END || lpad(CAST(i AS VARCHAR), 10, '0') AS VOUCHER_NO,
           strftime(DATE '2026-03-01' + CAST(i % 20 AS INTEGER), '%Y%m%d') AS VOU_DATE,
           CAST(100 + i % {banks} AS VARCHAR) AS PAY_BANK_CODE,
           CAST(CAST(1 + (i * 7919) % 10000000 AS DECIMAL(20, 2)) / 100
                - CASE WHEN i % 200 = 1 THEN 1 ELSE 0 END AS DECIMAL(20, 2)) AS PAY_AMT
    FROM range({n}) t(i) WHERE i % 200 NOT IN (0, 2)
    UNION ALL
    SELECT '330324', '2301', 'D' || CAST(i % 20 AS VARCHAR), 'V' || lpad(CAST(i AS VARCHAR), 10, '0'),
           strftime(DATE '2026-03-02' + CAST(i % 20 AS INTEGER), '%Y%m%d'),
           CAST(100 + i % {banks} AS VARCHAR),
           CAST(CAST(1 + (i * 7919) % 10000000 AS DECIMAL(20, 2)) / 100 AS DECIMAL(20, 2))
    FROM range({n}) t(i) WHERE i % 200 = 3
    UNION ALL
    SELECT '330324', '2302', 'E' || CAST(i % 20 AS VARCHAR), 'V' || lpad(CAST(i AS VARCHAR), 10, '0'),
           strftime(DATE '2026-03-02' + CAST(i % 20 AS INTEGER), '%Y%m%d'),
           CAST(100 + i % {banks} AS VARCHAR),
           '-1.00'
    FROM range({n}) t(i) WHERE i % 100 = 50
) TO '{path}' (HEADER, DELIMITER ',')
"""

_QUOTA_SQL = """
COPY (
    SELECT '330324' AS ADM_DIV_CODE, 'Q' || CAST(b AS VARCHAR) AS VOUCHER_NO, '20260331' AS END_DATE,
           CAST(100 + b AS VARCHAR) AS PAY_BANK_CODE, '1000.00' AS PRE_DATE_MONEY, '500.00' AS CLEAR_AMT,
           '300.00' AS CUR_RECK_MONEY, CASE WHEN b = 0 THEN '1.00' ELSE '1200.00' END AS CUR_DATE_MONEY
    FROM range({banks}) t(b)
) TO '{path}' (HEADER, DELIMITER ',')
"""

_RAW_JOIN_SQL = """
CREATE TABLE v AS SELECT * FROM read_csv('{vouchers}');
CREATE TABLE r AS SELECT * FROM read_csv('{receipts}');
CREATE TABLE c AS SELECT * FROM read_csv('{clearing}');
CREATE TABLE result AS
WITH rv AS (SELECT ADM_DIV_CODE, VOUCHER_NO, sum(X_PAY_AMT) AS paid FROM r WHERE VT_CODE <> 2252
            GROUP BY ALL),
     cv AS (SELECT ADM_DIV_CODE, VOUCHER_NO, sum(PAY_AMT) AS cleared,
                   count(*) FILTER (WHERE VT_CODE = 2301) AS n
            FROM c GROUP BY ALL)
SELECT CASE WHEN v.VOUCHER_NO IS NULL AND cv.VOUCHER_NO IS NOT NULL THEN 'CLEARED_UNKNOWN'
            WHEN v.VOUCHER_NO IS NULL THEN 'RECEIPT_UNKNOWN'
            WHEN rv.paid IS NULL THEN 'UNPAID'
            WHEN rv.paid <> v.PAY_AMT THEN 'PAY_AMOUNT_MISMATCH'
            WHEN cv.n > 1 THEN 'DOUBLE_CLEARED'
            WHEN coalesce(cv.cleared, 0) <> rv.paid THEN 'NOT_CLEARED'
            ELSE 'OK' END AS kind, count(*) AS n
FROM v
FULL OUTER JOIN rv ON rv.ADM_DIV_CODE = v.ADM_DIV_CODE AND rv.VOUCHER_NO = v.VOUCHER_NO
FULL OUTER JOIN cv ON cv.ADM_DIV_CODE = coalesce(v.ADM_DIV_CODE, rv.ADM_DIV_CODE)
                  AND cv.VOUCHER_NO = coalesce(v.VOUCHER_NO, rv.VOUCHER_NO)
GROUP BY ALL;
"""


def _child(step: str, directory: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    paths = {name: directory / f"{name}.csv" for name in ("vouchers", "receipts", "clearing", "quota")}
    started = time.perf_counter()
    detail: dict[str, object] = {}
    if step == "engine":
        from gateway.reconcile.payments.columns import Role
        from gateway.reconcile.payments.duckdb_engine import reconcile_payment_files

        files = [
            (paths["vouchers"], Role.VOUCHERS),
            (paths["receipts"], Role.RECEIPTS),
            (paths["clearing"], Role.CLEARING),
            (paths["quota"], Role.QUOTA),
        ]
        report = reconcile_payment_files(files, as_of=AS_OF)
        elapsed = time.perf_counter() - started
        counts: dict[str, int] = {}
        for item in report.breaks:
            counts[item.type.value] = counts.get(item.type.value, 0) + 1
        detail = {"groups": len(report.groups), "breaks": len(report.breaks), **counts}
    elif step == "raw_join":
        con = duckdb.connect()
        con.execute(_RAW_JOIN_SQL.format(**{k: str(v) for k, v in paths.items()}))
        detail = {r[0]: r[1] for r in con.execute("SELECT * FROM result").fetchall()}
        elapsed = time.perf_counter() - started
    else:
        raise SystemExit(f"unknown step {step}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "step": step,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        **detail,
    }


def _run_step(step: str, directory: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(directory)],
        check=False,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        last = [line for line in done.stderr.splitlines() if line.strip()][-3:]
        raise SystemExit(f"bench step {step} failed (exit {done.returncode}): {' / '.join(last)}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _best_of(repeat: int, step: str, directory: Path) -> dict[str, object]:
    runs = [_run_step(step, directory) for _ in range(repeat)]
    best = min(runs, key=lambda r: float(str(r["seconds"])))
    return {**best, "peak_rss_mib": max(int(str(r["peak_rss_mib"])) for r in runs), "runs": len(runs)}


def _generate(n: int, directory: Path) -> None:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for name, sql in (
        ("vouchers", _VOUCHERS_SQL),
        ("receipts", _RECEIPTS_SQL),
        ("clearing", _CLEARING_SQL),
        ("quota", _QUOTA_SQL),
    ):
        con.execute(sql.format(n=n, banks=BANKS, path=directory / f"{name}.csv"))
    con.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, action="append", help="vouchers (repeatable; default 1 M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the fastest counts (default 3)")
    parser.add_argument("--dir", type=Path, help="where to write the generated CSVs (default: a temp dir)")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, directory = args.child
        print(json.dumps(_child(step, Path(directory))))
        return 0
    for n in args.vouchers or [1_000_000]:
        workdir = Path(tempfile.mkdtemp(prefix="fiscalgw-bench-payments-", dir=args.dir))
        try:
            started = time.perf_counter()
            _generate(n, workdir)
            mib = sum(p.stat().st_size for p in workdir.glob("*.csv")) / 2**20
            seconds = time.perf_counter() - started
            print(f"== {n:,} vouchers ({mib:,.0f} MiB of CSV, generated in {seconds:.1f} s)")
            results = {step: _best_of(args.repeat, step, workdir) for step in ("raw_join", "engine")}
            for result in results.values():
                print("  " + json.dumps(result, ensure_ascii=False))
            ratio = float(str(results["engine"]["seconds"])) / float(str(results["raw_join"]["seconds"]))
            cpu = float(str(results["engine"]["cpu_seconds"])) / float(
                str(results["raw_join"]["cpu_seconds"])
            )
            print(f"  engine / DuckDB raw join : {ratio:.2f}x wall, {cpu:.2f}x CPU (user + system)")
            print(f"  engine peak RSS          : {results['engine']['peak_rss_mib']} MiB")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
