"""The signing string against the real server (``fiscalgw serve`` on 127.0.0.1, SQLite and PostgreSQL), issue
#13 items 7, 8 and 10 (ADR 0006):

* a push's signature covers every header its receiver acts on — ``X-Original-Sender`` (its de-duplication
  key with ``X-Message-Id``) and ``X-Wire-Format`` — so a captured push cannot be re-attributed or made to
  look new (the simulated receiver, the gateway's own push verifier, refuses it);
* a signed request's query is signed, and every signed request but ingest spends its ``X-Message-Id`` as a
  nonce: a captured ``GET /v1/inbox`` cannot be replayed (``409 replayed_request``), and items a replayer
  pulled come back to the real party after the visibility timeout;
* ``X-Timestamp`` is an RFC 3339 date-time or ``400 invalid_timestamp``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.config import load_settings
from gateway.keyring import load_keyring
from gateway.simulators.peer import PeerConfig, SimulatedParty, load_party_key
from gateway.wire_signature import signing_string
from signing import DEFAULT_PROFILE, load_private_key
from tests.gateway.peer import Received, push_receiver
from tests.gateway.samples import indicator_document, indicator_row, signed_headers
from tests.gateway.test_e2e_indicator import point_city_at, running_gateway
from tests.security.helpers import CITY, COUNTY, PROVINCE, edit_config, error_code

pytestmark = pytest.mark.e2e

TIMEOUT = 10


def indicator(bgt_id: str, receiver: str) -> bytes:
    return indicator_document(indicator_row(PROVINCE, receiver, bgt_id, Decimal("1000.00")))


def submit(base: str, config: Path, body: bytes, message_id: str) -> None:
    headers = signed_headers(config, PROVINCE, body, message_id, datetime.now(UTC))
    response = httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 202, response.text


def signed(
    config: Path, party: str, method: str, target: str, message_id: str | None = None
) -> dict[str, str]:
    """Headers of a body-less request signed now for ``target`` (path and query)."""
    return signed_headers(
        config, party, b"", message_id or uuid.uuid4().hex, datetime.now(UTC), path=target, method=method
    )


@contextmanager
def simulated_city(config: Path) -> Iterator[str]:
    """The city as the simulator runs it (it verifies every push's gateway signature); yields its base URL.
    Its replies go nowhere (port 9): only its answer to each push matters here."""
    settings = load_settings(config)
    keys = load_keyring(settings)
    party = SimulatedParty(
        PeerConfig(
            "finance", CITY, load_party_key(config, CITY, None), keys, "fiscalgw", "http://127.0.0.1:9"
        )
    )
    server = party.serve("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        party.close()


def forward(receiver: str, push: Received, **changes: str) -> httpx.Response:
    """Send a captured push again to ``receiver``, with headers changed (or removed, value "") on the way."""
    headers = {k: v for k, v in push.headers.items() if k.lower() not in ("host", "content-length")}
    target = push.path
    for name, value in changes.items():
        if name == "target":
            target = value
            continue
        header = name.replace("_", "-")
        headers = {k: v for k, v in headers.items() if k.lower() != header.lower()}
        if value:
            headers[header] = value
    return httpx.post(f"{receiver}{target}", content=push.body, headers=headers, timeout=TIMEOUT)


def test_a_captured_push_cannot_be_re_attributed_or_made_to_look_new(
    demo_dir: Path, database_url: str
) -> None:
    with push_receiver() as capture:
        point_city_at(demo_dir, capture.port)
        with running_gateway(demo_dir, database_url) as base:
            submit(base, demo_dir, indicator("3300002026SIG1", CITY), "sig-push-1")
            assert capture.arrived.wait(timeout=30), "the relay did not push to the city"
    (push,) = capture.received
    assert push.headers["X-Original-Sender"] == PROVINCE and push.headers["X-Message-Id"] == "sig-push-1"
    with simulated_city(demo_dir) as city:
        assert forward(city, push).status_code == 200  # the genuine push verifies
        refused = {
            "re-attributed": forward(city, push, X_Original_Sender="330324000"),
            "original sender dropped": forward(city, push, X_Original_Sender=""),
            "another wire format": forward(city, push, X_Wire_Format="mof.xml"),
            "wire format dropped": forward(city, push, X_Wire_Format=""),
            "query added": forward(city, push, target=f"{push.path}?replay=1"),
        }
        assert {why: r.status_code for why, r in refused.items()} == dict.fromkeys(refused, 401)


def test_the_query_of_a_signed_request_is_signed(demo_dir: Path, database_url: str) -> None:
    with running_gateway(demo_dir, database_url) as base:
        submit(base, demo_dir, indicator("3300002026SIG2", COUNTY), "sig-query-1")
        status = "/v1/messages/sig-query-1"
        cases = {
            "query added to an inbox pull": ("/v1/inbox", "/v1/inbox?limit=1"),
            "query changed on a status request": (f"{status}?sender={PROVINCE}", f"{status}?sender={CITY}"),
            "query changed on a trace": (
                "/v1/trace?bgt_id=3300002026SIG2",
                "/v1/trace?bgt_id=3300002026SIGX",
            ),
            "query dropped": (f"{status}?sender={PROVINCE}", status),
        }
        answers = {
            why: httpx.get(
                f"{base}{sent}", headers=signed(demo_dir, PROVINCE, "GET", signed_for), timeout=TIMEOUT
            )
            for why, (signed_for, sent) in cases.items()
        }
        assert {why: (r.status_code, error_code(r)) for why, r in answers.items()} == dict.fromkeys(
            cases, (401, "invalid_signature")
        )
        # Canonical query: the order of different keys and the percent-encoding of unreserved characters
        # do not matter; the value does.
        trace = httpx.get(
            f"{base}/v1/trace?bgt_id=%33300002026SIG2",
            headers=signed(demo_dir, PROVINCE, "GET", "/v1/trace?bgt_id=3300002026SIG2"),
            timeout=TIMEOUT,
        )
        assert trace.status_code == 200, trace.text
        view = httpx.get(
            f"{base}{status}?sender={PROVINCE}",
            headers=signed(demo_dir, COUNTY, "GET", f"{status}?sender={PROVINCE}"),
            timeout=TIMEOUT,
        )
        assert view.status_code == 200 and view.json()["receivers"] == [COUNTY]


def pull(base: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{base}/v1/inbox", headers=headers, timeout=TIMEOUT)


def test_a_captured_inbox_pull_cannot_be_replayed_and_hides_nothing(
    demo_dir: Path, database_url: str
) -> None:
    edit_config(demo_dir, lambda data: data.setdefault("delivery", {}).update(pull_visibility_seconds=2))
    with running_gateway(demo_dir, database_url) as base:
        submit(base, demo_dir, indicator("3300002026SIG3", COUNTY), "sig-pull-1")
        captured = signed(demo_dir, COUNTY, "GET", "/v1/inbox")
        # The replayer gets the captured request to the gateway first (it sits on the path) ...
        stolen = pull(base, captured)
        assert stolen.status_code == 200 and len(stolen.json()["items"]) == 1
        (item,) = stolen.json()["items"]
        # ... and then neither the county's own copy nor any further replay is served.
        for _ in range(2):
            again = pull(base, captured)
            assert (again.status_code, error_code(again)) == (409, "replayed_request"), again.text
        # The items the replayer took are not lost to the county: unacknowledged, they come back.
        deadline = time.monotonic() + 30
        items: list[dict[str, Any]] = []
        while not items and time.monotonic() < deadline:
            response = pull(base, signed(demo_dir, COUNTY, "GET", "/v1/inbox"))
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            if not items:
                time.sleep(0.2)
        assert [i["id"] for i in items] == [item["id"]]
        assert items[0]["original_message_id"] == "sig-pull-1"

        # The same rule for every signed request but ingest: status, trace, 签收.
        for target in (f"/v1/messages/sig-pull-1?sender={PROVINCE}", "/v1/trace?bgt_id=3300002026SIG3"):
            headers = signed(demo_dir, COUNTY, "GET", target)
            first = httpx.get(f"{base}{target}", headers=headers, timeout=TIMEOUT)
            replay = httpx.get(f"{base}{target}", headers=headers, timeout=TIMEOUT)
            assert first.status_code == 200, first.text
            assert (replay.status_code, error_code(replay)) == (409, "replayed_request"), target
        ack = f"/v1/inbox/{item['id']}/ack"
        headers = signed(demo_dir, COUNTY, "POST", ack)
        assert httpx.post(f"{base}{ack}", headers=headers, timeout=TIMEOUT).json()["status"] == "acknowledged"
        replay = httpx.post(f"{base}{ack}", headers=headers, timeout=TIMEOUT)
        assert (replay.status_code, error_code(replay)) == (409, "replayed_request")
        # Concurrent twins (the replayer racing the party): exactly one is served.
        twin = signed(demo_dir, COUNTY, "GET", "/v1/inbox")
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = sorted(pool.map(lambda _: pull(base, twin).status_code, range(6)))
        assert statuses == [200, 409, 409, 409, 409, 409]
        # A nonce is per sender: another party may use the same X-Message-Id.
        city = pull(base, signed(demo_dir, CITY, "GET", "/v1/inbox", message_id=captured["X-Message-Id"]))
        assert city.status_code == 200, city.text


NOT_RFC3339 = {
    "space separator": "%Y-%m-%d %H:%M:%SZ",
    "no offset": "%Y-%m-%dT%H:%M:%S",
    "offset without colon": "%Y-%m-%dT%H:%M:%S+0000",
    "no seconds": "%Y-%m-%dT%H:%MZ",
    "basic format": "%Y%m%dT%H%M%SZ",
    "week date": "%G-W%V-%uT%H:%M:%SZ",
    "ordinal date": "%Y-%jT%H:%M:%SZ",
    "date only": "%Y-%m-%d",
    "trailing text": "%Y-%m-%dT%H:%M:%SZ junk",
}
RFC3339 = {
    "Z": "%Y-%m-%dT%H:%M:%SZ",
    "lower-case t and z (RFC 3339 §5.6)": "%Y-%m-%dt%H:%M:%Sz",
    "fraction": "%Y-%m-%dT%H:%M:%S.123456789Z",
    "numeric offset": "%Y-%m-%dT%H:%M:%S+00:00",
    "unknown local offset": "%Y-%m-%dT%H:%M:%S-00:00",
}


def post_stamped(base: str, config: Path, body: bytes, timestamp: str) -> httpx.Response:
    """POST ``body`` signed over ``timestamp`` exactly as given."""
    message_id = uuid.uuid4().hex
    key = load_private_key((config / "keys" / f"{PROVINCE}.key.pem").read_bytes())
    text = signing_string("POST", "/v1/messages", PROVINCE, message_id, timestamp, body)
    headers = {
        "X-Sender": PROVINCE,
        "X-Message-Id": message_id,
        "X-Timestamp": timestamp,
        "X-Signature": DEFAULT_PROFILE.sign(key, text),
        "Content-Type": "application/json",
    }
    return httpx.post(f"{base}/v1/messages", content=body, headers=headers, timeout=TIMEOUT)


def test_x_timestamp_must_be_rfc3339(demo_dir: Path, database_url: str) -> None:
    with running_gateway(demo_dir, database_url) as base:
        now = datetime.now(UTC)
        refused = {
            why: post_stamped(base, demo_dir, indicator(f"3300002026TSR{n}", CITY), now.strftime(form))
            for n, (why, form) in enumerate(NOT_RFC3339.items())
        }
        assert {why: (r.status_code, error_code(r)) for why, r in refused.items()} == dict.fromkeys(
            NOT_RFC3339, (400, "invalid_timestamp")
        )
        accepted = {
            why: post_stamped(base, demo_dir, indicator(f"3300002026TSA{n}", CITY), now.strftime(form))
            for n, (why, form) in enumerate(RFC3339.items())
        }
        assert {why: r.status_code for why, r in accepted.items()} == dict.fromkeys(RFC3339, 202)
        stale = post_stamped(
            base, demo_dir, indicator("3300002026TSS", CITY), f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"
        )
        assert (stale.status_code, error_code(stale)) == (401, "stale_timestamp")
        # The same check on every signed request (the shared dependency): an inbox pull.
        headers = signed(demo_dir, COUNTY, "GET", "/v1/inbox")
        headers["X-Timestamp"] = now.strftime(NOT_RFC3339["space separator"])
        bad = pull(base, headers)
        assert (bad.status_code, error_code(bad)) == (400, "invalid_timestamp")
