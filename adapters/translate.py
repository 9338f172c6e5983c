"""Translations between the e-voucher and CFX families that the gateway performs on the clearing path.

A bank's 2301 申请划款凭证 (e-voucher) becomes a TIPS 2201 划款申请 bill (CFX), and the PBOC's 3143 回执 comes
back as the e-voucher 2301 回单 with the X-fields filled; 2302 ↔ 2202 / 3144 likewise. The pairings
2301 → 2201 → 3143 and 2302 → 2202 → 3144 are *inferred* (DOMAIN.md §2.4), as is the field mapping:

=========================  ==================================  ======================================
2301 / ClearingRequest     2201 / PbocClearingApply            note
=========================  ==================================  ======================================
FinOrgCode, TreCode        FinOrgCode, TreCode
VoucherNo, VouDate         VouNo, VouDate
ClearAcctNo / Name         PayerAcct / PayerName               付款 = 国库存款户
AgentAcctNo / Name         PayeeAcct / PayeeName               收款 = 代理银行账户
PayBankNo                  PayeeOpnBnkNo
StYear                     OfYear
PayAmt                     Amt (must not be negative)
Remark                     AddWord
Detail SupDepCode          Detail BdgOrgCode
Detail ExpFuncCode         Detail FuncSbtCode
=========================  ==================================  ======================================

and back: 3143 ``AcctDate`` → ``XClearDate``, ``Amt`` → ``XPayAmt`` (``0.00`` unless ``Result`` is 90000),
``Description`` → ``XAddWord``; the 回单 keeps every field of the original request.
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
    if request.pay_amt < 0 or any(d.pay_amt < 0 for d in request.details):
        raise TranslationError("a CFX 2201/2202 amount cannot be negative")
    details = tuple(
        PbocClearingDetail(
            seq_no=index,
            bdg_org_code=detail.sup_dep_code,
            func_sbt_code=detail.exp_func_code,
            amt=detail.pay_amt,
            acct_prop=acct_prop,
        )
        for index, detail in enumerate(request.details, start=1)
    )
    if request.fin_org_code is None:
        raise TranslationError("a 2201 needs FinOrgCode; the 2301 has none")
    return PbocClearingApply(
        msg_no=APPLY_MSG_NO[request.vt_code],
        agent_bnk_code=agent_bnk_code,
        fin_org_code=request.fin_org_code,
        tre_code=request.tre_code,
        entrust_date=entrust_date,
        pack_no=pack_no,
        payout_vou_type=payout_vou_type,
        pay_mode=pay_mode,
        tra_no=tra_no,
        vou_no=request.voucher_no,
        vou_date=request.vou_date,
        payer_acct=request.clear_acct_no,
        payer_name=request.clear_acct_name,
        payee_acct=request.agent_acct_no,
        payee_name=request.agent_acct_name,
        payee_opn_bnk_no=request.pay_bank_no,
        add_word=request.remark,
        budget_type=budget_type,
        trim_sign=trim_sign,
        of_year=request.st_year,
        amt=request.pay_amt,
        stat_inf_num=len(details),
        details=details,
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
    """The PBOC's 3143 (3144) answer to ``request`` as the e-voucher 2301 (2302) 回单."""
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
            "x_pay_snd_bnk_no": pay_snd_bnk_no,
            "x_add_word": receipt.description,
            "x_clear_date": receipt.acct_date,
            "x_pay_amt": paid,
        }
    )
