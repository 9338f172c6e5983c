"""The push relay: claim due outbox rows, POST each to its receiver signed with the gateway's key, record
the outcome. At-least-once: a relay that dies mid-push leaves the row leased, and it is pushed again after
the lease; every push carries the original sender and message id so the receiver can de-duplicate.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from gateway.bootstrap import Gateway
from gateway.delivery.backoff import next_attempt_at
from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.transport import Push, Transport
from gateway.model import MessageStatus, OutboxItem
from gateway.wire_signature import signed_headers

log = logging.getLogger(__name__)


def _fields(item: OutboxItem, **more: object) -> dict[str, object]:
    """Structured log fields of one delivery (see gateway.logging_setup.FIELDS) — never its body."""
    return {
        "receiver": item.receiver,
        "outbox_id": item.id,
        "sender": item.original_sender,
        "message_id": item.original_message_id,
        "attempts": item.attempts,
        **more,
    }


@dataclass(frozen=True)
class RelayReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


class Relay:
    def __init__(self, gw: Gateway, transport: Transport, *, rng: random.Random | None = None) -> None:
        self._gw = gw
        self._transport = transport
        self._rng = rng or random.Random()

    def _push(self, item: OutboxItem) -> Push:
        gw = self._gw
        party = gw.registry.get(item.receiver)
        if party.push_url is None:
            raise DeliveryFailed(f"{item.receiver} has no push_url")
        url = urlsplit(party.push_url)
        target = f"{url.path or '/'}?{url.query}" if url.query else url.path or "/"
        # Every header the receiver acts on is signed (ADR 0006): who sent the document to the gateway
        # (its de-duplication key with X-Message-Id) and the wire format it must parse the body as.
        headers = signed_headers(
            key=gw.keyring.gateway_key,
            profile=gw.keyring.gateway_profile,
            method="POST",
            path=target,
            sender=gw.settings.gateway.id,
            message_id=item.original_message_id,
            at=gw.clock(),
            body=item.body,
            original_sender=item.original_sender,
            wire_format=item.format,
        )
        return Push(party.push_url, item.body, headers)

    def run_once(self, limit: int = 50) -> RelayReport:
        """One pass: claim up to ``limit`` due rows and try each once."""
        gw = self._gw
        settings = gw.settings.delivery
        with gw.database.unit_of_work() as uow:
            items = uow.outbox.claim_due(gw.clock(), limit, timedelta(seconds=settings.lease_seconds))
            uow.commit()
        sent = retried = dead = 0
        for item in items:
            try:
                self._transport.send(self._push(item))
            except DeliveryFailed as exc:
                now = gw.clock()
                log.warning(
                    "push to %s failed",
                    item.receiver,
                    extra=_fields(item, error=exc.detail[:200]),
                )
                with gw.database.unit_of_work() as uow:
                    if item.attempts >= settings.max_attempts:
                        uow.outbox.mark_dead(item.id, exc.detail, now)
                        uow.messages.set_status(item.message_pk, MessageStatus.DEAD, now, item.receiver)
                        dead += 1
                    else:
                        later = next_attempt_at(
                            now,
                            item.attempts,
                            base=settings.backoff_base_seconds,
                            cap=settings.backoff_cap_seconds,
                            rng=self._rng,
                        )
                        uow.outbox.mark_failed(item.id, exc.detail, later)
                        retried += 1
                    uow.commit()
                continue
            now = gw.clock()
            with gw.database.unit_of_work() as uow:
                uow.outbox.mark_sent(item.id, now)
                uow.messages.set_status(item.message_pk, MessageStatus.DELIVERED, now, item.receiver)
                uow.commit()
            log.info("pushed to %s", item.receiver, extra=_fields(item))
            sent += 1
        return RelayReport(sent, retried, dead)

    def run_forever(self, stop: threading.Event, interval: float = 0.5, batch: int = 50) -> None:
        """Loop until ``stop`` is set, claiming ``batch`` rows a pass; an idle pass sleeps ``interval`` s."""
        while not stop.is_set():
            try:
                report = self.run_once(batch)
            except Exception:  # the loop must outlive a database hiccup; the row stays leased, not lost
                log.exception("relay pass failed; retrying in %.1f s", interval)
                report = RelayReport()
            if report == RelayReport():
                stop.wait(interval)
