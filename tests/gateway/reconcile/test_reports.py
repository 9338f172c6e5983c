"""The four report formats: JSON shape (issue #5), CSV with BOM, XLSX in openpyxl, self-contained HTML."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gateway.reconcile.errors import ReportFormatError
from gateway.reconcile.indicators.duckdb_engine import reconcile_indicator_files
from gateway.reconcile.indicators.report import IndicatorReport
from gateway.reconcile.report.formats import render_report
from tests.gateway.reconcile.conftest import AS_OF
from tests.gateway.reconcile.ledgers import lower_row, upper_row, write_pair


@pytest.fixture
def report(tmp_path: Path) -> IndicatorReport:
    upper, lower = write_pair(
        tmp_path,
        [
            upper_row("U1", AMOUNT="100.00"),
            upper_row("U2", doc_no="D2", AMOUNT="7.10"),
            upper_row("U3", doc_no="D3", CREATE_TIME="2026-03-10 08:00:00"),
        ],
        [lower_row("L1", ori="U1", AMOUNT="99.50", BGT_DOC_TITLE="<b>下级</b>")],
    )
    return reconcile_indicator_files(upper, lower, as_of=AS_OF, in_transit_window=timedelta(hours=48))


def test_json_has_the_issue_shape_with_string_amounts(report: IndicatorReport) -> None:
    data = json.loads(render_report(report, "json"))
    assert set(data) == {"kind", "as_of", "pairs", "breaks", "in_transit"}
    assert data["kind"] == "indicators" and data["as_of"] == "2026-03-10T04:00:00+00:00"
    [pair] = data["pairs"]
    assert pair == {
        "upper": "330000000",
        "lower": "330300000",
        "fiscal_year": 2026,
        "upper_count": 3,
        "lower_count": 1,
        "upper_amount": "207.10",
        "lower_amount": "99.50",
        "status": "不一致",
        "break_counts": {
            "DUPLICATE": 0,
            "AMOUNT_MISMATCH": 1,
            "ATTRIBUTE_MISMATCH": 0,
            "MISSING_IN_LOWER": 1,
            "MISSING_IN_UPPER": 0,
            "IN_TRANSIT": 1,
        },
    }
    first = data["breaks"][0]
    assert first == {
        "type": "AMOUNT_MISMATCH",
        "key": "AMOUNT_MISMATCH|330000000|330300000|2026|id:U1",
        "upper": "330000000",
        "lower": "330300000",
        "fiscal_year": 2026,
        "bgt_id": "U1",
        "lower_bgt_id": "L1",
        "doc_no": "浙财农〔2026〕1号",
        "upper_amount": "100.00",
        "lower_amount": "99.50",
        "difference": "0.50",
        "fields": [
            {
                "field": "BGT_DOC_TITLE",
                "upper": "关于下达2026年农业转移支付资金的通知",
                "lower": "<b>下级</b>",
            }
        ],
    }
    assert data["breaks"][1]["difference"] is None and data["breaks"][1]["upper_amount"] == "7.10"
    assert [t["type"] for t in data["in_transit"]] == ["IN_TRANSIT"]


def test_csv_has_a_bom_and_chinese_headers(report: IndicatorReport) -> None:
    body = render_report(report, "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["上级", "下级", "年度", "差异类型"]
    assert [r[3] for r in rows[1:]] == ["金额不一致", "下级未接收", "在途"]
    assert rows[1][8:11] == ["100.00", "99.50", "0.50"]


def test_xlsx_opens_in_openpyxl_with_summary_and_breaks_sheets(report: IndicatorReport) -> None:
    workbook = load_workbook(io.BytesIO(render_report(report, "xlsx")), read_only=True)
    assert workbook.sheetnames == ["汇总", "差异明细"]
    summary = [list(r) for r in workbook["汇总"].iter_rows(values_only=True)]
    header_index = next(i for i, r in enumerate(summary) if r and r[0] == "上级")
    assert summary[header_index][3] == "结果" and summary[header_index + 1][3] == "不一致"
    details = [list(r) for r in workbook["差异明细"].iter_rows(values_only=True)]
    assert details[0][:3] == ["上级", "下级", "年度"] and "差额" in details[0]
    assert details[1][3] == "金额不一致" and details[1][10] == 0.5  # a number
    workbook.close()


def test_html_is_a_self_contained_chinese_page_with_escaped_values(report: IndicatorReport) -> None:
    page = render_report(report, "html").decode("utf-8")
    assert '<html lang="zh-CN">' in page
    assert "不一致" in page and "下级未接收" in page and "在途" in page
    assert 'class="diff"' in page
    assert "&lt;b&gt;下级&lt;/b&gt;" in page and "<b>下级</b>" not in page
    assert not re.search(r"(src|href)\s*=|@import|https?://", page)


def test_unknown_format_is_refused(report: IndicatorReport) -> None:
    with pytest.raises(ReportFormatError, match="unknown report format 'pdf'"):
        render_report(report, "pdf")


def test_html_groups_amounts_right_aligned_and_shows_beijing_time(tmp_path: Path) -> None:
    upper, lower = write_pair(
        tmp_path,
        [upper_row("U9", AMOUNT="3850000.00")],
        [lower_row("L9", ori="U9", AMOUNT="3849000.00")],
    )
    found = reconcile_indicator_files(upper, lower, as_of=AS_OF, in_transit_window=timedelta(hours=48))
    page = render_report(found, "html").decode("utf-8")
    assert '<td class="num">3,850,000.00</td><td class="num">3,849,000.00</td>' in page
    assert '<td class="num diff">1,000.00</td>' in page
    assert "3850000.00" not in page
    assert re.search(r"td\.num \{[^}]*text-align: right;[^}]*font-variant-numeric: tabular-nums", page)
    assert "对账时点：2026-03-10 12:00:00 (北京时间)" in page  # AS_OF is 04:00 UTC
