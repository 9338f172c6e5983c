"""Prometheus /metrics: ingest by type and result, outbox depth and dead letters."""

from __future__ import annotations

from decimal import Decimal

from prometheus_client.parser import text_string_to_metric_families

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
