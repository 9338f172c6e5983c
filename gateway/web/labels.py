"""Chinese labels for codes shown on the pages (message types, lifecycle states, delivery states)."""

from __future__ import annotations

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

CHANNELS: dict[str, str] = {"push": "推送", "pull": "拉取 (收件箱)"}

TRACE_KEYS: dict[str, str] = {"bgt_id": "指标 (BGT_ID)", "voucher_no": "支付凭证号"}

AUDIT_ACTIONS: dict[str, str] = {
    "outbox.retry": "重试投递",
    "outbox.cancel": "取消投递",
    "outbox.replay": "按时间重放",
}
