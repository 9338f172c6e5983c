"""The push relay: signed pushes carrying the original message id, retries with backoff, dead letters."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.relay import Relay, RelayReport
from gateway.delivery.transport import MockTransport, Push
from gateway.model import MessageStatus, OutboxStatus
from gateway.wire_signature import signing_string
from signing import DEFAULT_PROFILE, load_certificate
from tests.gateway.conftest import Harness
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers

CITY = "330300000"


def submit(h: Harness, message_id: str = "m-push") -> None:
    body = indicator_document(indicator_row("330000000", CITY, "3300002026P1", Decimal("88.00")))
    headers = signed_headers(h.config_dir, "330000000", body, message_id, h.clock.now)
    assert h.client.post("/v1/messages", content=body, headers=headers).status_code == 202


def test_a_push_is_signed_by_the_gateway_and_carries_the_original_id(harness: Harness) -> None:
    submit(harness)
    pushes: list[Push] = []
    report = Relay(harness.gateway, MockTransport(pushes.append)).run_once()
    assert report == RelayReport(sent=1)
    (push,) = pushes
    assert push.url == harness.gateway.registry.get(CITY).push_url
    assert push.headers["X-Message-Id"] == "m-push"
    assert push.headers["X-Original-Sender"] == "330000000"
    certificate = load_certificate((harness.config_dir / "certs" / "fiscalgw.crt.pem").read_bytes())
    assert push.headers["X-Sender"] == "fiscalgw" and push.headers["X-Wire-Format"] == "mof.json"
    text = signing_string(
        "POST",
        urlsplit(push.url).path,
        "fiscalgw",
        "m-push",
        push.headers["X-Timestamp"],
        push.body,
        original_sender="330000000",
        wire_format="mof.json",
    )
    DEFAULT_PROFILE.verify(certificate.public_key, text, push.headers["X-Signature"])
    with harness.gateway.database.unit_of_work() as uow:
        message = uow.messages.find("330000000", "m-push")
        assert message is not None and message.status is MessageStatus.DELIVERED
        assert uow.outbox.depth()[OutboxStatus.SENT] == 1
    assert Relay(harness.gateway, MockTransport(pushes.append)).run_once() == RelayReport()


def failing(_push: Push) -> None:
    raise DeliveryFailed("HTTP 503: busy")


def test_failures_back_off_then_dead_letter(harness: Harness) -> None:
    submit(harness)
    relay = Relay(harness.gateway, MockTransport(failing), rng=random.Random(1))
    max_attempts = harness.gateway.settings.delivery.max_attempts
    for attempt in range(1, max_attempts + 1):
        report = relay.run_once()
        if attempt < max_attempts:
            assert report == RelayReport(retried=1)
            with harness.gateway.database.unit_of_work() as uow:
                (pending,) = [uow.outbox.get(i) for i in uow.outbox.pending_ids(CITY)]
            assert pending is not None and pending.last_error == "HTTP 503: busy"
            cap = min(600.0, 2.0 * 2 ** (attempt - 1))
            assert harness.clock.now <= pending.next_attempt_at <= harness.clock.now + timedelta(seconds=cap)
            assert relay.run_once() == RelayReport()  # not due yet
            harness.clock.now = pending.next_attempt_at
        else:
            assert report == RelayReport(dead=1)
    with harness.gateway.database.unit_of_work() as uow:
        assert uow.outbox.depth()[OutboxStatus.DEAD] == 1
        message = uow.messages.find("330000000", "m-push")
        assert message is not None and message.status is MessageStatus.DEAD
    harness.clock.now += timedelta(days=1)
    assert relay.run_once() == RelayReport()  # dead stays dead until ops retry it


def test_a_recovered_receiver_gets_the_row_on_the_next_due_pass(harness: Harness) -> None:
    submit(harness)
    outcomes = iter([DeliveryFailed("timeout"), None])
    received: list[Push] = []

    def flaky(push: Push) -> None:
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        received.append(push)

    relay = Relay(harness.gateway, MockTransport(flaky), rng=random.Random(3))
    assert relay.run_once() == RelayReport(retried=1)
    harness.clock.now = NOW + timedelta(seconds=10)
    assert relay.run_once() == RelayReport(sent=1)
    assert [p.headers["X-Message-Id"] for p in received] == ["m-push"]
