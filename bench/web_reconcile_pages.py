"""Latency of the reconciliation pages (总览, 差异, 对账报告 and the report downloads) with 100 k messages and
10 k persistent breaks in the store, against a no-op endpoint.

    .venv/bin/python bench/web_reconcile_pages.py [--messages 100000] [--breaks 10000] [--pairs 5]
                                                  [--runs 30] [--requests 30]
                                                  [--databases sqlite,postgresql] [--database-url URL]

Per database: a fresh demo and a fresh SQLite file or PostgreSQL schema (as bench/web_pages.py, whose message
seeding, server, sign-in and timing this reuses), then:

* ``--messages`` messages, outbox rows and their audit chain (bench/web_pages.py's seed);
* ``--pairs`` indicator pairs (330000000 → 3301…), each reconciled ``--runs`` times, once a day over the last
  ``--runs`` days; ``--breaks`` breaks spread over the pairs. A break is first found by some run (40 % by the
  first), 25 % vanish later (auto-closed, some found again: reopened), 10 % are explained and 5 % resolved by
  ops. Every run's row holds what :func:`gateway.services.reconciliation.runs.run_now` writes: the summary,
  the full JSON report (``report_dict`` of the breaks it found, plus a few in-transit items), and one
  ``reconciliation.run`` audit entry; breaks and their history are the rows ``apply_breaks`` and the ops
  actions leave (``found_break`` builds each stored break from the engine's :class:`Break`), with the audit
  chain continued (``break.explained`` / ``break.resolved``).

The app then runs in a separate process (uvicorn, one worker) and one signed-in ops client requests each page
``--requests`` times after a warm-up; p50 / p95 in ms and the p50 ratio to ``GET /healthz``. The report
downloads are timed twice: "again" is the largest run's file requested repeatedly (a finished run's files
are rendered once and kept, :mod:`gateway.services.report_cache`); "first download" is one request each for
the reports of ``--cold`` other large runs (rendered from the stored JSON report). Not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after ROOT: bench/adapters.py must not shadow adapters/

import web_pages  # noqa: E402

from gateway.audit import canonical_detail, entry_hash  # noqa: E402
from gateway.demo_config import write_demo  # noqa: E402
from gateway.model import AuditEntry  # noqa: E402
from gateway.reconcile.breaks import Break, BreakType, FieldDifference  # noqa: E402
from gateway.reconcile.indicators.report import IndicatorReport, PairSummary, empty_counts  # noqa: E402
from gateway.reconcile.report.json import pair_dict, report_dict  # noqa: E402
from gateway.services.reconciliation.indicators import found_break  # noqa: E402
from gateway.store.engine import make_engine  # noqa: E402
from gateway.store.schema import upgrade  # noqa: E402
from gateway.store.tables import audit_head, audit_log, break_events, recon_breaks, recon_runs  # noqa: E402
from signing import sm3_hex  # noqa: E402

KIND = "indicators"
UPPER, YEAR = "330000000", 2026
TYPES = (
    (BreakType.MISSING_IN_LOWER, 35),
    (BreakType.AMOUNT_MISMATCH, 25),
    (BreakType.ATTRIBUTE_MISMATCH, 20),
    (BreakType.MISSING_IN_UPPER, 15),
    (BreakType.DUPLICATE, 5),
)
IN_TRANSIT = 20
"""In-transit items in every run's report (not breaks)."""


@dataclass
class Seeded:
    """One break's life across the runs of its pair (run numbers 1…runs)."""

    item: Break
    opened: int
    closed: int | None = None
    reopened: int | None = None
    ops: str | None = None
    """explained | resolved (by ops, after the last run) or None."""
    row: dict[str, Any] = field(default_factory=dict)

    def found_by(self, run: int) -> bool:
        if run < self.opened:
            return False
        if self.closed is not None and self.closed <= run:
            return self.reopened is not None and self.reopened <= run
        return True


def _yuan(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(1_000, 500_000_000)) / 100


