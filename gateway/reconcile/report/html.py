"""The HTML reports: one self-contained zh-CN page each (inline CSS, no external resources).

Indicators, per pair: 一致 / 不一致, counts and totals on both sides, counts per break type; then the breaks
and the in-transit items, with each differing attribute shown upper vs lower and highlighted. Payments, per
(区划, 代理银行, 日期): the four sides' counts and amounts, vouchers still inside their windows, counts per
break type; then the breaks with the whole chain (凭证 → 回单 → 退款 → 清算) of each voucher.
"""

from __future__ import annotations

from decimal import Decimal

from jinja2 import Environment, select_autoescape

from gateway.beijing_time import beijing_text
from gateway.reconcile.breaks import INDICATOR_BREAK_TYPES
from gateway.reconcile.indicators.report import STATUS_AGREE, IndicatorReport
from gateway.reconcile.payments.report import PAYMENT_BREAK_TYPES, PaymentReport
from gateway.reconcile.report.rows import FIELD_LABELS_ZH, PAYMENT_FIELD_LABELS_ZH
from schemas.money import format_grouped

_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>上下级指标对账报告 {{ as_of }}</title>
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
<h1>上下级财政预算指标对账报告</h1>
<p>对账时点：{{ as_of }}　在途时限：{{ window_hours }} 小时　结果：
{% if consistent %}<span class="ok">全部一致</span>
{% else %}<span class="bad">存在不一致</span>{% endif %}</p>
<h2>汇总</h2>
<table>
<tr><th>上级</th><th>下级</th><th>年度</th><th>结果</th><th>上级笔数</th><th>下级笔数</th><th>上级金额</th>
<th>下级金额</th>{% for label in type_labels %}<th>{{ label }}</th>{% endfor %}</tr>
{% for p in pairs %}
<tr><td>{{ p.upper }}</td><td>{{ p.lower }}</td><td>{{ p.fiscal_year }}</td>
<td class="{{ 'ok' if p.status == agree else 'bad' }}">{{ p.status }}</td>
<td class="num">{{ p.upper_count }}</td><td class="num">{{ p.lower_count }}</td>
<td class="num">{{ money(p.upper_amount) }}</td><td class="num">{{ money(p.lower_amount) }}</td>
{% for t in types %}<td class="num">{{ p.break_counts.get(t, 0) }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% for title, items in sections %}
<h2>{{ title }}（{{ items | length }}）</h2>
{% if items %}
<table>
<tr><th>上级</th><th>下级</th><th>年度</th><th>差异类型</th><th>指标主键</th><th>下级指标主键</th><th>指标文号</th>
<th>上级金额</th><th>下级金额</th><th>差额</th><th>差异字段（上级 / 下级）</th></tr>
{% for b in items %}
<tr><td>{{ b.upper }}</td><td>{{ b.lower }}</td><td>{{ b.fiscal_year }}</td>
<td title="{{ b.type.value }}">{{ b.type.label_zh }}</td><td>{{ b.bgt_id or '' }}</td>
<td>{{ b.lower_bgt_id or '' }}</td><td>{{ b.doc_no or '' }}</td>
<td class="num">{{ money(b.upper_amount) }}</td><td class="num">{{ money(b.lower_amount) }}</td>
<td class="num{{ ' diff' if b.difference }}">{{ money(b.difference) }}</td>
<td>{% for f in b.fields %}<div class="diff">{{ field_label(f.field) }}：{{ f.upper or '（空）' }}
 / {{ f.lower or '（空）' }}</div>{% endfor %}</td></tr>
{% endfor %}
</table>
{% else %}<p class="muted">无</p>{% endif %}
{% endfor %}
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_PAGE = _ENV.from_string(_TEMPLATE)


def _money(value: Decimal | None) -> str:
    """An amount for the reader: ``1,234,567.89`` (exact); empty when there is none."""
    return "" if value is None else format_grouped(value)


def _field_label(name: str) -> str:
    return f"{FIELD_LABELS_ZH.get(name, name)}"


_STYLE = _TEMPLATE[_TEMPLATE.index("<style>") : _TEMPLATE.index("</style>") + len("</style>")]

