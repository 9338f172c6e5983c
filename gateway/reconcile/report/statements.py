"""The statement reports (凭证对账): JSON to and from a dict, and the CSV / XLSX / HTML renderers, with
Chinese headers. Registered for :class:`StatementReport` in :mod:`gateway.reconcile.report.formats`.

JSON: ``{"kind": "statements", "as_of", "statements", "breaks"}``, amounts as two-decimal strings, days ISO.
CSV: one row per break (UTF-8 with BOM, cells neutralised and ids kept as text as in
:mod:`gateway.reconcile.report.cells`). XLSX: a 汇总 sheet (one row per statement, then the run's
parameters) and a 差异明细 sheet. HTML: one self-contained zh-CN page.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment, select_autoescape

from gateway.beijing_time import beijing_text
from gateway.reconcile.breaks import BreakType
from gateway.reconcile.indicators.ledger_columns import CHINA_TZ
from gateway.reconcile.indicators.report import STATUS_AGREE, STATUS_DISAGREE
from gateway.reconcile.money_text import money_or_empty, money_or_none
from gateway.reconcile.payments.report import BreakField
from gateway.reconcile.report.cells import csv_row
from gateway.reconcile.report.rows import id_columns
from gateway.reconcile.report.xlsx_writer import Sheet, workbook_bytes
from gateway.reconcile.statements.report import (
    SOURCE_LABELS_ZH,
    STATEMENT_BREAK_TYPES,
    StatementBreak,
    StatementReport,
    StatementSummary,
)
from schemas.money import format_grouped, parse_sum

KIND = "statements"

STATEMENT_FIELD_LABELS_ZH: dict[str, str] = {
    "STATEMENT_NO": "对账单号",
    "PRO_STATE": "处理状态",
    "ALL_NUM": "对账单总笔数",
    "DETAIL_NUM": "明细笔数",
    "SOURCE": "核对依据",
    "PRE_DATE_MONEY": "上期额度余额",
    "CLEAR_AMT": "本期新增清算额度",
    "CUR_RECK_MONEY": "本期已清算额度",
    "CUR_DATE_MONEY": "本期额度余额",
}

STATEMENT_BREAK_HEADERS_ZH: tuple[str, ...] = (
    "区划",
    "凭证类型",
    "代理银行",
    "对账日期",
    "对账单号",
    "差异类型",
    "差异类型代码",
    "凭证号",
    "对账单金额",
    "我方金额",
    "差额",
    "说明",
    "差异键",
)

STATEMENT_SUMMARY_HEADERS_ZH: tuple[str, ...] = (
    "区划",
    "凭证类型",
    "对账单号",
    "对账日期",
    "银行",
    "对账凭证类型",
    "结果",
    "申报笔数",
    "申报金额",
    "明细笔数",
    "明细金额",
    *(t.label_zh for t in STATEMENT_BREAK_TYPES),
)


# ---- JSON ------------------------------------------------------------------------------------------------


def statement_summary_dict(item: StatementSummary) -> dict[str, Any]:
    return {
        "adm_div_code": item.adm_div_code,
        "vt_code": item.vt_code,
        "statement_no": item.statement_no,
        "day": item.day.isoformat(),
        "bank": item.bank,
        "e_voucher_type": item.e_voucher_type,
        "declared_count": item.declared_count,
        "declared_amount": money_or_none(item.declared_amount),
        "line_count": item.line_count,
        "line_amount": money_or_none(item.line_amount),
        "status": item.status,
        "break_counts": {t.value: item.break_counts.get(t, 0) for t in STATEMENT_BREAK_TYPES},
    }


def statement_break_dict(item: StatementBreak) -> dict[str, Any]:
    return {
        "type": item.type.value,
        "key": item.key,
        "adm_div_code": item.adm_div_code,
        "vt_code": item.vt_code,
        "bank": item.bank,
        "day": item.day.isoformat(),
        "statement_no": item.statement_no,
        "voucher_no": item.voucher_no,
        "statement_amount": money_or_none(item.statement_amount),
        "held_amount": money_or_none(item.held_amount),
        "difference": money_or_none(item.difference),
        "fields": [{"field": f.field, "value": f.value} for f in item.fields],
    }


def statement_report_dict(report: StatementReport) -> dict[str, Any]:
    return {
        "kind": KIND,
        "as_of": report.as_of.isoformat(),
        "statements": [statement_summary_dict(s) for s in report.statements],
        "breaks": [statement_break_dict(b) for b in report.breaks],
    }


def _money(value: Any) -> Decimal | None:
    return None if value is None else parse_sum(value)


def statement_report_from_dict(body: Mapping[str, Any]) -> StatementReport:
    """The inverse of :func:`statement_report_dict`."""
    statements = tuple(
        StatementSummary(
            s["adm_div_code"],
            s["vt_code"],
            s["statement_no"],
            date.fromisoformat(s["day"]),
            s["bank"],
            s["e_voucher_type"],
            int(s["declared_count"]),
            _money(s["declared_amount"]),
            int(s["line_count"]),
            parse_sum(s["line_amount"]),
            {BreakType(t): int(n) for t, n in s["break_counts"].items()},
        )
        for s in body["statements"]
    )
    breaks = tuple(
        StatementBreak(
            BreakType(b["type"]),
            b["key"],
            b["adm_div_code"],
            b["vt_code"],
            b["bank"],
            date.fromisoformat(b["day"]),
            b["statement_no"],
            b["voucher_no"],
            _money(b["statement_amount"]),
            _money(b["held_amount"]),
            _money(b["difference"]),
            tuple(BreakField(f["field"], f["value"]) for f in b["fields"]),
        )
        for b in body["breaks"]
    )
    return StatementReport(datetime.fromisoformat(body["as_of"]), statements, breaks)


def render_statement_json(report: StatementReport) -> bytes:
    return json.dumps(statement_report_dict(report), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


# ---- rows (CSV, XLSX) ------------------------------------------------------------------------------------


def _field_value(item: BreakField) -> str:
    if item.field == "SOURCE":
        return SOURCE_LABELS_ZH.get(item.value, item.value)
    return item.value


def describe_statement_fields(item: StatementBreak) -> str:
    """``对账单号(STATEMENT_NO): S1; 处理状态(PRO_STATE): 1; …`` — empty when the break has no details."""
    return "; ".join(
        f"{STATEMENT_FIELD_LABELS_ZH.get(f.field, f.field)}({f.field}): {_field_value(f)}"
        for f in item.fields
    )


def statement_break_row(item: StatementBreak) -> list[str | int | date]:
    return [
        item.adm_div_code,
        item.vt_code,
        item.bank,
        item.day,
        item.statement_no,
        item.type.label_zh,
        item.type.value,
        item.voucher_no,
        money_or_empty(item.statement_amount),
        money_or_empty(item.held_amount),
        money_or_empty(item.difference),
        describe_statement_fields(item),
        item.key,
    ]


def statement_summary_row(item: StatementSummary) -> list[str | int | date]:
    return [
        item.adm_div_code,
        item.vt_code,
        item.statement_no,
        item.day,
        item.bank,
        item.e_voucher_type,
        item.status,
        item.declared_count,
        money_or_empty(item.declared_amount),
        item.line_count,
        money_or_empty(item.line_amount),
        *(item.break_counts.get(t, 0) for t in STATEMENT_BREAK_TYPES),
    ]


_ID_HEADERS = frozenset({"凭证类型", "对账单号", "银行", "对账凭证类型"})


def _ids(headers: tuple[str, ...]) -> frozenset[int]:
    return id_columns(headers) | frozenset(i for i, h in enumerate(headers) if h in _ID_HEADERS)


def render_statement_csv(report: StatementReport) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    ids = _ids(STATEMENT_BREAK_HEADERS_ZH)
    writer.writerow(STATEMENT_BREAK_HEADERS_ZH)
    for item in report.breaks:
        writer.writerow(csv_row(statement_break_row(item), ids))
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _china_time(as_of: datetime) -> datetime:
    return as_of.astimezone(CHINA_TZ).replace(tzinfo=None) if as_of.tzinfo else as_of


def render_statement_xlsx(report: StatementReport) -> bytes:
    summary = Sheet("汇总", STATEMENT_SUMMARY_HEADERS_ZH)
    summary.rows(statement_summary_row(s) for s in report.statements)
    summary.note(["对账时点(北京时间)", _china_time(report.as_of), report.as_of.isoformat()])
    summary.note(["总体结果", STATUS_AGREE if report.consistent else STATUS_DISAGREE])
    summary.note(["差异笔数", len(report.breaks)])
    details = Sheet("差异明细", STATEMENT_BREAK_HEADERS_ZH)
    details.rows(statement_break_row(b) for b in report.breaks)
    return workbook_bytes([summary, details])


# ---- HTML ------------------------------------------------------------------------------------------------

_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>凭证对账报告 {{ as_of }}</title>
<style>
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
       margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; }
th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #1a7f37; font-weight: bold; }
.bad { color: #b42318; font-weight: bold; }
.diff { background: #fff1c2; }
.muted { color: #777; }
</style>
</head>
<body>
<h1>凭证对账报告（3501 / 3502 凭证对账单、3510 清算额度对账单 与 本网关所存凭证、回单、清算）</h1>
<p>对账时点：{{ as_of }}　结果：
{% if consistent %}<span class="ok">全部一致</span>
{% else %}<span class="bad">存在不一致</span>{% endif %}</p>
<h2>对账单（{{ statements | length }}）</h2>
{% if statements %}
<table>
<tr>{% for h in summary_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for s in statements %}
<tr><td>{{ s.adm_div_code }}</td><td>{{ s.vt_code }}</td><td>{{ s.statement_no }}</td>
<td>{{ s.day.isoformat() }}</td><td>{{ s.bank or '（空）' }}</td><td>{{ s.e_voucher_type or '' }}</td>
<td class="{{ 'ok' if s.status == agree else 'bad' }}">{{ s.status }}</td>
<td class="num">{{ s.declared_count }}</td><td class="num">{{ money(s.declared_amount) }}</td>
<td class="num">{{ s.line_count }}</td><td class="num">{{ money(s.line_amount) }}</td>
{% for t in types %}<td class="num">{{ s.break_counts.get(t, 0) }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% else %}<p class="muted">本范围内没有对账单</p>{% endif %}
<h2>差异明细（{{ breaks | length }}）</h2>
{% if breaks %}
<table>
<tr><th>区划</th><th>凭证类型</th><th>代理银行</th><th>对账日期</th><th>对账单号</th><th>差异类型</th><th>凭证号</th>
<th>对账单金额</th><th>我方金额</th><th>差额</th><th>说明</th></tr>
{% for b in breaks %}
<tr><td>{{ b.adm_div_code }}</td><td>{{ b.vt_code }}</td><td>{{ b.bank or '（空）' }}</td>
<td>{{ b.day.isoformat() }}</td><td>{{ b.statement_no }}</td>
<td title="{{ b.type.value }}">{{ b.type.label_zh }}</td><td>{{ b.voucher_no }}</td>
<td class="num">{{ money(b.statement_amount) }}</td><td class="num">{{ money(b.held_amount) }}</td>
<td class="num{{ ' diff' if b.difference }}">{{ money(b.difference) }}</td>
<td>{% for f in b.fields %}<div>{{ label(f.field) }}：{{ value(f) }}</div>{% endfor %}</td></tr>
{% endfor %}
</table>
{% else %}<p class="muted">无</p>{% endif %}
</body>
</html>
"""

_PAGE = Environment(autoescape=select_autoescape(default=True, default_for_string=True)).from_string(
    _TEMPLATE
)


def _grouped(value: Decimal | None) -> str:
    return "" if value is None else format_grouped(value)


def render_statement_html(report: StatementReport) -> bytes:
    page = _PAGE.render(
        as_of=f"{beijing_text(report.as_of)} (北京时间)",
        consistent=report.consistent,
        statements=report.statements,
        summary_headers=STATEMENT_SUMMARY_HEADERS_ZH,
        agree=STATUS_AGREE,
        types=STATEMENT_BREAK_TYPES,
        breaks=report.breaks,
        money=_grouped,
        label=lambda name: STATEMENT_FIELD_LABELS_ZH.get(name, name),
        value=_field_value,
    )
    return page.encode("utf-8")


STATEMENT_RENDERERS = {
    "json": render_statement_json,
    "csv": render_statement_csv,
    "xlsx": render_statement_xlsx,
    "html": render_statement_html,
}