def _break(rng: random.Random, lower: str, n: int) -> Break:
    kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    bgt = f"BGT-{lower[:4]}-{n:07d}"
    doc = f"浙财预〔{YEAR}〕{n % 900 + 1}号"
    head = f"{kind.value}|{UPPER}|{lower}|{YEAR}"
    upper_amount = _yuan(rng)
    if kind is BreakType.MISSING_IN_LOWER:
        return Break(kind, f"{head}|id:{bgt}", UPPER, lower, YEAR, bgt, None, doc, upper_amount, None, None)
    if kind is BreakType.MISSING_IN_UPPER:
        lower_id = f"L-{lower[:4]}-{n:07d}"
        return Break(
            kind,
            f"{head}|lower-id:{lower_id}",
            UPPER,
            lower,
            YEAR,
            None,
            lower_id,
            doc,
            None,
            upper_amount,
            None,
        )
    if kind is BreakType.AMOUNT_MISMATCH:
        lower_amount = upper_amount - Decimal(rng.randrange(1, 10_000_000)) / 100
        return Break(
            kind,
            f"{head}|id:{bgt}",
            UPPER,
            lower,
            YEAR,
            bgt,
            bgt,
            doc,
            upper_amount,
            lower_amount,
            upper_amount - lower_amount,
        )
    if kind is BreakType.ATTRIBUTE_MISMATCH:
        fields = (
            FieldDifference("TP_FUNC_CODE", "2130122", "2130199"),
            FieldDifference(
                "BGT_DOC_TITLE", "关于下达2026年农业相关转移支付资金的通知", "关于下达资金的通知"
            ),
        )[: 1 + n % 2]
        return Break(
            kind,
            f"{head}|id:{bgt}",
            UPPER,
            lower,
            YEAR,
            bgt,
            bgt,
            doc,
            upper_amount,
            upper_amount,
            Decimal(0),
            fields,
        )
    return Break(
        kind,
        f"{head}|upper-id:{bgt} / lower-ori:{bgt}-D",
        UPPER,
        lower,
        YEAR,
        bgt,
        f"{bgt}-D",
        doc,
        upper_amount,
        upper_amount,
        Decimal(0),
    )


def _in_transit(lower: str, run: int, n: int) -> Break:
    bgt = f"BGT-{lower[:4]}-T{run:02d}{n:03d}"
    amount = Decimal(10_000 + n)
    return Break(
        BreakType.IN_TRANSIT,
        f"IN_TRANSIT|{UPPER}|{lower}|{YEAR}|id:{bgt}",
        UPPER,
        lower,
        YEAR,
        bgt,
        None,
        None,
        amount,
        None,
        None,
    )


class Chain:
    """Continues the seeded audit chain from its head."""

    def __init__(self, connection: sa.Connection) -> None:
        head = connection.execute(sa.select(audit_head.c.seq, audit_head.c.hash)).one()
        self.seq, self.hash = int(head.seq), str(head.hash)
        self.rows: list[dict[str, Any]] = []

    def add(self, at: datetime, actor: str, action: str, subject: str, detail: dict[str, Any]) -> None:
        self.seq += 1
        text = canonical_detail(detail)
        entry = AuditEntry(self.seq, at, actor, action, subject, json.loads(text), self.hash)
        digest = entry_hash(self.hash, entry)
        self.rows.append(
            {
                "seq": self.seq,
                "at": at,
                "actor": actor,
                "action": action,
                "subject": subject,
                "detail": text,
                "prev_hash": self.hash,
                "hash": digest,
            }
        )
        self.hash = digest


