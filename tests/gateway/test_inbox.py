"""The pull channel and the lifecycle view: 签收 / 退回, redelivery of unsettled items, party isolation."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from gateway import audit
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers

PROVINCE, CITY, COUNTY = "330000000", "330300000", "330324000"


def call(
    h: Harness, party: str, method: str, path: str, body: bytes = b"", params: dict[str, str] | None = None
) -> httpx.Response:
    target = httpx.URL(path, params=params).raw_path.decode("ascii")  # path and query: both are signed
    headers = signed_headers(
        h.config_dir, party, body, uuid.uuid4().hex, h.clock.now, path=target, method=method
    )
    response: httpx.Response = h.client.request(method, target, content=body, headers=headers)
    return response


def issue_to_county(h: Harness, message_id: str = "m-county") -> None:
    body = indicator_document(indicator_row(PROVINCE, COUNTY, "3300002026K1", Decimal("42.00")))
    headers = signed_headers(h.config_dir, PROVINCE, body, message_id, h.clock.now)
    response = h.client.post("/v1/messages", content=body, headers=headers)
    assert response.status_code == 202, response.text


def inbox(h: Harness, party: str) -> list[dict[str, Any]]:
    response = call(h, party, "GET", "/v1/inbox")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def lifecycle(h: Harness, party: str, message_id: str, sender: str = PROVINCE) -> httpx.Response:
    return call(h, party, "GET", f"/v1/messages/{message_id}", params={"sender": sender})


def test_county_pulls_and_acknowledges(harness: Harness) -> None:
    issue_to_county(harness)
    (item,) = [i for i in inbox(harness, COUNTY) if i["original_message_id"] == "m-county"]
    assert item["original_sender"] == PROVINCE
    assert json.loads(base64.b64decode(item["body_base64"]))["BA_BGT_INFO"][0]["BGT_ID"] == "3300002026K1"
    response = call(harness, COUNTY, "POST", f"/v1/inbox/{item['id']}/ack")
    assert response.json() == {"id": item["id"], "status": "acknowledged"}
    harness.clock.now += timedelta(hours=1)
    assert inbox(harness, COUNTY) == []  # 签收 settles it for good
    view = lifecycle(harness, COUNTY, "m-county").json()
    assert view["status"] == "acknowledged"
    assert [e["status"] for e in view["events"]][-1] == "acknowledged"


def test_an_unsettled_item_comes_back_after_the_visibility_timeout(harness: Harness) -> None:
    issue_to_county(harness)
    first = {i["id"] for i in inbox(harness, COUNTY)}
    assert inbox(harness, COUNTY) == []
    harness.clock.now += timedelta(seconds=harness.gateway.settings.delivery.pull_visibility_seconds)
    assert {i["id"] for i in inbox(harness, COUNTY)} == first


def test_reject_needs_a_reason_and_is_audited(harness: Harness) -> None:
    issue_to_county(harness)
    item_id = inbox(harness, COUNTY)[0]["id"]
    no_reason = call(harness, COUNTY, "POST", f"/v1/inbox/{item_id}/reject", b"{}")
    assert no_reason.status_code == 400 and no_reason.json()["error"] == "bad_request"
    body = json.dumps({"reason": "指标文号与本级不符"}, ensure_ascii=False).encode()
    response = call(harness, COUNTY, "POST", f"/v1/inbox/{item_id}/reject", body)
    assert response.json()["status"] == "rejected"
    again = call(harness, COUNTY, "POST", f"/v1/inbox/{item_id}/ack")
    assert again.status_code == 404 and again.json()["error"] == "not_found"
    with harness.gateway.database.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.entries()]
        assert audit.verify(uow.audit) == len(actions)
    assert actions[-1] == "inbox.reject"


def test_a_party_cannot_settle_anothers_item(harness: Harness) -> None:
    issue_to_county(harness)
    item_id = inbox(harness, COUNTY)[0]["id"]
    response = call(harness, CITY, "POST", f"/v1/inbox/{item_id}/ack")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_inbox_requests_must_be_signed(harness: Harness) -> None:
    unsigned = harness.client.get("/v1/inbox", headers={"X-Sender": COUNTY})
    assert unsigned.status_code == 400 and unsigned.json()["error"] == "bad_request"
    headers = signed_headers(harness.config_dir, COUNTY, b"", "n-1", harness.clock.now, path="/v1/inbox")
    headers["X-Signature"] = signed_headers(
        harness.config_dir, COUNTY, b"", "n-1", harness.clock.now, path="/v1/inbox", key_of=CITY
    )["X-Signature"]
    forged = harness.client.get("/v1/inbox", headers=headers)
    assert forged.status_code == 401 and forged.json()["error"] == "invalid_signature"


def test_lifecycle_is_visible_to_sender_and_receivers_only(harness: Harness) -> None:
    issue_to_county(harness)
    mine = call(harness, PROVINCE, "GET", "/v1/messages/m-county")
    assert mine.status_code == 200
    assert mine.json()["receivers"] == [COUNTY]
    assert [e["status"] for e in mine.json()["events"]] == ["received", "validated", "stored", "routed"]
    assert lifecycle(harness, COUNTY, "m-county").status_code == 200
    stranger = lifecycle(harness, CITY, "m-county")
    assert stranger.status_code == 404 and stranger.json()["error"] == "not_found"
