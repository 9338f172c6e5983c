"""The CSV templates shipped under docs/templates/ are what ``fiscalgw reconcile template KIND`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.reconcile.templates import TEMPLATE_KINDS, template_csv

DOCS = Path(__file__).resolve().parents[3] / "docs" / "templates"


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_the_shipped_template_is_current(kind: str) -> None:
    assert (DOCS / f"{kind}.csv").read_bytes() == template_csv(kind, "zh")


def test_no_other_template_is_shipped() -> None:
    assert sorted(p.stem for p in DOCS.iterdir()) == sorted(TEMPLATE_KINDS)
