"""One outbox listing for the ops API and the 投递队列 / message pages: the same rows whichever view asks,
the pull receiver's inbox fields only where the page joins them, and counts that agree."""

from __future__ import annotations

from dataclasses import replace

from gateway.rows import STATES, DeliveryRow
from gateway.services import inbox
from gateway.store.browse import Browse
from gateway.store.outbox_listing import OutboxListing
from tests.gateway.conftest import Harness
from tests.gateway.test_ops_outbox import COUNTY, queue, submit


def _without_inbox(row: DeliveryRow) -> DeliveryRow:
    return replace(row, acked_at=None, rejected_at=None, reject_reason=None)


def _seed(h: Harness) -> dict[str, int]:
    """The ops API tests' queue (dead, retrying, pending push, pending pull) plus E: pulled and 退回."""
    ids = queue(h)
    ids["E"] = submit(h, "q-e", COUNTY)
    assert {item["id"] for item in inbox.pull(h.gateway, COUNTY)} == {ids["D"], ids["E"]}
    inbox.settle(h.gateway, COUNTY, ids["E"], reject_reason="格式错误")
    return ids


def test_the_api_and_the_pages_list_the_same_rows(harness: Harness) -> None:
    ids = _seed(harness)
    engine = harness.gateway.database.engine
    api, browse = OutboxListing(engine), Browse(engine)
    seen: set[int] = set()
    for state in STATES:
        rows, more = api.rows([state], limit=100)
        page, page_more = browse.queue(state, receiver=None, offset=0, limit=100)
        assert not more and not page_more
        assert all(r.acked_at is None and r.rejected_at is None and r.reject_reason is None for r in rows)
        assert sorted(rows, key=lambda r: r.id) == sorted(
            (_without_inbox(r) for r in page), key=lambda r: r.id
        )
        assert all(r.state == state for r in page)
        for row in page:
            assert browse.delivery(row.id) == row
            assert row in browse.deliveries_of(row.message_pk)
        seen |= {r.id for r in rows}
    assert seen == set(ids.values())


def test_only_the_page_joins_the_inbox_fields(harness: Harness) -> None:
    ids = _seed(harness)
    engine = harness.gateway.database.engine
    rejected = Browse(engine).delivery(ids["E"])
    assert rejected is not None
    assert rejected.reject_reason == "格式错误" and rejected.rejected_at is not None
    (api_row,) = [r for r in OutboxListing(engine).rows(STATES, limit=100)[0] if r.id == ids["E"]]
    assert api_row == _without_inbox(rejected)
    assert api_row.msg_type == "transfer_indicator"


def test_the_counts_agree(harness: Harness) -> None:
    _seed(harness)
    engine = harness.gateway.database.engine
    summed: dict[str, dict[str, int]] = {}
    for c in Browse(engine).queue_counts():
        total = summed.setdefault(c.receiver, dict.fromkeys(STATES[:4], 0))
        for state in STATES[:4]:
            total[state] += getattr(c, state)
    assert OutboxListing(engine).counts() == summed
    assert summed  # something is undelivered
