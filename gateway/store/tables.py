"""The schema as SQLAlchemy Core tables (ADR 0004: Core, not an ORM). Alembic revisions must match it;
``tests/gateway/store/test_migrations.py`` compares the two."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from gateway.store.types import BigId, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("sender", String(32), nullable=False),
    Column("message_id", String(128), nullable=False, comment="X-Message-Id: sender-unique idempotency key"),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("format", String(32), nullable=False),
    Column("msg_type", String(32), nullable=False),
    Column("body", LargeBinary, nullable=False, comment="the signed original, byte for byte"),
    Column("body_sm3", String(64), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("response", JSON, nullable=False, comment="the original answer, replayed for a repeat"),
    UniqueConstraint("sender", "message_id"),
    Index(None, "message_id"),  # 报文追踪 by message id alone (migration 0003)
    Index(None, "received_at"),  # 报文追踪 by date range (migration 0003)
)

records = Table(
    "records",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("msg_type", String(32), nullable=False),
    Column("bgt_id", String(64), nullable=True, comment="指标 id, for trace"),
    Column("voucher_no", String(64), nullable=True, comment="凭证号, for trace"),
    Column("canonical", Text, nullable=False, comment="canonical JSON of the record"),
    Column("result", String(16), nullable=False),
    Column(
        "extensions", Text, nullable=True, comment="elements the models do not know, kept (JSON), issue 12"
    ),
    Column(
        "code_warnings",
        Text,
        nullable=True,
        comment="代码校验警告: JSON list of codes outside their list (warn policy); NULL = none",
    ),
    UniqueConstraint("message_pk", "position"),
    Index(None, "bgt_id"),
    Index(None, "voucher_no"),
)

trace_keys = Table(
    "trace_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("key", String(32), nullable=False, comment="bgt_id | voucher_no"),
    Column("value", String(64), nullable=False),
    Index(None, "key", "value"),
)

lifecycle_events = Table(
    "lifecycle_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("detail", Text, nullable=True),
    Index(None, "message_pk"),
)

routes = Table(
    "routes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=True, comment="record position; NULL for the whole document"),
    Column("receiver", String(32), nullable=False),
    Column("rule", String(64), nullable=False, comment="why this receiver (the routing rule's name)"),
    Index(None, "message_pk"),
    Index(None, "receiver", "message_pk"),  # 报文追踪 by party (migration 0003)
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("receiver", String(32), nullable=False),
    Column("channel", String(8), nullable=False, comment="push | pull"),
    Column("format", String(32), nullable=False),
    Column("body", LargeBinary, nullable=False, comment="rendered in the receiver's wire format"),
    Column("original_sender", String(32), nullable=False),
    Column("original_message_id", String(128), nullable=False),
    Column("status", String(16), nullable=False, comment="pending | sent | dead | cancelled"),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("dead_at", UTCDateTime(), nullable=True),
    Index(None, "status", "next_attempt_at"),
    Index(None, "message_pk"),
)

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("outbox_id", BigId, ForeignKey("outbox.id"), nullable=False, unique=True),
    Column("receiver", String(32), nullable=False),
    Column("visible_after", UTCDateTime(), nullable=False, comment="offered again after this if not 签收"),
    Column("offered_count", Integer, nullable=False),
    Column("acked_at", UTCDateTime(), nullable=True, comment="签收"),
    Column("rejected_at", UTCDateTime(), nullable=True, comment="签收失败 / 退回"),
    Column("reject_reason", Text, nullable=True),
    Index(None, "receiver", "visible_after"),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("sender", String(32), primary_key=True),
    Column(
        "nonce", String(128), primary_key=True, comment="X-Message-Id of a signed inbox/status/trace call"
    ),
    Column("signed_at", UTCDateTime(), nullable=False, comment="its X-Timestamp; pruned past the window"),
    Index(None, "signed_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("detail", Text, nullable=False, comment="canonical JSON"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, comment="hex SM3(prev_hash ‖ canonical entry bytes)"),
    Index(None, "action", "seq"),  # the newest entries of given actions, e.g. queue actions (migration 0003)
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False, comment="always 1"),
    Column("seq", BigId, nullable=False),
    Column("hash", String(64), nullable=False),
)


# ---- 预算指标核算: the indicator ledger per level (ADR 0005) ----------------------------------------

ledger_indicators = Table(
    "ledger_indicators",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("division", String(9), nullable=False, comment="MOF_DIV_CODE of the ledger (the level) it is on"),
    Column("side", String(8), nullable=False, comment="issued | received | own"),
    Column("counterparty", String(9), nullable=True, comment="issued: REC_DIV_CODE; otherwise NULL"),
    Column("fiscal_year", Integer, nullable=False),
    Column("bgt_id", String(38), nullable=False),
    Column("ori_bgt_id", String(38), nullable=True),
    Column("cor_bgt_doc_no", String(100), nullable=True),
    Column("sup_bgt_doc_no", String(100), nullable=True),
    Column("bgt_doc_title", String(360), nullable=True),
    Column("doc_date", String(10), nullable=True, comment="ISO YYYY-MM-DD"),
    Column("pro_code", String(21), nullable=True),
    Column("fund_type_code", String(10), nullable=True),
    Column("tp_func_code", String(13), nullable=True),
    Column("gov_bgt_eco_code", String(11), nullable=True),
    Column("distri_type_code", String(1), nullable=True),
    Column("is_track", String(1), nullable=True),
    Column("amount_fen", BigInteger, nullable=False, comment="current net amount in fen"),
    Column(
        "spent_fen",
        BigInteger,
        nullable=False,
        server_default="0",
        comment="控制: paid + in flight against it (store/indicator_spending.py; migration 0008)",
    ),
    Column("is_deleted", Boolean, nullable=False),
    Column("create_time", UTCDateTime(), nullable=True, comment="CREATE_TIME (or receipt time) as UTC"),
    Column("origin", String(8), nullable=False, comment="booking | receipt"),
    Column(
        "message_pk", BigId, ForeignKey("messages.id"), nullable=True, comment="the record that opened it"
    ),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index(None, "division", "side", "fiscal_year", "bgt_id"),
    Index(None, "counterparty", "fiscal_year"),
    Index(None, "division", "fiscal_year", "ori_bgt_id"),
    Index(None, "division", "fiscal_year", "cor_bgt_doc_no"),
    Index(None, "ori_bgt_id", "fiscal_year"),  # 资金追踪: the next level by ORI_BGT_ID (0010)
    Index(None, "sup_bgt_doc_no", "fiscal_year"),  # 资金追踪: bookings by 上级指标文号 (0010)
    Index(None, "division", "fiscal_year", "is_track", "id"),  # 资金追踪: a page of one level (0010)
    Index("ix_ledger_indicators_pair", "counterparty", "side", "is_deleted", "fiscal_year", "division", "id"),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=True),
    Column("position", Integer, nullable=False, comment="record position in the message"),
    Column("indicator_id", BigId, ForeignKey("ledger_indicators.id"), nullable=False),
    Column(
        "kind", String(16), nullable=False, comment="issue | adjust | recall | delete | receive | supersede"
    ),
    Column("posted_at", UTCDateTime(), nullable=False),
    UniqueConstraint("message_pk", "position", "indicator_id", "kind"),
    Index(None, "indicator_id"),
)

ledger_postings = Table(
    "ledger_postings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entry_id", BigId, ForeignKey("ledger_entries.id"), nullable=False),
    Column("division", String(9), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("account", String(8), nullable=False),
    Column("dr_cr", String(1), nullable=False, comment="D | C"),
    Column("amount_fen", BigInteger, nullable=False, comment="never negative"),
    Index(None, "entry_id"),
    Index(None, "division", "fiscal_year", "account"),
)

# ---- reconciliation runs, persistent breaks and their history ---------------------------------------------

recon_runs = Table(
    "recon_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, comment="indicators | payments"),
    Column("scope_key", String(128), nullable=False, comment="e.g. upper|lower|fiscal_year"),
    Column("scope", JSON, nullable=False),
    Column("as_of", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("status", String(16), nullable=False, comment="running | succeeded | failed"),
    Column("trigger", String(16), nullable=False, comment="api | schedule | cli"),
    Column("actor", String(64), nullable=False),
    Column("summary", JSON, nullable=True),
    Column("report", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Index(None, "kind", "scope_key", "started_at"),
)

recon_breaks = Table(
    "recon_breaks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True, comment="hex SM3 of kind|engine key"),
    Column("kind", String(16), nullable=False),
    Column("type", String(32), nullable=False),
    Column("scope_key", String(128), nullable=False),
    Column("scope", JSON, nullable=False),
    Column("ident", Text, nullable=False, comment="the engine's readable key"),
    Column("status", String(16), nullable=False, comment="open | explained | resolved | closed"),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("first_run_id", BigId, ForeignKey("recon_runs.id"), nullable=False),
    Column("last_run_id", BigId, ForeignKey("recon_runs.id"), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("amount_fen", BigInteger, nullable=True, comment="|difference|, else the one amount present"),
    Column("upper_amount_fen", BigInteger, nullable=True),
    Column("lower_amount_fen", BigInteger, nullable=True),
    Column("difference_fen", BigInteger, nullable=True),
    Column("fields", JSON, nullable=False),
    Column("detail", JSON, nullable=False, comment="the break as the report shows it"),
    Column("status_at", UTCDateTime(), nullable=True),
    Column("status_by", String(64), nullable=True),
    Column("status_comment", Text, nullable=True),
    Column("seen_as_of", UTCDateTime(), nullable=True, comment="the latest as-of of the runs that found it"),
    Index(None, "kind", "scope_key", "status"),
    Index(None, "status", "type"),
)

break_events = Table(
    "break_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("break_id", BigId, ForeignKey("recon_breaks.id"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(16), nullable=False, comment="opened | explained | resolved | closed | reopened"),
    Column("comment", Text, nullable=True),
    Column("run_id", BigId, ForeignKey("recon_runs.id"), nullable=True),
    Index(None, "break_id"),
)

scheduler_firings = Table(
    "scheduler_firings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("job_id", String(128), nullable=False),
    Column("fire_time", UTCDateTime(), nullable=False),
    Column("node", String(64), nullable=False, comment="the process that claimed the firing"),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("outcome", String(16), nullable=True, comment="ran | failed | busy"),
    Column("run_id", BigId, nullable=True),
    UniqueConstraint("job_id", "fire_time"),
)


# ---- 国库集中支付: the payment chain as reconciliation lines (store/payment_lines.py, migration 0004)

payment_lines = Table(
    "payment_lines",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False, comment="record position in the message"),
    Column("line", Integer, nullable=False, comment="0 = the record; clearing / quota: detail number"),
    Column("role", String(8), nullable=False, comment="voucher | receipt | refund | clearing | quota"),
    Column("vt_code", String(4), nullable=False),
    Column("adm_div_code", String(6), nullable=False),
    Column("pay_bank_code", String(200), nullable=False, comment="'' when absent"),
    Column(
        "voucher_no",
        String(200),
        nullable=False,
        comment="the payment voucher (refund: its own no; quota: the statement no)",
    ),
    Column("clearing_no", String(200), nullable=True, comment="clearing: the 2301/2302 VoucherNo"),
    Column("original_voucher_no", String(200), nullable=True, comment="refund: the refunded voucher"),
    Column("vou_date", Date, nullable=False, comment="VouDate (quota: EndDate)"),
    Column("is_receipt", Boolean, nullable=False, comment="a 回单 (VoucherFlag=1)"),
    Column("amount_fen", BigInteger, nullable=True, comment="PayAmt (clearing: the detail's)"),
    Column("x_pay_amt_fen", BigInteger, nullable=True, comment="XPayAmt"),
    Column("x_pay_date", Date, nullable=True, comment="XPayDate"),
    Column("pre_date_money_fen", BigInteger, nullable=True),
    Column("clear_amt_fen", BigInteger, nullable=True),
    Column("cur_reck_money_fen", BigInteger, nullable=True),
    Column("cur_date_money_fen", BigInteger, nullable=True),
    Column("record_sm3", String(64), nullable=False, comment="hex SM3 of the record's canonical JSON"),
    Column("active", Boolean, nullable=False, comment="read by runs (resends and replaced requests are not)"),
    Index(None, "adm_div_code", "role", "vou_date"),
    Index(None, "adm_div_code", "role", "voucher_no"),
    Index(None, "adm_div_code", "role", "original_voucher_no"),
    Index(None, "adm_div_code", "role", "clearing_no"),
    Index(None, "record_sm3"),
)


# ---- 凭证对账: 3501 / 3502 statements as lines (store/statement_lines.py, migration 0012) ------------------

statement_lines = Table(
    "statement_lines",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False, comment="record position in the message"),
    Column("line", Integer, nullable=False, comment="0 = the header; 1… = the details"),
    Column("vt_code", String(4), nullable=False, comment="3501 | 3502"),
    Column("adm_div_code", String(6), nullable=False),
    Column("statement_no", String(200), nullable=False, comment="the statement's VoucherNo"),
    Column("check_date", Date, nullable=False, comment="CheckDate"),
    Column("bank", String(200), nullable=False, comment="3502 PayBankCode / 3501 ClearBankCode; '' absent"),
    Column("e_voucher_type", String(8), nullable=False, comment="EVoucherType; '' when absent"),
    Column("voucher_no", String(200), nullable=True, comment="details: the voucher the line names"),
    Column("amount_fen", BigInteger, nullable=True, comment="header: AllAmt; details: Amt"),
    Column("all_num", Integer, nullable=True, comment="header: AllNum"),
    Column("pro_state", String(200), nullable=True, comment="details: ProState (kept, not interpreted)"),
    Column("record_sm3", String(64), nullable=False, comment="hex SM3 of the record's canonical JSON"),
    Column("active", Boolean, nullable=False, comment="the latest statement of its number counts"),
    Index(None, "adm_div_code", "vt_code", "check_date"),
    Index(None, "adm_div_code", "vt_code", "statement_no"),
)


# ---- people's web sessions (gateway/web/auth.py; migration 0006) ------------------------------------

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True, comment="hex SM3 of the session id the signed cookie carries"),
    Column("person", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index(None, "expires_at"),
)


# ---- 控制: the vouchers that spend an indicator, and the control rule sets (issue 17; migration 0008) ----

indicator_spends = Table(
    "indicator_spends",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_pk", BigId, ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False, comment="record position in the message"),
    Column("adm_div_code", String(9), nullable=False),
    Column("vt_code", String(4), nullable=False),
    Column("voucher_no", String(200), nullable=False),
    Column("fiscal_year", Integer, nullable=False, comment="StYear"),
    Column("file_no_code", String(200), nullable=True, comment="FileNoCode 指标文号 as sent"),
    Column(
        "indicator_id", BigId, ForeignKey("ledger_indicators.id"), nullable=True, comment="NULL: not linked"
    ),
    Column("amount_fen", BigInteger, nullable=False, comment="PayAmt"),
    Column(
        "in_flight_fen", BigInteger, nullable=False, comment="reserved on the indicator, not yet answered"
    ),
    Column("paid_fen", BigInteger, nullable=False, comment="XPayAmt of the 回单, less refunds"),
    Column("state", String(10), nullable=False, comment="in_flight | held | paid | failed | refused"),
    Column("codes", String(200), nullable=False, comment="control codes that failed, comma-separated"),
    Column("rule_version", Integer, nullable=True, comment="control_rule_sets.version decided with"),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("reviewed_by", String(64), nullable=True),
    Column("reviewed_at", UTCDateTime(), nullable=True),
    Column("review_comment", String(500), nullable=True),
    Index(None, "adm_div_code", "voucher_no"),
    Index(None, "indicator_id"),
    Index(None, "state"),
)

control_rule_sets = Table(
    "control_rule_sets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False, unique=True),
    Column("rules", JSON, nullable=False, comment="the parsed rule file (services/control_rules.py)"),
    Column("source_sm3", String(64), nullable=False, comment="hex SM3 of the TOML file loaded"),
    Column("loaded_by", String(64), nullable=False),
    Column("loaded_at", UTCDateTime(), nullable=False),
)
