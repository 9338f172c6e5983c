"""Benchmark: the indicator reconciliation engine against DuckDB's raw join on the same data.

    .venv/bin/python bench/reconcile.py                 # 1 M rows
    .venv/bin/python bench/reconcile.py --rows 1000000 --rows 10000000

For each size it generates an upper and a lower BA_BGT_INFO snapshot (CSV, UTF-8) with about 2.5 % injected
breaks (missing in lower, amount and attribute mismatches, missing in upper, duplicates; one lower row in
ten matched by document instead of id), then, each step in its own child process so that peak RSS is per
step, measures:

* ``engine``   : our engine end to end (read + validate both CSVs, classify, breaks into Python objects);
* ``raw_join`` : DuckDB reading the same CSVs (auto-detected types) and classifying with one full outer
                 join on BGT_ID = ORI_BGT_ID (no validation, no document matching, counts only);
* ``load``     : our loading/validation of both CSVs alone;
* ``raw_read`` : DuckDB reading both CSVs into tables (``read_csv`` auto-detect).

Each step runs ``--repeat`` times (default 3) and the fastest run counts. It prints seconds, CPU seconds
(user + system of the step's process: steadier than wall time on a shared machine), peak RSS and the ratios
engine/raw_join and load/raw_read. Goals (issues #5 and #16): engine ≤ 1.5× the raw join at 10 M rows with
≤ 4 GB peak RSS, load ≤ 1.3× the raw read at 1 M rows. Data goes to a temporary directory (or ``--dir``) and
is removed after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)

_UPPER_SQL = """
COPY (
    SELECT 'B' || lpad(CAST(i AS VARCHAR), 10, '0') AS BGT_ID,
           '330000000' AS MOF_DIV_CODE,
           '3303' || lpad(CAST(i % 12 + 1 AS VARCHAR), 2, '0') || '000' AS REC_DIV_CODE,
           CASE WHEN i % 7 = 0 THEN '2025' ELSE '2026' END AS FISCAL_YEAR,
           '浙财预〔2026〕' || CAST(i // 2 AS VARCHAR) || '号' AS COR_BGT_DOC_NO,
           '' AS SUP_BGT_DOC_NO,
           '关于下达2026年转移支付资金的通知' AS BGT_DOC_TITLE,
           '2026-03-01' AS DOC_DATE,
           '' AS BGT_DEC,
           '33000026P' || lpad(CAST(i % 9973 AS VARCHAR), 6, '0') AS PRO_CODE,
           '111' AS FUND_TYPE_CODE,
           '2130' || CAST(i % 3 AS VARCHAR) AS EXP_FUNC_CODE,
           '23004' || lpad(CAST(i % 20 AS VARCHAR), 2, '0') AS TP_FUNC_CODE,
           '51301' AS GOV_BGT_ECO_CODE,
           '1' AS DISTRI_TYPE_CODE,
           '2' AS IS_TRACK,
           CAST(CAST((i * 7919) % 100000000 AS DECIMAL(20, 2)) / 100 AS DECIMAL(20, 2)) AS AMOUNT,
           '' AS ORI_BGT_ID,
           CASE WHEN i % 997 = 0 THEN '1' ELSE '2' END AS IS_DELETED,
           CASE WHEN i % 200 = 5 THEN '2026-03-31 12:00:00' ELSE '2026-03-01 09:00:00' END AS CREATE_TIME
    FROM range({n}) t(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

# i % 200: 0 missing in lower, 1 amount mismatch, 2 attribute mismatch, 3 also an extra lower-only row,
# 4 duplicated ORI_BGT_ID; i % 10 = 6 matched by document (no ORI_BGT_ID) — about 2.5 % breaks in all.
_LOWER_SQL = """
COPY (
    SELECT 'L' || lpad(CAST(j AS VARCHAR), 11, '0') AS BGT_ID,
           '3303' || lpad(CAST(i % 12 + 1 AS VARCHAR), 2, '0') || '000' AS MOF_DIV_CODE,
           '' AS REC_DIV_CODE,
           CASE WHEN i % 7 = 0 THEN '2025' ELSE '2026' END AS FISCAL_YEAR,
           '温财预〔2026〕' || CAST(j AS VARCHAR) || '号' AS COR_BGT_DOC_NO,
           CASE WHEN extra THEN '浙财预〔2026〕X' || CAST(i AS VARCHAR) || '号'
                ELSE '浙财预〔2026〕' || CAST(i // 2 AS VARCHAR) || '号' END AS SUP_BGT_DOC_NO,
           CASE WHEN i % 200 = 2 THEN '关于下达2026年转移支付资金的通知（更正）'
                ELSE '关于下达2026年转移支付资金的通知' END AS BGT_DOC_TITLE,
           '2026-03-01' AS DOC_DATE,
           '' AS BGT_DEC,
           '33000026P' || lpad(CAST(i % 9973 AS VARCHAR), 6, '0') AS PRO_CODE,
           '111' AS FUND_TYPE_CODE,
           '2130' || CAST(i % 3 AS VARCHAR) AS EXP_FUNC_CODE,
           '23004' || lpad(CAST(i % 20 AS VARCHAR), 2, '0') AS TP_FUNC_CODE,
           '51301' AS GOV_BGT_ECO_CODE,
           '1' AS DISTRI_TYPE_CODE,
           '2' AS IS_TRACK,
           CAST(CAST((i * 7919) % 100000000 AS DECIMAL(20, 2)) / 100
                + CASE WHEN i % 200 = 1 THEN 1 ELSE 0 END AS DECIMAL(20, 2)) AS AMOUNT,
           CASE WHEN extra OR i % 10 = 6 THEN ''
                ELSE 'B' || lpad(CAST(i AS VARCHAR), 10, '0') END AS ORI_BGT_ID,
           CASE WHEN i % 997 = 0 THEN '1' ELSE '2' END AS IS_DELETED,
           '2026-03-02 09:00:00' AS CREATE_TIME
    FROM (
        SELECT i, i * 2 + copy AS j, copy = 1 AND i % 200 = 3 AS extra FROM range({n}) t(i),
               (SELECT unnest([0, 1]) AS copy) c
        WHERE (copy = 0 AND i % 200 <> 0) OR (copy = 1 AND i % 200 IN (3, 4))
    )
) TO '{path}' (HEADER, DELIMITER ',')
"""

_RAW_JOIN_SQL = """
CREATE TABLE up AS SELECT * FROM read_csv('{upper}');
CREATE TABLE lo AS SELECT * FROM read_csv('{lower}');
CREATE TABLE result AS
SELECT CASE WHEN l.ORI_BGT_ID IS NULL THEN 'MISSING_IN_LOWER'
            WHEN u.BGT_ID IS NULL THEN 'MISSING_IN_UPPER'
            WHEN u.AMOUNT <> l.AMOUNT THEN 'AMOUNT_MISMATCH'
            WHEN u.BGT_DOC_TITLE IS DISTINCT FROM l.BGT_DOC_TITLE THEN 'ATTRIBUTE_MISMATCH'
            ELSE 'OK' END AS kind, count(*) AS n
FROM (SELECT * FROM up WHERE IS_DELETED <> 1) u
FULL OUTER JOIN (SELECT * FROM lo WHERE IS_DELETED <> 1) l
  ON u.BGT_ID = l.ORI_BGT_ID AND u.REC_DIV_CODE = l.MOF_DIV_CODE AND u.FISCAL_YEAR = l.FISCAL_YEAR
GROUP BY ALL;
"""


THREADS = os.cpu_count() or 1
"""Both sides run with the same DuckDB thread count (the machine's cores)."""


def _child(step: str, upper: Path, lower: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    detail: dict[str, object] = {}
    if step == "engine":
        from gateway.reconcile import EngineSettings, reconcile_indicator_files

        report = reconcile_indicator_files(
            upper,
            lower,
            as_of=AS_OF,
            in_transit_window=timedelta(hours=48),
            settings=EngineSettings(threads=THREADS),
        )
        detail = {
            "breaks": len(report.breaks),
            "in_transit": len(report.in_transit),
            "pairs": len(report.pairs),
        }
        elapsed = time.perf_counter() - started
        from gateway.reconcile.report.json import render_json

        detail["json_seconds"] = round(_timed(render_json, report), 3)
    elif step == "load":
        from gateway.reconcile import EngineSettings
        from gateway.reconcile.indicators.duckdb_engine import load_only

        load_only(upper, lower, EngineSettings(threads=THREADS))
        elapsed = time.perf_counter() - started
    elif step == "raw_join":
        con = duckdb.connect(config={"threads": THREADS})
        con.execute(_RAW_JOIN_SQL.format(upper=upper, lower=lower))
        detail = {r[0]: r[1] for r in con.execute("SELECT * FROM result").fetchall()}
        elapsed = time.perf_counter() - started
    elif step == "raw_read":
        con = duckdb.connect(config={"threads": THREADS})
        con.execute(f"CREATE TABLE up AS SELECT * FROM read_csv('{upper}')")
        con.execute(f"CREATE TABLE lo AS SELECT * FROM read_csv('{lower}')")
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


def _timed(function: object, *args: object) -> float:
    assert callable(function)
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _best_of(repeat: int, step: str, upper: Path, lower: Path) -> dict[str, object]:
    """The fastest of ``repeat`` runs (the machine may be shared); peak RSS is the largest seen."""
    runs = [_run_step(step, upper, lower) for _ in range(repeat)]
    best = min(runs, key=lambda r: float(str(r["seconds"])))
    return {**best, "peak_rss_mib": max(int(str(r["peak_rss_mib"])) for r in runs), "runs": len(runs)}


def _run_step(step: str, upper: Path, lower: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(upper), str(lower)],
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


def _generate(n: int, directory: Path) -> tuple[Path, Path]:
    upper, lower = directory / f"upper_{n}.csv", directory / f"lower_{n}.csv"
    con = duckdb.connect()
    con.execute(_UPPER_SQL.format(n=n, path=upper))
    con.execute(_LOWER_SQL.format(n=n, path=lower))
    con.close()
    return upper, lower


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, action="append", help="rows per side (repeatable; default 1 M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the fastest counts (default 3)")
    parser.add_argument("--dir", type=Path, help="where to write the generated CSVs (default: a temp dir)")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "UPPER", "LOWER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, upper, lower = args.child
        print(json.dumps(_child(step, Path(upper), Path(lower))))
        return 0
    sizes = args.rows or [1_000_000]
    workdir = Path(tempfile.mkdtemp(prefix="fiscalgw-bench-", dir=args.dir))
    try:
        for n in sizes:
            started = time.perf_counter()
            upper, lower = _generate(n, workdir)
            mib = (upper.stat().st_size + lower.stat().st_size) / 2**20
            print(
                f"== {n:,} rows per side ({mib:,.0f} MiB of CSV, "
                f"generated in {time.perf_counter() - started:.1f} s; same files and "
                f"DuckDB threads = {THREADS} for every step; load average {os.getloadavg()[0]:.2f})"
            )
            results = {
                step: _best_of(args.repeat, step, upper, lower)
                for step in ("raw_join", "engine", "raw_read", "load")
            }
            for result in results.values():
                print("  " + json.dumps(result, ensure_ascii=False))
            ratio = float(str(results["engine"]["seconds"])) / float(str(results["raw_join"]["seconds"]))
            load_ratio = float(str(results["load"]["seconds"])) / float(str(results["raw_read"]["seconds"]))
            cpu = {step: float(str(result["cpu_seconds"])) for step, result in results.items()}
            load_cpu = cpu["load"] / cpu["raw_read"]
            print(
                f"  engine / DuckDB raw join : {ratio:.2f}x wall, {cpu['engine'] / cpu['raw_join']:.2f}x CPU"
                "   (goal <= 1.5x at 10 M rows)"
            )
            print(
                f"  load   / DuckDB raw read : {load_ratio:.2f}x wall, {load_cpu:.2f}x CPU"
                "   (goal <= 1.3x at 1 M rows)"
            )
            print(
                f"  engine peak RSS          : {results['engine']['peak_rss_mib']} MiB   (goal <= 4096 MiB)"
            )
            upper.unlink()
            lower.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
