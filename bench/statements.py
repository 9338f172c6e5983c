"""SQL statements and commits per ingested message (issue 14), counted, not timed: deterministic figures.

    .venv/bin/python bench/statements.py [--messages 64] [--threads 8] [--database-url URL]

Builds the demo gateway in-process on a fresh SQLite file (and on a fresh PostgreSQL schema when
``--database-url`` or ``FISCALGW_TEST_DATABASE_URL`` is set), then calls the intake use case
(:func:`gateway.services.intake.receive`) with signed one-record 指标 documents — accepted ones, and
rejected ones (a wrong signature: an unauthenticated flood) — first one after the other, then from
``--threads`` threads at once. Every statement the engine sends (an ``executemany`` counts once) and every
commit is counted with SQLAlchemy's engine events; the figures are per message. Beside them it prints the
process CPU time (user + system, every thread) per message: in-process, without HTTP or the relay, so it is
steadier than the server's CPU in ``bench/ingest.py`` — but it is timed, and the load of the box shows in
it. Not a test: it prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import PROVINCE, indicator_body  # noqa: E402  (after the path is set)
from bench.load import postgres_schema  # noqa: E402


class Counter:
    """Statements and commits seen by one engine (thread-safe)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = 0
        self.commits = 0
        self._lock = threading.Lock()
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "commit", self._commit)

    def _statement(self, *_args: Any) -> None:
        with self._lock:
            self.statements += 1

    def _commit(self, *_args: Any) -> None:
        with self._lock:
            self.commits += 1

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.statements, self.commits


def _submissions(config_dir: Path, count: int, *, forged: bool) -> list[Any]:
    """Signed before the phase is measured (the client's SM2 signatures are not the server's CPU)."""
    from gateway.services.authentication import SignedRequest
    from gateway.wire_signature import rfc3339, signing_string
    from signing import DEFAULT_PROFILE, load_private_key

    key = load_private_key((config_dir / "keys" / f"{PROVINCE}.key.pem").read_bytes())
    run = uuid.uuid4().hex[:6].upper()
    out = []
    for index in range(count):
        body = indicator_body(run, index, tag="ST")
        message_id = f"st-{run}-{index:06d}"
        timestamp = rfc3339(datetime.now(UTC))
        text = signing_string("POST", "/v1/messages", PROVINCE, message_id, timestamp, body)
        signature = DEFAULT_PROFILE.sign(key, text + (b"x" if forged else b""))
        out.append(SignedRequest("POST", "/v1/messages", PROVINCE, message_id, timestamp, signature, body))
    return out


@contextmanager
def _gateway(config_dir: Path, url: str) -> Iterator[Any]:
    from gateway.bootstrap import build_gateway
    from gateway.config import DatabaseSection, load_settings

    settings = load_settings(config_dir)
    settings = settings.model_copy(update={"database": DatabaseSection(url=url)})
    gw = build_gateway(settings)
    gw.database.upgrade()
    try:
        yield gw
    finally:
        gw.close()


def _measure(counter: Counter, run: Callable[[], int]) -> dict[str, float]:
    before = counter.snapshot()
    cpu = time.process_time()
    count = run()
    cpu = time.process_time() - cpu
    after = counter.snapshot()
    return {
        "messages": count,
        "cpu_ms_per_message": round(1000 * cpu / count, 3),
        "statements_per_message": round((after[0] - before[0]) / count, 2),
        "commits_per_message": round((after[1] - before[1]) / count, 3),
    }


def run_database(label: str, url: str, config_dir: Path, messages: int, threads: int) -> dict[str, Any]:
    from gateway.services import intake

    results: dict[str, Any] = {"database": label}
    with _gateway(config_dir, url) as gw:
        counter = Counter(gw.database.engine)
        intake.receive(gw, _submissions(config_dir, 1, forged=False)[0])  # warm caches and pool

        def sequential(forged: bool) -> Callable[[], int]:
            subs = _submissions(config_dir, messages, forged=forged)

            def go() -> int:
                for sub in subs:
                    _call(intake.receive, gw, sub, forged)
                return len(subs)

            return go

        def concurrent(forged: bool) -> Callable[[], int]:
            subs = _submissions(config_dir, messages * threads, forged=forged)

            def go() -> int:
                with ThreadPoolExecutor(threads) as pool:
                    list(pool.map(lambda s: _call(intake.receive, gw, s, forged), subs))
                return len(subs)

            return go

        results["accepted, one after the other"] = _measure(counter, sequential(False))
        results["rejected, one after the other"] = _measure(counter, sequential(True))
        results[f"accepted, {threads} threads"] = _measure(counter, concurrent(False))
        results[f"rejected, {threads} threads"] = _measure(counter, concurrent(True))
    return results


def _call(receive: Callable[..., Any], gw: Any, sub: Any, forged: bool) -> None:
    from gateway.services.errors import ServiceError

    try:
        answer = receive(gw, sub)
    except ServiceError:
        if not forged:
            raise
        return
    if forged or answer.status != 202:
        raise SystemExit(f"unexpected answer {answer.status} for {sub.message_id}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=64, help="messages per phase (per thread)")
    parser.add_argument("--threads", type=int, default=8, help="threads of the concurrent phases")
    parser.add_argument("--database-url", default=os.environ.get("FISCALGW_TEST_DATABASE_URL"))
    args = parser.parse_args()
    from gateway.demo_config import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp) / "fiscalgw"
        write_demo(config_dir, now=datetime.now(UTC))
        sqlite_url = f"sqlite:///{Path(tmp) / 'gw.db'}"
        out = [run_database("sqlite", sqlite_url, config_dir, args.messages, args.threads)]
        if args.database_url:
            with postgres_schema(args.database_url) as url:
                out.append(run_database("postgresql", url, config_dir, args.messages, args.threads))
    for result in out:
        print(result.pop("database"))
        for phase, figures in result.items():
            print(
                f"  {phase:32} {figures['statements_per_message']:6.2f} statements, "
                f"{figures['commits_per_message']:5.3f} commits per message ({figures['messages']}), "
                f"{figures['cpu_ms_per_message']:.3f} ms CPU"
            )


if __name__ == "__main__":
    main()
