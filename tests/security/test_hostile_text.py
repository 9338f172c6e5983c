"""Hostile text and shapes in the API's other inputs (issue #13): a NUL (PostgreSQL ``text`` cannot hold
U+0000) or a lone surrogate (not a character; no UTF-8 encoder takes it) in a reject reason, a break comment,
a query parameter or a path segment is ``400 invalid_text`` before any database work; a JSON body with a
repeated key is ``400 duplicate_key``; FastAPI's own parameter validation answers in the standard shape
(``422 invalid_request``). Nothing changes state; on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.gateway.conftest import Harness
from tests.gateway.test_inbox import call, inbox, issue_to_county
from tests.gateway.test_reconciliation_api import auth, seeded_run
from tests.security.helpers import COUNTY, PROVINCE, audit_actions, error_code

NUL = "a\x00b"
SURROGATE_JSON = '"x\\ud800y"'  # the JSON escape of a lone surrogate, as a client would send it

# (name, raw JSON body) of the reason / comment variants that must be refused, with their code.
BAD_BODIES = {
    "nul": ('{"%s": "a\\u0000b"}', "invalid_text"),
    "lone_surrogate": ('{"%s": ' + SURROGATE_JSON + "}", "invalid_text"),
    "lone_surrogate_in_a_key": ('{"%s": "ok", "\\udc00": 1}', "invalid_text"),
    "nul_in_another_field": ('{"%s": "ok", "note": "\\u0000"}', "invalid_text"),
    "duplicate_key": ('{"%s": "first", "%s": "second"}', "duplicate_key"),
}


def _body(template: str, field: str) -> bytes:
    return (template % ((field,) * template.count("%s"))).encode("utf-8")


def _refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == (422 if code == "invalid_request" else 400), response.text
    assert error_code(response) == code, response.text


# ---- bodies --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_reject_reason_that_cannot_be_stored_is_refused(harness: Harness, case: str) -> None:
    template, code = BAD_BODIES[case]
    issue_to_county(harness)
    item_id = inbox(harness, COUNTY)[0]["id"]
    response = call(harness, COUNTY, "POST", f"/v1/inbox/{item_id}/reject", _body(template, "reason"))
    _refused(response, code)
    assert "inbox.reject" not in audit_actions(harness)
    assert call(harness, COUNTY, "POST", f"/v1/inbox/{item_id}/ack").status_code == 200  # still open


@pytest.mark.parametrize("action", ["explain", "resolve"])
@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_break_comment_that_cannot_be_stored_is_refused(harness: Harness, case: str, action: str) -> None:
    template, code = BAD_BODIES[case]
    seeded_run(harness)
    viewer, ops = auth(harness, "viewer"), auth(harness, "ops")
    key = harness.client.get("/v1/breaks", headers=viewer).json()["items"][0]["key"]
    response = harness.client.post(
        f"/v1/breaks/{key}/{action}",
        content=_body(template, "comment"),
        headers={**ops, "Content-Type": "application/json"},
    )
    _refused(response, code)
    assert harness.client.get(f"/v1/breaks/{key}", headers=viewer).json()["status"] == "open"


@pytest.mark.parametrize("case", ["nul", "lone_surrogate", "duplicate_key"])
def test_a_reconciliation_request_that_cannot_be_stored_is_refused(harness: Harness, case: str) -> None:
    template, code = BAD_BODIES[case]
    body = _body(
        template.replace("{", '{"kind": "indicators", "fiscal_year": 2026, "lower": "330300000", ', 1),
        "upper",
    )
    response = harness.client.post(
        "/v1/reconciliations",
        content=body,
        headers={**auth(harness, "ops"), "Content-Type": "application/json"},
    )
    _refused(response, code)
    assert harness.client.get("/v1/reconciliations", headers=auth(harness, "viewer")).json()["total"] == 0


# ---- query parameters and path segments ---------------------------------------------------------------

# (method, path, params, who): "viewer" / "ops" send that bearer token, a party id signs the request.
PLACES: dict[str, tuple[str, str, dict[str, str], str]] = {
    "lifecycle_sender": ("GET", "/v1/messages/m-1", {"sender": NUL}, PROVINCE),
    "lifecycle_message_id": ("GET", "/v1/messages/m%00-1", {}, PROVINCE),
    "party_trace": ("GET", "/v1/trace", {"bgt_id": NUL}, PROVINCE),
    "ops_message_sender": ("GET", "/v1/ops/messages/3300%000000/m-1", {}, "viewer"),
    "ops_message_id": ("GET", "/v1/ops/messages/330000000/m%00", {}, "viewer"),
    "ops_trace": ("GET", "/v1/ops/trace", {"voucher_no": NUL}, "viewer"),
    "outbox_receiver": ("GET", "/v1/ops/outbox", {"receiver": NUL}, "ops"),
    "outbox_sender": ("GET", "/v1/ops/outbox", {"sender": NUL}, "ops"),
    "outbox_state": ("GET", "/v1/ops/outbox", {"state": NUL}, "ops"),
    "replay_receiver": (
        "POST",
        "/v1/ops/outbox/replay",
        {"since": "2026-03-01T00:00:00Z", "receiver": NUL},
        "ops",
    ),
    "breaks_kind": ("GET", "/v1/breaks", {"kind": NUL}, "viewer"),
    "breaks_upper": ("GET", "/v1/breaks", {"upper": NUL}, "viewer"),
    "breaks_lower": ("GET", "/v1/breaks", {"lower": NUL}, "viewer"),
    "breaks_type": ("GET", "/v1/breaks", {"type": NUL}, "viewer"),
    "breaks_status": ("GET", "/v1/breaks", {"status": "open," + NUL}, "viewer"),
    "breaks_sort": ("GET", "/v1/breaks", {"sort": NUL}, "viewer"),
    "break_key": ("GET", "/v1/breaks/ab%00cd", {}, "viewer"),
    "break_explain_key": ("POST", "/v1/breaks/ab%00cd/explain", {}, "ops"),
    "runs_upper": ("GET", "/v1/reconciliations", {"upper": NUL}, "viewer"),
    "runs_day": ("GET", "/v1/reconciliations", {"day": NUL}, "viewer"),
    "runs_status": ("GET", "/v1/reconciliations", {"status": NUL}, "viewer"),
    "dashboard_kind": ("GET", "/v1/reconciliations/dashboard", {"kind": NUL}, "viewer"),
    "digests_upper": ("GET", "/v1/reconciliations/digests", {"upper": NUL}, "viewer"),
    "parameter_name": ("GET", "/v1/breaks", {NUL: "x"}, "viewer"),
}


def _send(h: Harness, method: str, path: str, params: dict[str, str], who: str) -> httpx.Response:
    extra: dict[str, Any] = {"params": params} if params else {}  # (an empty dict would drop a query)
    if who in ("viewer", "ops"):
        return h.client.request(method, path, headers=auth(h, who), **extra)
    return call(h, who, method, path, **extra)


@pytest.mark.parametrize("name", sorted(PLACES))
def test_a_nul_in_a_query_parameter_or_path_segment_is_refused(harness: Harness, name: str) -> None:
    method, path, params, who = PLACES[name]
    response = _send(harness, method, path, params, who)
    _refused(response, "invalid_text")
    assert audit_actions(harness) == []


def test_a_lone_surrogate_in_a_query_value_cannot_arrive_as_one(harness: Harness) -> None:
    """Percent-encoded UTF-8 of a surrogate is not UTF-8: the server decodes it to U+FFFD, a character."""
    response = harness.client.get("/v1/breaks?upper=%ED%A0%80", headers=auth(harness, "viewer"))
    assert response.status_code == 200, response.text


# ---- FastAPI's own validation, in the standard shape --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "who"),
    [
        ("/v1/inbox", {"limit": "many"}, COUNTY),
        ("/v1/ops/outbox", {"before_id": "x"}, "ops"),
        ("/v1/ops/outbox", {"limit": "1.5"}, "ops"),
    ],
)
def test_request_validation_answers_in_the_standard_shape(
    harness: Harness, path: str, params: dict[str, str], who: str
) -> None:
    response = _send(harness, "GET", path, params, who)
    _refused(response, "invalid_request")
    detail: list[dict[str, Any]] = response.json()["detail"]
    assert detail and set(detail[0]) == {"path", "rule", "message"}
    assert detail[0]["path"].startswith("query.")
