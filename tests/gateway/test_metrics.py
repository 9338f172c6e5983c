"""Prometheus /metrics: ingest by type and result, outbox depth and dead letters."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gateway.api.app import create_app
from gateway.config import ApiSection
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers


def samples(h: Harness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = h.client.get("/metrics")
    assert response.status_code == 200
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_ingest_counts_and_outbox_depth(harness: Harness) -> None:
    body = indicator_document(indicator_row("330000000", "330300000", "3300002026M1", Decimal("5.00")))
    for message_id in ("m-1", "m-1"):
        headers = signed_headers(harness.config_dir, "330000000", body, message_id, harness.clock.now)
        harness.client.post("/v1/messages", content=body, headers=headers)
    bad = signed_headers(harness.config_dir, "330000000", b"junk", "m-2", harness.clock.now)
    harness.client.post("/v1/messages", content=b"junk", headers=bad)
    seen = samples(harness)
    kind = (("message_type", "transfer_indicator"),)
    assert seen[("fiscalgw_ingest_total", (*kind, ("result", "accepted")))] == 1
    assert seen[("fiscalgw_ingest_total", (*kind, ("result", "replayed")))] == 1
    assert (
        seen[("fiscalgw_ingest_total", (("message_type", "unknown"), ("result", "unsupported_format")))] == 1
    )
    assert seen[("fiscalgw_ingest_seconds_count", (*kind, ("result", "accepted")))] == 1
    assert seen[("fiscalgw_outbox_rows", (("status", "pending"),))] == 1
    assert seen[("fiscalgw_outbox_rows", (("status", "dead"),))] == 0


# ---- api.metrics / api.docs: open, behind a person's token, or off (issue 13 item 11) --------------------


@pytest.fixture
def exposed(harness: Harness) -> Iterator[Callable[..., TestClient]]:
    """A client on an app over the harness's gateway with ``[api]`` set as given."""
    clients: list[TestClient] = []

    def make(**api: str) -> TestClient:
        gw = harness.gateway
        settings = gw.settings.model_copy(update={"api": ApiSection.model_validate(api)})
        client = TestClient(create_app(dataclasses.replace(gw, settings=settings)))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _bearer(h: Harness, role: str) -> dict[str, str]:
    """The demo's bearer token of ``role`` (``fiscalgw init`` writes them to ``tokens.txt``)."""
    lines = (h.config_dir / "tokens.txt").read_text(encoding="utf-8").split("\n")
    found = dict(line.split(" ", 1) for line in lines if line.strip())
    return {"Authorization": f"Bearer {found[role]}"}


def test_metrics_behind_a_token(harness: Harness, exposed: Callable[..., TestClient]) -> None:
    client = exposed(metrics="token")
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"] == "unauthenticated"
    for role in ("viewer", "ops"):
        scraped = client.get("/metrics", headers=_bearer(harness, role))
        assert scraped.status_code == 200
        assert "fiscalgw_outbox_rows" in scraped.text


def test_metrics_off(exposed: Callable[..., TestClient]) -> None:
    assert exposed(metrics="off").get("/metrics").status_code == 404


def test_docs_off_and_behind_a_token(harness: Harness, exposed: Callable[..., TestClient]) -> None:
    off = exposed(docs="off")
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert off.get(path).status_code == 404, path
    token = exposed(docs="token")
    assert token.get("/openapi.json").status_code == 401
    document = token.get("/openapi.json", headers=_bearer(harness, "viewer"))
    assert document.status_code == 200 and "/v1/messages" in document.json()["paths"]
    assert "/openapi.json" not in document.json()["paths"]
    assert token.get("/docs", headers=_bearer(harness, "viewer")).status_code == 404
    opened = exposed(docs="open", metrics="open")
    assert opened.get("/docs").status_code == 200 and opened.get("/openapi.json").status_code == 200
    assert opened.get("/metrics").status_code == 200
