"""Translations between the e-voucher and CFX families that the gateway performs on the clearing path.

A bank's 2301 申请划款凭证 (e-voucher) becomes a TIPS 2201 划款申请 bill (CFX), and the PBOC's 3143 回执 comes
back as the e-voucher 2301 回单 with the X-fields filled; a 2302 申请退款凭证 becomes a 2202 划款申请退回 and
its 3144 回执 comes back as the 2302 回单. The pairings 2201 → 3143 and 2202 → 3144 are ITFE's
(``caoyanguo/ITFE`` ``Recv3143MsgServer.java``, ``Recv3144MsgServer.java``); the field mapping follows ITFE's
``VoucherDto2MapFor2202.java`` where it has one:

=========================  ==================================  ======================================
2301 / 2302                2201 / 2202 (PbocClearingApply)     note
=========================  ==================================  ======================================
FinOrgCode, TreCode        FinOrgCode, TreCode
VoucherNo, VouDate         VouNo, VouDate
ClearAcctNo / Name         PayerAcct / PayerName (2201)        付款 = 国库存款户
                           OriPayerAcct / OriPayerName (2202)  the refunded payment's payer
AgentAcctNo / Name         PayeeAcct / PayeeName (2201)        收款 = 代理银行账户
                           OriPayeeAcct / OriPayeeName (2202)
PayBankNo                  PayeeOpnBnkNo (2201)
PayDictateNo               OriTraNo and PayDictateNo (2202)    as ITFE: OriTraNo = PayDictateNo
PayEntrustDate             OriEntrustDate, PayEntrustDate      as ITFE
PayMsgNo                   PayMsgNo (2202)
Detail VoucherNo           OriVouNo (2202)                     when every detail names the same one
(sending bank)             PaySndBnkNo (2202)                  as ITFE: the AgentBnkCode
StYear                     OfYear
PayAmt                     Amt                                 see below
Remark                     AddWord (2201)
Detail SupDepCode          Detail BdgOrgCode
Detail ExpFuncCode         Detail FuncSbtCode
=========================  ==================================  ======================================

Amounts on the CFX wire are never negative. A 2302's amounts are NEGATIVE by ITFE's rule
(``VoucherVerify.java``: 退款申请金额为负 "必须为负数"; ``VoucherDto2MapFor2302.java`` writes ``"-" + amount``
for ``PayAmt`` and ``XPayAmt`` from the positive amount that travels in the 2202), so a 2302's amounts are
negated into the 2202 and its 回单's ``XPayAmt`` is negative again. A 2302 with all amounts positive (older
senders) passes unchanged; a 2302 whose amounts mix signs, or a negative 2301, is refused.

And back: ``AcctDate`` → ``XClearDate``, ``Amt`` → ``XPayAmt`` (``0.00`` unless the answer is a success:
``PayResult`` 90000 or 0 of a 3143, ``Result`` 90000 of a 3144), ``AddWord`` (3143) or ``Description`` (3144)
→ ``XAddWord``, ``PaySndBnkNo`` (3143) → ``XPaySndBnkNo``; the 回单 keeps every field of the original request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from adapters.base import Document, Record
from adapters.errors import TranslationError
from schemas.clearing import (
    ClearingReceipt,
    ClearingRequest,
    PbocClearingApply,
    PbocClearingDetail,
    PbocClearingReceipt,
)

APPLY_MSG_NO: Mapping[str, Literal["2201", "2202"]] = {"2301": "2201", "2302": "2202"}
RECEIPT_MSG_NO: Mapping[str, str] = {"2301": "3143", "2302": "3144"}


def _negated(request: ClearingRequest) -> bool:
    """Whether a request's amounts are negated on the CFX wire (see the module docstring)."""
    amounts = [request.pay_amt, *(d.pay_amt for d in request.details)]
    if all(a >= 0 for a in amounts):
        return False
    if request.vt_code == "2301":
        raise TranslationError("a 2301 amount cannot be negative on the CFX 2201")
    if all(a <= 0 for a in amounts):
        return True
    raise TranslationError("a 2302 whose amounts mix signs has no CFX 2202 form")


def _refund_keys(request: ClearingRequest) -> tuple[str | None, str | None, date | None]:
    """(PayDictateNo, PayMsgNo, PayEntrustDate): the original 支付 a 2302 refunds (ITFE
    VoucherDto2MapFor2302.java), which the 2202 carries as its original-transaction keys."""
    return request.pay_dictate_no, request.pay_msg_no, request.pay_entrust_date


