"""The ``csv`` / ``xlsx`` ledger snapshot adapters (``fiscalgw validate FILE``, intake) read the header
spellings and encodings the reconciliation reads (issue 12): the golden snapshot with its header in the
standard Chinese names (``指标主键``, ``财政区划代码`` …), in LF / CRLF / CR and UTF-8 / BOM / GBK /
GB18030, parses to exactly the messages of the golden file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from adapters.csv_ledger import CsvLedgerAdapter
from adapters.registry import default_registry
from adapters.xlsx_ledger import XlsxLedgerAdapter
from gateway.cli import main
from schemas.indicator_columns import BA_BGT_INFO_ZH
from schemas.indicators import TransferIndicator

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CSV_GOLDEN = (GOLDEN / "csv" / "ledger_province_utf8bom.csv").read_bytes()
XLSX_GOLDEN = (GOLDEN / "xlsx" / "ledger_province.xlsx").read_bytes()
ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}
ENCODINGS = {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
OUTSIDE_GBK = "\U00020000"


def _variant(ending: str, encoding: str, *, chinese: bool) -> bytes:
    text = CSV_GOLDEN.decode("utf-8-sig").replace("\r\n", "\n")
    header, rows = text.split("\n", 1)
    if chinese:
        header = ",".join(BA_BGT_INFO_ZH[name] for name in header.split(","))
    if encoding == "gb18030":  # a character only GB18030 holds, in the first row's BGT_DEC
        rows = rows.replace("提前下达", "提前下达" + OUTSIDE_GBK, 1)
    return (header + "\n" + rows).replace("\n", ENDINGS[ending]).encode(ENCODINGS[encoding])


def _messages(raw: bytes) -> list[TransferIndicator]:
    messages = [m for m in CsvLedgerAdapter().parse(raw).messages if isinstance(m, TransferIndicator)]
    return [
        m.model_copy(update={"bgt_dec": (m.bgt_dec or "").replace(OUTSIDE_GBK, "") or None}) for m in messages
    ]


TWIN = _messages(CSV_GOLDEN)


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_csv_snapshot_variant_parses_as_the_golden_file(ending: str, encoding: str, chinese: bool) -> None:
    raw = _variant(ending, encoding, chinese=chinese)
    assert default_registry().identify(raw).format == "csv"
    assert _messages(raw) == TWIN


def test_the_gb18030_variant_keeps_the_character_gbk_lacks() -> None:
    raw = _variant("CRLF", "gb18030", chinese=True)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gbk")
    first = CsvLedgerAdapter().parse(raw).messages[0]
    assert isinstance(first, TransferIndicator) and first.bgt_dec is not None and OUTSIDE_GBK in first.bgt_dec


def test_an_xlsx_snapshot_with_chinese_headers_parses_as_the_golden_file() -> None:
    sheet = load_workbook(io.BytesIO(XLSX_GOLDEN), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    rows[0] = [BA_BGT_INFO_ZH[str(name)] for name in rows[0]]
    workbook = Workbook()
    target = workbook.active
    assert target is not None
    for row in rows:
        target.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    adapter = XlsxLedgerAdapter()
    assert adapter.parse(buffer.getvalue()).messages == adapter.parse(XLSX_GOLDEN).messages


def test_validate_accepts_the_chinese_header_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snapshot.csv"
    path.write_bytes(_variant("CRLF", "gbk", chinese=True))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok: format=csv type=transfer_indicator records={len(TWIN)}\n"
