"""Both indicator engines behind one callable, so every semantic test runs against each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.reference import reconcile_files_reference
from gateway.reconcile.indicators.report import IndicatorReport

AS_OF = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 2026-03-10 12:00 China time

Reconcile = Callable[..., IndicatorReport]


def _duckdb(upper: Path, lower: Path, *, as_of: datetime = AS_OF, hours: int = 48) -> IndicatorReport:
    return reconcile_indicator_files(upper, lower, as_of=as_of, in_transit_window=timedelta(hours=hours))


def _reference(upper: Path, lower: Path, *, as_of: datetime = AS_OF, hours: int = 48) -> IndicatorReport:
    return reconcile_files_reference(upper, lower, as_of=as_of, in_transit_window=timedelta(hours=hours))


@pytest.fixture(params=["duckdb", "reference"])
def reconcile(request: pytest.FixtureRequest) -> Reconcile:
    engines: dict[str, Reconcile] = {"duckdb": _duckdb, "reference": _reference}
    return engines[str(request.param)]
