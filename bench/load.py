"""Load with loss accounting (issue #7 "Load"): N signed messages from several client processes into
``fiscalgw serve --workers W`` and two ``fiscalgw relay`` processes on PostgreSQL, pushing to a counting
receiver; afterwards every message is accounted for.

    .venv/bin/python bench/load.py [--messages 2000] [--clients 4] [--workers 2] [--relays 2]
                                   [--max-seconds 300] [--drain-seconds 180] [--database-url URL]
                                   [--kill-relay-after S] [--lease-seconds L]

Setup: a fresh demo (``fiscalgw init``) in a temporary directory, a fresh PostgreSQL schema (created and
dropped here; base URL from ``--database-url`` or ``FISCALGW_TEST_DATABASE_URL``), ``fiscalgw db upgrade``,
then the server (each uvicorn worker runs its own relay thread besides the ``--relays`` relay processes; all
claim with ``FOR UPDATE SKIP LOCKED``) and the receiver: a real HTTP server on 127.0.0.1 in this process that
answers 200 and records the original (sender, message id) of every push
(:mod:`tests.reliability.receiver`).

Each client process (``--clients``) sends its share of one-指标 messages (mof.json, 浙江省 → 温州市, a unique
BGT_ID each), signed with the province's demo SM2 key, one at a time over a keep-alive connection, and
records every answer and its latency. The run is bounded by ``--messages`` and ``--max-seconds`` (sending),
then ``--drain-seconds`` (waiting for the receiver). Accounting (the same checker the fault tests use,
:mod:`tests.reliability.invariants`):

* accepted — answers 2xx; stored — of those, rows in ``messages``; delivered — distinct (sender, message id)
  the receiver recorded; duplicates — pushes the receiver got more than once (de-duplicated there);
* loss = accepted that are not stored + stored push rows that never reached the receiver (goal 0);
* the invariant check (nothing half-stored, audit chain verifies, no double ledger postings).

``--kill-relay-after S`` SIGKILLs one relay process S seconds into the run: the rows it had claimed come back
when their lease (``--lease-seconds``, product default 120 s) runs out, so the loss stays 0 and the pushes it
made without recording them show up as duplicates.

Prints throughput (accepted / sending time), p50 / p99 / max latency, the time until the last delivery, the
loss and duplicate counts. Exit status 1 if anything is lost or an invariant fails. Never asserts on timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE, CITY = "330000000", "330300000"


@dataclass(frozen=True)
class Sent:
    message_id: str
    outcome: str
    """"ok" for a 2xx, else "HTTP nnn" or the exception's name."""
    seconds: float


def _body(n: int, run: str) -> bytes:
    from tests.gateway.samples import indicator_document, indicator_row

    row = indicator_row(PROVINCE, CITY, f"L{run}{n:07d}", Decimal("1.00"))
    return indicator_document(row)


