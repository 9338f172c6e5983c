"""控制 under concurrency: ``fiscalgw serve`` as a real process (several workers on PostgreSQL, one on
SQLite, ADR 0004) and clients firing vouchers at once over HTTP on 127.0.0.1 against one indicator — the
balance is never overspent: exactly as many vouchers pass as the indicator holds, the rest are refused
``indicator_exhausted``, and what the ledger row says is spent is what the accepted vouchers asked."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from gateway.store.tables import indicator_spends, ledger_indicators
from tests.gateway import payment_flows
from tests.gateway.control_flows import COUNTY, book, load, voucher
from tests.gateway.samples import signed_headers
from tests.reliability.harness import GatewayProcess, env_for, fiscalgw, in_process

VOUCHERS, CLIENTS, AMOUNT_FEN = 24, 8, 10_000  # 24 × 100.00 against 1 000.00: 10 can pass


def test_concurrent_vouchers_never_overspend_the_indicator(
    demo_dir: Path, database_url: str, tmp_path: Path
) -> None:
    env = env_for(database_url)
    assert fiscalgw(demo_dir, env, "db", "upgrade").returncode == 0
    setup = in_process(demo_dir, database_url)
    try:
        book(setup, "L-C", "1000.00", "conc-b1")
        load(setup, "refuse")
    finally:
        setup.client.close()
        setup.gateway.close()
    workers = 3 if database_url.startswith("postgresql") else 1
    server = GatewayProcess(demo_dir, env, tmp_path / "serve.log", workers=workers)
    bodies = [payment_flows.render(voucher(f"CV-{n:03d}", AMOUNT_FEN)) for n in range(VOUCHERS)]
    answers: dict[int, tuple[int, str]] = {}
    start = threading.Barrier(CLIENTS)
    lock = threading.Lock()

    def client(numbers: range) -> None:
        with httpx.Client(timeout=30.0) as http:
            start.wait()
            for n in numbers:
                mid = uuid.uuid4().hex
                headers = signed_headers(demo_dir, COUNTY, bodies[n], mid, datetime.now(UTC))
                answer = http.post(f"{server.base}/v1/messages", content=bodies[n], headers=headers)
                code = answer.json().get("error", "") if answer.status_code != 202 else ""
                with lock:
                    answers[n] = (answer.status_code, code)

    server.start()
    try:
        per = VOUCHERS // CLIENTS
        threads = [
            threading.Thread(target=client, args=(range(c * per, (c + 1) * per),)) for c in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.stop()
    outcomes = sorted(answers.values())
    assert len(outcomes) == VOUCHERS
    assert outcomes.count((202, "")) == 10, outcomes
    assert outcomes.count((422, "indicator_exhausted")) == VOUCHERS - 10
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as c:
            spent = c.execute(
                sa.select(ledger_indicators.c.spent_fen).where(ledger_indicators.c.bgt_id == "L-C")
            ).scalar_one()
            linked = c.execute(
                sa.select(sa.func.count(), sa.func.sum(indicator_spends.c.in_flight_fen)).where(
                    indicator_spends.c.state == "in_flight"
                )
            ).one()
    finally:
        engine.dispose()
    assert spent == 10 * AMOUNT_FEN
    assert tuple(linked) == (10, 10 * AMOUNT_FEN)
