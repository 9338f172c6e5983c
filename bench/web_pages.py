"""Latency of the ops web pages (``/ui``) with 100 k messages in the store, against a no-op endpoint.

    .venv/bin/python bench/web_pages.py [--messages 100000] [--requests 40]
                                        [--databases sqlite,postgresql] [--database-url URL]

Per database: a fresh demo (``fiscalgw init``) in a temporary directory and a fresh SQLite file or PostgreSQL
schema (created and dropped here; base URL from ``--database-url`` or ``FISCALGW_TEST_DATABASE_URL``),
seeded directly through the store's tables in bulk (not through ingest, which bench/ingest.py measures):

* ``--messages`` messages over 30 days — 55 % 转移支付指标 (mof.json), 25 % 支付凭证 5201 (evoucher),
  12 % 回单, 8 % 清算申请 — each with its record, trace keys, lifecycle events, route and one outbox row
  (≈ 94 % sent, 3 % pending, 1 % retrying, 1.5 % dead, 0.5 % cancelled);
* an audit chain (SM3, valid) with one ``message.accepted`` entry per message and a few ops actions near
  its start (so "最近的队列操作" has to look far back).

Then the gateway's app runs in a separate process (uvicorn, one worker, no relay so the queue stays as
seeded), and one client signs in as ops and requests each page ``--requests`` times in turn after a warm-up,
printing p50 / p95 in milliseconds and the p50 ratio to ``GET /healthz`` (no database) measured in the same
run. Not a test: it prints figures and never asserts on timing.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.audit import GENESIS, canonical_detail, entry_hash  # noqa: E402
from gateway.config import load_settings  # noqa: E402
from gateway.demo_config import write_demo  # noqa: E402
from gateway.model import AuditEntry  # noqa: E402
from gateway.store.engine import make_engine  # noqa: E402
from gateway.store.schema import upgrade  # noqa: E402
from gateway.store.tables import (  # noqa: E402
    audit_head,
    audit_log,
    inbox_items,
    lifecycle_events,
    messages,
    outbox,
    records,
    routes,
    trace_keys,
)

START = datetime(2026, 2, 1, tzinfo=UTC)
PROVINCE, CITY, COUNTY, BANK, PBC = "330000000", "330300000", "330324000", "102333300018", "3303240000"
BATCH = 5_000


def _indicator_body(n: int) -> bytes:
    row = {
        "BGT_ID": f"BGT-{n:09d}",
        "MOF_DIV_CODE": PROVINCE,
        "REC_DIV_CODE": CITY,
        "FISCAL_YEAR": "2026",
        "COR_BGT_DOC_NO": f"浙财农〔2026〕{n}号",
        "SUP_BGT_DOC_NO": "财农〔2025〕128号",
        "BGT_DOC_TITLE": "关于下达2026年农业相关转移支付资金的通知",
        "DOC_DATE": "2026-01-20",
        "BGT_DEC": "耕地地力保护补贴",
        "PRO_CODE": "330000260000000012345",
        "FUND_TYPE_CODE": "111",
        "TP_FUNC_CODE": "2130122",
        "GOV_BGT_ECO_CODE": "51301",
        "AMOUNT": f"{(n * 7919) % 10_000_000 / 100:.2f}",
        "IS_DELETED": "2",
    }
    return json.dumps({"BA_BGT_INFO": [row]}, ensure_ascii=False).encode("utf-8")


def _voucher_body(n: int, flag: str) -> bytes:
    """An e-voucher envelope of realistic size (~3 KB; the inner voucher is opaque base64 here)."""
    inner = (
        f"<Voucher><VoucherNo>{n:019d}</VoucherNo>" + "<X>永嘉县财政局零余额账户</X>" * 60 + "</Voucher>"
    ).encode()
    payload = base64.b64encode(inner).decode()
    return (
        f'<?xml version="1.0" encoding="GBK"?>\n<MOF><VoucherCount>1</VoucherCount>'
        f'<VoucherBody AdmDivCode="330324" StYear="2026" VtCode="5201" VoucherNo="{n:019d}">'
        f"<VoucherFlag>{flag}</VoucherFlag><Attach>SUCCESS</Attach><Voucher>{payload}</Voucher></VoucherBody></MOF>"
    ).encode("gbk")


def _kind(n: int) -> tuple[str, str, str, str]:
    """(msg_type, format, sender, receiver) of message ``n``."""
    bucket = n % 100
    if bucket < 55:
        return "transfer_indicator", "mof.json", PROVINCE, CITY if n % 3 else COUNTY
    if bucket < 80:
        return "payment_voucher", "evoucher", COUNTY, BANK
    if bucket < 92:
        return "payment_receipt", "evoucher", BANK, COUNTY
    return "clearing_request", "evoucher", BANK, PBC


def _outbox_state(n: int) -> tuple[str, int]:
    bucket = (n * 37) % 1000
    if bucket < 30:
        return "pending", 0
    if bucket < 40:
        return "pending", 3
    if bucket < 55:
        return "dead", 8
    if bucket < 60:
        return "cancelled", 2
    return "sent", 1


def seed(url: str, count: int) -> dict[str, Any]:
    """Bulk-load ``count`` messages; returns a few keys to look up."""
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    prev_hash, seq = GENESIS, 0
    audit_rows: list[dict[str, Any]] = []

    def chain(at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
        nonlocal prev_hash, seq
        seq += 1
        text = canonical_detail(detail)
        entry = AuditEntry(seq, at, actor, action, subject, json.loads(text), prev_hash)
        digest = entry_hash(prev_hash, entry)
        audit_rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "subject": subject,
                "detail": text,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest

    step = timedelta(days=30) / count
    picks: dict[str, Any] = {}
    with engine.connect() as connection:
        for first in range(1, count + 1, BATCH):
            rows: dict[str, list[dict[str, Any]]] = {
                "messages": [],
                "records": [],
                "trace_keys": [],
                "lifecycle_events": [],
                "routes": [],
                "outbox": [],
                "inbox_items": [],
            }
            for n in range(first, min(first + BATCH, count + 1)):
                msg_type, fmt, sender, receiver = _kind(n)
                at = START + step * n
                message_id = f"M{n:09d}-{uuid.UUID(int=n).hex[:8]}"
                if msg_type == "transfer_indicator":
                    body, key, value = _indicator_body(n), "bgt_id", f"BGT-{n:09d}"
                else:
                    voucher = n if msg_type == "payment_voucher" else n - 1
                    body = _voucher_body(voucher, "0" if msg_type == "payment_voucher" else "1")
                    key, value = "voucher_no", f"{voucher:019d}"
                state, attempts = _outbox_state(n)
                status = "delivered" if state == "sent" else ("dead" if state == "dead" else "routed")
                rows["messages"].append(
                    {
                        "id": n,
                        "sender": sender,
                        "message_id": message_id,
                        "received_at": at,
                        "format": fmt,
                        "msg_type": msg_type,
                        "body": body,
                        "body_sm3": f"{n:064x}",
                        "headers": {"X-Sender": sender, "X-Message-Id": message_id},
                        "status": status,
                        "response": {"message_id": message_id, "status": "routed"},
                    }
                )
                rows["records"].append(
                    {
                        "message_pk": n,
                        "position": 0,
                        "msg_type": msg_type,
                        "bgt_id": value if key == "bgt_id" else None,
                        "voucher_no": value if key == "voucher_no" else None,
                        "canonical": "{}",
                        "result": "accepted",
                    }
                )
                rows["trace_keys"].append({"message_pk": n, "position": 0, "key": key, "value": value})
                for offset, life in enumerate(("received", "validated", "stored", "routed")):
                    rows["lifecycle_events"].append(
                        {
                            "message_pk": n,
                            "status": life,
                            "at": at,
                            "detail": receiver if offset == 3 else None,
                        }
                    )
                if status != "routed":
                    rows["lifecycle_events"].append(
                        {
                            "message_pk": n,
                            "status": status,
                            "at": at + timedelta(seconds=5),
                            "detail": receiver,
                        }
                    )
                rows["routes"].append(
                    {"message_pk": n, "position": 0, "receiver": receiver, "rule": msg_type}
                )
                channel = "pull" if receiver == COUNTY else "push"
                rows["outbox"].append(
                    {
                        "id": n,
                        "message_pk": n,
                        "receiver": receiver,
                        "channel": channel,
                        "format": fmt,
                        "body": body,
                        "original_sender": sender,
                        "original_message_id": message_id,
                        "status": state,
                        "attempts": attempts,
                        "next_attempt_at": at + timedelta(minutes=attempts),
                        "last_error": "connection refused"
                        if state in ("dead", "pending") and attempts
                        else None,
                        "created_at": at,
                        "sent_at": at + timedelta(seconds=5) if state == "sent" else None,
                        "dead_at": at + timedelta(hours=2) if state == "dead" else None,
                    }
                )
                if channel == "pull":
                    rows["inbox_items"].append(
                        {
                            "outbox_id": n,
                            "receiver": receiver,
                            "visible_after": at,
                            "offered_count": 1,
                            "acked_at": at + timedelta(seconds=5) if state == "sent" else None,
                        }
                    )
                chain(at, sender, "message.accepted", f"{sender}/{message_id}", {"format": fmt, "records": 1})
                if n in (50, 51, 52):
                    chain(at, "ops:alice", "outbox.retry", f"outbox/{n - 40}", {})
                picks.setdefault(f"{msg_type}:{state}", (n, message_id, key, value))
            with connection.begin():
                for name, table in (
                    ("messages", messages),
                    ("records", records),
                    ("trace_keys", trace_keys),
                    ("lifecycle_events", lifecycle_events),
                    ("routes", routes),
                    ("outbox", outbox),
                    ("inbox_items", inbox_items),
                ):
                    if rows[name]:
                        connection.execute(sa.insert(table), rows[name])
                connection.execute(sa.insert(audit_log), audit_rows)
                connection.execute(
                    sa.update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev_hash)
                )
            audit_rows.clear()
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
            for table in ("messages", "outbox", "inbox_items"):  # explicit ids: move the sequences on
                connection.exec_driver_sql(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            connection.commit()
    engine.dispose()
    return {"seconds": time.perf_counter() - started, "picks": picks}


# ---- the server ------------------------------------------------------------------------------------------


def serve(config: str, url: str, port: int) -> None:
    """Child process: the app over the seeded store, no relay."""
    import uvicorn

    from gateway.api.app import create_app
    from gateway.bootstrap import build_gateway

    os.environ["FISCALGW_DATABASE__URL"] = url
    gateway = build_gateway(load_settings(Path(config)))
    uvicorn.run(create_app(gateway), host="127.0.0.1", port=port, log_level="warning")


@contextmanager
def server(config: Path, url: str) -> Iterator[str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(config), "--url", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("the server exited")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _pad(text: str, width: int) -> str:
    """Left-justify by display width (CJK characters take two columns)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def sign_in(client: httpx.Client, token: str) -> None:
    form = client.get("/ui/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post("/ui/login", data={"csrf": csrf.group(1), "token": token, "next": ""})
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")


def measure(client: httpx.Client, pages: list[tuple[str, str]], requests: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name, _ in pages}
    for name, path in pages:  # warm-up
        answer = client.get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {answer.status_code}: {answer.text[:300]}")
    for _ in range(requests):
        for name, path in pages:
            started = time.perf_counter()
            answer = client.get(path)
            timings[name].append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{name}: {path} answered {answer.status_code}")
    return timings


def run(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="fiscalgw-web-bench-") as work:
        directory = Path(work)
        write_demo(directory, now=datetime.now(UTC) - timedelta(days=1))
        token = dict(line.split() for line in (directory / "tokens.txt").read_text().splitlines())["ops"]
        schema, admin = None, None
        if kind == "sqlite":
            url = f"sqlite:///{directory / 'bench.db'}"
        else:
            base = args.database_url or os.environ.get("FISCALGW_TEST_DATABASE_URL")
            if not base:
                print("postgresql: skipped (no --database-url or FISCALGW_TEST_DATABASE_URL)")
                return
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(base)
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            url = (
                sa.engine.make_url(base)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
        try:
            seeded = seed(url, args.messages)
            picks = seeded["picks"]
            print(f"\n{kind}: seeded {args.messages:,} messages in {seeded['seconds']:.1f} s")
            voucher_pk, voucher_mid, _, voucher_no = picks["payment_voucher:sent"]
            _, _, _, bgt_id = picks["transfer_indicator:sent"]
            middle_mid = f"M{args.messages // 2:09d}-{uuid.UUID(int=args.messages // 2).hex[:8]}"
            dead_id = picks["transfer_indicator:dead"][0]
            day = (START + timedelta(days=15)).date().isoformat()
            pages = [
                ("no-op GET /healthz", "/healthz"),
                ("报文追踪: newest", "/ui/messages"),
                ("报文追踪: page 200", "/ui/messages?page=200"),
                ("报文追踪: by message id", f"/ui/messages?message_id={middle_mid}"),
                ("报文追踪: by voucher no", f"/ui/messages?voucher_no={voucher_no}"),
                ("报文追踪: by BGT_ID", f"/ui/messages?bgt_id={bgt_id}"),
                ("报文追踪: by party (bank)", f"/ui/messages?party={BANK}"),
                ("报文追踪: by type", "/ui/messages?type=clearing_request"),
                ("报文追踪: one day", f"/ui/messages?from={day}&to={day}"),
                (
                    "报文追踪: party+type+day",
                    f"/ui/messages?party={PBC}&type=payment_voucher&from={day}&to={day}",
                ),
                ("message page", f"/ui/messages/{voucher_pk}"),
                ("signed original", f"/ui/messages/{voucher_pk}/original"),
                ("投递队列: dead", "/ui/queue?state=dead"),
                ("投递队列: pending", "/ui/queue?state=pending"),
                ("投递队列: sent", "/ui/queue?state=sent"),
                ("投递队列: dead, one receiver", f"/ui/queue?state=dead&receiver={CITY}"),
                ("confirm retry", f"/ui/queue/{dead_id}/retry"),
            ]
            with server(directory, url) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
                sign_in(client, token)
                timings = measure(client, pages, args.requests)
            reference = statistics.median(timings[pages[0][0]])
            print(f"{_pad('page', 34)} {'p50 ms':>8} {'p95 ms':>8} {'p50 / no-op':>12}")
            for name, _ in pages:
                values = sorted(timings[name])
                p50 = statistics.median(values)
                p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
                print(f"{_pad(name, 34)} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {p50 / reference:11.1f}×")
            print(f"(message id {voucher_mid}; {args.requests} requests per page, one client, keep-alive)")
        finally:
            if schema is not None and admin is not None:
                with admin.begin() as connection:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (default 40)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--database-url", help="PostgreSQL base URL (default FISCALGW_TEST_DATABASE_URL)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.url, args.port)
        return
    print(f"cores: {os.cpu_count()}; load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for kind in args.databases.split(","):
        run(kind.strip(), args)
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
