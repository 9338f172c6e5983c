"""Rendered report files of finished runs are reused (same bytes, one rendering), bounded in size, and every
error is the uncached service's (no such run, a failed run, an unknown format)."""

from __future__ import annotations

import pytest

from gateway.rows import NewIndicator
from gateway.services import report_cache
from gateway.services.errors import BadRequest, NotFound
from gateway.services.reconciliation import runs as reconciliations
from gateway.services.reconciliation.runs import ReconciliationFailed, run_now
from tests.gateway.conftest import Harness
from tests.gateway.reconcile.test_engines_agree import EVERY_TYPE_LOWER, EVERY_TYPE_UPPER
from tests.gateway.test_reconciliation_store import CITY, PROVINCE, _load, to_store


def _run(h: Harness) -> int:
    _load(h, EVERY_TYPE_UPPER, EVERY_TYPE_LOWER)
    run = run_now(h.gateway, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t")
    assert run.status == "succeeded"
    return run.id


def test_a_finished_runs_files_are_rendered_once_and_reused(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _run(harness)
    expected = {fmt: reconciliations.report_file(harness.gateway, run_id, fmt) for fmt in ("csv", "json")}
    renders: list[str] = []
    render = reconciliations.report_file

    def counting(gw: object, pk: int, fmt: str) -> tuple[bytes, str, str]:
        renders.append(fmt)
        return render(harness.gateway, pk, fmt)

    monkeypatch.setattr(reconciliations, "report_file", counting)
    for fmt in ("csv", "json"):
        first = report_cache.report_file(harness.gateway, run_id, fmt)
        again = report_cache.report_file(harness.gateway, run_id, fmt)
        assert first == expected[fmt]
        assert again[0] is first[0]
    xlsx = report_cache.report_file(harness.gateway, run_id, "xlsx")
    assert xlsx[0].startswith(b"PK") and xlsx[1:] == (
        reconciliations.MEDIA_TYPES["xlsx"],
        f"reconciliation-{run_id}.xlsx",
    )
    assert report_cache.report_file(harness.gateway, run_id, "xlsx")[0] is xlsx[0]
    assert renders == ["csv", "json", "xlsx"]


def test_the_cache_is_bounded(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = _run(harness)
    size = len(reconciliations.report_file(harness.gateway, run_id, "json")[0])
    monkeypatch.setattr(report_cache, "MAX_BYTES", size - 1)
    first = report_cache.report_file(harness.gateway, run_id, "json")
    assert report_cache.report_file(harness.gateway, run_id, "json")[0] is not first[0]  # too big to keep
    monkeypatch.setattr(report_cache, "MAX_BYTES", size + 10)
    csv_first = report_cache.report_file(harness.gateway, run_id, "csv")  # kept
    kept = report_cache.report_file(harness.gateway, run_id, "json")  # kept; the CSV goes to make room
    assert report_cache.report_file(harness.gateway, run_id, "json")[0] is kept[0]
    assert report_cache.report_file(harness.gateway, run_id, "csv")[0] is not csv_first[0]


def test_errors_are_the_services(harness: Harness) -> None:
    with pytest.raises(NotFound):
        report_cache.report_file(harness.gateway, 999, "csv")
    run_id = _run(harness)
    with pytest.raises(BadRequest):
        report_cache.report_file(harness.gateway, run_id, "pdf")
    bad = to_store({**EVERY_TYPE_UPPER[0], "DOC_DATE": "2026-03-01"}, "issued")
    with harness.gateway.database.unit_of_work() as uow:  # a corrupt date: the next run fails
        uow.ledger.add_many([NewIndicator(**{**bad.__dict__, "doc_date": "2026-13-45"})], harness.clock.now)
        uow.commit()
    with pytest.raises(ReconciliationFailed):
        run_now(harness.gateway, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=2026, actor="t")
    failed = reconciliations.list_runs(harness.gateway).items[0]
    assert failed.status == "failed"
    with pytest.raises(NotFound):
        report_cache.report_file(harness.gateway, failed.id, "csv")
