"""What each simulated party answers to a pushed document — pure functions, no I/O, deterministic.

* **bank** — pays every 5201/8202 voucher and returns its 回单 (the voucher with the X-fields filled) in one
  e-voucher document per push. By rule a voucher *fails* (``XPayAmt`` 0.00, the reason in ``XAddWord``),
  is *paid short* (90 % of ``PayAmt``, rounded down to the fen), or is paid and later *refunded* by the
  payee's bank (a 2252 收款银行退款通知 for its last detail, sent after the 回单). With ``clear`` the bank
  then asks the treasury to clear what it paid: one 2301 申请划款凭证 per finance division and paying
  account, leaving out the vouchers in ``never_clear``; and, as a real agency bank does once a refund comes
  back, it returns each refunded amount to the treasury: one 2302 申请退款凭证 per division and paying account
  (amounts positive — a 2302 always returns money), after the 2301s. A ``never_clear`` voucher gets no 2302
  either (nothing was drawn for it), so paid − refunded = cleared (2301 − 2302) holds for every other voucher.
* **pbc** — clears every 2301/2302 in full: an e-voucher request gets its e-voucher 回单; a CFX 2201/2202
  package gets a CFX 3143/3144 package (result 90000 处理成功). A request naming a voucher in ``never_clear``
  (its own number or, for e-vouchers, a voucher in its details) is never answered.
* **finance** — books every indicator addressed to it and answers the issuing level with a 接收回执
  (``BA_BGT_RECEIPT``, accepted, its own ``REC_BGT_ID``); an indicator in ``lose`` is taken (2xx) and never
  booked nor answered — lost on the way.

Rules are voucher numbers / indicator ids (exact), or rates in [0, 1] drawn per voucher / indicator from
``seed``: the same seed and number always give the same outcome, so tests and the demo can rely on them.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any, Literal

from adapters.base import Document, Record
from schemas.clearing import (
    TIPS_SUCCESS,
    ClearingDetail,
    ClearingReceipt,
    ClearingRequest,
    PbocClearingApply,
    PbocClearingReceipt,
)
from schemas.indicators import IndicatorEvent, IndicatorReceipt, ReceiptStatus, TransferIndicator
from schemas.payments import PaymentReceipt, PaymentReceiptDetail, PaymentVoucher, RefundNotice

Role = Literal["bank", "pbc", "finance"]
ROLES: tuple[Role, ...] = ("bank", "pbc", "finance")

FEN = Decimal("0.01")
SHORT_SHARE = Decimal("0.9")
FAILURE_REASON = "支付失败：收款人账号户名不符"
SHORT_REASON = "部分支付：收款账户限额"
REFUND_REMARK = "收款人账户已销户，退回"
TIPS_NODE = "100000000000"
BEIJING = timezone(timedelta(hours=8))


class BehaviourError(ValueError):
    """A behaviour file or rule that cannot be used (one line, for the CLI)."""


@dataclass(frozen=True)
class Behaviour:
    """How a simulated party deviates from the happy path. Every field is a rule name for ``--rule``."""

    seed: int = 0
    fail: frozenset[str] = frozenset()
    """bank: voucher numbers whose payment fails."""
    short: frozenset[str] = frozenset()
    """bank: voucher numbers paid short."""
    refund: frozenset[str] = frozenset()
    """bank: voucher numbers paid and then refunded (2252)."""
    fail_rate: float = 0.0
    short_rate: float = 0.0
    refund_rate: float = 0.0
    clear: bool = False
    """bank: send a 2301 for what it paid and a 2302 for what was refunded."""
    never_clear: frozenset[str] = frozenset()
    """bank: left out of its 2301s and 2302s; pbc: requests naming them are never answered."""
    lose: frozenset[str] = frozenset()
    """finance: indicator ids (BGT_ID) taken and never booked nor answered."""
    lose_rate: float = 0.0
    acknowledge: bool = True
    """finance: answer booked indicators with a 接收回执."""
    clear_acct_no: str = "371000000000000001"
    """bank: the treasury account (国库存款户) its 2301s draw on and its 2302s return to."""

    def __post_init__(self) -> None:
        for name in ("fail_rate", "short_rate", "refund_rate", "lose_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise BehaviourError(f"{name} must be between 0 and 1, not {rate}")

    def draw(self, rule: str, key: str) -> float:
        """A number in [0, 1) fixed by (seed, rule, key)."""
        digest = hashlib.sha256(f"{self.seed}:{rule}:{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def applies(self, rule: str, key: str) -> bool:
        listed: frozenset[str] = getattr(self, rule)
        rate: float = getattr(self, f"{rule}_rate", 0.0)
        return key in listed or (rate > 0.0 and self.draw(rule, key) < rate)

    def outcome(self, voucher_no: str) -> Literal["failed", "short", "paid"]:
        if self.applies("fail", voucher_no):
            return "failed"
        if self.applies("short", voucher_no):
            return "short"
        return "paid"


_SETS = {f.name for f in fields(Behaviour) if f.type == "frozenset[str]"}
_BOOLS = {f.name for f in fields(Behaviour) if f.type == "bool"}
_FLOATS = {f.name for f in fields(Behaviour) if f.type == "float"}


def _coerce(name: str, value: Any) -> Any:
    if name not in {f.name for f in fields(Behaviour)}:
        raise BehaviourError(f"unknown behaviour rule {name!r}")
    try:
        if name in _SETS:
            items = value.split(",") if isinstance(value, str) else list(value)
            return frozenset(str(v).strip() for v in items if str(v).strip())
        if name in _BOOLS:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text in ("true", "1", "yes")
        if name in _FLOATS:
            return float(value)
        if name == "seed":
            return int(value)
        return str(value)
    except (TypeError, ValueError):
        raise BehaviourError(f"behaviour rule {name}: cannot use {value!r}") from None


def load_behaviour(role: Role, path: Path | None = None, rules: Sequence[str] = ()) -> Behaviour:
    """The behaviour of ``role`` from a TOML file (top-level keys for every role, ``[bank]`` / ``[pbc]`` /
    ``[finance]`` tables for one) and ``NAME=VALUE`` rules, which win over the file."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BehaviourError(f"cannot read {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise BehaviourError(f"{path} is not TOML: {exc}") from None
        values.update({k: _coerce(k, v) for k, v in data.items() if k not in ROLES})
        section = data.get(role, {})
        if not isinstance(section, dict):
            raise BehaviourError(f"[{role}] in {path} must be a table")
        values.update({k: _coerce(k, v) for k, v in section.items()})
    for rule in rules:
        name, sep, value = rule.partition("=")
        if not sep:
            raise BehaviourError(f"a rule is NAME=VALUE, not {rule!r}")
        values[name.strip()] = _coerce(name.strip(), value)
    return Behaviour(**values)


@dataclass(frozen=True)
class Context:
    """What the simulated party knows besides the document."""

    today: date
    reference: str
    """The push's message id: seeds bank serials and the numbers of the party's own documents."""
    party_id: str = ""
    fin_org_codes: Mapping[str, str] = field(default_factory=dict)
    """bank: AdmDivCode → 9-digit MOF_DIV_CODE (the 财政机关代码 of its 2301s)."""
    tre_code: str | None = None
    """bank: the treasury its 2301s go to."""
    now: datetime | None = None


def _number(prefix: str, *parts: str, digits: int = 12) -> str:
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"{prefix}{int(digest[:15], 16) % 10**digits:0{digits}d}"


# ---- bank ------------------------------------------------------------------------------------------------


def _paid(voucher: PaymentVoucher, outcome: str) -> Decimal:
    if outcome == "failed":
        return Decimal("0.00")
    if outcome == "short":
        return (voucher.pay_amt * SHORT_SHARE).quantize(FEN, rounding=ROUND_DOWN)
    return voucher.pay_amt


def _receipt(voucher: PaymentVoucher, outcome: str, business_no: str, today: date) -> PaymentReceipt:
    paid = _paid(voucher, outcome)
    left = paid
    details: list[PaymentReceiptDetail] = []
    for detail in voucher.details:
        share = min(left, detail.pay_amt)
        left -= share
        details.append(PaymentReceiptDetail.model_validate({**detail.model_dump(), "x_pay_amt": share}))
    fields_ = voucher.model_dump(exclude={"message_type", "details"})
    fields_.update(
        details=details,
        x_pay_date=today,
        x_agent_business_no=business_no,
        x_pay_amt=paid,
        x_add_word={"failed": FAILURE_REASON, "short": SHORT_REASON}.get(outcome, "支付成功"),
    )
    return PaymentReceipt.model_validate(fields_)


def _refund(voucher: PaymentVoucher, paid: Decimal, today: date) -> RefundNotice | None:
    amount = min(voucher.details[-1].pay_amt, paid)
    if amount <= 0:
        return None
    return RefundNotice(
        adm_div_code=voucher.adm_div_code,
        st_year=voucher.st_year,
        vt_code="2252",
        vou_date=today,
        voucher_no=_number(f"{voucher.adm_div_code}2252", voucher.voucher_no, "refund"),
        original_voucher_no=voucher.voucher_no,
        ori_bill_no=voucher.voucher_no,
        fund_type_code=voucher.fund_type_code,
        pay_type_code=voucher.pay_type_code,
        payee_acct_no=voucher.pay_acct_no,
        payee_acct_name=voucher.pay_acct_name,
        payee_acct_bank_name=voucher.pay_acct_bank_name,
        pay_acct_no=voucher.payee_acct_no,
        pay_acct_name=voucher.payee_acct_name,
        pay_acct_bank_name=voucher.payee_acct_bank_name,
        pay_date=today,
        pay_amt=-amount,
        remark=REFUND_REMARK,
    )


def _clearing_requests(
    amounts: Sequence[tuple[PaymentVoucher, Decimal]],
    behaviour: Behaviour,
    ctx: Context,
    vt_code: Literal["2301", "2302"] = "2301",
) -> list[ClearingRequest]:
    """One clearing request per (division, year, pay type, paying account) of the positive ``amounts``:
    2301 申请划款 for what was paid, 2302 申请退款 for what was refunded (the amount returned, written
    negative as the standard requires: ITFE VoucherVerify.java "退款申请金额为负")."""
    groups: dict[tuple[str, int, str, str], list[tuple[PaymentVoucher, Decimal]]] = {}
    for voucher, amount in amounts:
        if amount <= 0 or voucher.voucher_no in behaviour.never_clear:
            continue
        key = (voucher.adm_div_code, voucher.st_year, voucher.pay_type_code, voucher.pay_acct_no)
        groups.setdefault(key, []).append((voucher, amount))
    remark = "支付清算" if vt_code == "2301" else "退款退回国库"
    sign = 1 if vt_code == "2301" else -1
    requests: list[ClearingRequest] = []
    for (adm, year, pay_type, account), items in groups.items():
        if ctx.tre_code is None:
            raise BehaviourError("the bank clears (clear = true) but knows no treasury (TreCode)")
        first = items[0][0]
        details = [
            ClearingDetail(
                voucher_no=voucher.voucher_no,
                sup_dep_code=voucher.sup_dep_code,
                sup_dep_name=voucher.sup_dep_name,
                exp_func_code=voucher.exp_func_code,
                exp_func_name=voucher.exp_func_name,
                pay_amt=sign * amount,
                pay_summary_name=voucher.pay_summary_name,
            )
            for voucher, amount in items
        ]
        requests.append(
            ClearingRequest(
                adm_div_code=adm,
                st_year=year,
                vt_code=vt_code,
                vou_date=ctx.today,
                voucher_no=_number(f"{adm}{vt_code}", ctx.reference, adm, account),
                tre_code=ctx.tre_code,
                fin_org_code=ctx.fin_org_codes.get(adm),
                fund_type_code=first.fund_type_code,
                pay_type_code=pay_type,
                agent_acct_no=account,
                agent_acct_name=first.pay_acct_name,
                agent_acct_bank_name=first.pay_acct_bank_name,
                clear_acct_no=behaviour.clear_acct_no,
                pay_amt=sign * sum((amount for _, amount in items), Decimal("0.00")),
                pay_bank_name=first.pay_bank_name,
                pay_bank_no=ctx.party_id or None,
                remark=f"{ctx.today:%m月%d日}{remark}",
                all_num=len(details),
                details=tuple(details),
            )
        )
    return requests


def _bank(document: Document, behaviour: Behaviour, ctx: Context) -> list[Document]:
    receipts: list[Record] = []
    refunds: list[Record] = []
    paid: list[tuple[PaymentVoucher, Decimal]] = []
    refunded: list[tuple[PaymentVoucher, Decimal]] = []
    for record in document.records:
        voucher = record.message
        if not isinstance(voucher, PaymentVoucher):
            continue
        outcome = behaviour.outcome(voucher.voucher_no)
        serial = f"SIM{ctx.reference[-12:]}{record.position:03d}"
        receipt = _receipt(voucher, outcome, serial, ctx.today)
        receipts.append(Record(len(receipts), receipt, record.meta))
        paid.append((voucher, receipt.x_pay_amt))
        if outcome != "failed" and behaviour.applies("refund", voucher.voucher_no):
            notice = _refund(voucher, receipt.x_pay_amt, ctx.today)
            if notice is not None:
                refunds.append(Record(len(refunds), notice))
                refunded.append((voucher, -notice.pay_amt))
    answers = [Document("evoucher", tuple(receipts))] if receipts else []
    if refunds:
        answers.append(Document("evoucher", tuple(refunds)))
    if behaviour.clear:  # the 2301s, then the 2302s: one kind per document (a CFX package is one kind)
        kinds: tuple[tuple[list[tuple[PaymentVoucher, Decimal]], Literal["2301", "2302"]], ...] = (
            (paid, "2301"),
            (refunded, "2302"),
        )
        for amounts, vt_code in kinds:
            requests = _clearing_requests(amounts, behaviour, ctx, vt_code)
            if requests:
                answers.append(Document("evoucher", tuple(Record(i, r) for i, r in enumerate(requests))))
    return answers


# ---- pbc -------------------------------------------------------------------------------------------------


def _names_uncleared(request: ClearingRequest, behaviour: Behaviour) -> bool:
    named = {request.voucher_no, *(d.voucher_no for d in request.details if d.voucher_no)}
    return bool(named & behaviour.never_clear)


def _clearing_receipt(request: ClearingRequest, today: date) -> ClearingReceipt:
    fields_ = request.model_dump(exclude={"message_type"})
    fields_.update(
        x_pay_snd_bnk_no=request.pay_bank_no,
        x_add_word="清算成功",
        x_clear_date=today,
        x_pay_amt=request.pay_amt,
    )
    return ClearingReceipt.model_validate(fields_)


def _cfx_receipt(apply: PbocClearingApply, pack_no: str, today: date) -> PbocClearingReceipt:
    """The PBOC's answer to one bill: a 3143 (ITFE itfe_3143_java2xml.ftl) for a 2201, a 3144 for a 2202."""
    common = {
        "agent_bnk_code": apply.agent_bnk_code,
        "fin_org_code": apply.fin_org_code,
        "tre_code": apply.tre_code,
        "entrust_date": today,
        "pack_no": pack_no,
        "ori_entrust_date": apply.entrust_date,
        "ori_pack_no": apply.pack_no,
        "payout_vou_type": apply.payout_vou_type,
        "pay_mode": apply.pay_mode,
        "vou_no": apply.vou_no,
        "vou_date": apply.vou_date,
        "ori_tra_no": apply.tra_no,
        "acct_date": today,
        "amt": apply.amt,
    }
    if apply.msg_no == "2201":
        return PbocClearingReceipt.model_validate(
            {
                **common,
                "msg_no": "3143",
                "ori_msg_no": "2201",
                "pay_result": TIPS_SUCCESS,
                "add_word": "处理成功",
            }
        )
    return PbocClearingReceipt.model_validate(
        {
            **common,
            "msg_no": "3144",
            "ori_vou_no": apply.ori_vou_no,
            "ori_vou_date": apply.ori_vou_date,
            "result": TIPS_SUCCESS,
            "description": "处理成功",
        }
    )


def _pbc(document: Document, behaviour: Behaviour, ctx: Context) -> list[Document]:
    if document.format == "cfx":
        applies = [
            r.message
            for r in document.records
            if isinstance(r.message, PbocClearingApply) and r.message.vou_no not in behaviour.never_clear
        ]
        if not applies:
            return []
        pack_no = _number("", ctx.reference, "pack", digits=8)
        returns = tuple(Record(i, _cfx_receipt(a, pack_no, ctx.today)) for i, a in enumerate(applies))
        msg_id = hashlib.sha256(f"3143\n{ctx.reference}".encode()).hexdigest()[:20].upper()
        envelope = {
            "SRC": document.envelope.get("DES", TIPS_NODE),
            "DES": document.envelope.get("SRC", applies[0].agent_bnk_code),
            "MsgNo": returns[0].message.msg_no,  # type: ignore[attr-defined]
            "MsgID": msg_id,
            "MsgRef": document.envelope.get("MsgID", msg_id),
            "WorkDate": ctx.today.strftime("%Y%m%d"),
        }
        return [Document("cfx", returns, envelope)]
    answers: list[Record] = []
    for record in document.records:
        message = record.message
        if isinstance(message, ClearingRequest) and not _names_uncleared(message, behaviour):
            answers.append(Record(len(answers), _clearing_receipt(message, ctx.today), record.meta))
    return [Document(document.format, tuple(answers))] if answers else []


# ---- finance ---------------------------------------------------------------------------------------------


def _finance(document: Document, behaviour: Behaviour, ctx: Context) -> list[Document]:
    if not behaviour.acknowledge:
        return []
    if ctx.now is not None:  # 接收时间 is Beijing local time without a zone, whole seconds
        moment = ctx.now.astimezone(BEIJING).replace(tzinfo=None, microsecond=0)
    else:
        moment = datetime.combine(ctx.today, datetime.min.time())
    receipts: list[Record] = []
    for record in document.records:
        indicator = record.message
        if not isinstance(indicator, TransferIndicator) or indicator.event is not IndicatorEvent.ISSUE:
            continue
        if indicator.rec_div_code is None or behaviour.applies("lose", indicator.bgt_id):
            continue
        receipt = IndicatorReceipt(
            bgt_id=indicator.bgt_id,
            mof_div_code=indicator.mof_div_code,
            rec_div_code=indicator.rec_div_code,
            fiscal_year=indicator.fiscal_year,
            cor_bgt_doc_no=indicator.cor_bgt_doc_no,
            rec_status=ReceiptStatus.ACCEPTED,
            rec_bgt_id=_number(indicator.rec_div_code, indicator.bgt_id, digits=12)[:38],
            rec_time=moment,
        )
        receipts.append(Record(len(receipts), receipt))
    return [Document("mof.json", tuple(receipts))] if receipts else []


def lost(document: Document, behaviour: Behaviour) -> list[str]:
    """finance: the indicator ids of ``document`` the party loses."""
    return [
        r.message.bgt_id
        for r in document.records
        if isinstance(r.message, TransferIndicator) and behaviour.applies("lose", r.message.bgt_id)
    ]


_ROLES = {"bank": _bank, "pbc": _pbc, "finance": _finance}


def replies(
    role: Role,
    document: Document,
    *,
    today: date,
    reference: str,
    behaviour: Behaviour | None = None,
    context: Context | None = None,
) -> list[Document]:
    """The documents the simulated party sends back for ``document``, in sending order."""
    ctx = replace(context, today=today, reference=reference) if context else Context(today, reference)
    return _ROLES[role](document, behaviour or Behaviour(), ctx)


CLEAR_NOTE = "(2301 for what is paid, 2302 for what is refunded)"


def describe(behaviour: Behaviour) -> Iterable[str]:
    """The rules that differ from the default, for the start-up banner; ``clear`` says what it sends."""
    default = Behaviour()
    for f in fields(Behaviour):
        value = getattr(behaviour, f.name)
        if value != getattr(default, f.name):
            shown = ",".join(sorted(value)) if isinstance(value, frozenset) else value
            note = f" {CLEAR_NOTE}" if f.name == "clear" and value else ""
            yield f"{f.name}={shown}{note}"
