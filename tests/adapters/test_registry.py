"""The adapter registry: every golden document is claimed by exactly one adapter; two claims are an error."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from adapters.base import Adapter, Document
from adapters.csv_ledger import CsvLedgerAdapter
from adapters.errors import AmbiguousFormat, UnknownFormat, UnrecognisedFormat
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


@pytest.mark.parametrize(
    ("raw", "reason", "found", "where"),
    [
        (b"", "empty", None, None),
        (b" \n\t", "empty", None, None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", None, None),
        (b"%PDF-1.7\n", "binary", None, None),
        (b"PK\x03\x04" + bytes(26), "binary", None, None),
        (b"\x00\x01\x02 binary junk \xff", "not_text", None, None),
        (b"hello, treasury", "unknown_text", None, None),
        (b'<?xml version="1.0"?>\n<a>\n<b></a>', "not_well_formed", None, (3, 8)),
        (b"<Report><Row/></Report>", "unknown_root", "Report", None),
        (b'{"X": [1,\n ]}', "not_json", None, (2, 2)),
        (b'{"ROWS": []}', "unknown_json_table", "ROWS", None),
        (b"[1, 2]", "unknown_json_shape", None, None),
        (b'<?xml version="1.0"?>' + b"<!--a-->" * 200 + b"<MOF/>", "unrecognised_opening", "MOF", None),
    ],
)
def test_unrecognised_bytes_say_why(
    raw: bytes, reason: str, found: str | None, where: tuple[int, int] | None
) -> None:
    """Issue 15: the error names the reason, what it found (root element, first key), the position of a
    parse error and the known formats — and never prints a Python ``None``."""
    with pytest.raises(UnrecognisedFormat) as caught:
        default_registry().identify(raw)
    error = caught.value
    assert (error.reason, error.found) == (reason, found), str(error)
    assert error.known_formats == default_registry().formats
    if where is not None:
        assert (error.line, error.column) == where
        assert f"line {where[0]}, column {where[1]}" in str(error)
    assert str(error).startswith("no adapter recognises the document: ") and "None" not in str(error)


def test_an_unknown_root_lists_the_roots_the_adapters_know() -> None:
    with pytest.raises(UnrecognisedFormat) as caught:
        default_registry().identify(b"<Report/>")
    assert caught.value.expected == ("BGT_EXCHANGE", "CFX", "MOF")
    assert "<BGT_EXCHANGE> (mof.xml), <CFX> (cfx), <MOF> (evoucher)" in str(caught.value)
