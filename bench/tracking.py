"""Benchmark: a page of the 资金追踪 report (issue 17) on a province-sized store.

    .venv/bin/python bench/tracking.py --indicators 100000 --vouchers 1000000
    .venv/bin/python bench/tracking.py --indicators 1000000 --vouchers 10000000 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test

Builds one province (330000000) with 11 cities of 9 counties each. Per root indicator: the province's row
issued to a city (下达), the city's booking (ORI_BGT_ID = it), three city re-allocations to counties and the
counties' bookings — 8 ledger rows with their journal entries (one opening entry, two posting lines each);
``--indicators`` is the number of ledger rows (rounded to a multiple of 8), half of the roots IS_TRACK = 1.
``--vouchers`` 5201 vouchers are spread over the county bookings, each with 控制's link
(``indicator_spends``: paid, in flight, 1 in 1 000 held, 1 in 1 000 unlinked — what 资金追踪 reads), 80 %
with a 回单, 60 % cleared by a 2301 回单 line, 1 % refunded: ≈ 2.4 payment lines per voucher. Loaded in
bulk (Core executemany) into a fresh store — SQLite file by default; on PostgreSQL a throw-away schema.

Then times (best of ``--repeat``, default 5), in milliseconds:

* ``page_first`` / ``page_deep`` : :func:`gateway.services.tracking.list_indicators` — the province's IS_TRACK
  = 1 indicators, 50 a page, first page and a page in the middle: each root's downstream tree (one or two
  statements per level), journal amounts, and the spending of every node (vouchers, 回单, refunds, 清算:
  one statement);
* ``tree``       : :func:`gateway.services.tracking.indicator_tree` of one root, vouchers listed;
* reference ``raw_page`` : the page's base query alone (the 51 province rows, no tree, no spending);
  ``noop`` : ``SELECT 1`` on a pooled connection.

Prints the figures and the ratios page / raw_page side by side as JSON. The issue's target: a page under
300 ms at 1 M indicators and 10 M vouchers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.parties import Party, PartyKind, PartyRegistry  # noqa: E402
from gateway.services import tracking  # noqa: E402
from gateway.store.database import Database  # noqa: E402
from gateway.store.ledger import ROW_COLUMNS  # noqa: E402
from gateway.store.tables import (  # noqa: E402
    indicator_spends,
    ledger_entries,
    ledger_indicators,
    ledger_postings,
    messages,
    payment_lines,
)

PROVINCE, YEAR = "330000000", 2026
CITIES, COUNTIES, SPLITS = 11, 9, 3
AT = datetime(2026, 3, 31, 2, 0, tzinfo=UTC)
DAY = date(2026, 3, 16)
ACCOUNTS = {"issued": ("5301", "4301"), "received": ("1301", "4401")}
BATCH = 20_000


def city(i: int) -> str:
    return f"33{i + 1:02d}00000"


def county(i: int, j: int) -> str:
    return f"33{i + 1:02d}{j + 1:02d}000"


def _party(code: str, name: str) -> Party:
    """A finance party as the registry needs it for the 9 → 6-digit mapping (the key is never used)."""
    return Party(
        id=code,
        kind=PartyKind.FINANCE,
        name=name,
        adm_div_codes={code: code[:6]},
        public_key=("04" + "11" * 64,),
    )


def registry() -> PartyRegistry:
    parties = [_party(PROVINCE, "浙江省财政厅")]
    for i in range(CITIES):
        parties.append(_party(city(i), f"市{i}财政局"))
        parties.extend(_party(county(i, j), f"县{i}-{j}财政局") for j in range(COUNTIES))
    return PartyRegistry(parties)


def _indicator(
    pk: int,
    division: str,
    side: str,
    counterparty: str | None,
    bgt: str,
    ori: str | None,
    doc: str,
    fen: int,
    track: str,
) -> dict[str, Any]:
    return {
        "id": pk,
        "division": division,
        "side": side,
        "counterparty": counterparty,
        "fiscal_year": YEAR,
        "bgt_id": bgt,
        "ori_bgt_id": ori,
        "cor_bgt_doc_no": doc,
        "sup_bgt_doc_no": None,
        "bgt_doc_title": "关于下达2026年直达资金的通知",
        "doc_date": "2026-01-20",
        "pro_code": None,
        "fund_type_code": "111",
        "tp_func_code": "2130122",
        "gov_bgt_eco_code": "51301",
        "distri_type_code": "1",
        "is_track": track,
        "amount_fen": fen,
        "is_deleted": False,
        "create_time": AT,
        "origin": "booking",
        "message_pk": None,
        "updated_at": AT,
    }


def indicator_rows(roots: int) -> Iterator[tuple[dict[str, Any], str]]:
    """(row, opening kind) per ledger row, ids from 1 in order: P, C, then (K, Y) × 3 per root."""
    pk = 0
    for r in range(roots):
        i = r % CITIES
        track = "1" if r % 2 == 0 else "2"
        fen = 300_000_00
        pk += 1
        yield (
            _indicator(pk, PROVINCE, "issued", city(i), f"P{r:010d}", None, f"浙财{r}号", fen, track),
            "issue",
        )
        pk += 1
        yield (
            _indicator(pk, city(i), "received", None, f"C{r:010d}", f"P{r:010d}", f"市财{r}号", fen, track),
            "issue",
        )
        for s in range(SPLITS):
            j = (r + s) % COUNTIES
            k, y = f"K{r:010d}{s}", f"Y{r:010d}{s}"
            pk += 1
            yield (
                _indicator(
                    pk, city(i), "issued", county(i, j), k, f"C{r:010d}", f"市下{r}-{s}号", fen // 3, track
                ),
                "issue",
            )
            pk += 1
            yield (
                _indicator(pk, county(i, j), "received", None, y, k, f"县财{r}-{s}号", fen // 3, track),
                "issue",
            )


def load_ledger(connection: sa.Connection, roots: int) -> int:
    rows, entries, postings = [], [], []
    count = 0
    for row, kind in indicator_rows(roots):
        pk = row["id"]
        rows.append(row)
        entries.append(
            {"id": pk, "message_pk": None, "position": 0, "indicator_id": pk, "kind": kind, "posted_at": AT}
        )
        principal, contra = ACCOUNTS[row["side"]]
        for account, dr_cr in ((principal, "D"), (contra, "C")):
            postings.append(
                {
                    "entry_id": pk,
                    "division": row["division"],
                    "fiscal_year": YEAR,
                    "account": account,
                    "dr_cr": dr_cr,
                    "amount_fen": row["amount_fen"],
                }
            )
        if len(rows) >= BATCH:
            connection.execute(sa.insert(ledger_indicators), rows)
            connection.execute(sa.insert(ledger_entries), entries)
            connection.execute(sa.insert(ledger_postings), postings)
            count += len(rows)
            rows, entries, postings = [], [], []
    if rows:
        connection.execute(sa.insert(ledger_indicators), rows)
        connection.execute(sa.insert(ledger_entries), entries)
        connection.execute(sa.insert(ledger_postings), postings)
        count += len(rows)
    return count


def _line(role: str, vt: str, adm: str, no: str, fen: int, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message_pk": 1,
        "position": 0,
        "line": 0,
        "role": role,
        "vt_code": vt,
        "adm_div_code": adm,
        "pay_bank_code": "102",
        "voucher_no": no,
        "clearing_no": None,
        "original_voucher_no": None,
        "vou_date": DAY,
        "is_receipt": False,
        "amount_fen": fen,
        "x_pay_amt_fen": None,
        "x_pay_date": None,
        "pre_date_money_fen": None,
        "clear_amt_fen": None,
        "cur_reck_money_fen": None,
        "cur_date_money_fen": None,
        "record_sm3": "0" * 64,
        "active": True,
    }
    base.update(extra)
    return base


def load_vouchers(connection: sa.Connection, roots: int, vouchers: int) -> int:
    connection.execute(
        sa.insert(messages).values(
            id=1, sender="bench", message_id="bench", received_at=AT, format="evoucher", msg_type="batch",
            body=b"", body_sm3="0" * 64, headers={}, status="stored", response={},
        )
    )  # fmt: skip
    bookings = roots * SPLITS
    lines: list[dict[str, Any]] = []
    spends: list[dict[str, Any]] = []
    count = 0
    for v in range(vouchers):
        b = v % bookings
        r, s = divmod(b, SPLITS)
        adm = county(r % CITIES, (r + s) % COUNTIES)[:6]
        no = f"{adm}5201{v:012d}"
        fen = 1_000_00
        spends.append(_spend(v, r, s, adm, no, fen))
        if spends[-1]["state"] != "held":  # a held voucher joins the payment chain on 放行
            lines.append(_line("voucher", "5201", adm, no, fen))
        if v % 5:
            lines.append(
                _line("receipt", "5201", adm, no, fen, is_receipt=True, x_pay_amt_fen=fen, x_pay_date=DAY)
            )
        if v % 5 in (1, 2, 3):
            lines.append(
                _line(
                    "clearing",
                    "2301",
                    adm,
                    no,
                    fen,
                    clearing_no=f"C{v // 100}",
                    is_receipt=True,
                    line=1,
                )
            )
        if v % 100 == 0:
            lines.append(_line("refund", "2252", adm, f"R{v}", -100_00, original_voucher_no=no))
        if len(lines) >= BATCH:
            connection.execute(sa.insert(payment_lines), lines)
            connection.execute(sa.insert(indicator_spends), spends)
            count += len(lines)
            lines, spends = [], []
    if lines:
        connection.execute(sa.insert(payment_lines), lines)
        count += len(lines)
    if spends:
        connection.execute(sa.insert(indicator_spends), spends)
    return count


def _spend(v: int, r: int, s: int, adm: str, no: str, fen: int) -> dict[str, Any]:
    """控制's link of voucher ``v``: the county booking Y (id 8r + 4 + 2s, see :func:`indicator_rows`);
    paid when it has a 回单 (4 in 5), else in flight; 1 in 1 000 held, 1 in 1 000 unlinked."""
    paid = v % 5 != 0
    state = "paid" if paid else ("held" if v % 1000 == 5 else "in_flight")
    return {
        "message_pk": 1,
        "position": v,
        "adm_div_code": adm,
        "vt_code": "5201",
        "voucher_no": no,
        "fiscal_year": YEAR,
        "file_no_code": f"县财{r}-{s}号",
        "indicator_id": None if v % 1000 == 10 else 8 * r + 4 + 2 * s,
        "amount_fen": fen,
        "in_flight_fen": fen if state == "in_flight" else 0,
        "paid_fen": fen if paid else 0,
        "state": state,
        "codes": "indicator_ambiguous" if v % 1000 == 10 else "",
        "rule_version": None,
        "decided_at": AT,
        "reviewed_by": None,
        "reviewed_at": None,
        "review_comment": None,
    }


def best_ms(repeat: int, function: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


class BenchGateway:
    """What the tracking service reads: ``database`` and ``registry``."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.registry = registry()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--vouchers", type=int, default=10_000_000)
    parser.add_argument("--database", help="PostgreSQL URL (a throw-away schema is used); default SQLite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    roots = max(2, args.indicators // (2 + 2 * SPLITS))

    with tempfile.TemporaryDirectory(prefix="fiscalgw-bench-tracking-") as tmp:
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
            start = time.perf_counter()
            with database.engine.begin() as connection:
                indicators = load_ledger(connection, roots)
                lines = load_vouchers(connection, roots, args.vouchers)
            with database.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))  # planner statistics, as after any bulk load
            load_seconds = round(time.perf_counter() - start, 1)
            gw: Any = BenchGateway(database)
            scope = tracking.Scope(None, "bench")
            tracked_roots = (roots + 1) // 2
            deep = (tracked_roots // 2 // 50) * 50

            def page(offset: int) -> dict[str, Any]:
                return tracking.list_indicators(
                    gw, scope, division=PROVINCE, fiscal_year=YEAR, is_track="1", limit=50, offset=offset
                )

            sample = page(0)
            page_first = best_ms(args.repeat, lambda: page(0))
            page_deep = best_ms(args.repeat, lambda: page(deep))
            tree_ms = best_ms(args.repeat, lambda: tracking.indicator_tree(gw, scope, "P0000000000"))
            t = ledger_indicators

            def raw_page() -> None:
                with database.engine.connect() as connection:
                    query = (
                        sa.select(*ROW_COLUMNS)
                        .where(
                            t.c.is_deleted.is_(False),
                            t.c.division.in_([PROVINCE]),
                            t.c.fiscal_year == YEAR,
                            t.c.is_track == "1",
                        )
                        .order_by(t.c.id)
                        .limit(51)
                        .offset(0)
                    )
                    connection.execute(query).all()

            def noop() -> None:
                with database.engine.connect() as connection:
                    connection.execute(sa.text("SELECT 1")).all()

            raw_ms = best_ms(args.repeat, raw_page)
            noop_ms = best_ms(args.repeat, noop)
            print(
                json.dumps(
                    {
                        "database": database.dialect,
                        "ledger_rows": indicators,
                        "vouchers": args.vouchers,
                        "payment_lines": lines,
                        "load_seconds": load_seconds,
                        "page_items": len(sample["items"]),
                        "page_vouchers": sum(int(s["vouchers"]) for s in sample["summary"]),
                        "page_first_ms": page_first,
                        "page_deep_ms": page_deep,
                        "deep_offset": deep,
                        "tree_ms": tree_ms,
                        "raw_page_ms": raw_ms,
                        "noop_ms": noop_ms,
                        "ratio_page_to_raw_page": round(page_first / raw_ms, 1) if raw_ms else None,
                        "target_page_ms": 300,
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
