"""The reliability invariants (issue #7 "Faults"), checked against the database after a fault test or the
load bench — one checker, so every test states the same promises the same way:

1. every message that got a 2xx is stored;
2. nothing is half-stored: every stored message has all its records, its lifecycle up to ``stored``, one
   outbox row per receiver it was routed to and exactly one ``message.accepted`` audit entry — and no
   ``message.accepted`` entry names a message that is not stored (a message that got an error or no answer
   is therefore either complete or absent);
3. delivered at least once: every push outbox row is ``sent`` and its receiver recorded the original
   (sender, message id) — receivers de-duplicate by it, so duplicates are counted, not failures;
4. the SM3 audit chain verifies (:func:`gateway.audit.verify`);
5. the 预算指标 ledger has no double postings and balances (:func:`gateway.services.ledger.check_ledger`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from gateway import audit
from gateway.errors import AuditChainBroken
from gateway.services.ledger import check_ledger
from gateway.store.database import Database
from gateway.store.tables import audit_log, lifecycle_events, messages, outbox, records, routes

Key = tuple[str, str]
"""(sender, message id): the idempotency key, and what a push carries for de-duplication."""

STORED_LIFECYCLE = ("received", "validated", "stored")


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    stored: int = 0
    push_rows: int = 0
    push_rows_sent: int = 0
    audit_entries: int = 0
    unanswered_stored: int = 0
    unanswered_absent: int = 0
    outbox_status: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        shown = "\n  ".join(self.problems[:30])
        more = f"\n  … and {len(self.problems) - 30} more" if len(self.problems) > 30 else ""
        return f"{len(self.problems)} invariant violation(s):\n  {shown}{more}"


def check(
    database_url: str,
    *,
    accepted: Iterable[Key],
    unanswered: Iterable[Key] = (),
    delivered: Mapping[str, set[Key]] | None = None,
    settled: bool = True,
) -> Findings:
    """Check the invariants above. ``accepted``: keys that got a 2xx; ``unanswered``: keys that got an
    error or no answer (each must be complete or absent); ``delivered``: receiver party id → the keys it
    recorded; ``settled``: every push row must have been sent (False while deliveries may still be due)."""
    found = Findings()
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            connection = uow.messages._c  # the unit of work's connection: one consistent snapshot
            _check_storage(connection, set(accepted), set(unanswered), found)
            _check_delivery(connection, delivered, settled, found)
            try:
                found.audit_entries = audit.verify(uow.audit)
            except AuditChainBroken as exc:
                found.problems += [f"audit chain: {p}" for p in exc.problems]
            ledger = check_ledger(uow.ledger)
            found.problems += [f"ledger: {p}" for p in ledger.problems()]
    finally:
        database.dispose()
    return found


def assert_invariants(
    database_url: str,
    *,
    accepted: Iterable[Key],
    unanswered: Iterable[Key] = (),
    delivered: Mapping[str, set[Key]] | None = None,
    settled: bool = True,
) -> Findings:
    """:func:`check`, raising AssertionError with every violation."""
    found = check(
        database_url, accepted=accepted, unanswered=unanswered, delivered=delivered, settled=settled
    )
    assert not found.problems, str(found)
    return found


def _check_storage(
    connection: sa.Connection, accepted: set[Key], unanswered: set[Key], found: Findings
) -> None:
    stored = {
        (r.sender, r.message_id): (int(r.id), r.response)
        for r in connection.execute(
            sa.select(messages.c.id, messages.c.sender, messages.c.message_id, messages.c.response)
        )
    }
    found.stored = len(stored)
    for key in sorted(accepted - stored.keys()):
        found.problems.append(f"{key[0]}/{key[1]} got a 2xx but is not stored")
    record_count = Counter(int(pk) for (pk,) in connection.execute(sa.select(records.c.message_pk)))
    lifecycle: dict[int, set[str]] = defaultdict(set)
    for pk, status in connection.execute(sa.select(lifecycle_events.c.message_pk, lifecycle_events.c.status)):
        lifecycle[int(pk)].add(status)
    routed: dict[int, set[str]] = defaultdict(set)
    for pk, receiver in connection.execute(sa.select(routes.c.message_pk, routes.c.receiver)):
        routed[int(pk)].add(receiver)
    queued: dict[int, Counter[str]] = defaultdict(Counter)
    for pk, receiver in connection.execute(sa.select(outbox.c.message_pk, outbox.c.receiver)):
        queued[int(pk)][receiver] += 1
    audited = Counter(
        subject
        for (subject,) in connection.execute(
            sa.select(audit_log.c.subject).where(audit_log.c.action == "message.accepted")
        )
    )
    for (sender, message_id), (pk, response) in stored.items():
        name = f"{sender}/{message_id}"
        expected_records = len(response.get("records", ())) if isinstance(response, dict) else -1
        if record_count[pk] == 0 or record_count[pk] != expected_records:
            found.problems.append(
                f"{name}: {record_count[pk]} records stored, its answer lists {expected_records}"
            )
        missing = set(STORED_LIFECYCLE) - lifecycle[pk]
        if missing:
            found.problems.append(f"{name}: lifecycle lacks {sorted(missing)}")
        if set(queued[pk]) != routed[pk] or any(n != 1 for n in queued[pk].values()):
            found.problems.append(f"{name}: routed to {sorted(routed[pk])}, outbox rows {dict(queued[pk])}")
        if audited[name] != 1:
            found.problems.append(f"{name}: {audited[name]} message.accepted audit entries (want 1)")
    known = {f"{s}/{m}" for s, m in stored}
    for subject in sorted(set(audited) - known):
        found.problems.append(f"{subject}: audited as accepted but not stored (half-stored)")
    # An unanswered message may be stored (its commit beat the crash) — then it is complete, checked above
    # with every stored message — or absent; both are counted for the report.
    found.unanswered_stored = len(unanswered & stored.keys())
    found.unanswered_absent = len(unanswered - stored.keys())


def _check_delivery(
    connection: sa.Connection, delivered: Mapping[str, set[Key]] | None, settled: bool, found: Findings
) -> None:
    rows = connection.execute(
        sa.select(
            outbox.c.id,
            outbox.c.receiver,
            outbox.c.channel,
            outbox.c.status,
            outbox.c.original_sender,
            outbox.c.original_message_id,
        )
    ).all()
    for row in rows:
        found.outbox_status[f"{row.channel}:{row.status}"] += 1
        if row.channel != "push":
            continue
        found.push_rows += 1
        key = (row.original_sender, row.original_message_id)
        if row.status == "sent":
            found.push_rows_sent += 1
        elif settled:
            found.problems.append(
                f"outbox row {row.id} to {row.receiver} ({key[1]}) is {row.status}, not sent"
            )
        if delivered is not None and row.status == "sent":
            if key not in delivered.get(row.receiver, set()):
                found.problems.append(
                    f"outbox row {row.id}: marked sent but {row.receiver} never recorded {key[0]}/{key[1]}"
                )
