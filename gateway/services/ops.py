"""Ops actions on the outbox: retry a dead or cancelled delivery, cancel one, replay everything pushed since a
moment. Each action is one transaction with its audit entry."""

from __future__ import annotations

from datetime import datetime

from gateway import audit
from gateway.bootstrap import Gateway
from gateway.services.errors import NotFound


def retry(gw: Gateway, outbox_id: int, *, actor: str) -> None:
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        if not uow.outbox.retry(outbox_id, now):
            raise NotFound(f"outbox row {outbox_id} is not dead or cancelled")
        audit.append(uow.audit, actor=actor, action="outbox.retry", subject=f"outbox/{outbox_id}", at=now)
        uow.commit()


def cancel(gw: Gateway, outbox_id: int, *, actor: str) -> None:
    now = gw.clock()
    with gw.database.unit_of_work() as uow:
        if not uow.outbox.cancel(outbox_id):
            raise NotFound(f"outbox row {outbox_id} is not pending or dead")
        audit.append(uow.audit, actor=actor, action="outbox.cancel", subject=f"outbox/{outbox_id}", at=now)
        uow.commit()


def replay_since(gw: Gateway, since: datetime, *, actor: str, receiver: str | None = None) -> int:
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
