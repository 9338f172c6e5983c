"""Storage of the indicator ledger (预算指标核算, ADR 0005): one row per indicator per level, journal entries
and their debit / credit lines, the invariant queries, and the export a reconciliation run reads.

The accounting rules (which accounts, when) live in :mod:`gateway.services.ledger`; this module only reads and
writes rows. Amounts are integer fen.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql

from gateway.reconcile.indicators.snapshot_columns import FIELD_SEPARATOR, SnapshotColumns
from gateway.rows import IndicatorRow, NewEntry, NewIndicator
from gateway.store.tables import ledger_entries, ledger_indicators, ledger_postings
from schemas.indicator_columns import LEDGER_SNAPSHOT_COLUMNS

if TYPE_CHECKING:
    from gateway.store.unit_of_work import PendingInserts

_NOT_STORED = frozenset({"BGT_DEC", "EXP_FUNC_CODE"})  # snapshot columns the ledger does not keep
EXPORT_COLUMNS: tuple[str, ...] = tuple(c for c in LEDGER_SNAPSHOT_COLUMNS if c not in _NOT_STORED)
"""The BA_BGT_INFO snapshot header a store export writes (the columns the reconciliation engine reads)."""

_CHINA = timedelta(hours=8)


_ROW_COLUMNS = (
    ledger_indicators.c.id,
    ledger_indicators.c.division,
    ledger_indicators.c.side,
    ledger_indicators.c.counterparty,
    ledger_indicators.c.fiscal_year,
    ledger_indicators.c.bgt_id,
    ledger_indicators.c.ori_bgt_id,
    ledger_indicators.c.cor_bgt_doc_no,
    ledger_indicators.c.sup_bgt_doc_no,
    ledger_indicators.c.bgt_doc_title,
    ledger_indicators.c.doc_date,
    ledger_indicators.c.pro_code,
    ledger_indicators.c.fund_type_code,
    ledger_indicators.c.tp_func_code,
    ledger_indicators.c.gov_bgt_eco_code,
    ledger_indicators.c.distri_type_code,
    ledger_indicators.c.is_track,
    ledger_indicators.c.amount_fen,
    ledger_indicators.c.is_deleted,
    ledger_indicators.c.create_time,
    ledger_indicators.c.origin,
)


# Statements built once, values bound per call (a statement with ``.values(...)`` inlined is coerced and
# keyed for the compiled cache again on every execution, which cost more than the SQL).
_OPEN = insert(ledger_indicators).returning(ledger_indicators.c.id)
_ENTRY = insert(ledger_entries).returning(ledger_entries.c.id)
_POSTINGS = insert(ledger_postings)
_SET_AMOUNT = {
    deleted: update(ledger_indicators)
    .where(ledger_indicators.c.id == bindparam("s_id"))
    .values(
        amount_fen=bindparam("s_amount_fen"),
        updated_at=bindparam("s_updated_at"),
        **({"is_deleted": True} if deleted else {}),
    )
    for deleted in (False, True)
}


def _row(r: Any) -> IndicatorRow:
    return IndicatorRow(*r)


ROW_COLUMNS = _ROW_COLUMNS
"""The columns of an :class:`IndicatorRow`, in its field order (other read models select them too)."""
indicator_row = _row


class LedgerRepository:
    def __init__(self, connection: Connection, pending: PendingInserts | None = None) -> None:
        self._c = connection
        self._pending = pending

    # ---- indicators -----------------------------------------------------------------------------------

    def live(
        self, division: str, fiscal_year: int, bgt_id: str, *, side: str | None = None
    ) -> list[IndicatorRow]:
        """Live (not deleted) rows with ``bgt_id`` on ``division``'s ledger, oldest first."""
        t = ledger_indicators
        query = select(*_ROW_COLUMNS).where(
            t.c.division == division,
            t.c.fiscal_year == fiscal_year,
            t.c.bgt_id == bgt_id,
            t.c.is_deleted.is_(False),
        )
        if side is not None:
            query = query.where(t.c.side == side)
        return [_row(r) for r in self._c.execute(query.order_by(t.c.id))]

    def live_received_for(self, division: str, fiscal_year: int, ori_bgt_id: str) -> list[IndicatorRow]:
        """Live rows ``division`` booked as received against the upper indicator ``ori_bgt_id``."""
        t = ledger_indicators
        rows = self._c.execute(
            select(*_ROW_COLUMNS)
            .where(
                t.c.division == division,
                t.c.fiscal_year == fiscal_year,
                t.c.side == "received",
                t.c.ori_bgt_id == ori_bgt_id,
                t.c.is_deleted.is_(False),
            )
            .order_by(t.c.id)
        )
        return [_row(r) for r in rows]

    def issued_to(self, upper: str, lower: str, fiscal_year: int, bgt_id: str) -> list[IndicatorRow]:
        t = ledger_indicators
        rows = self._c.execute(
            select(*_ROW_COLUMNS)
            .where(
                t.c.division == upper,
                t.c.side == "issued",
                t.c.counterparty == lower,
                t.c.fiscal_year == fiscal_year,
                t.c.bgt_id == bgt_id,
                t.c.is_deleted.is_(False),
            )
            .order_by(t.c.id)
        )
        return [_row(r) for r in rows]

    def open(self, new: NewIndicator, at: datetime) -> int:
        values = dict(new.__dict__)
        values["updated_at"] = at
        return int(self._c.execute(_OPEN, values).scalar_one())

    def set_amount(self, indicator_id: int, amount_fen: int, at: datetime, *, deleted: bool = False) -> None:
        self._c.execute(
            _SET_AMOUNT[deleted], {"s_id": indicator_id, "s_amount_fen": amount_fen, "s_updated_at": at}
        )

    def get(self, indicator_id: int) -> IndicatorRow | None:
        row = self._c.execute(
            select(*_ROW_COLUMNS).where(ledger_indicators.c.id == indicator_id)
        ).one_or_none()
        return None if row is None else _row(row)

    def rows(self, division: str, side: str | None = None) -> list[IndicatorRow]:
        """Every row (deleted too) on ``division``'s ledger, oldest first."""
        t = ledger_indicators
        query = select(*_ROW_COLUMNS).where(t.c.division == division)
        if side is not None:
            query = query.where(t.c.side == side)
        return [_row(r) for r in self._c.execute(query.order_by(t.c.id))]

    def journal(self, division: str | None = None) -> list[tuple[int, str, str, str, int]]:
        """(entry id, kind, account, D|C, fen) of every posting line, in posting order."""
        e, p = ledger_entries, ledger_postings
        query = select(e.c.id, e.c.kind, p.c.account, p.c.dr_cr, p.c.amount_fen).join(
            p, p.c.entry_id == e.c.id
        )
        if division is not None:
            query = query.where(p.c.division == division)
        return [
            (int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]))
            for r in self._c.execute(query.order_by(e.c.id, p.c.id))
        ]

    def add_many(self, rows: Iterable[NewIndicator], at: datetime) -> int:
        """Bulk insert ready-made rows (imports and tests); no journal entries. Returns the count."""
        values = [{**r.__dict__, "updated_at": at} for r in rows]
        if values:
            self._c.execute(insert(ledger_indicators), values)
        return len(values)

    # ---- journal --------------------------------------------------------------------------------------

    def post(self, entry: NewEntry) -> int:
        """Insert the entry (its id is returned) and its debit / credit lines. In a unit of work the lines
        are written when it commits, with the other pending inserts of its group-commit batch (one
        statement for all): nothing reads postings inside an intake transaction (ADR 0012)."""
        entry_id = int(
            self._c.execute(
                _ENTRY,
                {
                    "message_pk": entry.message_pk,
                    "position": entry.position,
                    "indicator_id": entry.indicator_id,
                    "kind": entry.kind,
                    "posted_at": entry.posted_at,
                },
            ).scalar_one()
        )
        lines = [
            {
                "entry_id": entry_id,
                "division": entry.division,
                "fiscal_year": entry.fiscal_year,
                "account": line.account,
                "dr_cr": line.dr_cr,
                "amount_fen": line.amount_fen,
            }
            for line in entry.lines
        ]
        if self._pending is None:
            self._c.execute(_POSTINGS, lines)
        else:
            self._pending.add(_POSTINGS, lines)
        return entry_id

    def entry_count(self, message_pk: int | None = None) -> int:
        query = select(func.count()).select_from(ledger_entries)
        if message_pk is not None:
            query = query.where(ledger_entries.c.message_pk == message_pk)
        return int(self._c.execute(query).scalar_one())

    def balances(self, division: str, fiscal_year: int) -> dict[str, int]:
        """Account → debit − credit balance (fen) on ``division``'s ledger for the year."""
        p = ledger_postings
        rows = self._c.execute(
            select(p.c.account, p.c.dr_cr, func.sum(p.c.amount_fen))
            .where(p.c.division == division, p.c.fiscal_year == fiscal_year)
            .group_by(p.c.account, p.c.dr_cr)
        )
        out: dict[str, int] = {}
        for account, dr_cr, total in rows:
            out[account] = out.get(account, 0) + (int(total) if dr_cr == "D" else -int(total))
        return out

    # ---- invariants -----------------------------------------------------------------------------------

    def unbalanced_entries(self) -> list[tuple[int, int]]:
        """(entry id, debit − credit) of every entry whose lines do not balance, or that has no lines."""
        p, e = ledger_postings, ledger_entries
        debit = func.sum(func.coalesce(_case_amount(p, "D"), 0))
        credit = func.sum(func.coalesce(_case_amount(p, "C"), 0))
        rows = self._c.execute(
            select(e.c.id, debit - credit, func.count(p.c.id))
            .select_from(e.outerjoin(p, p.c.entry_id == e.c.id))
            .group_by(e.c.id)
            .having(or_(debit != credit, func.count(p.c.id) == 0))
        )
        return [(int(r[0]), int(r[1] or 0)) for r in rows]

    def principal_mismatches(self, principal: dict[str, str]) -> list[tuple[int, int, int]]:
        """(indicator id, amount on the row, balance of its side's principal account) where they differ."""
        t, e, p = ledger_indicators, ledger_entries, ledger_postings
        out: list[tuple[int, int, int]] = []
        for side, account in principal.items():
            balance = (
                select(
                    e.c.indicator_id,
                    func.sum(_case_amount(p, "D", signed=True)).label("balance"),
                )
                .select_from(e.join(p, p.c.entry_id == e.c.id))
                .where(p.c.account == account)
                .group_by(e.c.indicator_id)
                .subquery()
            )
            rows = self._c.execute(
                select(t.c.id, t.c.amount_fen, func.coalesce(balance.c.balance, 0))
                .select_from(t.outerjoin(balance, balance.c.indicator_id == t.c.id))
                .where(t.c.side == side, t.c.amount_fen != func.coalesce(balance.c.balance, 0))
            )
            out.extend((int(r[0]), int(r[1]), int(r[2])) for r in rows)
        return out

    def double_postings(self) -> list[tuple[int | None, int, int, str, int]]:
        """(message pk, position, indicator id, kind, count) posted more than once."""
        e = ledger_entries
        rows = self._c.execute(
            select(e.c.message_pk, e.c.position, e.c.indicator_id, e.c.kind, func.count())
            .where(e.c.message_pk.is_not(None))
            .group_by(e.c.message_pk, e.c.position, e.c.indicator_id, e.c.kind)
            .having(func.count() > 1)
        )
        return [(r[0], int(r[1]), int(r[2]), str(r[3]), int(r[4])) for r in rows]

    def pair_rows(
        self, upper: str, lower: str, fiscal_year: int, batch: int = 10_000
    ) -> Iterator[IndicatorRow]:
        """The pair's live rows (``upper``'s issued to ``lower`` and ``lower``'s received that year), streamed
        in id order — what the digest buckets of two gateways cover."""
        t = ledger_indicators
        query = (
            select(*_ROW_COLUMNS)
            .where(
                t.c.fiscal_year == fiscal_year,
                t.c.is_deleted.is_(False),
                or_(
                    and_(t.c.side == "issued", t.c.division == upper, t.c.counterparty == lower),
                    and_(t.c.side == "received", t.c.division == lower),
                ),
            )
            .order_by(t.c.id)
        )
        result = self._c.execution_options(stream_results=True, yield_per=batch).execute(query)
        for partition in result.partitions(batch):
            yield from (_row(r) for r in partition)

    # ---- export for a reconciliation run --------------------------------------------------------------

    def export_pair(self, upper: str, lower: str, fiscal_year: int, upper_csv: Path, lower_csv: Path) -> None:
        """Write the two BA_BGT_INFO snapshots one indicator reconciliation of (upper, lower, year) reads
        (the rows of :meth:`_pair_upper_rows` and :meth:`_pair_lower_select`) as CSV files. The lower side
        streams from the cursor in batches straight into its file; the upper side is gathered by id first."""
        columns = _export_columns(self._c)
        _write_rows(upper_csv, self._pair_upper_rows(upper, lower, fiscal_year, columns))
        _write_csv(self._c, self._pair_lower_select(lower, fiscal_year, columns), lower_csv)

    def pair_columns(
        self, upper: str, lower: str, fiscal_year: int
    ) -> tuple[SnapshotColumns, SnapshotColumns]:
        """The same two snapshots as :meth:`export_pair`, in memory for
        :func:`gateway.reconcile.indicators.duckdb_engine.reconcile_indicator_columns` (no file).

        The database joins each row's cells into one string (:class:`SnapshotColumns` packed), so one value
        per row crosses the driver; a side whose cells hold a separator is read again cell by cell."""
        line = (_packed_line(_export_columns(self._c)),)
        upper_lines = [r[0] for r in self._pair_upper_rows(upper, lower, fiscal_year, line)]
        # Sorted here by id, not by an ORDER BY: SQLite's sorter would carry every packed line.
        unordered = self._pair_lower_select(lower, fiscal_year, (ledger_indicators.c.id, *line)).order_by(
            None
        )
        lower_lines = [r[1] for r in sorted(self._c.execute(unordered).all(), key=lambda r: int(r[0]))]
        sides = []
        for index, lines in enumerate((upper_lines, lower_lines)):
            snapshot = SnapshotColumns.packed(EXPORT_COLUMNS, lines)
            if snapshot is None:
                plain = _export_columns(self._c)
                rows = (
                    self._pair_upper_rows(upper, lower, fiscal_year, plain)
                    if index == 0
                    else [
                        tuple(r) for r in self._c.execute(self._pair_lower_select(lower, fiscal_year, plain))
                    ]
                )
                snapshot = SnapshotColumns.from_rows(EXPORT_COLUMNS, rows)
            sides.append(snapshot)
        return sides[0], sides[1]

    def _pair_upper_rows(
        self, upper: str, lower: str, fiscal_year: int, columns: tuple[Any, ...]
    ) -> list[tuple[Any, ...]]:
        """The upper snapshot rows of one pair's reconciliation (``columns`` of each), in id order.

        Every live row issued to ``lower`` that year by any issuer (so a lower row is attributed to the right
        upper, exactly as in a whole-file run), ``upper``'s rows to other lowers that share a BGT_ID with
        those (so duplicates are seen whole), and one row of every other year's issuer to ``lower``.

        Three single-table queries, each driven by an index from the small side, merged by id here: no join
        and no ``id IN (subquery)``, so no plan can turn quadratic, with or without planner statistics
        (a nested-loop semi-join over the 2 M-row table ran > 10 minutes on PostgreSQL, issue 16).
        """
        t = ledger_indicators
        live = (t.c.fiscal_year == fiscal_year, t.c.is_deleted.is_(False))
        issued_to_lower = (t.c.counterparty == lower, t.c.side == "issued")
        by_id: dict[int, tuple[Any, ...]] = {}
        shared_ids: set[str] = set()
        # 1. Every live row issued to the lower that year (index on counterparty, fiscal_year).
        #    Fetched whole (``all``): iterating the result pulls one row per driver call.
        for r in self._c.execute(
            select(t.c.id, t.c.division, t.c.bgt_id, *columns).where(*issued_to_lower, *live)
        ).all():
            by_id[int(r[0])] = tuple(r[3:])
            if r[1] == upper:
                shared_ids.add(str(r[2]))
        # 2. The upper's rows to other lowers with one of those BGT_IDs (probes of division, side, year,
        #    bgt_id; the ids are bound as one array / JSON value, not one parameter each).
        if shared_ids:
            if self._c.dialect.name == "sqlite":
                # The rows already read are skipped by rowid on the index entry, before SQLite seeks the row
                # (most probes find only the lower's own row); PostgreSQL reads the heap tuple anyway.
                others: ColumnElement[bool] = t.c.id.not_in(_json_values(sorted(by_id)))
            else:
                others = t.c.counterparty.is_distinct_from(lower)
            shared = select(t.c.id, *columns).where(
                t.c.division == upper,
                t.c.side == "issued",
                *live,
                _in_values(self._c, t.c.bgt_id, sorted(shared_ids)),
                others,
            )
            by_id.update((int(r[0]), tuple(r[1:])) for r in self._c.execute(shared))
        # 3. One row (the oldest live) of every issuer to the lower, any year — the engine's last attribution
        #    rule ("any upper that issued to this lower") ignores the year (index-only, migration 0013).
        firsts = self._c.execute(
            select(func.min(t.c.id)).where(*issued_to_lower, t.c.is_deleted.is_(False)).group_by(t.c.division)
        ).scalars()
        missing = sorted(int(i) for i in firsts if int(i) not in by_id)
        if missing:
            rows = self._c.execute(
                select(t.c.id, *columns).where(t.c.id.in_(bindparam("ids", expanding=True))), {"ids": missing}
            )
            by_id.update((int(r[0]), tuple(r[1:])) for r in rows)
        return [by_id[i] for i in sorted(by_id)]

    def _pair_lower_select(self, lower: str, fiscal_year: int, columns: tuple[Any, ...]) -> Select[Any]:
        """The lower snapshot rows: every live row ``lower`` booked as received that year, in id order."""
        t = ledger_indicators
        return (
            select(*columns)
            .where(
                t.c.fiscal_year == fiscal_year,
                t.c.is_deleted.is_(False),
                t.c.side == "received",
                t.c.division == lower,
            )
            .order_by(t.c.id)
        )