def seed_reconciliation(url: str, *, breaks: int, pairs: int, runs: int, now: datetime) -> dict[str, Any]:
    """Runs, breaks, their history and audit entries as the real code leaves them; returns a few picks."""
    rng = random.Random(20260201)
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    lowers = [f"33{index:02d}00000" for index in range(1, pairs + 1)]
    per_pair = [breaks // pairs + (1 if i < breaks % pairs else 0) for i in range(pairs)]
    life: dict[str, list[Seeded]] = {}
    for lower, count in zip(lowers, per_pair, strict=True):
        items = []
        for n in range(1, count + 1):
            seeded = Seeded(_break(rng, lower, n), 1 if rng.random() < 0.4 else rng.randint(1, runs))
            roll = rng.random()
            if roll < 0.25 and seeded.opened < runs:
                seeded.closed = rng.randint(seeded.opened + 1, runs)
                if rng.random() < 0.2 and seeded.closed < runs:
                    seeded.reopened = rng.randint(seeded.closed + 1, runs)
            elif roll < 0.35:
                seeded.ops = "explained"
            elif roll < 0.40:
                seeded.ops = "resolved"
            items.append(seeded)
        life[lower] = items
    run_start = [now - timedelta(days=runs - r, hours=-1) for r in range(1, runs + 1)]
    chain_rows: list[dict[str, Any]] = []
    picks: dict[str, Any] = {"largest_run": (0, 0)}
    with engine.connect() as connection:
        chain = Chain(connection)
        run_ids: dict[tuple[str, int], int] = {}
        next_id = 1
        for r in range(1, runs + 1):
            for lower in lowers:
                run_ids[(lower, r)] = next_id
                next_id += 1
        for lower in lowers:
            items = life[lower]
            run_rows: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            previous: set[int] = set()
            for r in range(1, runs + 1):
                run_id, at = run_ids[(lower, r)], run_start[r - 1]
                done = at + timedelta(seconds=20)
                found = [i for i, s in enumerate(items) if s.found_by(r)]
                found_set = set(found)
                opened = [i for i in found if items[i].opened == r]
                reopened = [i for i in found if items[i].reopened == r]
                closed = [i for i in previous if i not in found_set]
                carried = len(found) - len(opened) - len(reopened)
                counts = empty_counts()
                for i in found:
                    counts[items[i].item.type] += 1
                counts[BreakType.IN_TRANSIT] = IN_TRANSIT
                found_breaks = tuple(sorted((items[i].item for i in found), key=Break.sort_key))
                pair = PairSummary(
                    UPPER,
                    lower,
                    YEAR,
                    40_000,
                    40_000 - counts[BreakType.MISSING_IN_LOWER],
                    Decimal("123456789.00"),
                    Decimal("123000000.00"),
                    counts,
                )
                report = IndicatorReport(
                    at,
                    timedelta(hours=48),
                    (pair,),
                    found_breaks,
                    tuple(_in_transit(lower, r, n) for n in range(IN_TRANSIT)),
                )
                body = report_dict(report)
                summary = {
                    **pair_dict(pair),
                    "in_transit_hours": 48,
                    "breaks": len(found),
                    "in_transit": IN_TRANSIT,
                    "opened": len(opened),
                    "reopened": len(reopened),
                    "closed": len(closed),
                    "carried": carried,
                }
                run_rows.append(
                    {
                        "id": run_id,
                        "kind": KIND,
                        "scope_key": f"{UPPER}|{lower}|{YEAR}",
                        "scope": {"upper": UPPER, "lower": lower, "fiscal_year": YEAR},
                        "as_of": at,
                        "started_at": at,
                        "finished_at": done,
                        "status": "succeeded",
                        "trigger": "schedule",
                        "actor": "system:scheduler",
                        "summary": summary,
                        "report": body,
                        "error": None,
                    }
                )
                chain.add(
                    done,
                    "system:scheduler",
                    "reconciliation.run",
                    f"reconciliation/{run_id}",
                    {
                        "kind": KIND,
                        "scope": f"{UPPER}|{lower}|{YEAR}",
                        "status": pair.status,
                        "breaks": len(found),
                        "opened": len(opened),
                        "reopened": len(reopened),
                        "closed": len(closed),
                        "carried": carried,
                        "report_sm3": sm3_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()),
                    },
                )
                picks.setdefault("run_sizes", {})[run_id] = len(found)
                if len(found) > picks["largest_run"][1]:
                    picks["largest_run"] = (run_id, len(found))
                for action, which in (("opened", opened), ("reopened", reopened), ("closed", closed)):
                    for i in which:
                        events.append(
                            {
                                "break": i,
                                "at": done,
                                "actor": "system",
                                "action": action,
                                "comment": None,
                                "run_id": run_id,
                            }
                        )
                previous = found_set
            connection.execute(sa.insert(recon_runs), run_rows)
            last_done = run_start[-1] + timedelta(seconds=20)
            rows = []
            for index, s in enumerate(items):
                stored = found_break(s.item)
                last_found = max(r for r in range(1, runs + 1) if s.found_by(r) or r == s.opened)
                first_at = run_start[s.opened - 1] + timedelta(seconds=20)
                row: dict[str, Any] = {
                    "key": stored.key,
                    "kind": KIND,
                    "type": stored.type,
                    "scope_key": f"{UPPER}|{lower}|{YEAR}",
                    "scope": {"upper": UPPER, "lower": lower, "fiscal_year": YEAR},
                    "ident": stored.ident,
                    "status": "open",
                    "first_seen": first_at,
                    "last_seen": run_start[last_found - 1] + timedelta(seconds=20),
                    "first_run_id": run_ids[(lower, s.opened)],
                    "last_run_id": run_ids[(lower, last_found)],
                    "closed_at": None,
                    "amount_fen": stored.amount_fen,
                    "upper_amount_fen": stored.upper_amount_fen,
                    "lower_amount_fen": stored.lower_amount_fen,
                    "difference_fen": stored.difference_fen,
                    "fields": list(stored.fields),
                    "detail": dict(stored.detail),
                    "status_at": None,
                    "status_by": None,
                    "status_comment": None,
                }
                if s.reopened is not None:
                    at = run_start[s.reopened - 1] + timedelta(seconds=20)
                    row.update(status="open", status_at=at, status_by="system", status_comment="再次发现")
                elif s.closed is not None:
                    at = run_start[s.closed - 1] + timedelta(seconds=20)
                    row.update(
                        status="closed",
                        status_at=at,
                        status_by="system",
                        status_comment="对方数据已到达，差异消除",
                        closed_at=at,
                    )
                elif s.ops is not None:
                    at = last_done + timedelta(minutes=10 + index % 600)
                    comment = "上级已确认，下级补录中" if s.ops == "explained" else "已与下级核对并更正"
                    row.update(status=s.ops, status_at=at, status_by="ops:alice", status_comment=comment)
                    events.append(
                        {
                            "break": index,
                            "at": at,
                            "actor": "ops:alice",
                            "action": s.ops,
                            "comment": comment,
                            "run_id": None,
                        }
                    )
                    chain_rows.append(
                        {
                            "at": at,
                            "action": f"break.{s.ops}",
                            "subject": f"break/{stored.key}",
                            "detail": {
                                "type": stored.type,
                                "scope": row["scope_key"],
                                "from": "open",
                                "comment": comment,
                            },
                        }
                    )
                rows.append(row)
                s.row = row
            for start in range(0, len(rows), 1000):
                connection.execute(sa.insert(recon_breaks), rows[start : start + 1000])
            ids = {
                str(k): int(i)
                for k, i in connection.execute(
                    sa.select(recon_breaks.c.key, recon_breaks.c.id).where(
                        recon_breaks.c.scope_key == f"{UPPER}|{lower}|{YEAR}"
                    )
                )
            }
            events.sort(key=lambda e: (e["at"], e["break"]))
            connection.execute(
                sa.insert(break_events),
                [
                    {
                        "break_id": ids[items[e["break"]].row["key"]],
                        "at": e["at"],
                        "actor": e["actor"],
                        "action": e["action"],
                        "comment": e["comment"],
                        "run_id": e["run_id"],
                    }
                    for e in events
                ],
            )
            history = Counter(e["break"] for e in events)
            busiest = max(history, key=lambda i: (history[i], i))
            picks.setdefault("busy_break", items[busiest].row["key"])
            connection.commit()
        for entry in sorted(chain_rows, key=lambda e: e["at"]):
            chain.add(entry["at"], "ops:alice", entry["action"], entry["subject"], entry["detail"])
        for start in range(0, len(chain.rows), 2000):
            connection.execute(sa.insert(audit_log), chain.rows[start : start + 2000])
        connection.execute(
            sa.update(audit_head).where(audit_head.c.id == 1).values(seq=chain.seq, hash=chain.hash)
        )
        connection.commit()
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT setval('recon_runs_id_seq', (SELECT max(id) FROM recon_runs))")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        total = connection.execute(sa.select(sa.func.count()).select_from(recon_breaks)).scalar_one()
    engine.dispose()
    picks["pair"] = f"{UPPER}|{lowers[0]}|{YEAR}"
    picks["breaks"] = int(total)
    return {"seconds": time.perf_counter() - started, "picks": picks}


