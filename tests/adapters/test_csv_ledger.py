"""csv ledger snapshots: goldens (UTF-8 BOM and GBK), encoding detection, round trips, refusals."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.csv_ledger import CsvLedgerAdapter, decode_ledger_bytes
from adapters.errors import MalformedDocument, TranslationError
from adapters.limits import Limits
from adapters.mof import MofJsonAdapter
from schemas.indicators import IndicatorEvent, TransferIndicator
from schemas.messages import canonical_json
from tests.adapters.mof_helpers import GOLDEN, document, malformed_code, problem_rules
from tests.schemas.indicator_factories import transfer_indicators

ADAPTER = CsvLedgerAdapter()
CASES = sorted(p.stem for p in (GOLDEN / "csv").glob("*.csv"))
PROVINCE = (GOLDEN / "csv" / "ledger_province_utf8bom.csv").read_bytes()


def _rows(raw: bytes) -> list[list[str]]:
    text, _ = decode_ledger_bytes(raw)
    return list(csv.reader(io.StringIO(text, newline="")))


def test_golden_cases_exist() -> None:
    assert CASES == ["ledger_county_gbk", "ledger_province_utf8bom"]


@pytest.mark.parametrize("case", CASES)
def test_parse_matches_expected_canonical_json(case: str) -> None:
    document_ = ADAPTER.parse((GOLDEN / "csv" / f"{case}.csv").read_bytes())
    assert canonical_json(list(document_.messages)) == (GOLDEN / "csv" / f"{case}.expected.json").read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_render_of_parse_is_equivalent(case: str) -> None:
    raw = (GOLDEN / "csv" / f"{case}.csv").read_bytes()
    rendered = ADAPTER.render(ADAPTER.parse(raw))
    assert _rows(rendered) == _rows(raw)
    assert rendered.startswith(b"\xef\xbb\xbf") and b"\r\n" in rendered


def test_utf8_bom_golden_renders_back_byte_for_byte() -> None:
    assert ADAPTER.render(ADAPTER.parse(PROVINCE)) == PROVINCE


def test_encodings_are_detected() -> None:
    text = PROVINCE[3:].decode("utf-8")
    assert ADAPTER.parse(PROVINCE).envelope["encoding"] == "utf-8-sig"
    assert ADAPTER.parse(text.encode("utf-8")).envelope["encoding"] == "utf-8"
    assert ADAPTER.parse(text.encode("gbk")).envelope["encoding"] == "gbk"
    assert ADAPTER.parse(text.encode("gbk")).messages == ADAPTER.parse(PROVINCE).messages


def test_bytes_that_are_neither_utf8_nor_gbk() -> None:
    assert malformed_code(ADAPTER, PROVINCE[3:] + b"\x81\x20\r\n") == "invalid_encoding"


def test_bom_followed_by_gbk_bytes() -> None:
    assert (
        malformed_code(ADAPTER, b"\xef\xbb\xbf" + PROVINCE[3:].decode("utf-8").encode("gbk"))
        == "invalid_encoding"
    )


def test_each_row_carries_its_line() -> None:
    assert [r.meta["line"] for r in ADAPTER.parse(PROVINCE).records] == ["2", "3", "4"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        transfer_indicators(events=(IndicatorEvent.ISSUE,)),
        min_size=1,
        max_size=4,
        unique_by=lambda m: m.bgt_id,
    )
)
def test_snapshot_rows_round_trip(models: list[TransferIndicator]) -> None:
    parsed = ADAPTER.parse(ADAPTER.render(document(*models)))
    assert list(parsed.messages) == models


def test_mof_json_issue_converts_to_csv_and_back() -> None:
    issued = MofJsonAdapter().parse((GOLDEN / "mof" / "indicators_issue.json").read_bytes())
    assert ADAPTER.parse(ADAPTER.render(issued)).messages == issued.messages


def test_adjustments_have_no_csv_form() -> None:
    adjustments = MofJsonAdapter().parse((GOLDEN / "mof" / "indicators_adjust_recall.json").read_bytes())
    with pytest.raises(TranslationError, match="net amounts"):
        ADAPTER.render(adjustments)


def test_receipts_have_no_csv_form() -> None:
    receipts = MofJsonAdapter().parse((GOLDEN / "mof" / "indicator_receipts.json").read_bytes())
    with pytest.raises(TranslationError):
        ADAPTER.render(receipts)


def _replace_header(old: str, new: str) -> bytes:
    return PROVINCE.replace(old.encode(), new.encode(), 1)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (_replace_header("BGT_DEC", "BGT_DESC"), "unknown_column"),
        (_replace_header("BGT_DEC", "PRO_CODE"), "duplicate_column"),
        (_replace_header("COR_BGT_DOC_NO", "NOT_A_COLUMN"), "unknown_column"),
        (_replace_header("BGT_DEC", "bgt_dec"), "bad_header"),
        (b"", "missing_header"),
        (b"\xef\xbb\xbf\r\n", "missing_header"),
        (b"BGT_ID,MOF_DIV_CODE\r\n", "missing_column"),
        (PROVINCE + b'"unterminated\r\n', "not_well_formed"),
        (
            b"BGT_ID,MOF_DIV_CODE,FISCAL_YEAR,COR_BGT_DOC_NO,BGT_DOC_TITLE,DOC_DATE,FUND_TYPE_CODE,AMOUNT\r\n",
            "empty_document",
        ),
    ],
)
def test_malformed_files(raw: bytes, code: str) -> None:
    assert malformed_code(ADAPTER, raw) == code


def test_oversize_file() -> None:
    assert malformed_code(ADAPTER, PROVINCE, Limits(max_bytes=100)) == "document_too_large"


def test_too_many_rows() -> None:
    assert malformed_code(ADAPTER, PROVINCE, Limits(max_records=2)) == "too_many_records"


def test_wrong_cell_count_is_reported_per_row() -> None:
    lines = PROVINCE.split(b"\r\n")
    lines[2] = lines[2] + b",extra"
    assert problem_rules(ADAPTER, b"\r\n".join(lines)) == {"[1]": "wrong_cell_count"}


def test_bad_values_are_reported_with_positions() -> None:
    raw = PROVINCE.replace(b",800000.00,", b",800000.005,").replace(b"330300000,", b"440100000,", 1)
    assert problem_rules(ADAPTER, raw) == {
        "[2].amount": "amount_precision",
        "[0].rec_div_code": "rec_div_not_below",
    }


def test_duplicate_bgt_id() -> None:
    lines = PROVINCE.rstrip(b"\r\n").split(b"\r\n")
    raw = b"\r\n".join([*lines, lines[1]]) + b"\r\n"
    assert problem_rules(ADAPTER, raw) == {"[3].bgt_id": "duplicate_record"}


def test_blank_lines_are_skipped() -> None:
    assert len(ADAPTER.parse(PROVINCE + b"\r\n\r\n").records) == 3


def test_identify() -> None:
    assert ADAPTER.identify(PROVINCE)
    assert ADAPTER.identify((GOLDEN / "csv" / "ledger_county_gbk.csv").read_bytes())
    assert not ADAPTER.identify(b"PAY_CERT_NO,PAY_AMT\r\n1,2\r\n")
    assert not ADAPTER.identify((GOLDEN / "mof" / "indicators_issue.json").read_bytes())


def test_malformed_document_is_an_adapter_error() -> None:
    with pytest.raises(MalformedDocument) as info:
        ADAPTER.parse(b"")
    assert "missing_header" in str(info.value)