def client(base: str, config_dir: str, numbers: range, run: str, deadline: float) -> list[Sent]:
    """One client process: send ``numbers`` (one message each) until done or ``deadline`` (epoch seconds)."""
    import httpx

    from gateway.wire_signature import rfc3339, signing_string
    from signing import DEFAULT_PROFILE, load_private_key

    key = load_private_key((Path(config_dir) / "keys" / f"{PROVINCE}.key.pem").read_bytes())
    results: list[Sent] = []
    with httpx.Client(base_url=base, timeout=30.0) as http:
        for n in numbers:
            if time.time() > deadline:
                break
            body, message_id = _body(n, run), f"load-{run}-{n:07d}"
            timestamp = rfc3339(datetime.now(UTC))
            text = signing_string("POST", "/v1/messages", PROVINCE, message_id, timestamp, body)
            headers = {
                "X-Sender": PROVINCE,
                "X-Message-Id": message_id,
                "X-Timestamp": timestamp,
                "X-Signature": DEFAULT_PROFILE.sign(key, text),
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            try:
                answer = http.post("/v1/messages", content=body, headers=headers)
                outcome = "ok" if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            results.append(Sent(message_id, outcome, time.perf_counter() - started))
    return results


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema (dropped afterwards); yields a URL whose search_path is it."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    schema = f"load_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _point_pushes_at(config: Path, port: int) -> None:
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    for party in data["parties"]:
        if "push_url" in party:
            party["push_url"] = f"http://127.0.0.1:{port}/v1/push"
    config.write_text(tomli_w.dumps(data), encoding="utf-8")


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready within 90 s")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> int:
    from tests.conftest import free_port
    from tests.reliability.invariants import check
    from tests.reliability.receiver import start_receiver

    base_url = args.database_url or os.environ.get("FISCALGW_TEST_DATABASE_URL")
    if not base_url or not base_url.startswith("postgresql"):
        raise SystemExit("needs PostgreSQL: --database-url or FISCALGW_TEST_DATABASE_URL")
    run_id = uuid.uuid4().hex[:6].upper()
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fiscalgw-load-")))
        config_dir = directory / "demo"
        gw = [sys.executable, "-m", "gateway"]
        subprocess.run([*gw, "init", str(config_dir)], check=True, capture_output=True, timeout=120)
        receiver = start_receiver()
        stack.callback(receiver.down)
        _point_pushes_at(config_dir / "fiscalgw.toml", receiver.port)
        url = stack.enter_context(postgres_schema(base_url))
        env = {**os.environ, "FISCALGW_DATABASE__URL": url}
        if args.lease_seconds is not None:
            env["FISCALGW_DELIVERY__LEASE_SECONDS"] = str(args.lease_seconds)
        config = ["--config", str(config_dir)]
        subprocess.run([*gw, "db", "upgrade", *config], check=True, capture_output=True, env=env, timeout=120)
        log = directory / "processes.log"
        port = free_port()
        serve = [*gw, "serve", *config, "--port", str(port), "--workers", str(args.workers)]
        server = stack.enter_context(process([*serve, "--log-level", "warning"], env, log))
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, server, log)
        relays = [
            stack.enter_context(process([*gw, "relay", *config, "--interval", "0.2"], env, log))
            for _ in range(args.relays)
        ]
        if args.kill_relay_after is not None and relays:
            killer = threading.Timer(args.kill_relay_after, relays[0].kill)  # SIGKILL, mid-run
            killer.start()
            stack.callback(killer.cancel)

        per_client = -(-args.messages // args.clients)
        shares = [
            range(c * per_client, min(args.messages, (c + 1) * per_client)) for c in range(args.clients)
        ]
        deadline = time.time() + args.max_seconds
        print(
            f"load: {args.messages} messages, {args.clients} client processes, {args.workers} uvicorn "
            f"worker(s) (a relay thread each) + {args.relays} relay processes, PostgreSQL",
            flush=True,
        )
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.clients, mp_context=get_context("spawn")) as pool:
            futures = [
                pool.submit(client, base, str(config_dir), share, run_id, deadline) for share in shares
            ]
            sent = [s for future in futures for s in future.result()]
        sending = time.perf_counter() - started

        accepted = {(PROVINCE, s.message_id) for s in sent if s.outcome == "ok"}
        unanswered = {(PROVINCE, s.message_id) for s in sent if s.outcome != "ok"}
        drained = receiver.wait_for(accepted, timeout=args.drain_seconds)
        last_delivery = time.perf_counter() - started
        found = check(url, accepted=accepted, unanswered=unanswered, delivered={CITY: receiver.delivered()})
        delivered = receiver.delivered()
        latencies = [s.seconds for s in sent if s.outcome == "ok"]
        not_stored = [p for p in found.problems if "is not stored" in p]
        not_delivered = len(accepted - delivered)
        loss = len(not_stored) + not_delivered
        errors = Counter(s.outcome for s in sent if s.outcome != "ok")
        killed = sum(1 for relay in relays if relay.poll() == -9)
        server_errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]

    print(f"sent {len(sent)} in {sending:.1f} s; accepted {len(accepted)}; errors {dict(errors) or 0}")
    if latencies:
        print(
            f"throughput {len(accepted) / sending:.0f} msg/s; "
            f"latency p50 {1000 * statistics.median(latencies):.1f} ms, "
            f"p99 {1000 * _percentile(latencies, 0.99):.1f} ms, max {1000 * max(latencies):.1f} ms"
        )
    print(
        f"accounted: accepted {len(accepted)} = stored {len(accepted) - len(not_stored)} = "
        f"delivered (distinct) {len(accepted & delivered)}; "
        f"duplicates at the receiver {receiver.duplicates()} (de-duplicated); "
        f"last delivery {last_delivery:.1f} s after the start{'' if drained else ' (drain timed out)'}"
    )
    print(f"LOSS {loss} (goal 0); outbox {dict(found.outbox_status)}; audit entries {found.audit_entries}")
    print(
        f"invariant violations {len(found.problems)}; server/relay ERROR log lines {len(server_errors)}; "
        f"relay processes SIGKILLed {killed}"
    )
    for problem in found.problems[:10]:
        print(f"  {problem}")
    return 0 if loss == 0 and not found.problems else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages to send (default 2000)")
    parser.add_argument("--clients", type=int, default=4, help="client processes (default 4)")
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn workers of fiscalgw serve (default 2)"
    )
    parser.add_argument("--relays", type=int, default=2, help="fiscalgw relay processes (default 2)")
    parser.add_argument(
        "--max-seconds", type=float, default=300, help="stop sending after this (default 300)"
    )
    parser.add_argument("--drain-seconds", type=float, default=180, help="wait for deliveries (default 180)")
    parser.add_argument("--database-url", help="PostgreSQL base URL (default $FISCALGW_TEST_DATABASE_URL)")
    parser.add_argument(
        "--kill-relay-after",
        type=float,
        metavar="S",
        help="SIGKILL the first relay process S seconds after the start (its leased rows come back)",
    )
    parser.add_argument("--lease-seconds", type=int, help="delivery lease (default: the product's 120 s)")
    args = parser.parse_args()
    if not 1 <= args.messages <= 100_000 or not 1 <= args.clients <= 64:
        raise SystemExit("--messages 1..100000, --clients 1..64")
    raise SystemExit(run(args))


if __name__ == "__main__":
    main()