def clearing_request_to_pboc(
    request: ClearingRequest,
    *,
    agent_bnk_code: str,
    entrust_date: date,
    pack_no: str,
    tra_no: str,
    payout_vou_type: Literal["0", "1"] = "0",
    pay_mode: str | None = None,
    budget_type: Literal["1", "2", "6"] = "1",
    trim_sign: Literal["0", "1"] = "0",
    acct_prop: Literal["1", "2"] | None = "1",
) -> PbocClearingApply:
    """One 2301 (2302) request as a 2201 (2202) bill. The TIPS-only values (package number, transaction
    number, budget type …) are the sending bank's and come as arguments."""
    negated = _negated(request)
    details = tuple(
        PbocClearingDetail(
            seq_no=index,
            bdg_org_code=detail.sup_dep_code,
            func_sbt_code=detail.exp_func_code,
            amt=abs(detail.pay_amt) if negated else detail.pay_amt,
            acct_prop=acct_prop,
        )
        for index, detail in enumerate(request.details, start=1)
    )
    if request.fin_org_code is None:
        raise TranslationError(
            f"a {APPLY_MSG_NO[request.vt_code]} needs FinOrgCode; the {request.vt_code} has none"
        )
    common = {
        "msg_no": APPLY_MSG_NO[request.vt_code],
        "agent_bnk_code": agent_bnk_code,
        "fin_org_code": request.fin_org_code,
        "tre_code": request.tre_code,
        "entrust_date": entrust_date,
        "pack_no": pack_no,
        "payout_vou_type": payout_vou_type,
        "pay_mode": pay_mode,
        "tra_no": tra_no,
        "vou_no": request.voucher_no,
        "vou_date": request.vou_date,
        "budget_type": budget_type,
        "trim_sign": trim_sign,
        "of_year": request.st_year,
        "amt": abs(request.pay_amt) if negated else request.pay_amt,
        "stat_inf_num": len(details),
        "details": details,
    }
    if request.vt_code == "2301":
        return PbocClearingApply.model_validate(
            {
                **common,
                "payer_acct": request.clear_acct_no,
                "payer_name": request.clear_acct_name,
                "payee_acct": request.agent_acct_no,
                "payee_name": request.agent_acct_name,
                "payee_opn_bnk_no": request.pay_bank_no,
                "add_word": request.remark,
            }
        )
    dictate_no, pay_msg_no, pay_entrust_date = _refund_keys(request)
    originals = {d.voucher_no for d in request.details}
    return PbocClearingApply.model_validate(
        {
            **common,
            "ori_tra_no": dictate_no,
            "ori_entrust_date": pay_entrust_date,
            "ori_vou_no": originals.pop() if len(originals) == 1 else None,
            "ori_payer_acct": request.clear_acct_no,
            "ori_payer_name": request.clear_acct_name,
            "ori_payee_acct": request.agent_acct_no,
            "ori_payee_name": request.agent_acct_name,
            "pay_dictate_no": dictate_no,
            "pay_msg_no": pay_msg_no,
            "pay_entrust_date": pay_entrust_date,
            "pay_snd_bnk_no": agent_bnk_code,
        }
    )


def clearing_requests_to_cfx(
    requests: Sequence[ClearingRequest],
    envelope: Mapping[str, str],
    *,
    agent_bnk_code: str,
    entrust_date: date,
    pack_no: str,
    first_tra_no: int = 1,
    payout_vou_type: Literal["0", "1"] = "0",
    pay_mode: str | None = None,
) -> Document:
    """A batch of 2301s (or of 2302s) as one CFX 2201 (2202) package; transaction numbers are numbered
    from ``first_tra_no`` as 8 digits. ``envelope`` holds the CFX HEAD (``SRC``, ``DES``, ``MsgID`` …)."""
    if not requests:
        raise TranslationError("no clearing requests to translate")
    vt_codes = {r.vt_code for r in requests}
    if len(vt_codes) != 1:
        raise TranslationError("2301 and 2302 requests go in separate CFX packages")
    msg_no = APPLY_MSG_NO[vt_codes.pop()]
    records = tuple(
        Record(
            position,
            clearing_request_to_pboc(
                request,
                agent_bnk_code=agent_bnk_code,
                entrust_date=entrust_date,
                pack_no=pack_no,
                tra_no=f"{first_tra_no + position:08d}",
                payout_vou_type=payout_vou_type,
                pay_mode=pay_mode,
            ),
        )
        for position, request in enumerate(requests)
    )
    return Document("cfx", records, {**envelope, "MsgNo": msg_no})


def pboc_receipt_to_clearing_receipt(
    receipt: PbocClearingReceipt, request: ClearingRequest, *, pay_snd_bnk_no: str | None = None
) -> ClearingReceipt:
    """The PBOC's 3143 (3144) answer to ``request`` as the e-voucher 2301 (2302) 回单. ``pay_snd_bnk_no`` is
    the 支付发起行 when the answer names none (a 3144)."""
    expected = RECEIPT_MSG_NO[request.vt_code]
    if receipt.msg_no != expected:
        raise TranslationError(f"a {request.vt_code} is answered by {expected}, not {receipt.msg_no}")
    if receipt.vou_no != request.voucher_no:
        raise TranslationError(f"receipt is for voucher {receipt.vou_no!r}, not for {request.voucher_no!r}")
    paid = receipt.amt if receipt.succeeded else Decimal("0.00")
    if paid > abs(request.pay_amt):
        raise TranslationError(f"the PBOC cleared {paid} but the request was for {request.pay_amt}")
    fields = request.model_dump(exclude={"message_type"})
    return ClearingReceipt.model_validate(
        {
            **fields,
            "x_pay_snd_bnk_no": receipt.pay_snd_bnk_no or pay_snd_bnk_no,
            "x_add_word": receipt.remark,
            "x_clear_date": receipt.acct_date,
            "x_pay_amt": -paid if paid and _negated(request) else paid,
        }
    )
