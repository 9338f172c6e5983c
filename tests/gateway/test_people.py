"""Ops and viewer tokens: viewers read any message and trace; only ops act on deliveries; all audited."""

from __future__ import annotations

from decimal import Decimal

import httpx

from gateway import audit
from tests.gateway.conftest import Harness
from tests.gateway.samples import indicator_document, indicator_row, signed_headers


def tokens(h: Harness) -> dict[str, str]:
    lines = (h.config_dir / "tokens.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split(" ", 1) for line in lines)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(h: Harness) -> None:
    body = indicator_document(indicator_row("330000000", "330300000", "3300002026T1", Decimal("3.00")))
    headers = signed_headers(h.config_dir, "330000000", body, "m-ops", h.clock.now)
    assert h.client.post("/v1/messages", content=body, headers=headers).status_code == 202


def error(response: httpx.Response) -> str:
    return str(response.json()["error"])


def test_init_keeps_only_token_digests_in_the_config(harness: Harness) -> None:
    text = (harness.config_dir / "fiscalgw.toml").read_text(encoding="utf-8")
    assert set(tokens(harness)) == {"ops", "viewer"}
    assert all(token not in text for token in tokens(harness).values())
    assert (harness.config_dir / "tokens.txt").stat().st_mode & 0o077 == 0


def test_a_viewer_reads_any_message_and_trace(harness: Harness) -> None:
    submit(harness)
    viewer = bearer(tokens(harness)["viewer"])
    view = harness.client.get("/v1/ops/messages/330000000/m-ops", headers=viewer)
    assert view.status_code == 200 and view.json()["receivers"] == ["330300000"]
    chain = harness.client.get("/v1/ops/trace?bgt_id=3300002026T1", headers=viewer).json()["chain"]
    assert [c["message_id"] for c in chain] == ["m-ops"]


def test_a_viewer_may_not_act_and_strangers_may_not_read(harness: Harness) -> None:
    submit(harness)
    refused = harness.client.post("/v1/ops/outbox/1/cancel", headers=bearer(tokens(harness)["viewer"]))
    assert refused.status_code == 403 and error(refused) == "forbidden"
    unknown = harness.client.get("/v1/ops/messages/330000000/m-ops", headers=bearer("guess"))
    assert unknown.status_code == 401 and error(unknown) == "unauthenticated"
    missing = harness.client.get("/v1/ops/messages/330000000/m-ops")
    assert missing.status_code == 401 and error(missing) == "unauthenticated"


def test_ops_cancel_and_replay_are_audited_with_the_persons_name(harness: Harness) -> None:
    submit(harness)
    ops = bearer(tokens(harness)["ops"])
    with harness.gateway.database.unit_of_work() as uow:
        (row,) = uow.outbox.pending_ids("330300000")
    assert harness.client.post(f"/v1/ops/outbox/{row}/cancel", headers=ops).json()["status"] == "cancelled"
    again = harness.client.post(f"/v1/ops/outbox/{row}/cancel", headers=ops)
    assert again.status_code == 404 and error(again) == "not_found"
    replay = harness.client.post("/v1/ops/outbox/replay?since=2026-03-01T00:00:00Z", headers=ops)
    assert replay.json() == {"replayed": 0}
    bad = harness.client.post("/v1/ops/outbox/replay?since=yesterday", headers=ops)
    assert bad.status_code == 400 and error(bad) == "bad_request"
    with harness.gateway.database.unit_of_work() as uow:
        entries = list(uow.audit.entries())
        assert audit.verify(uow.audit) == len(entries)
    assert [(e.actor, e.action) for e in entries[1:]] == [
        ("ops:demo-ops", "outbox.cancel"),
        ("ops:demo-ops", "outbox.replay"),
    ]
