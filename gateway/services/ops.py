"""Ops actions on the outbox: retry a dead or cancelled delivery, cancel one, replay everything pushed since a
moment (each one transaction with its audit entry) — and the listing ops look at first (read-only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gateway import audit
from gateway.rows import STATES
from gateway.services.errors import BadRequest, NotFound
from gateway.services.ports import ServiceContext, UnitOfWork

MAX_ID = 2**63 - 1
"""Ids are BIGINT: a larger number names no row (and must not reach the database driver)."""
MAX_REASON = 2000
"""The longest reason a cancel takes (the same bound as a break's comment)."""


def cancel_reason(reason: str | None) -> str | None:
    """A cancel's reason, stripped; blank → ``None``; longer than :data:`MAX_REASON` → BadRequest."""
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise BadRequest(f"the reason is longer than {MAX_REASON} characters")
    return text or None


def retry(gw: ServiceContext, outbox_id: int, *, actor: str) -> None:
    if not 1 <= outbox_id <= MAX_ID:
        raise NotFound(f"outbox row {outbox_id} does not exist")
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        if not uow.outbox.retry(outbox_id, now):
            raise _not_actionable(uow, outbox_id, "not dead or cancelled")
        audit.append(uow.audit, actor=actor, action="outbox.retry", subject=f"outbox/{outbox_id}", at=now)
        uow.commit()


def cancel(gw: ServiceContext, outbox_id: int, *, actor: str, reason: str | None = None) -> None:
    """Stop a pending or dead delivery; ``reason`` (why, optional here — the pages require it) is audited."""
    why = cancel_reason(reason)
    if not 1 <= outbox_id <= MAX_ID:
        raise NotFound(f"outbox row {outbox_id} does not exist")
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        if not uow.outbox.cancel(outbox_id):
            raise _not_actionable(uow, outbox_id, "not pending or dead")
        audit.append(
            uow.audit,
            actor=actor,
            action="outbox.cancel",
            subject=f"outbox/{outbox_id}",
            at=now,
            detail={"reason": why} if why else None,
        )
        uow.commit()


def _not_actionable(uow: UnitOfWork, outbox_id: int, wanted: str) -> NotFound:
    """Why an action found nothing to change: no such row, or the row is in another state."""
    item = uow.outbox.get(outbox_id)
    if item is None:
        return NotFound(f"outbox row {outbox_id} does not exist")
    return NotFound(f"outbox row {outbox_id} is {item.status.value}, {wanted}")


def replay_count(gw: ServiceContext, since: datetime, *, receiver: str | None = None) -> int:
    """How many deliveries :func:`replay_since` would queue again now (read-only, for the confirmation)."""
    with gw.database.read_unit_of_work() as uow:
        return uow.outbox.replayable(since, receiver)


def replay_since(gw: ServiceContext, since: datetime, *, actor: str, receiver: str | None = None) -> int:
    """Queue again every push delivered since ``since`` (optionally to one receiver); returns the count."""
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        count = uow.outbox.replay_since(since, now, receiver)
        audit.append(
            uow.audit,
            actor=actor,
            action="outbox.replay",
            subject=f"receiver/{receiver or '*'}",
            at=now,
            detail={"since": since, "rows": count},
        )
        uow.commit()
    return count


DEFAULT_STATES = ("pending", "retrying", "dead")
MAX_LIMIT = 500
_PARTY_ID = re.compile(r"^[0-9A-Za-z]{1,32}$")


def outbox_listing(
    gw: ServiceContext,
    *,
    states: Sequence[str] = DEFAULT_STATES,
    receiver: str | None = None,
    sender: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Deliveries in ``states`` (default: not yet delivered — pending, retrying, dead), newest first, with
    the undelivered counts per receiver; page on with ``next_before_id``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    wanted = sorted(set(states))
    unknown = [s for s in wanted if s not in STATES]
    if unknown or not wanted:
        raise BadRequest(f"state must be among {', '.join(STATES)}")
    if before_id is not None and not 1 <= before_id <= MAX_ID:
        raise BadRequest("before_id must be a positive outbox id")
    for name, party in (("receiver", receiver), ("sender", sender)):
        if party is not None and not _PARTY_ID.match(party):
            raise BadRequest(f"{name} must be a party id (1-32 letters or digits)")
    listing = gw.database.delivery_listing()
    rows, more = listing.rows(wanted, receiver=receiver, sender=sender, before_id=before_id, limit=limit)
    items = [
        {
            "id": r.id,
            "receiver": r.receiver,
            "channel": r.channel,
            "format": r.format,
            "state": r.state,
            "attempts": r.attempts,
            "next_attempt_at": r.next_attempt_at.isoformat(),
            "last_error": r.last_error[:300] if r.last_error else None,
            "created_at": r.created_at.isoformat(),
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            "dead_at": r.dead_at.isoformat() if r.dead_at else None,
            "original_sender": r.original_sender,
            "original_message_id": r.original_message_id,
            "message_type": r.msg_type,
        }
        for r in rows
    ]
    return {
        "states": wanted,
        "receiver": receiver,
        "counts": listing.counts(receiver),
        "items": items,
        "next_before_id": rows[-1].id if more and rows else None,
    }
