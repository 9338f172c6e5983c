"""The push relay: claim due outbox rows, POST each to its receiver signed with the gateway's key, record
the outcomes. A pass claims a batch in one transaction, pushes its rows concurrently (``delivery.
push_concurrency`` in flight) and records every outcome in one more transaction.

Under load the relay runs pass after pass; a pass that found fewer rows than its batch waits
:data:`SETTLE_SECONDS` before the next claim, so the next pass takes the rows accepted meanwhile together:
two transactions per pass are shared by more pushes (ADR 0012). ``run_forever`` keeps one pool of push
threads for its life instead of starting threads for every pass.

At-least-once: a relay that dies mid-pass leaves its batch leased, and every row of it that was not yet
recorded is pushed again after the lease (so a crash can repeat up to one batch of pushes); every push
carries the original sender and message id so the receiver can de-duplicate.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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

SETTLE_SECONDS = 0.05
"""After a pass that claimed fewer rows than its batch (but some), wait this long before the next claim:
a push leaves at most this much later, and the claim and record transactions serve more rows each."""


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
    def __init__(
        self,
        gw: Gateway,
        transport: Transport,
        *,
        rng: random.Random | None = None,
        concurrency: int | None = None,
    ) -> None:
        self._gw = gw
        self._transport = transport
        self._rng = rng or random.Random()
        self._concurrency = concurrency or gw.settings.delivery.push_concurrency
        self._pool: ThreadPoolExecutor | None = None  # run_forever's push threads, kept between passes

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

    def _attempt(self, item: OutboxItem) -> str | None:
        """Sign and push one row: None when the receiver took it, else the failure's text."""
        try:
            self._transport.send(self._push(item))
        except DeliveryFailed as exc:
            return exc.detail
        return None

    def _deliver(
        self, items: Sequence[OutboxItem]
    ) -> tuple[list[tuple[OutboxItem, str | None]], BaseException | None]:
        """Every claimed row pushed once, up to ``push_concurrency`` at a time (signing included: it runs in
        the same worker), as ``(row, failure text or None)`` in claim order. A row whose push raised an
        unexpected error (a bug, not a refused push) has no outcome: it stays leased and comes back after the
        lease; the first such error is returned beside the outcomes so they are still recorded."""
        workers = min(self._concurrency, len(items))
        outcomes: list[tuple[OutboxItem, str | None]] = []
        if workers <= 1:
            for item in items:
                try:
                    outcomes.append((item, self._attempt(item)))
                except Exception as exc:
                    return outcomes, exc
            return outcomes, None
        unexpected: BaseException | None = None
        if self._pool is not None:
            futures = [(item, self._pool.submit(self._attempt, item)) for item in items]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fiscalgw-push") as pool:
                futures = [(item, pool.submit(self._attempt, item)) for item in items]
        for item, future in futures:  # future.exception() waits for the push
            error = future.exception()
            if error is None:
                outcomes.append((item, future.result()))
            elif unexpected is None:
                unexpected = error
        return outcomes, unexpected

    def run_once(self, limit: int = 50) -> RelayReport:
        """One pass: claim up to ``limit`` due rows, push them concurrently, record every outcome in one
        transaction (the delivered rows in one statement each for the outbox and the messages)."""
        gw = self._gw
        settings = gw.settings.delivery
        with gw.database.unit_of_work() as uow:
            items = uow.outbox.claim_due(gw.clock(), limit, timedelta(seconds=settings.lease_seconds))
            uow.commit()
        if not items:
            return RelayReport()
        outcomes, unexpected = self._deliver(items)
        delivered = [item for item, error in outcomes if error is None]
        failed = [(item, error) for item, error in outcomes if error is not None]
        now = gw.clock()
        dead = 0
        with gw.database.unit_of_work() as uow:
            uow.outbox.mark_sent_many([item.id for item in delivered], now)
            uow.messages.set_status_many(
                [(item.message_pk, item.receiver) for item in delivered], MessageStatus.DELIVERED, now
            )
            for item, error in failed:
                if item.attempts >= settings.max_attempts:
                    uow.outbox.mark_dead(item.id, error, now)
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
                    uow.outbox.mark_failed(item.id, error, later)
            uow.commit()
        for item, error in failed:
            log.warning("push to %s failed", item.receiver, extra=_fields(item, error=error[:200]))
        for item in delivered:
            log.info("pushed to %s", item.receiver, extra=_fields(item))
        if unexpected is not None:
            raise unexpected
        return RelayReport(len(delivered), len(failed) - dead, dead)

    def run_forever(
        self,
        stop: threading.Event,
        interval: float = 0.5,
        batch: int = 50,
        settle: float = SETTLE_SECONDS,
    ) -> None:
        """Loop until ``stop`` is set, claiming ``batch`` rows a pass; an idle pass sleeps ``interval`` s, a
        pass that claimed fewer than ``batch`` rows ``settle`` s."""
        if self._concurrency > 1:
            self._pool = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="fiscalgw-push")
        try:
            while not stop.is_set():
                try:
                    report = self.run_once(batch)
                except Exception:  # the loop must outlive a database hiccup; the row stays leased, not lost
                    log.exception("relay pass failed; retrying in %.1f s", interval)
                    report = RelayReport()
                done = report.sent + report.retried + report.dead
                if done == 0:
                    stop.wait(interval)
                elif done < batch and settle > 0:
                    stop.wait(settle)
        finally:
            pool, self._pool = self._pool, None
            if pool is not None:
                pool.shutdown(wait=True)