_PAYMENT_TEMPLATE = (
    """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>支付对账报告 {{ as_of }}</title>
"""
    + _STYLE
    + """
</head>
<body>
<h1>国库集中支付三方对账报告（财政凭证 / 银行回单 / 人行清算）</h1>
<p>对账时点：{{ as_of }}　未支付时限：{{ unpaid_hours }} 小时　未清算时限：{{ uncleared_hours }} 小时　结果：
{% if consistent %}<span class="ok">全部一致</span>
{% else %}<span class="bad">存在不一致</span>{% endif %}</p>
<h2>汇总（按区划、代理银行、日期）</h2>
<table>
<tr><th>区划</th><th>代理银行</th><th>日期</th><th>结果</th><th>凭证笔数</th><th>凭证金额</th><th>回单笔数</th>
<th>实际支付金额</th><th>退款笔数</th><th>退款金额</th><th>清算笔数</th><th>清算金额</th><th>额度对账行数</th>
<th>待支付</th><th>待清算</th>{% for label in type_labels %}<th>{{ label }}</th>{% endfor %}</tr>
{% for g in groups %}
<tr><td>{{ g.adm_div_code }}</td><td>{{ g.bank or '（空）' }}</td><td>{{ g.day.isoformat() }}</td>
<td class="{{ 'ok' if g.status == agree else 'bad' }}">{{ g.status }}</td>
<td class="num">{{ g.voucher_count }}</td><td class="num">{{ money(g.voucher_amount) }}</td>
<td class="num">{{ g.receipt_count }}</td><td class="num">{{ money(g.paid_amount) }}</td>
<td class="num">{{ g.refund_count }}</td><td class="num">{{ money(g.refund_amount) }}</td>
<td class="num">{{ g.clearing_count }}</td><td class="num">{{ money(g.cleared_amount) }}</td>
<td class="num">{{ g.quota_count }}</td><td class="num">{{ g.awaiting_payment }}</td>
<td class="num">{{ g.awaiting_clearing }}</td>
{% for t in types %}<td class="num">{{ g.break_counts.get(t, 0) }}</td>{% endfor %}</tr>
{% endfor %}
</table>
<h2>差异明细（{{ breaks | length }}）</h2>
{% if breaks %}
<table>
<tr><th>区划</th><th>代理银行</th><th>日期</th><th>差异类型</th><th>凭证号</th><th>凭证金额</th><th>实际支付金额</th>
<th>退款金额</th><th>清算金额</th><th>差额</th><th>说明</th></tr>
{% for b in breaks %}
<tr><td>{{ b.adm_div_code }}</td><td>{{ b.bank or '（空）' }}</td><td>{{ b.day.isoformat() }}</td>
<td title="{{ b.type.value }}">{{ b.type.label_zh }}</td><td>{{ b.voucher_no }}</td>
<td class="num">{{ money(b.voucher_amount) }}</td><td class="num">{{ money(b.paid_amount) }}</td>
<td class="num">{{ money(b.refund_amount) }}</td><td class="num">{{ money(b.cleared_amount) }}</td>
<td class="num{{ ' diff' if b.difference }}">{{ money(b.difference) }}</td>
<td>{% for f in b.fields %}<div>{{ field_label(f.field) }}：{{ f.value }}</div>{% endfor %}</td></tr>
{% endfor %}
</table>
{% else %}<p class="muted">无</p>{% endif %}
</body>
</html>
"""
)
_PAYMENT_PAGE = _ENV.from_string(_PAYMENT_TEMPLATE)


def _render_payments(report: PaymentReport) -> bytes:
    page = _PAYMENT_PAGE.render(
        as_of=f"{beijing_text(report.as_of)} (北京时间)",
        unpaid_hours=int(report.unpaid_window.total_seconds() // 3600),
        uncleared_hours=int(report.uncleared_window.total_seconds() // 3600),
        consistent=report.consistent,
        groups=report.groups,
        agree=STATUS_AGREE,
        types=PAYMENT_BREAK_TYPES,
        type_labels=[t.label_zh for t in PAYMENT_BREAK_TYPES],
        breaks=report.breaks,
        money=_money,
        field_label=lambda name: PAYMENT_FIELD_LABELS_ZH.get(name, name),
    )
    return page.encode("utf-8")


def render_html(report: IndicatorReport | PaymentReport) -> bytes:
    if isinstance(report, PaymentReport):
        return _render_payments(report)
    page = _PAGE.render(
        as_of=f"{beijing_text(report.as_of)} (北京时间)",
        window_hours=int(report.in_transit_window.total_seconds() // 3600),
        consistent=report.consistent,
        pairs=report.pairs,
        agree=STATUS_AGREE,
        types=INDICATOR_BREAK_TYPES,
        type_labels=[t.label_zh for t in INDICATOR_BREAK_TYPES],
        sections=[("差异明细", report.breaks), ("在途", report.in_transit)],
        money=_money,
        field_label=_field_label,
    )
    return page.encode("utf-8")