def _in_values(connection: Connection, column: Any, values: list[str]) -> Any:
    """``column IN values`` with the values bound as one parameter: ``= ANY(:array)`` on PostgreSQL (a
    hashed array filter or index probes, linear either way), ``IN (SELECT value FROM json_each(:json))`` on
    SQLite."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam("pair_ids", values, type_=postgresql.ARRAY(String)))
    return column.in_(_json_values(values))


def _json_values(values: list[str] | list[int]) -> Any:
    """SQLite: the values as a one-column subquery over one bound JSON array (``json_each``)."""
    each: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(values)))
    )
    return each.scalar_subquery()


def _packed_line(columns: tuple[Any, ...]) -> Any:
    """One row's cells as one text: joined by the field separator, ``''`` for NULL."""
    cells: list[Any] = [func.coalesce(type_coerce(c, String), "") for c in columns]
    line = cells[0]
    for cell in cells[1:]:
        line = line + FIELD_SEPARATOR + cell
    return type_coerce(line, String)


def _case_amount(p: Any, dr_cr: str, *, signed: bool = False) -> Any:
    if signed:
        return case((p.c.dr_cr == "D", p.c.amount_fen), else_=-p.c.amount_fen)
    return case((p.c.dr_cr == dr_cr, p.c.amount_fen), else_=0)


