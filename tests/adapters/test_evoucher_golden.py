"""Golden e-voucher envelopes: parse to the expected canonical JSON, render back byte for byte."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from lxml import etree

from adapters.evoucher import EVoucherAdapter
from adapters.registry import default_registry
from schemas.messages import canonical_json, parse_canonical_many

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "evoucher"
CASES = sorted(p.stem for p in GOLDEN.glob("*.xml"))
REQUIRED_VTCODES = {"5201", "8202", "2301", "2302", "5108", "5106", "2252", "3501", "3502", "3510", "5510"}


def test_every_required_vtcode_has_a_golden_file() -> None:
    assert {c.split("_")[0] for c in CASES} >= REQUIRED_VTCODES


@pytest.mark.parametrize("case", CASES)
def test_golden_parses_to_expected_canonical_json(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text(encoding="utf-8"))
    document = EVoucherAdapter().parse(raw)
    assert json.loads(canonical_json(document.messages)) == expected
    assert [r.position for r in document.records] == list(range(len(expected)))


@pytest.mark.parametrize("case", CASES)
def test_golden_renders_back_byte_for_byte(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    adapter = EVoucherAdapter()
    assert adapter.render(adapter.parse(raw)) == raw


@pytest.mark.parametrize("case", CASES)
def test_expected_json_reads_back_into_the_same_models(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    expected = json.loads((GOLDEN / f"{case}.expected.json").read_text(encoding="utf-8"))
    assert tuple(parse_canonical_many(expected)) == EVoucherAdapter().parse(raw).messages


@pytest.mark.parametrize("case", CASES)
def test_golden_is_gbk_with_gbk_inner_vouchers(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    raw.decode("gbk")
    for voucher in etree.fromstring(raw).iter("Voucher"):
        inner = base64.b64decode(voucher.text or "", validate=True)
        assert inner.startswith(b'<?xml version="1.0" encoding="GBK"?>')
        assert etree.fromstring(inner).tag == "Voucher"


@pytest.mark.parametrize("case", CASES)
def test_registry_identifies_exactly_evoucher(case: str) -> None:
    raw = (GOLDEN / f"{case}.xml").read_bytes()
    assert default_registry().identify(raw).format == "evoucher"


def test_chinese_payee_name_survives_in_gbk() -> None:
    document = EVoucherAdapter().parse((GOLDEN / "5201.xml").read_bytes())
    assert document.messages[0].model_dump()["payee_acct_name"] == "温州市瓯江文具有限公司"
    assert document.records[1].meta == {"Attach": "SUCCESS", "TimeStamp": "20260316093015"}
