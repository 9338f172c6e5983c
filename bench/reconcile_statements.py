"""Benchmark: the statement reconciliation (凭证对账, kind ``statements``) against DuckDB's raw join.

    .venv/bin/python bench/reconcile_statements.py                   # 100 k vouchers
    .venv/bin/python bench/reconcile_statements.py --vouchers 1000000 --repeat 1

It builds one division-day in memory, as the store hands it to the engine (plain column lists, integer fen):
``--vouchers`` 5201 payment vouchers, each with its 回单 and a 2301 clearing line, and every voucher listed
in a 3501 (PBOC) and a 3502 (agency bank) 对账单 of 1,000 details each — so 2 × ``--vouchers`` details —
with about 1 % of the 回单 paid one fen off (so about 2 % of the details break). Then it times:

* ``engine``    : :func:`gateway.reconcile.statements.duckdb_engine.reconcile_statement_columns` (load the
                  columns into DuckDB, classify, breaks and summaries into Python objects);
* ``reference`` : the pure-Python reference engine on the same inputs (the two reports must be equal);
* ``raw_join``  : DuckDB loading the same detail and 回单 columns by ``unnest`` and counting the details
                  whose amount differs from the 回单's with one full outer join (no statement totals, no
                  omissions, no clearing side, no Python objects) — a lower bound, not like for like.

Best of ``--repeat`` (default 3) wall seconds, plus the process CPU of the best run; prints the ratios
engine / raw_join and engine / reference. Not a test: it never asserts on timing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.reconcile.statements.columns import StatementInputs  # noqa: E402
from gateway.reconcile.statements.duckdb_engine import reconcile_statement_columns  # noqa: E402
from gateway.reconcile.statements.reference import reconcile_statements_reference  # noqa: E402

DIVISION = "330324"
DAY = date(2026, 3, 17)
AS_OF = datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
PER_STATEMENT = 1000
BANK = "102"
CLEAR_BANK = "102333300018"


def build(vouchers: int, seed: int = 7) -> StatementInputs:
    """One division-day: vouchers with 回单 and clearing lines, all listed in a 3501 and a 3502."""
    rng = random.Random(seed)
    inputs = StatementInputs()
    listed = [10_000 + (n % 97) for n in range(vouchers)]  # fen, what the statements list
    for vt in ("3501", "3502"):
        for first in range(0, vouchers, PER_STATEMENT):
            numbers = range(first, min(first + PER_STATEMENT, vouchers))
            statement_no = f"{vt}-S{first // PER_STATEMENT}"
            for n in numbers:
                inputs.details.append(DIVISION, vt, statement_no, f"V{n}", listed[n], "1")
            total = sum(listed[n] for n in numbers)
            inputs.statements.append(DIVISION, vt, statement_no, DAY, BANK, "5201", len(numbers), total)
    for n in range(vouchers):
        paid = listed[n] + (1 if rng.random() < 0.01 else 0)
        inputs.vouchers.append(DIVISION, f"V{n}")
        inputs.receipts.append(DIVISION, f"V{n}", BANK, DAY, paid)
        inputs.clearing.append(DIVISION, "2301", f"C{n // 500}", f"V{n}", DAY, CLEAR_BANK, paid)
    return inputs


def raw_join(inputs: StatementInputs) -> int:
    """Details whose amount differs from their 回单's, by one full outer join in DuckDB."""
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        d, r = inputs.details, inputs.receipts
        con.execute(
            "CREATE TABLE d AS SELECT unnest(?::VARCHAR[]) AS voucher_no, unnest(?::BIGINT[]) AS amt",
            [d.voucher_no, d.amt],
        )
        con.execute(
            "CREATE TABLE r AS SELECT unnest(?::VARCHAR[]) AS voucher_no, unnest(?::BIGINT[]) AS paid",
            [r.voucher_no, r.x_pay_amt],
        )
        row = con.execute(
            "SELECT count(*) FROM d FULL OUTER JOIN r USING (voucher_no) WHERE d.amt IS DISTINCT FROM r.paid"
        ).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def _best(repeat: int, function: Callable[[], Any]) -> tuple[float, float, Any]:
    """(best wall seconds, that run's CPU seconds, its result)."""
    best: tuple[float, float, Any] = (float("inf"), 0.0, None)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        elapsed = time.perf_counter() - wall
        if elapsed < best[0]:
            best = (elapsed, time.process_time() - cpu, result)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.vouchers < 1 or args.repeat < 1:
        parser.error("--vouchers and --repeat must be at least 1")

    inputs = build(args.vouchers)
    engine_s, engine_cpu, ours = _best(args.repeat, lambda: reconcile_statement_columns(inputs, as_of=AS_OF))
    reference_s, reference_cpu, theirs = _best(
        args.repeat, lambda: reconcile_statements_reference(inputs, as_of=AS_OF)
    )
    if ours != theirs:
        print("error: the DuckDB engine and the reference disagree on the same inputs", file=sys.stderr)
        return 1
    raw_s, raw_cpu, differing = _best(args.repeat, lambda: raw_join(inputs))
    print(
        json.dumps(
            {
                "vouchers": args.vouchers,
                "details": len(inputs.details.voucher_no),
                "breaks": len(ours.breaks),
                "raw_join_differing_details": differing,
                "engine_seconds": round(engine_s, 3),
                "engine_cpu_seconds": round(engine_cpu, 3),
                "reference_seconds": round(reference_s, 3),
                "reference_cpu_seconds": round(reference_cpu, 3),
                "raw_join_seconds": round(raw_s, 3),
                "raw_join_cpu_seconds": round(raw_cpu, 3),
                "ratio_engine_to_raw_join": round(engine_s / raw_s, 2),
                "ratio_engine_to_reference": round(engine_s / reference_s, 2),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
