"""Test factories: BA_BGT_INFO snapshot rows and files (CSV in UTF-8/BOM/GBK, XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

UPPER = "330000000"
CITY = "330300000"
COUNTY = "330324000"

UPPER_HEADER = (
    "BGT_ID",
    "MOF_DIV_CODE",
    "REC_DIV_CODE",
    "FISCAL_YEAR",
    "COR_BGT_DOC_NO",
    "BGT_DOC_TITLE",
    "DOC_DATE",
    "PRO_CODE",
    "FUND_TYPE_CODE",
    "TP_FUNC_CODE",
    "GOV_BGT_ECO_CODE",
    "DISTRI_TYPE_CODE",
    "IS_TRACK",
    "AMOUNT",
    "IS_DELETED",
    "CREATE_TIME",
)
LOWER_HEADER = (
    "BGT_ID",
    "MOF_DIV_CODE",
    "FISCAL_YEAR",
    "SUP_BGT_DOC_NO",
    "COR_BGT_DOC_NO",
    "BGT_DOC_TITLE",
    "DOC_DATE",
    "PRO_CODE",
    "FUND_TYPE_CODE",
    "TP_FUNC_CODE",
    "GOV_BGT_ECO_CODE",
    "DISTRI_TYPE_CODE",
    "IS_TRACK",
    "AMOUNT",
    "ORI_BGT_ID",
    "IS_DELETED",
    "CREATE_TIME",
)

Row = dict[str, str]

_COMMON: Row = {
    "FISCAL_YEAR": "2026",
    "BGT_DOC_TITLE": "关于下达2026年农业转移支付资金的通知",
    "DOC_DATE": "2026-03-01",
    "PRO_CODE": "33000026P000001",
    "FUND_TYPE_CODE": "111",
    "TP_FUNC_CODE": "2300409",
    "GOV_BGT_ECO_CODE": "51301",
    "DISTRI_TYPE_CODE": "1",
    "IS_TRACK": "2",
    "AMOUNT": "100.00",
    "IS_DELETED": "2",
    "CREATE_TIME": "2026-03-01 09:00:00",
}


def upper_row(bgt_id: str, doc_no: str = "浙财农〔2026〕1号", **overrides: str) -> Row:
    row = {**_COMMON, "BGT_ID": bgt_id, "MOF_DIV_CODE": UPPER, "REC_DIV_CODE": CITY, "COR_BGT_DOC_NO": doc_no}
    row.update(overrides)
    return row


def lower_row(bgt_id: str, ori: str = "", sup: str = "浙财农〔2026〕1号", **overrides: str) -> Row:
    row = {
        **_COMMON,
        "BGT_ID": bgt_id,
        "MOF_DIV_CODE": CITY,
        "SUP_BGT_DOC_NO": sup,
        "COR_BGT_DOC_NO": "温财农〔2026〕9号",
        "ORI_BGT_ID": ori,
    }
    row.update(overrides)
    return row


def csv_text(header: Sequence[str], rows: Sequence[Row]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue()


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Row], *, encoding: str = "utf-8", bom: bool = False
) -> Path:
    data = csv_text(header, rows).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Row]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(name) or None for name in header])
    workbook.save(path)
    return path


def write_pair(tmp: Path, upper: Sequence[Row], lower: Sequence[Row]) -> tuple[Path, Path]:
    return (
        write_csv(tmp / "upper.csv", UPPER_HEADER, upper),
        write_csv(tmp / "lower.csv", LOWER_HEADER, lower),
    )
