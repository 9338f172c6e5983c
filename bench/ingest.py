"""Ingest throughput of the real server (issue #4 "Benchmark"), on SQLite and on PostgreSQL.

    .venv/bin/python bench/ingest.py [--seconds 8] [--clients 8] [--workers 2]
                                     [--databases sqlite,postgresql] [--database-url URL]

Per database: a fresh demo from ``fiscalgw init`` in a temporary directory, a fresh SQLite file or a fresh
PostgreSQL schema (created and dropped here; base URL from ``--database-url`` or
``FISCALGW_TEST_DATABASE_URL``), a push sink on 127.0.0.1 standing in for every push receiver (so the relay
thread of ``fiscalgw serve`` does its real work while we measure), and ``fiscalgw serve`` as a subprocess
(``--workers`` uvicorn workers on PostgreSQL; one on SQLite, the only supported setting there).

A separate client process (this file with ``--client``) pre-signs every request with the sender's demo key
(SM2, SPEC §7 headers), then drives the server over ``--clients`` keep-alive HTTP/1.1 connections on
127.0.0.1, phase after phase, each for at most ``--seconds``:

1. the reference: ``GET /v1/noop`` — a trivial FastAPI endpoint on the same server (no auth, no database);
2. single signed messages: one 指标 each (mof.json, 浙江省 → 温州市, routed and pushed);
3. 100-voucher e-voucher envelopes (5201, 永嘉县 → the agency bank, routed and pushed);
4. the reference again; the ratio uses the mean of 1 and 4.

Every answer must be 202 (200 for the no-op); any other status is counted and printed. Besides rates and
latencies it prints the server's CPU time per request (user + system of the ``serve`` process and its
workers, from /proc, relay thread included, PostgreSQL's own processes not): on a machine shared with other
jobs, rates swing with the neighbours' load while CPU per request stays put, so the CPU ratio is the steadier
figure. Not a test: it prints figures and ratios and never asserts on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"
ENVELOPE_VOUCHERS = 100
# Issue 14's goals: PostgreSQL single messages >= 0.25x the no-op, p99 <= 50 ms, <= 2.5 ms server CPU each;
# SQLite >= 400 single messages/s; 100-voucher envelopes >= 3,000 vouchers/s.
GOAL_VOUCHERS_PER_S = 3000.0
GOAL_SINGLE_RATIO = 0.25
GOAL_SINGLE_P99_MS = 50.0
GOAL_SINGLE_CPU_MS = 2.5
GOAL_SQLITE_SINGLE_PER_S = 400.0


# ---- the client process --------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    expected: int
    records_per_request: int
    done: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: Counter[int] = field(default_factory=Counter)
    exhausted: bool = False
    server_cpu: float = 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)] * 1000 if ordered else 0.0

        rate = self.done / self.elapsed if self.elapsed else 0.0
        return {
            "name": self.name,
            "requests": self.done,
            "seconds": self.elapsed,
            "per_s": rate,
            "records_per_s": rate * self.records_per_request,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "failures": {str(k): v for k, v in self.failures.items()},
            "pool_exhausted": self.exhausted,
            "server_cpu_ms": self.server_cpu / self.done * 1000 if self.done else 0.0,
        }


def _http_request(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def _signed(config_dir: Path, sender: str, bodies: Iterator[bytes], content_type: str) -> list[bytes]:
    from gateway.wire_signature import rfc3339, signing_string
    from signing import DEFAULT_PROFILE, load_private_key

    key = load_private_key((config_dir / "keys" / f"{sender}.key.pem").read_bytes())
    run = uuid.uuid4().hex[:8]
    out = []
    for index, body in enumerate(bodies):
        message_id = f"bench-{run}-{index:07d}"
        timestamp = rfc3339(datetime.now(UTC))
        text = signing_string("POST", "/v1/messages", sender, message_id, timestamp, body)
        headers = {
            "X-Sender": sender,
            "X-Message-Id": message_id,
            "X-Timestamp": timestamp,
            "X-Signature": DEFAULT_PROFILE.sign(key, text),
            "Content-Type": content_type,
        }
        out.append(_http_request("POST", "/v1/messages", body, headers))
    return out


def indicator_body(run: str, index: int, tag: str = "BN") -> bytes:
    """One one-row 指标 document (下达, 浙江省 → 温州市) whose BGT_ID is unique per (tag, run, index)."""
    row = {
        "BGT_ID": f"3300002026{tag}{run}{index:08d}",
        "MOF_DIV_CODE": PROVINCE,
        "REC_DIV_CODE": CITY,
        "FISCAL_YEAR": "2026",
        "COR_BGT_DOC_NO": "浙财农〔2026〕12号",
        "SUP_BGT_DOC_NO": "财农〔2025〕128号",
        "BGT_DOC_TITLE": "关于下达2026年农业相关转移支付资金的通知",
        "DOC_DATE": "2026-01-20",
        "BGT_DEC": "耕地地力保护补贴",
        "PRO_CODE": "330000260000000012345",
        "FUND_TYPE_CODE": "111",
        "TP_FUNC_CODE": "2130122",
        "GOV_BGT_ECO_CODE": "51301",
        "SOURCE_TYPE_CODE": "12212",
        "BUDGET_LEVEL_CODE": "2",
        "DISTRI_TYPE_CODE": "1",
        "IS_DIR": "1",
        "IS_TRACK": "1",
        "AMOUNT": str(Decimal(1_000_000 + index) / 100),
        "IS_DELETED": "2",
    }
    return json.dumps({"BA_BGT_INFO": [row]}, ensure_ascii=False).encode("utf-8")


def _indicators(count: int) -> Iterator[bytes]:
    """``count`` one-row 指标 documents (下达, 浙江省 → 温州市), each with its own BGT_ID."""
    run = uuid.uuid4().hex[:6].upper()
    for index in range(count):
        yield indicator_body(run, index)


def _envelopes(count: int) -> Iterator[bytes]:
    """``count`` e-voucher envelopes of 100 distinct 5201 vouchers addressed to the demo bank (code 102)."""
    from adapters.base import Document, Record
    from adapters.registry import default_registry
    from bench.payment_batches import voucher_batch

    adapter = default_registry().get("evoucher")
    template = voucher_batch(ENVELOPE_VOUCHERS).records
    run = int(uuid.uuid4().hex[:3], 16) % 1000
    for index in range(count):
        records = tuple(
            Record(
                r.position,
                r.message.model_copy(
                    update={
                        "voucher_no": f"3303245{run:03d}{index:05d}{r.position:03d}",
                        "pay_bank_code": "102",
                    }
                ),
                r.meta,
            )
            for r in template
        )
        yield adapter.render(Document("evoucher", records))


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the uvicorn supervisor's workers), from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by the server process and its live descendants (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for each in _process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


async def _drive(host: str, port: int, phase: Phase, pool: list[bytes], clients: int, seconds: float) -> None:
    requests = iter(pool)
    start = time.perf_counter()
    deadline = start + seconds
    finished = start

    async def connection() -> None:
        nonlocal finished
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                raw = next(requests, None)
                if raw is None:
                    phase.exhausted = True
                    return
                sent = time.perf_counter()
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                finished = time.perf_counter()
                phase.latencies.append(finished - sent)
                phase.done += 1
                if status != phase.expected:
                    phase.failures[status] += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(clients)))
    phase.elapsed = finished - start


def client_main(params: dict[str, Any]) -> None:
    """Pre-sign the pools, run the phases, print one JSON object on stdout."""
    config_dir, seconds, clients = (
        Path(params["config_dir"]),
        float(params["seconds"]),
        int(params["clients"]),
    )
    host, port = "127.0.0.1", int(params["port"])
    prepared = time.perf_counter()
    noop = _http_request("GET", "/v1/noop", b"", {})
    singles = _signed(config_dir, PROVINCE, _indicators(int(params["singles"])), "application/json")
    envelopes = _signed(config_dir, COUNTY, _envelopes(int(params["envelopes"])), "application/xml")
    prepared = time.perf_counter() - prepared
    noop_pool = [noop] * int(params["noop_max"])
    phases = [
        (Phase("noop", 200, 1), noop_pool),
        (Phase("single", 202, 1), singles),
        (Phase("envelope", 202, ENVELOPE_VOUCHERS), envelopes),
        (Phase("noop", 200, 1), noop_pool),
    ]
    results = []
    server = int(params["server_pid"])
    for phase, pool in phases:
        time.sleep(1.0)  # let the relay push the previous phase's backlog before counting CPU again
        cpu = cpu_seconds(server)
        asyncio.run(_drive(host, port, phase, pool, clients, seconds))
        phase.server_cpu = cpu_seconds(server) - cpu
        results.append(phase.summary())
    print(json.dumps({"prepare_seconds": prepared, "phases": results}))


# ---- the orchestrating process ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def push_sink() -> Iterator[tuple[int, list[int]]]:
    """Accepts every push with 200 (the receivers); yields its port and a one-item push counter."""
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                count[0] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1]), count
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema in ``base``'s database (dropped afterwards); yields a URL whose search_path is it."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
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


@contextmanager
def database(kind: str, base: str | None, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    if base is None:
        raise SystemExit("postgresql needs --database-url or FISCALGW_TEST_DATABASE_URL")
    with postgres_schema(base) as url:
        yield url


def _configure(config: Path, database_url: str, sink_port: int) -> None:
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["database"] = {"url": database_url}
    for party in data["parties"]:
        if "push_url" in party:
            party["push_url"] = f"http://127.0.0.1:{sink_port}/v1/push"
    config.write_text(tomli_w.dumps(data), encoding="utf-8")


@contextmanager
def served(config_dir: Path, workers: int, log: Path) -> Iterator[tuple[int, int]]:
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(config_dir), "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=config_dir, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the server exited ({process.returncode}): {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not become ready within 60 s")
                time.sleep(0.2)
            yield port, process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def run_database(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    workers = 1 if kind == "sqlite" else args.workers
    with tempfile.TemporaryDirectory(prefix="fiscalgw-bench-") as tmp:
        directory = Path(tmp)
        config_dir = directory / "demo"
        subprocess.run(
            [sys.executable, "-m", "gateway", "init", str(config_dir)], check=True, capture_output=True
        )
        with push_sink() as (sink_port, pushes), database(kind, args.database_url, directory) as url:
            _configure(config_dir / "fiscalgw.toml", url, sink_port)
            with served(config_dir, workers, directory / "server.log") as (port, pid):
                params = {
                    "config_dir": str(config_dir),
                    "port": port,
                    "server_pid": pid,
                    "seconds": args.seconds,
                    "clients": args.clients,
                    "singles": args.singles,
                    "envelopes": args.envelopes,
                    "noop_max": 200_000,
                }
                client = subprocess.run(
                    [sys.executable, __file__, "--client", json.dumps(params)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if client.returncode != 0:
                    raise SystemExit(f"the client failed: {client.stderr[-3000:]}")
                result: dict[str, Any] = json.loads(client.stdout)
                time.sleep(1.0)  # let the relay catch up before counting pushes
            errors = [line for line in (directory / "server.log").read_text().splitlines() if "ERROR" in line]
        result.update(database=kind, workers=workers, pushes=pushes[0], server_errors=errors[:5])
        return result


def report(result: dict[str, Any]) -> None:
    phases = result["phases"]
    noop = [p for p in phases if p["name"] == "noop"]
    single = next(p for p in phases if p["name"] == "single")
    envelope = next(p for p in phases if p["name"] == "envelope")
    reference = sum(p["per_s"] for p in noop) / len(noop)
    ratio = single["per_s"] / reference if reference else 0.0
    print(
        f"\n{result['database']} — {result['workers']} uvicorn worker(s); pushes received by the sink: "
        f"{result['pushes']}; client pre-signing took {result['prepare_seconds']:.1f} s"
    )
    print(
        f"{'phase':<10} {'requests':>9} {'req/s':>9} {'records/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU ms/req':>10}  failures"
    )
    for p in phases:
        flag = " (pool used up)" if p["pool_exhausted"] and p["name"] != "noop" else ""
        print(
            f"{p['name']:<10} {p['requests']:>9} {p['per_s']:>9.1f} {p['records_per_s']:>10.1f} "
            f"{p['p50_ms']:>8.1f} {p['p99_ms']:>8.1f} {p['server_cpu_ms']:>10.3f}  "
            f"{p['failures'] or '-'}{flag}"
        )
    single_ok = "ok" if ratio >= GOAL_SINGLE_RATIO else "BELOW GOAL"
    print(
        f"single / no-op: {single['per_s']:.1f} / {reference:.1f} = {ratio:.3f}x  "
        f"(goal >= {GOAL_SINGLE_RATIO}x)  {single_ok}"
    )
    if result["database"] == "postgresql":
        p99_ok = "ok" if single["p99_ms"] <= GOAL_SINGLE_P99_MS else "ABOVE GOAL"
        cpu_ok = "ok" if single["server_cpu_ms"] <= GOAL_SINGLE_CPU_MS else "ABOVE GOAL"
        print(
            f"single p99 {single['p99_ms']:.1f} ms (goal <= {GOAL_SINGLE_P99_MS:.0f})  {p99_ok}; "
            f"server CPU {single['server_cpu_ms']:.2f} ms/msg (goal <= {GOAL_SINGLE_CPU_MS})  {cpu_ok}"
        )
    else:
        rate_ok = "ok" if single["per_s"] >= GOAL_SQLITE_SINGLE_PER_S else "BELOW GOAL"
        print(
            f"single messages/s on SQLite: {single['per_s']:.1f} "
            f"(goal >= {GOAL_SQLITE_SINGLE_PER_S:.0f})  {rate_ok}"
        )
    noop_cpu = sum(p["server_cpu_ms"] for p in noop) / len(noop)
    if single["server_cpu_ms"]:
        print(
            f"server CPU per request, no-op / single: {noop_cpu:.3f} / {single['server_cpu_ms']:.3f} ms = "
            f"{noop_cpu / single['server_cpu_ms']:.3f}x (the ratio if CPU were the only limit; "
            "PostgreSQL's own CPU not counted)"
        )
    vouchers = envelope["records_per_s"]
    voucher_ok = "ok" if vouchers >= GOAL_VOUCHERS_PER_S else "BELOW GOAL"
    goal_note = "" if result["database"] == "postgresql" else " (the goal is set for PostgreSQL)"
    print(
        f"vouchers/s in {ENVELOPE_VOUCHERS}-voucher envelopes: {vouchers:,.0f}  "
        f"(goal >= {GOAL_VOUCHERS_PER_S:,.0f}){goal_note}  {voucher_ok}"
    )
    for line in result["server_errors"]:
        print(f"server log: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="at most this long per phase (default 8)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers on PostgreSQL (default 2)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated (default both)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FISCALGW_TEST_DATABASE_URL"),
        help="PostgreSQL base URL (default $FISCALGW_TEST_DATABASE_URL); a schema is created and dropped",
    )
    parser.add_argument("--singles", type=int, default=4_000, help="pre-signed single messages (bound)")
    parser.add_argument("--envelopes", type=int, default=200, help="pre-signed envelopes (bound)")
    parser.add_argument("--client", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client is not None:
        client_main(json.loads(args.client))
        return
    print(f"cores: {os.cpu_count()}; load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.clients} connections, at most {args.seconds:g} s per phase; client in a separate process")
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        report(run_database(kind, args))
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
