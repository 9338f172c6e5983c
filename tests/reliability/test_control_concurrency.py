"""控制 under concurrency: ``fiscalgw serve`` as a real process (several workers on PostgreSQL, one on
SQLite, ADR 0004) and clients firing vouchers at once over HTTP on 127.0.0.1 against one indicator — the
balance is never overspent: exactly as many vouchers pass as the indicator holds, the rest are refused
``indicator_exhausted``, and what the ledger row says is spent is what the accepted vouchers asked. Then
documents spending two indicators in opposite orders all pass (the rows are locked in id order)."""

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
CROSS_DOCS = ("永财教〔2026〕91号", "永财教〔2026〕92号")


def _cross(n: int) -> bytes:
    """A document spending both cross indicators, in one order or the other (a deadlock if the rows
    were locked in document order)."""
    first, second = CROSS_DOCS if n % 2 else tuple(reversed(CROSS_DOCS))
    return payment_flows.render(
        voucher(f"XV-{n:03d}-a", 100, file_no_code=first), voucher(f"XV-{n:03d}-b", 100, file_no_code=second)
    )


def test_concurrent_vouchers_never_overspend_the_indicator(
    demo_dir: Path, database_url: str, tmp_path: Path
) -> None:
    env = env_for(database_url)
    assert fiscalgw(demo_dir, env, "db", "upgrade").returncode == 0
    setup = in_process(demo_dir, database_url)
    try:
        book(setup, "L-C", "1000.00", "conc-b1")
        for n, doc in enumerate(CROSS_DOCS):  # two more indicators with room for every cross voucher
            book(setup, f"L-X{n}", "1000000.00", f"conc-x{n}", COR_BGT_DOC_NO=doc)
        load(setup, "refuse")
    finally:
        setup.client.close()
        setup.gateway.close()
    workers = 3 if database_url.startswith("postgresql") else 1
    server = GatewayProcess(demo_dir, env, tmp_path / "serve.log", workers=workers)
    bodies = [payment_flows.render(voucher(f"CV-{n:03d}", AMOUNT_FEN)) for n in range(VOUCHERS)]
    bodies += [_cross(n) for n in range(VOUCHERS)]  # the second phase: both indicators, both orders
    answers: dict[int, tuple[int, str]] = {}
    start = threading.Barrier(CLIENTS)  # each phase's clients start together
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
        for phase in (0, VOUCHERS):
            threads = [
                threading.Thread(target=client, args=(range(phase + c * per, phase + (c + 1) * per),))
                for c in range(CLIENTS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
    finally:
        server.stop()
    cross = [answers[n] for n in range(VOUCHERS, 2 * VOUCHERS)]
    assert cross == [(202, "")] * VOUCHERS  # no deadlock, no 503
    outcomes = sorted(answers[n] for n in range(VOUCHERS))
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
                    indicator_spends.c.state == "in_flight", indicator_spends.c.voucher_no.like("CV-%")
                )
            ).one()
    finally:
        engine.dispose()
    assert spent == 10 * AMOUNT_FEN
    assert tuple(linked) == (10, 10 * AMOUNT_FEN)
