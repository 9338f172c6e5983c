"""mof golden files: each parses to the canonical JSON beside it, renders back byte for byte, and JSON and
XML translate into each other without loss."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.base import Document
from adapters.errors import TranslationError
from adapters.mof import MofJsonAdapter, MofXmlAdapter
from adapters.registry import default_registry
from schemas.indicators import IndicatorEvent, TransferIndicator
from schemas.messages import canonical_json

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "mof"
CASES = sorted(p.stem for p in GOLDEN.glob("*.xml"))
ADAPTERS = {"json": MofJsonAdapter(), "xml": MofXmlAdapter()}


def test_golden_cases_exist() -> None:
    assert CASES == ["indicator_receipts", "indicators_adjust_recall", "indicators_issue"]


@pytest.mark.parametrize("suffix", sorted(ADAPTERS))
@pytest.mark.parametrize("case", CASES)
def test_parse_matches_expected_canonical_json(case: str, suffix: str) -> None:
    document = ADAPTERS[suffix].parse((GOLDEN / f"{case}.{suffix}").read_bytes())
    assert canonical_json(list(document.messages)) == (GOLDEN / f"{case}.expected.json").read_bytes()
    assert [r.position for r in document.records] == list(range(len(document.records)))


@pytest.mark.parametrize("suffix", sorted(ADAPTERS))
@pytest.mark.parametrize("case", CASES)
def test_render_of_parse_is_the_same_bytes(case: str, suffix: str) -> None:
    raw = (GOLDEN / f"{case}.{suffix}").read_bytes()
    adapter = ADAPTERS[suffix]
    assert adapter.render(adapter.parse(raw)) == raw


@pytest.mark.parametrize("case", CASES)
def test_json_and_xml_translate_into_each_other(case: str) -> None:
    json_raw = (GOLDEN / f"{case}.json").read_bytes()
    xml_raw = (GOLDEN / f"{case}.xml").read_bytes()
    from_json = MofJsonAdapter().parse(json_raw)
    from_xml = MofXmlAdapter().parse(xml_raw)
    assert MofXmlAdapter().render(from_json) == xml_raw
    assert MofJsonAdapter().render(from_xml) == json_raw
    assert from_json.messages == from_xml.messages


@pytest.mark.parametrize(("case", "suffix"), [(c, s) for c in CASES for s in ("json", "xml")])
def test_registry_identifies_each_golden_file(case: str, suffix: str) -> None:
    assert default_registry().identify((GOLDEN / f"{case}.{suffix}").read_bytes()).format == f"mof.{suffix}"


def test_adjustments_and_recalls_keep_their_meaning() -> None:
    document = MofJsonAdapter().parse((GOLDEN / "indicators_adjust_recall.json").read_bytes())
    events = [(m.event, str(m.amount)) for m in document.messages if isinstance(m, TransferIndicator)]
    assert events == [
        (IndicatorEvent.ADJUST, "500000.00"),
        (IndicatorEvent.ADJUST, "-80000.00"),
        (IndicatorEvent.RECALL, "200000.00"),
    ]
    raw = (GOLDEN / "indicators_adjust_recall.json").read_text(encoding="utf-8")
    assert '"ADD_AMOUNT": "-200000.00"' in raw  # a recall travels as a negative 调入金额


def test_net_amounts_follow_issue_plus_adjust_minus_recall() -> None:
    """The province ledger snapshot (csv golden) equals the mof issue + adjust − recall documents."""
    issued: dict[str, Decimal] = {}
    for case in ("indicators_issue", "indicators_adjust_recall"):
        for message in MofJsonAdapter().parse((GOLDEN / f"{case}.json").read_bytes()).messages:
            assert isinstance(message, TransferIndicator)
            key = message.bgt_id if message.event is IndicatorEvent.ISSUE else message.ori_bgt_id
            assert key is not None
            sign = -1 if message.event is IndicatorEvent.RECALL else 1
            issued[key] = issued.get(key, Decimal(0)) + sign * message.amount
    snapshot = (
        default_registry()
        .get("csv")
        .parse((GOLDEN.parent / "csv" / "ledger_province_utf8bom.csv").read_bytes())
    )
    assert {m.bgt_id: m.amount for m in snapshot.messages if isinstance(m, TransferIndicator)} == issued


def test_empty_document_has_no_rendering() -> None:
    with pytest.raises(TranslationError):
        MofJsonAdapter().render(Document("mof.json", ()))
