"""Golden CFX packages: parse to the expected canonical JSON, render back byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.cfx import CfxAdapter
from adapters.registry import default_registry
from schemas.messages import canonical_json, parse_canonical_many

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "cfx"
CASES = sorted(p.stem for p in GOLDEN.glob("*.xml"))
REQUIRED_MSGNOS = {"2201", "3143", "2202", "3144", "5102", "3133", "5103", "3134", "9120", "9005"}


def test_every_required_msgno_has_a_golden_file() -> None:
    assert set(CASES) >= REQUIRED_MSGNOS


@pytest.mark.parametrize("case", CASES)
def test_golden_parses_to_expected_canonical_json(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text(encoding="utf-8"))
    document = CfxAdapter().parse(raw)
    assert json.loads(canonical_json(document.messages)) == expected
    assert document.envelope["MsgNo"] == case
    assert len(document.envelope["MsgID"]) == 20


@pytest.mark.parametrize("case", CASES)
def test_golden_renders_back_byte_for_byte(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    adapter = CfxAdapter()
    assert adapter.render(adapter.parse(raw)) == raw


@pytest.mark.parametrize("case", CASES)
def test_expected_json_reads_back_into_the_same_models(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text(encoding="utf-8"))
    assert tuple(parse_canonical_many(expected)) == CfxAdapter().parse(raw).messages


@pytest.mark.parametrize("case", CASES)
def test_registry_identifies_exactly_cfx(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    assert default_registry().identify(raw).format == "cfx"


def test_batch_head_fields_are_copied_into_every_bill() -> None:
    document = CfxAdapter().parse((GOLDEN / "2201.xml").read_bytes())
    heads = {(m.model_dump()["agent_bnk_code"], m.model_dump()["pack_no"]) for m in document.messages}
    assert heads == {("102333300018", "00000031")}
    assert [m.model_dump()["tra_no"] for m in document.messages] == ["00000001", "00000002"]


def test_misspelt_standard_element_names_are_kept() -> None:
    raw = (GOLDEN / "5102.xml").read_bytes()
    assert b"<RransactOrg>" in raw and b"<EcnomicSubjectCode>" in raw
