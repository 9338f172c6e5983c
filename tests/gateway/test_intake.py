"""``POST /v1/messages``: authenticate, de-duplicate, validate, authorize, store and route in one commit.
Every error code of issue #4 has a test here."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import audit
from gateway.model import MessageStatus, OutboxStatus
from gateway.wire_signature import signing_string
from signing import DEFAULT_PROFILE, load_certificate
from tests.gateway.conftest import Harness, build_harness
from tests.gateway.samples import NOW, indicator_document, indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"


def two_indicators() -> bytes:
    return indicator_document(
        indicator_row(PROVINCE, CITY, "3300002026ZJ01", Decimal("12345678.90")),
        indicator_row(PROVINCE, COUNTY, "3300002026ZJ02", Decimal("500000.00")),
    )


def post(h: Harness, sender: str, body: bytes, message_id: str, **kw: Any) -> httpx.Response:
    at = kw.pop("at", h.clock.now)
    headers = signed_headers(h.config_dir, sender, body, message_id, at, **kw)
    response: httpx.Response = h.client.post("/v1/messages", content=body, headers=headers)
    return response


def error(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error", "detail"}
    return str(body["error"])


def stored_count(h: Harness) -> int:
    with h.gateway.database.unit_of_work() as uow:
        return sum(uow.outbox.depth().values())


def audit_actions(h: Harness) -> list[tuple[str, str]]:
    with h.gateway.database.unit_of_work() as uow:
        assert audit.verify(uow.audit) >= 0
        return [(e.action, e.subject) for e in uow.audit.entries()]


# ---- accepted ----------------------------------------------------------------------------------------


def test_accepted_document_is_stored_routed_and_answered_after_commit(harness: Harness) -> None:
    body = two_indicators()
    response = post(harness, PROVINCE, body, "m-0001")
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["message_id"] == "m-0001"
    assert answer["status"] == "routed"
    assert [(r["position"], r["result"], r["receivers"]) for r in answer["records"]] == [
        (0, "accepted", [CITY]),
        (1, "accepted", [COUNTY]),
    ]
    with harness.gateway.database.unit_of_work() as uow:
        message = uow.messages.find(PROVINCE, "m-0001")
        assert message is not None
        assert uow.messages.body(message.pk) == body
        assert message.status is MessageStatus.ROUTED
        assert [e.status for e in uow.messages.events(message.pk)] == [
            MessageStatus.RECEIVED,
            MessageStatus.VALIDATED,
            MessageStatus.STORED,
            MessageStatus.ROUTED,
        ]
        assert [r.bgt_id for r in uow.messages.records(message.pk)] == ["3300002026ZJ01", "3300002026ZJ02"]
        city_push = uow.outbox.claim_due(NOW, 10, timedelta(seconds=60))
        county_pull = uow.outbox.offer(COUNTY, NOW, 10, timedelta(seconds=60))
    assert [(i.receiver, i.channel, i.original_message_id) for i in city_push] == [(CITY, "push", "m-0001")]
    assert [(i.receiver, i.channel) for i in county_pull] == [(COUNTY, "pull")]
    assert json.loads(county_pull[0].body)["BA_BGT_INFO"][0]["BGT_ID"] == "3300002026ZJ02"
    assert audit_actions(harness) == [("message.accepted", f"{PROVINCE}/m-0001")]


def test_the_answer_is_signed_by_the_gateway(harness: Harness) -> None:
    response = post(harness, PROVINCE, two_indicators(), "m-signed")
    certificate = load_certificate((harness.config_dir / "certs" / "fiscalgw.crt.pem").read_bytes())
    text = signing_string(
        "202",
        "/v1/messages",
        response.headers["X-Sender"],
        response.headers["X-Message-Id"],
        response.headers["X-Timestamp"],
        response.content,
    )
    assert response.headers["X-Sender"] == "fiscalgw"
    DEFAULT_PROFILE.verify(certificate.public_key, text, response.headers["X-Signature"])


def test_same_id_and_body_returns_the_original_answer(harness: Harness) -> None:
    body = two_indicators()
    first = post(harness, PROVINCE, body, "m-again")
    harness.clock.now = NOW + timedelta(seconds=30)
    second = post(harness, PROVINCE, body, "m-again")
    assert second.status_code == 202
    assert second.json() == first.json()
    assert second.headers["X-Replayed"] == "true"
    assert stored_count(harness) == 2  # the repeat queued nothing new


def test_same_id_survives_a_restart(harness: Harness, database_url: str) -> None:
    body = two_indicators()
    assert post(harness, PROVINCE, body, "m-restart").status_code == 202
    restarted = build_harness(harness.config_dir, database_url)
    try:
        assert post(restarted, PROVINCE, body, "m-restart").headers["X-Replayed"] == "true"
        assert error(post(restarted, PROVINCE, body + b" ", "m-restart")) == "duplicate_conflict"
    finally:
        restarted.client.close()
        restarted.gateway.close()


# ---- every error code ----------------------------------------------------------------------------------


def test_duplicate_conflict(harness: Harness) -> None:
    post(harness, PROVINCE, two_indicators(), "m-dup")
    other = indicator_document(indicator_row(PROVINCE, CITY, "3300002026ZJ09", Decimal("1.00")))
    response = post(harness, PROVINCE, other, "m-dup")
    assert response.status_code == 409
    assert error(response) == "duplicate_conflict"


def test_unknown_sender(harness: Harness) -> None:
    body = two_indicators()
    headers = signed_headers(harness.config_dir, PROVINCE, body, "m-x", NOW)
    headers["X-Sender"] = "110000000"
    response = harness.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 401
    assert error(response) == "unknown_sender"


def test_invalid_signature_with_another_partys_key(harness: Harness) -> None:
    response = post(harness, PROVINCE, two_indicators(), "m-forged", key_of=CITY)
    assert response.status_code == 401
    assert error(response) == "invalid_signature"


def test_invalid_signature_when_the_body_was_changed(harness: Harness) -> None:
    body = two_indicators()
    headers = signed_headers(harness.config_dir, PROVINCE, body, "m-tamper", NOW)
    response = harness.client.post(
        "/v1/messages", content=body.replace(b"500000.00", b"900000.00"), headers=headers
    )
    assert error(response) == "invalid_signature"


def test_certificate_invalid_once_expired(harness: Harness) -> None:
    harness.clock.now = NOW + timedelta(days=900)  # demo certificates last 825 days
    response = post(harness, PROVINCE, two_indicators(), "m-expired")
    assert response.status_code == 401
    assert error(response) == "certificate_invalid"
    assert "expired" in response.json()["detail"].lower()


def test_stale_timestamp(harness: Harness) -> None:
    response = post(harness, PROVINCE, two_indicators(), "m-old", at=NOW - timedelta(seconds=301))
    assert response.status_code == 401
    assert error(response) == "stale_timestamp"
    assert (
        post(harness, PROVINCE, two_indicators(), "m-edge", at=NOW - timedelta(seconds=300)).status_code
        == 202
    )


def test_forbidden_when_a_county_issues_for_the_province(harness: Harness) -> None:
    body = indicator_document(indicator_row(PROVINCE, COUNTY, "3300002026ZJ77", Decimal("1.00")))
    response = post(harness, COUNTY, body, "m-usurp")
    assert response.status_code == 403
    assert error(response) == "forbidden"


def test_malformed_document(harness: Harness) -> None:
    response = post(harness, PROVINCE, b'{"BA_BGT_INFO": [', "m-broken")
    assert response.status_code == 400
    assert error(response) == "malformed_document"
    assert response.json()["detail"]["code"] == "not_json"


def test_schema_validation_failed_names_the_field(harness: Harness) -> None:
    row = indicator_row(PROVINCE, CITY, "3300002026ZJ03", Decimal("1.00")) | {"AMOUNT": "abc"}
    response = post(harness, PROVINCE, indicator_document(row), "m-invalid")
    assert response.status_code == 422
    assert error(response) == "schema_validation_failed"
    assert response.json()["detail"][0]["path"] == "[0].amount"


def test_unsupported_format(harness: Harness) -> None:
    response = post(harness, PROVINCE, b"hello, treasury", "m-text")
    assert response.status_code == 415
    assert error(response) == "unsupported_format"


def test_an_unsupported_format_says_why(harness: Harness) -> None:
    """Issue 15: the 415 detail names the reason, the root element it saw and the formats it knows."""
    response = post(harness, PROVINCE, b'<?xml version="1.0"?><Report><Row/></Report>', "m-report")
    assert response.status_code == 415 and error(response) == "unsupported_format"
    detail = response.json()["detail"]
    assert detail["code"] == "unrecognised_format" and detail["reason"] == "unknown_root"
    assert (detail["found"], detail["expected"]) == ("Report", ["BGT_EXCHANGE", "CFX", "MOF"])
    assert "mof.json" in detail["known_formats"]
    assert detail["message"].startswith("no adapter recognises the document: XML root element <Report>")


def test_payload_too_large(demo_dir: Path, database_url: str) -> None:
    h = build_harness(demo_dir, database_url, max_body_bytes=1024)
    try:
        response = post(h, PROVINCE, two_indicators() + b" " * 1024, "m-big")
        assert response.status_code == 413
        assert error(response) == "payload_too_large"
    finally:
        h.client.close()
        h.gateway.close()


def test_missing_header_is_a_bad_request(harness: Harness) -> None:
    body = two_indicators()
    headers = signed_headers(harness.config_dir, PROVINCE, body, "m-nosig", NOW)
    del headers["X-Signature"]
    response = harness.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 400
    assert error(response) == "bad_request"


@pytest.mark.parametrize(
    "send",
    [
        lambda h: post(h, PROVINCE, two_indicators(), "m-r", key_of=CITY),
        lambda h: post(
            h, COUNTY, indicator_document(indicator_row(PROVINCE, COUNTY, "X1", Decimal("1"))), "m-r"
        ),
        lambda h: post(h, PROVINCE, b"hello", "m-r"),
    ],
    ids=["invalid_signature", "forbidden", "unsupported_format"],
)
def test_a_rejected_document_stores_nothing_but_an_audit_entry(harness: Harness, send: Any) -> None:
    assert send(harness).status_code >= 400
    with harness.gateway.database.unit_of_work() as uow:
        assert uow.messages.find(PROVINCE, "m-r") is None
        assert uow.messages.find(COUNTY, "m-r") is None
        assert sum(uow.outbox.depth().values()) == 0
    assert [a for a, _ in audit_actions(harness)] == ["message.rejected"]


def test_readyz_reports_a_migrated_database(harness: Harness) -> None:
    response = harness.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_outbox_is_empty_after_rejections_and_full_after_acceptance(harness: Harness) -> None:
    post(harness, PROVINCE, b"nope", "m-1")
    assert stored_count(harness) == 0
    post(harness, PROVINCE, two_indicators(), "m-2")
    with harness.gateway.database.unit_of_work() as uow:
        assert uow.outbox.depth()[OutboxStatus.PENDING] == 2
