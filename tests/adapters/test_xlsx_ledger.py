"""xlsx ledger snapshots: goldens (as we write them and as typed in Excel), round trips, refusals."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from adapters.csv_ledger import CsvLedgerAdapter
from adapters.errors import TranslationError
from adapters.limits import Limits
from adapters.mof import MofJsonAdapter
from adapters.xlsx_ledger import XlsxLedgerAdapter
from schemas.indicators import IndicatorEvent, TransferIndicator
from schemas.messages import canonical_json
from tests.adapters.mof_helpers import GOLDEN, document, malformed_code, problem_rules
from tests.schemas.indicator_factories import transfer_indicators

ADAPTER = XlsxLedgerAdapter()
CASES = sorted(p.stem for p in (GOLDEN / "xlsx").glob("*.xlsx"))
PROVINCE = (GOLDEN / "xlsx" / "ledger_province.xlsx").read_bytes()
HEADER = ["BGT_ID", "MOF_DIV_CODE", "REC_DIV_CODE", "FISCAL_YEAR", "COR_BGT_DOC_NO", "BGT_DOC_TITLE"]
HEADER += ["DOC_DATE", "FUND_TYPE_CODE", "TP_FUNC_CODE", "AMOUNT"]


def _workbook(*rows: Sequence[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(**changes: object) -> list[object]:
    values: dict[str, object] = {
        "BGT_ID": "B1",
        "MOF_DIV_CODE": "330000000",
        "REC_DIV_CODE": "330300000",
        "FISCAL_YEAR": "2026",
        "COR_BGT_DOC_NO": "浙财农〔2026〕12号",
        "BGT_DOC_TITLE": "关于下达2026年中央财政农业相关转移支付资金的通知",
        "DOC_DATE": "2026-01-20",
        "FUND_TYPE_CODE": "111",
        "TP_FUNC_CODE": "2130122",
        "AMOUNT": "100.00",
    }
    values.update(changes)
    return [values[name] for name in HEADER]


def _cells(raw: bytes) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(raw), read_only=True)
    try:
        return [tuple(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_golden_cases_exist() -> None:
    assert CASES == ["ledger_province", "ledger_typed_cells"]


@pytest.mark.parametrize("case", CASES)
def test_parse_matches_expected_canonical_json(case: str) -> None:
    parsed = ADAPTER.parse((GOLDEN / "xlsx" / f"{case}.xlsx").read_bytes())
    assert canonical_json(list(parsed.messages)) == (GOLDEN / "xlsx" / f"{case}.expected.json").read_bytes()


def test_render_of_parse_has_the_same_cells() -> None:
    assert _cells(ADAPTER.render(ADAPTER.parse(PROVINCE))) == _cells(PROVINCE)


def test_typed_cells_render_back_as_exact_text() -> None:
    parsed = ADAPTER.parse((GOLDEN / "xlsx" / "ledger_typed_cells.xlsx").read_bytes())
    cells = _cells(ADAPTER.render(parsed))
    assert cells[1][-1] == "12845678.90" and cells[1][6] == "2026-01-20"
    assert ADAPTER.parse(ADAPTER.render(parsed)).messages == parsed.messages


def test_xlsx_and_csv_hold_the_same_snapshot() -> None:
    from_csv = CsvLedgerAdapter().parse((GOLDEN / "csv" / "ledger_province_utf8bom.csv").read_bytes())
    assert ADAPTER.parse(PROVINCE).messages == from_csv.messages


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        transfer_indicators(events=(IndicatorEvent.ISSUE,)),
        min_size=1,
        max_size=3,
        unique_by=lambda m: m.bgt_id,
    )
)
def test_snapshot_rows_round_trip(models: list[TransferIndicator]) -> None:
    assert list(ADAPTER.parse(ADAPTER.render(document(*models))).messages) == models


def test_adjustments_have_no_xlsx_form() -> None:
    adjustments = MofJsonAdapter().parse((GOLDEN / "mof" / "indicators_adjust_recall.json").read_bytes())
    with pytest.raises(TranslationError):
        ADAPTER.render(adjustments)


def test_float_amount_with_three_places_is_refused() -> None:
    raw = _workbook(HEADER, _row(AMOUNT=1.005))
    assert problem_rules(ADAPTER, raw) == {"[0].amount": "amount_precision"}


def test_date_cell_with_a_time_is_not_a_date() -> None:
    raw = _workbook(HEADER, _row(DOC_DATE=datetime(2026, 1, 20, 9, 30)))
    assert problem_rules(ADAPTER, raw) == {"[0].doc_date": "bad_date"}


def test_boolean_cell_is_refused() -> None:
    raw = _workbook(HEADER, _row(COR_BGT_DOC_NO=True))
    assert problem_rules(ADAPTER, raw) == {"[0].cor_bgt_doc_no": "bad_value_type"}


def test_values_right_of_the_header() -> None:
    assert problem_rules(ADAPTER, _workbook(HEADER, _row(), [*_row(BGT_ID="B2"), "extra"])) == {
        "[1]": "wrong_cell_count"
    }


def test_unknown_header() -> None:
    assert malformed_code(ADAPTER, _workbook([*HEADER, "FOO"], _row())) == "unknown_column"


def test_empty_sheet() -> None:
    assert malformed_code(ADAPTER, _workbook()) == "missing_header"


def test_header_only() -> None:
    assert malformed_code(ADAPTER, _workbook(HEADER)) == "empty_document"


def test_too_many_rows() -> None:
    raw = _workbook(HEADER, _row(BGT_ID="B1"), _row(BGT_ID="B2"), _row(BGT_ID="B3"))
    assert malformed_code(ADAPTER, raw, Limits(max_records=2)) == "too_many_records"


def test_oversize_file() -> None:
    assert malformed_code(ADAPTER, PROVINCE, Limits(max_bytes=1000)) == "document_too_large"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_is_refused_before_unpacking() -> None:
    raw = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b" " * 2_000_000})
    assert len(raw) < 100_000
    assert malformed_code(ADAPTER, raw, Limits(max_bytes=100_000)) == "document_too_large"


def test_doctype_inside_a_part_is_refused() -> None:
    with zipfile.ZipFile(io.BytesIO(PROVINCE)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/"))
    parts[sheet] = parts[sheet].replace(
        b"<worksheet", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet', 1
    )
    assert malformed_code(ADAPTER, _zip(parts)) == "dtd_forbidden"


def test_entity_inside_a_part_is_refused() -> None:
    raw = _zip({"xl/workbook.xml": b'<?xml version="1.0"?><!ENTITY e "x"><workbook/>'})
    assert malformed_code(ADAPTER, raw) == "entity_forbidden"


def test_broken_zip() -> None:
    assert malformed_code(ADAPTER, PROVINCE[:200]) == "not_well_formed"


def test_zip_that_is_not_a_workbook() -> None:
    assert malformed_code(ADAPTER, _zip({"word/document.xml": b"<w/>"})) == "not_well_formed"


def test_identify() -> None:
    assert ADAPTER.identify(PROVINCE)
    assert not ADAPTER.identify(_zip({"word/document.xml": b"<w/>"}))
    assert not ADAPTER.identify(PROVINCE[:200])
    assert not ADAPTER.identify((GOLDEN / "csv" / "ledger_province_utf8bom.csv").read_bytes())


def test_text_that_looks_like_a_formula_stays_text() -> None:
    message = ADAPTER.parse(PROVINCE).messages[0]
    assert isinstance(message, TransferIndicator)
    tricky = message.model_copy(update={"bgt_dec": '=HYPERLINK("http://127.0.0.1/")'})
    rendered = ADAPTER.render(document(tricky))
    assert ADAPTER.parse(rendered).messages == (tricky,)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(rendered)).read("xl/worksheets/sheet1.xml")
