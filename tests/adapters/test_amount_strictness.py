"""Issue 13 item 10 (amounts): every adapter reads amounts through ``schemas.money`` and refuses lenient
forms — full-width and Arabic-Indic digits, ``+``, surrounding whitespace, ``-0.00``, beyond the maximum —
each with its own rule, naming the record (never a silently dropped row)."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from adapters.cfx import CfxAdapter
from adapters.csv_ledger import CsvLedgerAdapter
from adapters.evoucher import EVoucherAdapter
from adapters.mof import MofJsonAdapter, MofXmlAdapter
from adapters.xlsx_ledger import XlsxLedgerAdapter
from schemas.errors import ValidationFailed
from tests.adapters.evoucher_build import inner_text, sample_envelope
from tests.adapters.mof_helpers import GOLDEN, golden_issue_rows, problem_rules

# (text as it reaches the model, rule). XML formats carry non-GBK characters as character references.
LENIENT: list[tuple[str, str]] = [
    ("１２３.４５", "amount_not_ascii"),  # full-width digits (Decimal() reads them as 123.45)
    ("١٢٣.٤٥", "amount_not_ascii"),  # Arabic-Indic digits (Decimal() reads them as 123.45)
    ("+123.45", "amount_sign"),
    (" 123.45", "amount_whitespace"),
    ("123.45 ", "amount_whitespace"),
    ("-0.00", "negative_zero"),
    ("1000000000000.00", "amount_out_of_range"),
    ("123456789012345678.00", "amount_out_of_range"),  # 18 integer digits were accepted before
]
IDS = [rule + ":" + text.encode("unicode_escape").decode() for text, rule in LENIENT]


def _xml_text(text: str) -> str:
    """``text`` with every non-ASCII character as an XML character reference (any encoding carries it)."""
    return "".join(c if c.isascii() else f"&#{ord(c)};" for c in text)


@pytest.mark.parametrize(("text", "rule"), LENIENT, ids=IDS)
def test_mof_json(text: str, rule: str) -> None:
    rows = golden_issue_rows()
    rows[1]["AMOUNT"] = text
    raw = json.dumps({"BA_BGT_INFO": rows}, ensure_ascii=True).encode()
    assert problem_rules(MofJsonAdapter(), raw) == {"[1].amount": rule}


@pytest.mark.parametrize(("text", "rule"), LENIENT, ids=IDS)
def test_mof_xml(text: str, rule: str) -> None:
    raw = (GOLDEN / "mof" / "indicators_issue.xml").read_bytes()
    raw = raw.replace(b"<AMOUNT>880000.00</AMOUNT>", f"<AMOUNT>{_xml_text(text)}</AMOUNT>".encode())
    assert problem_rules(MofXmlAdapter(), raw) == {"[2].amount": rule}


@pytest.mark.parametrize(("text", "rule"), LENIENT, ids=IDS)
def test_csv_ledger_row_is_an_error_naming_the_row(text: str, rule: str) -> None:
    raw = (GOLDEN / "csv" / "ledger_province_utf8bom.csv").read_bytes()
    cell = f'"{text}"' if text != text.strip() else text
    raw = raw.replace(b",800000.00,", f",{cell},".encode())
    assert problem_rules(CsvLedgerAdapter(), raw) == {"[2].amount": rule}


@pytest.mark.parametrize(("text", "rule"), LENIENT, ids=IDS)
def test_xlsx_ledger_row_is_an_error_naming_the_row(text: str, rule: str) -> None:
    header = ["BGT_ID", "MOF_DIV_CODE", "REC_DIV_CODE", "FISCAL_YEAR", "COR_BGT_DOC_NO", "BGT_DOC_TITLE"]
    header += ["DOC_DATE", "FUND_TYPE_CODE", "TP_FUNC_CODE", "AMOUNT"]
    row = ["B1", "330000000", "330300000", "2026", "浙财农〔2026〕12号", "关于下达资金的通知"]
    row += ["2026-01-20", "111", "2130101"]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    sheet.append([*row, "100.00"])
    sheet.append(["B2", *row[1:], text])
    out = io.BytesIO()
    workbook.save(out)
    rules = problem_rules(XlsxLedgerAdapter(), out.getvalue())
    assert rules.get("[1].amount") == rule, rules


@pytest.mark.parametrize(("text", "rule"), LENIENT, ids=IDS)
def test_evoucher(text: str, rule: str) -> None:
    inner = inner_text().replace("<PayAmt>2345.67</PayAmt>", f"<PayAmt>{_xml_text(text)}</PayAmt>")
    with pytest.raises(ValidationFailed) as info:
        EVoucherAdapter().parse(sample_envelope(inner))
    problems = {(p.path, p.rule) for p in info.value.problems}
    assert ("[0].details[1].pay_amt", rule) in problems, info.value


@pytest.mark.parametrize(("text", "rule"), LENIENT, ids=IDS)
def test_cfx(text: str, rule: str) -> None:
    raw = (GOLDEN / "cfx" / "2201.xml").read_bytes()
    raw = raw.replace(b"<Amt>860.00</Amt>", f"<Amt>{_xml_text(text)}</Amt>".encode(), 1)
    with pytest.raises(ValidationFailed) as info:
        CfxAdapter().parse(raw)
    problems = {(p.path, p.rule) for p in info.value.problems}
    assert any(path.endswith(".amt") and r == rule for path, r in problems), info.value


def test_legitimately_negative_amounts_stay_valid() -> None:
    rows = golden_issue_rows()
    adjust = json.loads((GOLDEN / "mof" / "indicators_adjust_recall.json").read_text(encoding="utf-8"))
    assert any(str(r.get("ADD_AMOUNT", "")).startswith("-") for r in adjust["BA_BGT_ADJSUB"])
    assert len(MofJsonAdapter().parse(json.dumps(adjust).encode()).records) == len(adjust["BA_BGT_ADJSUB"])
    assert len(MofJsonAdapter().parse(json.dumps({"BA_BGT_INFO": rows}).encode()).records) == len(rows)
