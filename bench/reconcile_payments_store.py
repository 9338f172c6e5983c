"""Benchmark: one payment reconciliation run from the store (a division-day) against the same engine on the
same columns in memory.

    .venv/bin/python bench/reconcile_payments_store.py --vouchers 100000 --days 10
    .venv/bin/python bench/reconcile_payments_store.py --vouchers 100000 --days 10 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test

Loads ``payment_lines`` directly (bulk inserts, as intake would have written them) for one division over
``--days`` days: per day ``--vouchers`` vouchers, one 回单 each (1 % short), one 2301 line each (1 % missing,
0.1 % twice), 0.5 % refunds, and a 3510 per day. Then times, for the middle day:

* ``store_run`` : :func:`gateway.services.reconciliation.payments.reconcile_scope_from_store` — the scope's
                  five SQL selects into column lists, then the DuckDB engine;
* ``select``    : the selects alone;
* ``engine``    : :func:`reconcile_payment_columns` alone on those columns.

Best of ``--repeat`` (default 3). Prints seconds and the ratio store_run / engine as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.reconcile.payments.duckdb_engine import reconcile_payment_columns  # noqa: E402
from gateway.store.database import Database  # noqa: E402
from gateway.store.tables import messages, payment_lines  # noqa: E402

ADM = "330324"
FIRST = date(2026, 3, 1)
AS_OF = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def _best(repeat: int, function: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


class _Gateway:
    def __init__(self, database: Database) -> None:
        self.database = database


def _line(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message_pk": 1,
        "position": 0,
        "line": 0,
        "pay_bank_code": "102",
        "clearing_no": None,
        "original_voucher_no": None,
        "is_receipt": False,
        "amount_fen": None,
        "x_pay_amt_fen": None,
        "x_pay_date": None,
        "pre_date_money_fen": None,
        "clear_amt_fen": None,
        "cur_reck_money_fen": None,
        "cur_date_money_fen": None,
        "record_sm3": "0" * 64,
        "active": True,
        "adm_div_code": ADM,
    }
    base.update(values)
    return base


def _day_lines(day: date, vouchers: int, rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    stamp = day.strftime("%Y%m%d")
    for i in range(vouchers):
        no = f"V{stamp}{i:07d}"
        fen = rng.randint(100, 10_000_000)
        rows.append(_line(role="voucher", vt_code="5201", voucher_no=no, vou_date=day, amount_fen=fen))
        paid = fen - 100 if rng.random() < 0.01 else fen
        rows.append(
            _line(
                role="receipt",
                vt_code="5201",
                voucher_no=no,
                vou_date=day,
                is_receipt=True,
                x_pay_amt_fen=paid,
                x_pay_date=day + timedelta(days=1),
            )
        )
        refunded = 0
        if rng.random() < 0.005:
            refunded = min(paid, 5000)
            rows.append(
                _line(
                    role="refund",
                    vt_code="2252",
                    pay_bank_code="",
                    voucher_no=f"F{no}",
                    original_voucher_no=no,
                    vou_date=day + timedelta(days=1),
                    amount_fen=-refunded,
                )
            )
        if rng.random() >= 0.01:
            for k in range(2 if rng.random() < 0.001 else 1):
                rows.append(
                    _line(
                        role="clearing",
                        vt_code="2301",
                        pay_bank_code="102333300018",
                        voucher_no=no,
                        clearing_no=f"C{stamp}{i // 500:05d}{k}",
                        vou_date=day + timedelta(days=1),
                        amount_fen=paid - refunded,
                    )
                )
    rows.append(
        _line(
            role="quota",
            vt_code="3510",
            voucher_no=f"Q{stamp}",
            vou_date=day,
            pre_date_money_fen=10,
            clear_amt_fen=5,
            cur_reck_money_fen=3,
            cur_date_money_fen=12,
        )
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vouchers", type=int, default=100_000, help="vouchers per day")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--database", help="PostgreSQL URL (a throw-away schema is used); default SQLite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from gateway.services.reconciliation.payments import payment_scope, reconcile_scope_from_store

    with tempfile.TemporaryDirectory(prefix="fiscalgw-bench-payments-") as tmp:
        schema = None
        if args.database:
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(args.database)
            with admin.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = make_url(args.database).update_query_dict({"options": f"-csearch_path={schema}"})
            database_url = url.render_as_string(hide_password=False)
        else:
            database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(database_url)
        try:
            database.upgrade()
            rng = random.Random(7)
            start = time.perf_counter()
            loaded = 0
            with database.unit_of_work() as uow:
                uow.payments._c.execute(
                    sa.insert(messages),
                    [
                        {
                            "id": 1,
                            "sender": "bench",
                            "message_id": "bench",
                            "received_at": AS_OF,
                            "format": "x",
                            "msg_type": "batch",
                            "body": b"",
                            "body_sm3": "0" * 64,
                            "headers": {},
                            "status": "stored",
                            "response": {},
                        }
                    ],
                )
                uow.commit()
            for d in range(args.days):
                rows = _day_lines(FIRST + timedelta(days=d), args.vouchers, rng)
                for chunk in range(0, len(rows), 20_000):
                    with database.unit_of_work() as uow:
                        uow.payments._c.execute(sa.insert(payment_lines), rows[chunk : chunk + 20_000])
                        uow.commit()
                loaded += len(rows)
            load_seconds = round(time.perf_counter() - start, 1)
            day = FIRST + timedelta(days=args.days // 2)
            scope = payment_scope(ADM, day)
            gw: Any = _Gateway(database)
            held: list[Any] = []

            def select() -> None:
                with database.unit_of_work() as uow:
                    held[:] = [uow.payments.scope_inputs(ADM, day)]

            select_seconds = _best(args.repeat, select)
            engine_seconds = _best(args.repeat, lambda: reconcile_payment_columns(held[0], as_of=AS_OF))
            report: list[Any] = []
            store_seconds = _best(
                args.repeat, lambda: report.append(reconcile_scope_from_store(gw, scope, AS_OF))
            )
            print(
                json.dumps(
                    {
                        "database": database.dialect,
                        "lines_loaded": loaded,
                        "load_seconds": load_seconds,
                        "scope": scope.key,
                        "scope_vouchers": len(held[0].vouchers),
                        "scope_receipts": len(held[0].receipts),
                        "scope_clearing_lines": len(held[0].clearing),
                        "breaks": len(report[-1].breaks),
                        "store_run_seconds": store_seconds,
                        "select_seconds": select_seconds,
                        "engine_seconds": engine_seconds,
                        "ratio_store_run_to_engine": round(store_seconds / engine_seconds, 2),
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
    raise SystemExit(main())