def run(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="fiscalgw-recon-web-bench-") as work:
        directory = Path(work)
        now = datetime.now(UTC)
        write_demo(directory, now=now - timedelta(days=1))
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
            if args.messages:
                seconds = web_pages.seed(url, args.messages)["seconds"]
                print(f"\n{kind}: seeded {args.messages:,} messages in {seconds:.1f} s")
            seeded = seed_reconciliation(url, breaks=args.breaks, pairs=args.pairs, runs=args.runs, now=now)
            picks = seeded["picks"]
            run_id, run_breaks = picks["largest_run"]
            print(
                f"{kind}: seeded {picks['breaks']:,} breaks, {args.pairs} pairs × {args.runs} runs "
                f"in {seeded['seconds']:.1f} s (largest run #{run_id}: {run_breaks} breaks)"
            )
            pair = picks["pair"]
            last = max(1, math.ceil(picks["breaks"] / 50))
            pages = [
                ("no-op GET /healthz", "/healthz"),
                ("总览 dashboard", "/ui/dashboard"),
                ("差异: unfiltered", "/ui/breaks"),
                ("差异: by pair", f"/ui/breaks?pair={pair}"),
                ("差异: by type", "/ui/breaks?type=AMOUNT_MISMATCH"),
                ("差异: by status (explained)", "/ui/breaks?status=explained"),
                ("差异: by age (7-30d)", "/ui/breaks?age=7-30d"),
                ("差异: amount 1k–50k yuan", "/ui/breaks?min_amount=1000&max_amount=50000"),
                ("差异: sorted -amount", "/ui/breaks?sort=-amount"),
                ("差异: sorted -age", "/ui/breaks?sort=-age"),
                ("差异: pair+open+-amount", f"/ui/breaks?pair={pair}&status=open&sort=-amount"),
                (f"差异: last page ({last})", f"/ui/breaks?page={last}"),
                ("break page (history)", f"/ui/breaks/{picks['busy_break']}"),
                ("对账报告: runs", "/ui/runs"),
                ("对账报告: runs of a pair", f"/ui/runs?pair={pair}"),
                (f"run page ({run_breaks} breaks)", f"/ui/runs/{run_id}"),
                ("report.csv (again)", f"/ui/runs/{run_id}/report.csv"),
                ("report.xlsx (again)", f"/ui/runs/{run_id}/report.xlsx"),
                ("report.json (again)", f"/ui/runs/{run_id}/report.json"),
            ]
            sizes = picks["run_sizes"]
            cold_runs = sorted((r for r in sizes if r != run_id), key=lambda r: (-sizes[r], r))[: args.cold]
            with (
                web_pages.server(directory, url) as base_url,
                httpx.Client(base_url=base_url, timeout=60) as client,
            ):
                web_pages.sign_in(client, token)
                timings = web_pages.measure(client, pages, args.requests)
                names = [name for name, _ in pages]
                for fmt in ("csv", "xlsx", "json"):  # a first download: rendered from the stored report
                    name = f"report.{fmt} (first download)"
                    names.append(name)
                    timings[name] = []
                    for cold in cold_runs:
                        started = time.perf_counter()
                        answer = client.get(f"/ui/runs/{cold}/report.{fmt}")
                        timings[name].append(time.perf_counter() - started)
                        if answer.status_code != 200:
                            raise RuntimeError(f"report.{fmt} of run {cold} answered {answer.status_code}")
            reference = statistics.median(timings[pages[0][0]])
            print(f"{web_pages._pad('page', 34)} {'p50 ms':>8} {'p95 ms':>8} {'p50 / no-op':>12}")
            for name in names:
                values = sorted(timings[name])
                p50 = statistics.median(values)
                p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
                print(
                    f"{web_pages._pad(name, 34)} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {p50 / reference:11.1f}×"
                )
            smallest = min(sizes[r] for r in cold_runs) if cold_runs else 0
            print(
                f"({args.requests} requests per page, one client, keep-alive; first downloads: one each of "
                f"{len(cold_runs)} other runs of {smallest}–{sizes[cold_runs[0]] if cold_runs else 0} breaks)"
            )
        finally:
            if schema is not None and admin is not None:
                with admin.begin() as connection:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000, help="0 seeds no messages")
    parser.add_argument("--breaks", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30, help="runs per pair (one a day)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--cold", type=int, default=12, help="runs whose reports are downloaded once each")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--database-url", help="PostgreSQL base URL (default FISCALGW_TEST_DATABASE_URL)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for kind in args.databases.split(","):
        run(kind.strip(), args)
    print(f"\nload average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
