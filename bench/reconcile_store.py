"""Benchmark: one indicator reconciliation run from the store against the same engine on files.

    .venv/bin/python bench/reconcile_store.py --rows 200000
    .venv/bin/python bench/reconcile_store.py --rows 200000 --database postgresql+psycopg://postgres@127.0.0.1:5432/test

Generates the ``bench/reconcile.py`` ledgers (``--rows`` upper rows over 12 lower divisions and two years,
≈ 2.5 % injected breaks), loads them into a fresh store (SQLite file by default; on PostgreSQL in a
throw-away schema), then times for the pair (330000000, 330301000, 2026):

* ``store_run``  : :func:`gateway.services.reconciliation.indicators.reconcile_pair_from_store` — read the
                   pair's rows from the database into memory (no file), run the DuckDB engine, keep the pair;
* ``export``     : that read alone (:meth:`LedgerRepository.pair_columns`);
* ``export_csv`` : the CSV export of the same rows (:meth:`LedgerRepository.export_pair`, for comparison);
* ``export_seconds_no_statistics`` (PostgreSQL): ``export`` once right after the bulk load, before the
                   ANALYZE (no planner statistics yet);
* ``engine``     : the DuckDB engine alone on the exported CSV snapshots (the file path's cost on the same
                   data).

Best of ``--repeat`` (default 3). Prints seconds, the pair's row counts and the ratios store_run / engine and
export / engine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files  # noqa: E402
from gateway.reconcile.indicators.ledger_columns import CHINA_TZ  # noqa: E402
from gateway.store.database import Database  # noqa: E402
from gateway.store.ledger import EXPORT_COLUMNS, NewIndicator  # noqa: E402

UPPER, LOWER, YEAR = "330000000", "330301000", 2026
AS_OF = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
_AMOUNT_FEN = "CAST(CAST(AMOUNT AS DECIMAL(20, 2)) * 100 AS BIGINT)"
COLUMNS = ", ".join(_AMOUNT_FEN if c == "AMOUNT" else c for c in EXPORT_COLUMNS)


def _generator() -> Callable[[int, Path], tuple[Path, Path]]:
    spec = importlib.util.spec_from_file_location("bench_reconcile", ROOT / "bench" / "reconcile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generate: Callable[[int, Path], tuple[Path, Path]] = module._generate
    return generate


def _rows(path: Path, side: str) -> Iterator[list[NewIndicator]]:
    con = duckdb.connect()
    cursor = con.execute(f"SELECT {COLUMNS} FROM read_csv('{path}', all_varchar = true)")
    while batch := cursor.fetchmany(20_000):
        out = []
        for (
            bgt,
            mof,
            rec,
            fy,
            cor,
            sup,
            title,
            doc,
            pro,
            fund,
            tp,
            eco,
            distri,
            track,
            fen,
            ori,
            dele,
            ct,
        ) in batch:
            created = datetime.strptime(ct, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ) if ct else None
            out.append(
                NewIndicator(
                    division=mof,
                    side=side,
                    counterparty=rec if side == "issued" else None,
                    fiscal_year=int(fy),
                    bgt_id=bgt,
                    ori_bgt_id=ori,
                    cor_bgt_doc_no=cor,
                    sup_bgt_doc_no=sup,
                    bgt_doc_title=title,
                    doc_date=doc,
                    pro_code=pro,
                    fund_type_code=fund,
                    tp_func_code=tp,
                    gov_bgt_eco_code=eco,
                    distri_type_code=distri,
                    is_track=track,
                    amount_fen=int(fen),
                    create_time=None if created is None else created.astimezone(UTC),
                    is_deleted=dele == "1",
                )
            )
        yield out
    con.close()


def _best(repeat: int, function: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


class _Gateway:
    """Just what :func:`reconcile_pair_from_store` reads: ``database``."""

    def __init__(self, database: Database) -> None:
        self.database = database


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database", help="PostgreSQL URL (a throw-away schema is used); default SQLite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from gateway.services.reconciliation.indicators import PairScope, reconcile_pair_from_store

    with tempfile.TemporaryDirectory(prefix="fiscalgw-bench-store-") as tmp:
        directory = Path(tmp)
        schema = None
        if args.database:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(args.database)
            with admin.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = make_url(args.database).update_query_dict({"options": f"-csearch_path={schema}"})
            database_url = url.render_as_string(hide_password=False)
        else:
            database_url = f"sqlite:///{directory / 'bench.db'}"
        database = Database(database_url)
        try:
            database.upgrade()
            upper_csv, lower_csv = _generator()(args.rows, directory)
            start = time.perf_counter()
            loaded = 0
            for path, side in ((upper_csv, "issued"), (lower_csv, "received")):
                for batch in _rows(path, side):
                    with database.unit_of_work() as uow:
                        loaded += uow.ledger.add_many(batch, AS_OF)
                        uow.commit()
            load_seconds = round(time.perf_counter() - start, 1)

            def export() -> None:
                with database.unit_of_work() as uow:
                    uow.ledger.pair_columns(UPPER, LOWER, YEAR)

            no_statistics: dict[str, float] = {}
            if database.dialect == "postgresql":
                # The read once right after the bulk load, before any ANALYZE: the planner has no statistics
                # then (the shape issue 16 saw go quadratic); the pair read must stay linear regardless.
                no_statistics["export_seconds_no_statistics"] = _best(1, export)
                # A bulk load leaves the planner without statistics until autovacuum catches up; with none,
                # PostgreSQL nests the pair's BGT_ID semi-join as a loop (10+ minutes at 1 M rows, seen
                # 2026-12-04). Intake grows the table gradually, so autovacuum's ANALYZE keeps up there.
                with database.engine.begin() as connection:
                    connection.execute(sa.text("ANALYZE ledger_indicators"))
            scope = PairScope(UPPER, LOWER, YEAR)
            gw: Any = _Gateway(database)
            pair_upper, pair_lower = directory / "pair_upper.csv", directory / "pair_lower.csv"

            def export_csv() -> None:
                with database.unit_of_work() as uow:
                    uow.ledger.export_pair(UPPER, LOWER, YEAR, pair_upper, pair_lower)

            export_csv_seconds = _best(args.repeat, export_csv)
            export_seconds = _best(args.repeat, export)
            engine_seconds = _best(
                args.repeat,
                lambda: reconcile_indicator_files(
                    pair_upper, pair_lower, as_of=AS_OF, in_transit_window=timedelta(hours=48)
                ),
            )
            report: list[Any] = []
            store_seconds = _best(
                args.repeat, lambda: report.append(reconcile_pair_from_store(gw, scope, AS_OF))
            )
            pair = report[-1].pairs[0]
            print(
                json.dumps(
                    {
                        "database": database.dialect,
                        "rows_loaded": loaded,
                        "load_seconds": load_seconds,
                        "pair": scope.key,
                        "pair_upper_rows": pair.upper_count,
                        "pair_lower_rows": pair.lower_count,
                        "pair_breaks": len(report[-1].breaks),
                        "store_run_seconds": store_seconds,
                        "export_seconds": export_seconds,
                        **no_statistics,
                        "export_csv_seconds": export_csv_seconds,
                        "engine_seconds": engine_seconds,
                        "ratio_store_run_to_engine": round(store_seconds / engine_seconds, 2),
                        "ratio_export_to_engine": round(export_seconds / engine_seconds, 2),
                    },
                    indent=1,
                )
            )
        finally:
            database.dispose()
            if schema is not None:
                with admin.begin() as connection:
                    connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