def _fen_sql(fen: Any) -> Any:
    """Integer fen → ``-12.05`` text in SQL, the SQL twin of :func:`schemas.money.format_fen`.

    Integer arithmetic only, on SQLite and PostgreSQL: ``abs`` is typed ``BIGINT`` so that ``//`` renders
    as integer division (an untyped ``abs`` made SQLAlchemy write ``FLOOR(abs(fen) / 100)``, which
    PostgreSQL computes in double precision and prints as ``1e+15`` from 10^15 yuan up)."""
    magnitude = func.abs(fen, type_=BigInteger)
    cents = magnitude % 100
    return (
        case((fen < 0, "-"), else_="")
        + cast(magnitude // 100, String)
        + "."
        + case((cents < 10, "0"), else_="")
        + cast(cents, String)
    )


def _china_time_sql(connection: Connection, column: Any) -> Any:
    """An aware UTC timestamp column → naive China-time ``YYYY-MM-DD HH:MM:SS`` text in SQL."""
    if connection.dialect.name == "postgresql":
        shifted = func.timezone("UTC", column) + literal_column("interval '8 hours'")
        return func.to_char(shifted, "YYYY-MM-DD HH24:MI:SS")
    return func.strftime("%Y-%m-%d %H:%M:%S", type_coerce(column, String), "+8 hours")


def _export_columns(connection: Connection) -> tuple[Any, ...]:
    """The EXPORT_COLUMNS as text computed by the database (no per-row Python conversion)."""
    t = ledger_indicators
    by_column: dict[str, Any] = {
        "BGT_ID": t.c.bgt_id,
        "MOF_DIV_CODE": t.c.division,
        "REC_DIV_CODE": t.c.counterparty,
        "FISCAL_YEAR": cast(t.c.fiscal_year, String),
        "COR_BGT_DOC_NO": t.c.cor_bgt_doc_no,
        "SUP_BGT_DOC_NO": t.c.sup_bgt_doc_no,
        "BGT_DOC_TITLE": t.c.bgt_doc_title,
        "DOC_DATE": t.c.doc_date,
        "PRO_CODE": t.c.pro_code,
        "FUND_TYPE_CODE": t.c.fund_type_code,
        "TP_FUNC_CODE": t.c.tp_func_code,
        "GOV_BGT_ECO_CODE": t.c.gov_bgt_eco_code,
        "DISTRI_TYPE_CODE": t.c.distri_type_code,
        "IS_TRACK": t.c.is_track,
        "AMOUNT": _fen_sql(t.c.amount_fen),
        "ORI_BGT_ID": t.c.ori_bgt_id,
        "IS_DELETED": case((t.c.is_deleted.is_(True), "1"), else_="2"),
        "CREATE_TIME": _china_time_sql(connection, t.c.create_time),
    }
    return tuple(by_column[name] for name in EXPORT_COLUMNS)


def _write_rows(path: Path, rows: Iterable[tuple[Any, ...]]) -> None:
    """Write text rows already read into a CSV file (NULL → empty cell)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)


def _write_csv(connection: Connection, query: Any, path: Path, batch: int = 10_000) -> None:
    """Stream the query's text rows into a CSV file (NULL → empty cell)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        result = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
        for partition in result.partitions(batch):
            writer.writerows(partition)
