"""A 不一致 indicator pair for the reconciliation pages, on top of tests/web/seed.py: the city books two of
the province's three indicators (one with a different amount and 项目代码) and one the province never
issued; two runs through the real service layer (``run_now``), so the dashboard has a trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from gateway.bootstrap import Gateway
from gateway.services.reconciliation import runs as reconciliations
from tests.gateway.conftest import Clock
from tests.gateway.indicator_flows import booking, document
from tests.web.seed import CITY, PROVINCE, send

YEAR = 2026
PAIR_KEY = f"{PROVINCE}|{CITY}|{YEAR}"
AS_OF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
"""Past the 48 h in-transit window of the seeded indicators."""
ACTOR = "ops:demo-ops"


@dataclass(frozen=True)
class Recon:
    first_run_id: int
    last_run_id: int


def seed_recon(gateway: Gateway, client: TestClient, config_dir: Path, clock: Clock) -> Recon:
    books = document(
        "BA_BGT_INFO",
        booking("L-0001", "BGT-3300-2026-0001", "1250000.00"),
        booking("L-0002", "BGT-3300-2026-0002", "1249001.00", PRO_CODE="330000260000000099999"),
    )
    send(client, config_dir, clock, CITY, books, "CITY-BOOK-1")
    first = reconciliations.run_now(
        gateway, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=YEAR, actor=ACTOR, as_of=AS_OF
    )
    clock.now += timedelta(hours=2)
    ghost = document("BA_BGT_INFO", booking("L-0009", "BGT-GHOST", "1.00", SUP_BGT_DOC_NO="财预〔2026〕99号"))
    send(client, config_dir, clock, CITY, ghost, "CITY-BOOK-2")
    last = reconciliations.run_now(
        gateway, kind="indicators", upper=PROVINCE, lower=CITY, fiscal_year=YEAR, actor=ACTOR, as_of=AS_OF
    )
    return Recon(first.id, last.id)
