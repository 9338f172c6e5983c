"""Chinese labels for codes shown on the pages (message types, lifecycle states, delivery states, audit
actions and details). A code without a label is never shown silently as if it were text: :func:`label`
renders it raw in a ``<code>`` whose title says it is not registered, and the page-text test fails."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape


def label(mapping: Mapping[str, str], code: object) -> Markup:
    """The Chinese label of ``code``; an unknown code raw in ``<code class="raw-code" title="…">``."""
    text = "" if code is None else str(code)
    if text in mapping:
        return escape(mapping[text])
    return Markup('<code class="raw-code" title="未登记的代码：{0}">{0}</code>').format(text)


MESSAGE_TYPES: dict[str, str] = {
    "transfer_indicator": "转移支付指标",
    "indicator_receipt": "指标接收回执",
    "payment_voucher": "支付凭证",
    "payment_receipt": "回单",
    "refund_notice": "退款通知",
    "clearing_request": "清算申请 (申请划款/退款)",
    "clearing_receipt": "清算回单",
    "quota_notice": "清算额度通知单",
    "pboc_clearing_apply": "TIPS 申请划款",
    "pboc_clearing_receipt": "TIPS 划款回执",
    "pboc_quota": "TIPS 额度",
    "pboc_quota_receipt": "TIPS 额度回执",
    "general_reply": "通用应答",
    "connectivity_test": "连通性测试",
    "voucher_reconciliation_statement": "凭证对账单",
    "quota_reconciliation_statement": "额度对账单",
    "batch": "混合批量",
}

LIFECYCLE: dict[str, str] = {
    "received": "已接收",
    "validated": "已校验",
    "stored": "已存储",
    "routed": "已路由",
    "delivered": "已投递",
    "acknowledged": "已签收",
    "rejected": "已退回",
    "dead": "投递失败 (死信)",
}

LIFECYCLE_STEPS: tuple[str, ...] = ("received", "validated", "stored", "routed", "delivered")
"""The common path; the last step is one of ``acknowledged`` / ``rejected`` / ``dead``."""

QUEUE_STATES: dict[str, str] = {
    "pending": "待投递",
    "retrying": "重试中",
    "dead": "死信",
    "cancelled": "已取消",
    "sent": "已投递",
}

FORMATS: dict[str, str] = {
    "mof.json": "财政部标准 JSON",
    "mof.xml": "财政部标准 XML",
    "evoucher": "电子凭证库 XML",
    "cfx": "人民银行 CFX",
    "csv": "CSV 表格",
    "xlsx": "Excel 表格",
}
"""Wire formats (``adapters`` registry ids)."""

CHANNELS: dict[str, str] = {"push": "推送", "pull": "拉取 (收件箱)"}

TRACE_KEYS: dict[str, str] = {"bgt_id": "指标 (BGT_ID)", "voucher_no": "支付凭证号"}

AUDIT_ACTIONS: dict[str, str] = {
    "outbox.retry": "重试投递",
    "outbox.cancel": "取消投递",
    "outbox.replay": "按时间重放",
    "message.accepted": "接收报文",
    "message.rejected": "拒收报文",
    "control.rules_loaded": "加载控制规则",
    "control.held": "指标控制暂缓",
    "control.released": "放行凭证",
    "control.refused": "退回凭证",
    "web.sign_in": "登录页面",
    "web.sign_out": "退出页面",
}

RECORD_RESULTS: dict[str, str] = {"accepted": "已受理", "replayed": "重复提交 (已受理)"}
"""A record's intake result (``records.result``)."""

CODE_WARNINGS = "代码校验警告"
"""The heading of a record's values outside their code list, accepted under the ``warn`` policy."""

AUDIT_DETAILS: dict[str, str] = {
    "reason": "原因",
    "comment": "说明",
    "rows": "条数",
    "since": "起始时间",
}
"""The audit detail keys the queue page shows, with their Chinese names."""

_SUBJECTS: dict[str, str] = {
    "outbox": "投递 #{}",
    "reconciliation": "对账 #{}",
    "break": "差异 {:.12}…",
}


def audit_subject(subject: str, party: Mapping[str, str]) -> Markup:
    """``outbox/20`` → 投递 #20, ``receiver/*`` → 全部接收方, ``receiver/ID`` → 接收方 name; else raw."""
    kind, _, rest = subject.partition("/")
    if kind == "receiver" and rest:
        return escape("全部接收方" if rest == "*" else f"接收方 {party.get(rest, rest)}")
    if kind in _SUBJECTS and rest:
        return escape(_SUBJECTS[kind].format(rest))
    return label({}, subject)


def audit_detail(detail: Mapping[str, Any], moment: Any) -> Markup:
    """An audit entry's detail as ``原因：…；条数：2`` (times through ``moment``, e.g. 北京时间)."""
    parts = []
    for key, value in detail.items():
        shown: object = value
        if key == "since" and isinstance(value, str | datetime):
            shown = moment(value)
        name = escape(AUDIT_DETAILS[key]) if key in AUDIT_DETAILS else label({}, key)
        parts.append(Markup("{}：{}").format(name, shown))
    return Markup("；").join(parts)
