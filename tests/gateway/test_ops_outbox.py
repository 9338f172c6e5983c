"""``GET /v1/ops/outbox`` (ops token): pending / retrying / dead deliveries per receiver, filtered by state,
receiver and sender, newest first, paged with ``before_id``; with the undelivered counts per receiver."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from gateway.delivery.errors import DeliveryFailed
from gateway.delivery.relay import Relay
from gateway.delivery.transport import MockTransport, Push
from gateway.services import ops
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"


def tokens(h: Harness) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in (h.config_dir / "tokens.txt").read_text().splitlines())


def submit(h: Harness, message_id: str, receiver: str) -> int:
    body = indicator_document(indicator_row(PROVINCE, receiver, f"B-{message_id}", Decimal("1.00")))
    headers = signed_headers(h.config_dir, PROVINCE, body, message_id, h.clock.now)
    assert h.client.post("/v1/messages", content=body, headers=headers).status_code == 202
    with h.gateway.database.unit_of_work() as uow:
        return uow.outbox.pending_ids(receiver)[-1]


def refuse(_push: Push) -> None:
    raise DeliveryFailed("HTTP 503: 系统维护")


def failing_pass(h: Harness) -> None:
    Relay(h.gateway, MockTransport(refuse), rng=random.Random(0)).run_once()
    h.clock.now += timedelta(hours=1)


def queue(h: Harness) -> dict[str, int]:
    """A: dead, B: retrying (failed once after an ops retry), C: pending push, D: pending pull."""
    ids = {"A": submit(h, "q-a", CITY), "B": submit(h, "q-b", CITY)}
    for _ in range(h.gateway.settings.delivery.max_attempts):
        failing_pass(h)
    ops.retry(h.gateway, ids["B"], actor="ops:test")
    failing_pass(h)
    ids["C"] = submit(h, "q-c", CITY)
    ids["D"] = submit(h, "q-d", COUNTY)
    return ids


def listing(h: Harness, query: str = "", *, token: str = "ops") -> Any:
    return h.client.get(f"/v1/ops/outbox?{query}", headers={"Authorization": f"Bearer {tokens(h)[token]}"})


def test_the_undelivered_rows_newest_first_with_counts_per_receiver(harness: Harness) -> None:
    ids = queue(harness)
    response = listing(harness)
    assert response.status_code == 200, response.text
    page = response.json()
    assert [(i["id"], i["state"]) for i in page["items"]] == [
        (ids["D"], "pending"),
        (ids["C"], "pending"),
        (ids["B"], "retrying"),
        (ids["A"], "dead"),
    ]
    assert page["counts"] == {
        CITY: {"pending": 1, "retrying": 1, "dead": 1, "cancelled": 0},
        COUNTY: {"pending": 1, "retrying": 0, "dead": 0, "cancelled": 0},
    }
    dead = page["items"][3]
    assert dead["receiver"] == CITY and dead["channel"] == "push" and dead["attempts"] == 8
    assert dead["last_error"] == "HTTP 503: 系统维护" and dead["dead_at"] is not None
    assert (dead["original_sender"], dead["original_message_id"]) == (PROVINCE, "q-a")
    assert dead["message_type"] == "transfer_indicator" and dead["format"] == "mof.json"
    assert page["items"][0]["channel"] == "pull"
    assert page["next_before_id"] is None


def test_filters_by_state_receiver_and_sender(harness: Harness) -> None:
    ids = queue(harness)
    assert [i["id"] for i in listing(harness, f"receiver={CITY}").json()["items"]] == [
        ids["C"],
        ids["B"],
        ids["A"],
    ]
    assert [i["id"] for i in listing(harness, "state=dead").json()["items"]] == [ids["A"]]
    both = listing(harness, "state=retrying&state=pending").json()
    assert [i["id"] for i in both["items"]] == [ids["D"], ids["C"], ids["B"]]
    assert both["states"] == ["pending", "retrying"]
    assert listing(harness, f"sender={COUNTY}").json()["items"] == []
    assert listing(harness, "state=sent").json()["items"] == []


def test_pages_with_before_id(harness: Harness) -> None:
    ids = queue(harness)
    first = listing(harness, "limit=2").json()
    assert [i["id"] for i in first["items"]] == [ids["D"], ids["C"]]
    assert first["next_before_id"] == ids["C"]
    second = listing(harness, f"limit=2&before_id={first['next_before_id']}").json()
    assert [i["id"] for i in second["items"]] == [ids["B"], ids["A"]]
    assert second["next_before_id"] is None


@pytest.mark.parametrize(
    ("query", "token", "status", "code"),
    [
        ("", "viewer", 403, "forbidden"),
        ("state=lost", "ops", 400, "bad_request"),
        ("limit=0", "ops", 400, "bad_request"),
        ("limit=501", "ops", 400, "bad_request"),
        ("before_id=0", "ops", 400, "bad_request"),
    ],
)
def test_refusals(harness: Harness, query: str, token: str, status: int, code: str) -> None:
    response = listing(harness, query, token=token)
    assert response.status_code == status
    assert response.json()["error"] == code


def test_without_a_token_it_is_unauthenticated(harness: Harness) -> None:
    response = harness.client.get("/v1/ops/outbox")
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("before_id=99999999999999999999", "bad_request"),
        ("receiver=%00", "invalid_text"),  # refused for every endpoint before the handler (issue #13)
        (f"sender={'9' * 33}", "bad_request"),
        ("receiver=a%20b", "bad_request"),
    ],
)
def test_out_of_range_filters_are_bad_requests_not_database_errors(
    harness: Harness, query: str, code: str
) -> None:
    response = listing(harness, query)
    assert response.status_code == 400 and response.json()["error"] == code


@pytest.mark.parametrize("item_id", [0, 2**63])
def test_an_inbox_id_beyond_bigint_is_not_found_not_a_database_error(harness: Harness, item_id: int) -> None:
    path = f"/v1/inbox/{item_id}/ack"
    headers = signed_headers(
        harness.config_dir, COUNTY, b"", "ack-big", harness.clock.now, path=path, method="POST"
    )
    response = harness.client.post(path, headers=headers)
    assert response.status_code == 404 and response.json()["error"] == "not_found"
