"""The ingest fast paths keep their meaning (issue #4 benchmark work): one-call canonical JSON, batched
lifecycle events and routes, the conflict-free message insert, look-ups that do not take the write lock, and
``serve --workers``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pydantic import BaseModel

from adapters.registry import default_registry
from gateway import audit
from gateway.errors import MessageExists
from gateway.model import MessageStatus
from gateway.services.intake import canonical_text
from gateway.store.database import Database
from gateway.store.unit_of_work import UnitOfWork
from schemas.messages import to_canonical_obj
from schemas.payments import PaymentVoucher
from tests.conftest import ROOT, free_port, wait_until_up
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers
from tests.gateway.store.factories import T0, new_message

GOLDEN = ROOT / "tests" / "golden"


def golden_messages() -> list[BaseModel]:
    registry = default_registry()
    found: list[BaseModel] = []
    for path in sorted(GOLDEN.rglob("*")):
        if not path.is_file() or path.name.endswith(".expected.json") or path.suffix == ".md":
            continue  # the expected canonical form, or a README naming the sources
        raw = path.read_bytes()
        found.extend(r.message for r in registry.identify(raw).parse(raw).records)
    return found


def test_canonical_text_is_the_compact_canonical_json_of_every_golden_record() -> None:
    messages = golden_messages()
    assert len(messages) > 20
    for message in messages:
        expected = json.dumps(to_canonical_obj(message), ensure_ascii=False, separators=(",", ":"))
        assert canonical_text(message) == expected


def test_canonical_text_escapes_like_json_dumps() -> None:
    voucher = next(m for m in golden_messages() if isinstance(m, PaymentVoucher))
    awkward = voucher.model_copy(update={"pay_summary_name": 'a"b\\c\n\t\x01\u2028办公用品\U0001f600'})
    expected = json.dumps(to_canonical_obj(awkward), ensure_ascii=False, separators=(",", ":"))
    assert canonical_text(awkward) == expected


def test_batched_events_and_routes_keep_their_order(engine: sa.Engine) -> None:
    with UnitOfWork(engine) as uow:
        pk = uow.messages.add(new_message())
        uow.messages.add_events(
            pk,
            [
                (MessageStatus.RECEIVED, T0, None),
                (MessageStatus.VALIDATED, T0, None),
                (MessageStatus.STORED, T0, None),
                (MessageStatus.ROUTED, T0 + timedelta(seconds=1), "102333300018"),
            ],
        )
        uow.messages.add_routes(pk, [(i, "102333300018", "voucher.pay_bank") for i in range(100)])
        uow.messages.add_routes(pk, [])
        uow.commit()
    with UnitOfWork(engine) as uow:
        events = uow.messages.events(pk)
        routes = uow.messages.routes(pk)
    assert [e.status for e in events] == [
        MessageStatus.RECEIVED,
        MessageStatus.VALIDATED,
        MessageStatus.STORED,
        MessageStatus.ROUTED,
    ]
    assert events[-1].detail == "102333300018"
    assert routes == [(i, "102333300018", "voucher.pay_bank") for i in range(100)]


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_concurrent_twin_waits_for_the_first_insert(database_url: str, first_commits: bool) -> None:
    """Two transactions insert one (sender, message id): the second gets MessageExists with the first's
    digest if the first commits, and goes ahead if the first rolls back."""
    database = Database(database_url)
    database.upgrade()
    first, second = new_message(message_id="twin", body=b"first"), new_message(message_id="twin", body=b"2")
    outcome: list[object] = []
    try:
        with database.unit_of_work() as uow:
            uow.messages.add(first)

            def twin() -> None:
                try:
                    with database.unit_of_work() as other:
                        outcome.append(other.messages.add(second))
                        other.commit()
                except MessageExists as exc:
                    outcome.append(exc)

            thread = threading.Thread(target=twin)
            thread.start()
            if first_commits:
                uow.commit()
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert len(outcome) == 1
        if first_commits:
            assert isinstance(outcome[0], MessageExists)
            assert outcome[0].body_sm3 == first.body_sm3
        else:
            assert isinstance(outcome[0], int)
            with database.read_unit_of_work() as uow:
                stored = uow.messages.find(second.sender, "twin")
            assert stored is not None and stored.body_sm3 == second.body_sm3
    finally:
        database.dispose()


def test_a_look_up_neither_waits_for_nor_sees_an_open_write(database_url: str) -> None:
    """While a writer holds its transaction open (on SQLite: the write lock), a look-up answers at once from
    the committed state."""
    database = Database(database_url)
    database.upgrade()
    try:
        with database.unit_of_work() as uow:
            uow.messages.add(new_message(message_id="committed"))
            uow.commit()
        with database.unit_of_work() as writer:
            writer.messages.add(new_message(message_id="pending"))
            with database.read_unit_of_work() as reader:
                assert reader.messages.find("330000000", "committed") is not None
                assert reader.messages.find("330000000", "pending") is None
            writer.commit()
        with database.read_unit_of_work() as reader:
            assert reader.messages.find("330000000", "pending") is not None
    finally:
        database.dispose()


def test_concurrent_writers_all_commit_in_one_chain(database_url: str) -> None:
    """Twelve threads write at once (on SQLite they queue on the process's writer lock, then on BEGIN
    IMMEDIATE); every transaction commits and the audit chain has no gap or fork."""
    database = Database(database_url)
    database.upgrade()
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for n in range(8):
                with database.unit_of_work() as uow:
                    uow.messages.add(new_message(message_id=f"c-{index}-{n}"))
                    audit.append(uow.audit, actor="test", action="write", subject=f"{index}/{n}", at=T0)
                    uow.commit()
                with database.read_unit_of_work() as uow:
                    assert uow.messages.find("330000000", f"c-{index}-{n}") is not None
        except BaseException as exc:  # reported below, from the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(12)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        with database.read_unit_of_work() as uow:
            assert audit.verify(uow.audit) == 96
    finally:
        database.dispose()


def test_noop_is_a_trivial_endpoint(harness: Harness) -> None:
    response = harness.client.get("/v1/noop")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _post_indicator(base: str, config: Path, n: int) -> httpx.Response:
    body = indicator_document(indicator_row("330000000", "330300000", f"W{n:04d}", Decimal("1.00")))
    headers = signed_headers(config, "330000000", body, f"w-{n:04d}", datetime.now(UTC))
    return httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=30)


@pytest.mark.e2e
def test_serve_with_several_workers_needs_postgresql(demo_dir: Path, database_url: str) -> None:
    """SQLite: refused with one line. PostgreSQL: two worker processes answer signed ingest, idempotently."""
    port = free_port()
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(demo_dir), "--port", str(port)]
    command += ["--workers", "2", "--log-level", "warning"]
    env = {**os.environ, "FISCALGW_DATABASE__URL": database_url}
    if database_url.startswith("sqlite"):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "--workers > 1 needs PostgreSQL" in result.stderr
        assert "Traceback" not in result.stderr
        return
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/readyz", process, timeout=60)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) >= 2  # the uvicorn supervisor's worker processes
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda n: _post_indicator(base, demo_dir, n), range(12)))
        assert [a.status_code for a in answers] == [202] * 12, [
            a.text for a in answers if a.status_code != 202
        ]
        assert {a.json()["message_id"] for a in answers} == {f"w-{n:04d}" for n in range(12)}
        again = _post_indicator(base, demo_dir, 3)  # same id and body, new signature: the original answer
        assert again.status_code == 202
        assert again.headers.get("X-Replayed") == "true"
        assert again.json() == answers[3].json()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_envelopes_record_digests_are_one_sm3_per_canonical_text(harness: Harness) -> None:
    """Intake computes each record's SM3 once, for the audit entry and the payment lines alike: both carry
    the SM3 of the stored canonical text, record by record."""
    from signing import sm3_hex
    from tests.gateway.payment_flows import send, voucher

    day = T0.date()
    vouchers = [voucher(f"33032426FP{i:04d}", 1000 + i, day) for i in range(3)]
    answer = send(harness, "330324000", *vouchers, message_id="fast-digests")
    subject = f"330324000/{answer['message_id']}"
    with harness.gateway.database.engine.connect() as c:
        texts = [t for (t,) in c.execute(sa.text("SELECT canonical FROM records ORDER BY position"))]
        lines = [d for (d,) in c.execute(sa.text("SELECT record_sm3 FROM payment_lines ORDER BY position"))]
        detail = c.execute(
            sa.text("SELECT detail FROM audit_log WHERE action = 'message.accepted' AND subject = :s"),
            {"s": subject},
        ).scalar_one()
    expected = [sm3_hex(t.encode("utf-8")) for t in texts]
    assert len(expected) == 3
    assert lines == expected
    assert json.loads(detail)["record_sm3"] == expected
