"""The adapter registry: every golden document is claimed by exactly one adapter; two claims are an error."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from adapters.base import Adapter, Document
from adapters.csv_ledger import CsvLedgerAdapter
from adapters.errors import AmbiguousFormat, UnknownFormat
from adapters.limits import DEFAULT_LIMITS, Limits
from adapters.mof import MofJsonAdapter, MofXmlAdapter
from adapters.registry import AdapterRegistry, all_adapters, default_registry
from adapters.xlsx_ledger import XlsxLedgerAdapter
from tests.adapters.mof_helpers import GOLDEN

MINE: list[Adapter] = [MofJsonAdapter(), MofXmlAdapter(), CsvLedgerAdapter(), XlsxLedgerAdapter()]
MY_DIRS = {"mof", "csv", "xlsx"}


def _documents(folders: set[str] | None = None) -> list[Path]:
    return sorted(
        p
        for p in GOLDEN.glob("*/*")
        if p.is_file()
        and not p.name.endswith(".expected.json")
        and (folders is None or p.parent.name in folders)
    )


def _expected_format(path: Path) -> str:
    return f"mof.{path.suffix[1:]}" if path.parent.name == "mof" else path.parent.name


def test_all_adapters_lists_these_formats() -> None:
    formats = {a.format for a in all_adapters()}
    assert {"mof.json", "mof.xml", "csv", "xlsx"} <= formats
    assert default_registry().get("mof.xml").format == "mof.xml"


@pytest.mark.parametrize("path", _documents(MY_DIRS), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_golden_document_is_claimed_by_exactly_one_adapter(path: Path) -> None:
    raw = path.read_bytes()
    claims = [a.format for a in all_adapters() if a.identify(raw)]
    assert claims == [_expected_format(path)]


def test_these_adapters_claim_no_other_format_s_golden_document() -> None:
    others = _documents(None)
    others = [p for p in others if p.parent.name not in MY_DIRS]
    claimed = [(p.name, a.format) for p in others for a in MINE if a.identify(p.read_bytes())]
    assert claimed == []


class _Greedy(Adapter):
    format: ClassVar[str] = "greedy"

    def identify(self, raw: bytes) -> bool:
        return True

    def parse(self, raw: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Document:
        return Document(self.format, ())

    def render(self, document: Document) -> bytes:
        return b""


def test_two_claims_are_an_error_never_a_guess() -> None:
    registry = AdapterRegistry([*MINE, _Greedy()])
    with pytest.raises(AmbiguousFormat, match=r"greedy, mof\.json"):
        registry.identify((GOLDEN / "mof" / "indicators_issue.json").read_bytes())


def test_unrecognised_bytes() -> None:
    with pytest.raises(UnknownFormat):
        AdapterRegistry(MINE).identify(b"hello")


def test_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFormat, match=r"csv, mof\.json, mof\.xml, xlsx"):
        AdapterRegistry(MINE).get("pdf")


def test_duplicate_format_names_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        AdapterRegistry([MofJsonAdapter(), MofJsonAdapter()])
