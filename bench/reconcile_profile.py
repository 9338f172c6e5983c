"""Per-statement profile of the DuckDB reconciliation engines: where the time of one run goes.

    .venv/bin/python bench/reconcile_profile.py --rows 1000000 --dir /tmp/rb     # indicators
    .venv/bin/python bench/reconcile_profile.py --vouchers 1000000 --dir /tmp/rb  # payments

It generates the same data as ``bench/reconcile.py`` / ``bench/reconcile_payments.py`` (or reuses it when the
files already exist in ``--dir``), runs the engine once in this process with every SQL statement timed —
wall seconds and the process's CPU seconds (DuckDB's threads included), which are steadier on a shared
machine — and prints one line per statement, then the total and the peak RSS. Multi-statement strings are
split on ``;`` (the engines' SQL holds no ``;`` inside a literal or comment).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

import duckdb  # noqa: E402

from gateway.reconcile import _duckdb  # noqa: E402
from gateway.reconcile._duckdb import EngineSettings  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Timed:
    """A connection whose ``execute`` prints how long each statement took."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args: Any) -> duckdb.DuckDBPyConnection:
        statements = [s for s in sql.split(";") if s.strip()] if args == () else [sql]
        result = self._con
        for statement in statements:
            wall, cpu = time.perf_counter(), _cpu()
            result = self._con.execute(statement, *args)
            text = " ".join(
                line.strip() for line in statement.splitlines() if not line.strip().startswith("--")
            )
            print(f"{time.perf_counter() - wall:8.2f} {_cpu() - cpu:8.2f}  {text[:96]}", flush=True)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _patch(module: Any) -> None:
    opened = module.session

    @contextmanager
    def session(*args: Any) -> Iterator[tuple[Any, Path]]:
        with opened(*args) as (con, workdir):
            yield _Timed(con), workdir

    module.session = session


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument("--rows", type=int, help="indicators: rows per side")
    kind.add_argument("--vouchers", type=int, help="payments: vouchers")
    parser.add_argument("--dir", type=Path, required=True, help="where the generated files are (or go)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--storage", choices=("auto", "memory", "disk"), default="auto")
    args = parser.parse_args()
    settings = EngineSettings(threads=args.threads, storage=args.storage)
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"{'wall s':>8} {'cpu s':>8}  statement")
    started, cpu = time.perf_counter(), _cpu()
    if args.rows:
        import reconcile as indicator_bench

        from gateway.reconcile.indicators import duckdb_engine as indicators

        upper, lower = args.dir / f"upper_{args.rows}.csv", args.dir / f"lower_{args.rows}.csv"
        if not (upper.is_file() and lower.is_file()):
            upper, lower = indicator_bench._generate(args.rows, args.dir)
        _patch(indicators)
        started, cpu = time.perf_counter(), _cpu()
        report = indicators.reconcile_indicator_files(
            upper, lower, as_of=indicator_bench.AS_OF, settings=settings
        )
        found = len(report.breaks) + len(report.in_transit)
        storage = _duckdb.tables_on_disk(settings, upper.stat().st_size + lower.stat().st_size)
    else:
        import reconcile_payments as payment_bench

        from gateway.reconcile.payments import duckdb_engine as payments
        from gateway.reconcile.payments.columns import Role

        names = {"vouchers": Role.VOUCHERS, "receipts": Role.RECEIPTS, "clearing": Role.CLEARING}
        files = [(args.dir / f"{name}.csv", role) for name, role in {**names, "quota": Role.QUOTA}.items()]
        if not all(path.is_file() for path, _role in files):
            payment_bench._generate(args.vouchers, args.dir)
        _patch(payments)
        started, cpu = time.perf_counter(), _cpu()
        found = len(
            payments.reconcile_payment_files(files, as_of=payment_bench.AS_OF, settings=settings).breaks
        )
        storage = _duckdb.tables_on_disk(settings, sum(path.stat().st_size for path, _role in files))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"{time.perf_counter() - started:8.2f} {_cpu() - cpu:8.2f}  total: {found} breaks, "
        f"peak RSS {peak} MiB, tables {'on disk' if storage else 'in memory'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
