"""The repository ports: what the use cases read and write through a unit of work, as Protocols.

Each Protocol lists the methods :mod:`gateway.services` calls, with the signatures of the SQLAlchemy
implementation named in its docstring (structural typing: the store classes satisfy them without importing
this module, and ``mypy --strict`` checks that they do wherever a store object is passed as a port). The
rows they take and return are the plain dataclasses of :mod:`gateway.rows` and :mod:`gateway.model`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from gateway.model import (
    AuditEntry,
    LifecycleEvent,
    MessageStatus,
    NewMessage,
    NewOutboxItem,
    NewRecord,
    OutboxItem,
    RoutedVoucher,
    StoredMessage,
    TraceHit,
)
from gateway.payment_lines import PaymentLine
from gateway.reconcile.indicators.snapshot_columns import SnapshotColumns
from gateway.reconcile.payments.columns import PaymentInputs
from gateway.reconcile.statements.columns import StatementInputs
from gateway.rows import (
    BreakEvent,
    BreakQuery,
    BreakRow,
    Candidate,
    ChainRecord,
    Delivery,
    DeliveryRow,
    FoundBreak,
    IndicatorRow,
    LedgerRecord,
    MessageCriteria,
    MessageDetail,
    MessageRow,
    NewEntry,
    NewIndicator,
    NewSpend,
    Original,
    PaymentRecord,
    ReceiverCounts,
    RunRow,
    Spend,
    Spending,
    Unlinked,
    VoucherLine,
)
from gateway.statement_lines import StatementLine


class Nonces(Protocol):
    """:class:`gateway.store.request_nonces.RequestNonceRepository`."""

    def use(self, sender: str, nonce: str, signed_at: datetime) -> bool: ...
    def prune(self, before: datetime) -> int: ...


class Breaks(Protocol):
    """:class:`gateway.store.breaks.BreakRepository`."""

    def get(self, key: str, *, for_update: bool = False) -> BreakRow | None: ...
    def search(self, q: BreakQuery) -> tuple[list[BreakRow], int]: ...
    def events(self, break_id: int) -> list[BreakEvent]: ...
    def set_status(
        self,
        ids: Sequence[int],
        status: str,
        at: datetime,
        *,
        by: str,
        comment: str | None = None,
        closed: bool = False,
    ) -> None: ...
    def add_events(
        self,
        ids: Sequence[int],
        action: str,
        at: datetime,
        *,
        actor: str,
        comment: str | None = None,
        run_id: int | None = None,
    ) -> None: ...
    def in_scope(self, kind: str, scope_key: str) -> dict[str, tuple[int, str, datetime | None]]: ...
    def by_ids(self, ids: Sequence[int]) -> list[BreakRow]: ...
    def last_actions(self, ids: Sequence[int]) -> dict[int, str]: ...
    def insert_new(
        self,
        kind: str,
        scope_key: str,
        scope: Mapping[str, Any],
        found: Sequence[FoundBreak],
        run_id: int,
        at: datetime,
        as_of: datetime,
    ) -> dict[str, int]: ...
    def mark_seen(
        self, seen: Sequence[tuple[int, FoundBreak, datetime]], run_id: int, at: datetime
    ) -> None: ...
    def open_counts(self, kind: str) -> list[tuple[str, str, datetime, int]]: ...


class ControlRules(Protocol):
    """:class:`gateway.store.control_rule_sets.ControlRuleSets`."""

    def latest(self) -> tuple[int, str, dict[str, Any]] | None: ...
    def add(self, rules: dict[str, Any], source_sm3: str, loaded_by: str, at: datetime) -> int: ...


class Spends(Protocol):
    """:class:`gateway.store.indicator_spending.IndicatorSpending`."""

    def add(self, spends: Sequence[NewSpend]) -> None: ...
    def get(self, spend_id: int, *, for_update: bool = False) -> Spend | None: ...
    def live(self, adm_div_code: str, voucher_no: str) -> Spend | None: ...
    def live_many(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]: ...
    def held(self, limit: int = 200) -> list[Spend]: ...
    def candidates(self, division: str, doc_no: str) -> list[Candidate]: ...
    def candidates_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Candidate]]: ...
    def candidate(self, indicator_id: int) -> Candidate | None: ...
    def reserve(self, indicator_id: int, fen: int) -> bool: ...
    def force(self, indicator_id: int, fen: int) -> None: ...
    def set_state(
        self, spend_id: int, state: str, *, in_flight_fen: int, paid_fen: int, **review: Any
    ) -> None: ...
    def settle_spend(self, spend: Spend, paid_fen: int) -> Spend | None: ...
    def refund_spend(self, spend: Spend, refund_fen: int) -> Spend | None: ...


class Messages(Protocol):
    """:class:`gateway.store.messages.MessageRepository`."""

    def add(self, message: NewMessage) -> int: ...
    def add_events(self, pk: int, events: Iterable[tuple[MessageStatus, datetime, str | None]]) -> None: ...
    def add_records(self, pk: int, new_records: Sequence[NewRecord]) -> None: ...
    def add_routes(self, pk: int, decisions: Iterable[tuple[int | None, str, str]]) -> None: ...
    def add_details_at_commit(
        self,
        pk: int,
        events: Iterable[tuple[MessageStatus, datetime, str | None]],
        new_records: Sequence[NewRecord],
        decisions: Iterable[tuple[int | None, str, str]],
    ) -> None: ...
    def find(self, sender: str, message_id: str) -> StoredMessage | None: ...
    def get(self, pk: int) -> StoredMessage | None: ...
    def body(self, pk: int) -> bytes | None: ...
    def records(self, pk: int) -> list[NewRecord]: ...
    def routes(self, pk: int) -> list[tuple[int | None, str, str]]: ...
    def events(self, pk: int) -> list[LifecycleEvent]: ...
    def trace(self, key: str, value: str) -> list[TraceHit]: ...
    def set_status(self, pk: int, status: MessageStatus, at: datetime, detail: str | None = None) -> None: ...


class Outbox(Protocol):
    """:class:`gateway.store.outbox.OutboxRepository`."""

    def add(self, item: NewOutboxItem) -> int: ...
    def add_at_commit(self, item: NewOutboxItem) -> None: ...
    def get(self, item_id: int) -> OutboxItem | None: ...
    def offer(self, receiver: str, now: datetime, limit: int, visibility: timedelta) -> list[OutboxItem]: ...
    def settle(
        self, item_id: int, receiver: str, at: datetime, *, reject_reason: str | None = None
    ) -> bool: ...
    def cancel(self, item_id: int) -> bool: ...
    def retry(self, item_id: int, at: datetime) -> bool: ...
    def replayable(self, since: datetime, receiver: str | None = None) -> int: ...
    def replay_since(self, since: datetime, at: datetime, receiver: str | None = None) -> int: ...


class PaymentLines(Protocol):
    """:class:`gateway.store.payment_lines.PaymentLineRepository`."""

    def add(self, message_pk: int, lines: Sequence[PaymentLine]) -> int: ...
    def routed_vouchers(
        self, keys: Iterable[tuple[str, str]], rule: str
    ) -> dict[tuple[str, str], list[RoutedVoucher]]: ...
    def scope_inputs(
        self, adm_div_code: str, day: date, pay_bank_code: str | None = None
    ) -> PaymentInputs: ...


class StatementLines(Protocol):
    """:class:`gateway.store.statement_lines.StatementLineRepository`."""

    def add(self, message_pk: int, lines: Sequence[StatementLine]) -> int: ...
    def scope_inputs(self, adm_div_code: str, day: date, vt_code: str | None = None) -> StatementInputs: ...


class Ledger(Protocol):
    """:class:`gateway.store.ledger.LedgerRepository`."""

    def post(self, entry: NewEntry) -> int: ...
    def open(self, new: NewIndicator, at: datetime) -> int: ...
    def set_amount(
        self, indicator_id: int, amount_fen: int, at: datetime, *, deleted: bool = False
    ) -> None: ...
    def live(
        self, division: str, fiscal_year: int, bgt_id: str, *, side: str | None = None
    ) -> list[IndicatorRow]: ...
    def live_received_for(self, division: str, fiscal_year: int, ori_bgt_id: str) -> list[IndicatorRow]: ...
    def issued_to(self, upper: str, lower: str, fiscal_year: int, bgt_id: str) -> list[IndicatorRow]: ...
    def pair_rows(
        self, upper: str, lower: str, fiscal_year: int, batch: int = 10_000
    ) -> Iterator[IndicatorRow]: ...
    def pair_columns(
        self, upper: str, lower: str, fiscal_year: int
    ) -> tuple[SnapshotColumns, SnapshotColumns]: ...
    def unbalanced_entries(self) -> list[tuple[int, int]]: ...
    def principal_mismatches(self, principal: dict[str, str]) -> list[tuple[int, int, int]]: ...
    def double_postings(self) -> list[tuple[int | None, int, int, str, int]]: ...


class Runs(Protocol):
    """:class:`gateway.store.reconciliations.RunRepository`."""

    def start(
        self,
        kind: str,
        scope_key: str,
        scope: Mapping[str, Any],
        as_of: datetime,
        started_at: datetime,
        trigger: str,
        actor: str,
    ) -> int: ...
    def finish(
        self,
        run_id: int,
        finished_at: datetime,
        *,
        status: str,
        summary: Mapping[str, Any] | None = None,
        report: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None: ...
    def get(self, run_id: int) -> RunRow | None: ...
    def report(self, run_id: int) -> Mapping[str, Any] | None: ...
    def search(
        self,
        *,
        kind: str | None = None,
        scope_key: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[RunRow], int]: ...
    def scopes(self, kind: str) -> list[str]: ...
    def lock_scope(self, kind: str, scope_key: str) -> None: ...
    def claim_firing(self, job_id: str, fire_time: datetime, node: str, at: datetime) -> int | None: ...
    def finish_firing(self, firing_id: int, at: datetime, outcome: str, run_id: int | None) -> None: ...


class Tracking(Protocol):
    """:class:`gateway.store.tracking.TrackingQueries`."""

    def page(
        self,
        divisions: Collection[str] | None,
        fiscal_year: int | None,
        *,
        is_track: str | None = None,
        side: str | None = None,
        limit: int,
        offset: int,
    ) -> list[IndicatorRow]: ...
    def by_bgt_id(
        self, bgt_id: str, divisions: Collection[str] | None, fiscal_year: int | None
    ) -> list[IndicatorRow]: ...
    def unlinked(
        self, adm_div_codes: Collection[str] | None, limit: int, *, file_nos: Collection[str] | None = None
    ) -> Unlinked: ...
    def candidates(
        self, divisions: Collection[str], years: Collection[int], ids: Collection[str], docs: Collection[str]
    ) -> list[IndicatorRow]: ...
    def amounts_by_kind(self, indicator_ids: Collection[int]) -> dict[int, dict[str, int]]: ...
    def spending(self, indicator_ids: Collection[int]) -> dict[int, Spending]: ...
    def vouchers(self, indicator_ids: Collection[int], limit: int) -> tuple[list[VoucherLine], int]: ...


class Counterparts(Protocol):
    """:class:`gateway.store.counterparts.CounterpartRepository`."""

    def received(
        self,
        lower: str,
        fiscal_year: int,
        *,
        ori_bgt_ids: Iterable[str] = (),
        bgt_ids: Iterable[str] = (),
        sup_doc_nos: Iterable[str] = (),
    ) -> list[LedgerRecord]: ...
    def issued(
        self,
        upper: str,
        lower: str,
        fiscal_year: int,
        *,
        bgt_ids: Iterable[str] = (),
        cor_doc_nos: Iterable[str] = (),
    ) -> list[LedgerRecord]: ...
    def payment_records(self, adm_div_code: str, voucher_nos: Iterable[str]) -> list[PaymentRecord]: ...


class TraceReader(Protocol):
    """:class:`gateway.store.trace_queries.TraceQueries`."""

    def records_by(self, key: str, values: Collection[str]) -> list[ChainRecord]: ...
    def receivers(self, pks: Sequence[int]) -> dict[tuple[int, int | None], set[str]]: ...
    def deliveries(self, pks: Sequence[int]) -> dict[int, list[Delivery]]: ...
    def events(self, pks: Sequence[int]) -> dict[int, list[LifecycleEvent]]: ...


class MessageBrowser(Protocol):
    """:class:`gateway.store.browse.Browse`."""

    def search(
        self, criteria: MessageCriteria, *, offset: int, limit: int
    ) -> tuple[list[MessageRow], bool]: ...
    def find_pk(self, sender: str, message_id: str) -> int | None: ...
    def message(self, pk: int) -> MessageDetail | None: ...
    def deliveries_of(self, pk: int) -> list[DeliveryRow]: ...
    def original(self, pk: int) -> Original | None: ...
    def queue(
        self, state: str, *, receiver: str | None, offset: int, limit: int
    ) -> tuple[list[DeliveryRow], bool]: ...
    def queue_counts(self) -> list[ReceiverCounts]: ...
    def recent_audit(self, actions: Sequence[str], limit: int) -> list[AuditEntry]: ...
    def delivery(self, outbox_id: int) -> DeliveryRow | None: ...


class DeliveryListing(Protocol):
    """:class:`gateway.store.outbox_listing.OutboxListing`."""

    def rows(
        self,
        states: Collection[str],
        *,
        receiver: str | None = None,
        sender: str | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> tuple[list[DeliveryRow], bool]: ...
    def counts(self, receiver: str | None = None) -> dict[str, dict[str, int]]: ...
