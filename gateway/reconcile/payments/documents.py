"""Payment-chain documents (e-voucher / CFX, through the adapters) ⇄ reconciliation inputs and statements.

**Consuming.** Each record of a parsed document goes to one input, by its message type and by the role of
the file it came in (the CLI option):

================================  ========  ===========================================================
message                           role      becomes
================================  ========  ===========================================================
5201 / 8202 voucher               vouchers  a voucher (``PayAmt``)
5201 / 8202 回单                    receipts  a receipt (``XPayAmt``, ``XPayDate``)
2252 退款通知                       receipts  a refund of ``OriginalVoucherNo``
3502 / 3501 凭证对账                receipts  the bank's statement of what it paid: one receipt per line
                                            (``Amt`` = paid amount, date = ``CheckDate``)
2301 / 2302 and their 回单          clearing  one clearing line per detail (``ClearingNo`` = the 2301's
                                            VoucherNo); a 回单 replaces its request; a 回单 with
                                            ``XPayAmt`` 0.00 for a non-zero request cleared nothing
3501 / 3502 凭证对账                clearing  PBOC's statement of cleared vouchers: one 2301 line per
                                            detail (a negative ``Amt`` is a 2302 line)
CFX 3143 / 3144 划款回执            clearing  a ``Result`` other than 90000 voids the 2301 / 2302 whose
                                            VoucherNo is its ``VouNo`` (TIPS 2201 / 2202 bills name no
                                            payment voucher, so they are not reconciled themselves)
3510 / 5510 清算额度对账            quota     the header and each detail as a balance line
================================  ========  ===========================================================

A statement's ``ProState`` is kept by the adapter but not interpreted (its value list was NOT FOUND). A
3501 / 3502 whose ``EVoucherType`` is not a payment voucher (e.g. 2301) names no payment voucher and is
refused. Anything else in a file of the wrong role is refused with a one-line error.

**Producing.** :func:`quota_statement_from_clearing` builds a 3510 from the day's clearing,
:func:`quota_statement_reply` answers a 3510 with a 5510 (our check of the balance identity), and
:func:`voucher_statement` builds a 3501 / 3502 from voucher lines; render any of them with the
``evoucher`` adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from adapters.base import Document
from gateway.reconcile.errors import SnapshotFormatError
from gateway.reconcile.payments.columns import ClearingColumns, PaymentInputs, Role
from schemas.clearing import ClearingReceipt, ClearingRequest, PbocClearingReceipt
from schemas.money import from_fen, to_fen
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import (
    QuotaCheckDetail,
    QuotaReconciliationStatement,
    VoucherCheckDetail,
    VoucherReconciliationStatement,
)

PAYMENT_VOUCHER_TYPES = frozenset({"5201", "8202"})
CHECK_AGREE = "0"
"""Our ``XCheckResult`` for 一致 (the standard's value list was NOT FOUND; documented convention)."""
CHECK_DISAGREE = "1"
"""Our ``XCheckResult`` for 不一致."""

_ROLE_TYPES: dict[Role, tuple[type[BaseModel], ...]] = {
    Role.VOUCHERS: (PaymentVoucher,),
    Role.RECEIPTS: (PaymentReceipt, RefundNotice, VoucherReconciliationStatement),
    Role.CLEARING: (ClearingRequest, ClearingReceipt, VoucherReconciliationStatement, PbocClearingReceipt),
    Role.QUOTA: (QuotaReconciliationStatement,),
}


def _refuse(path: Path, position: int, message: BaseModel, role: Role) -> SnapshotFormatError:
    name = getattr(message, "vt_code", None) or getattr(message, "msg_no", None) or type(message).__name__
    return SnapshotFormatError(
        str(path), f"record {position} is a {name} {type(message).__name__}, which is not a {role} input"
    )


def _statement_lines(path: Path, statement: VoucherReconciliationStatement) -> None:
    if statement.e_voucher_type is not None and statement.e_voucher_type not in PAYMENT_VOUCHER_TYPES:
        raise SnapshotFormatError(
            str(path),
            f"{statement.vt_code} {statement.voucher_no} lists {statement.e_voucher_type} vouchers, "
            "not payment vouchers (5201 / 8202): it cannot be reconciled against the payment chain",
        )


def documents_to_inputs(documents: Sequence[tuple[Path, Role, Document]]) -> PaymentInputs:
    """Convert parsed documents (in order) to inputs. Clearing requests, their 回单 and CFX 回执 are
    resolved across all the documents given."""
    inputs = PaymentInputs()
    clearing_docs: dict[tuple[str, str, str], tuple[Path, ClearingRequest | ClearingReceipt]] = {}
    refused: set[str] = set()
    statement_clearing = ClearingColumns()
    for path, role, document in documents:
        for record in document.records:
            message = record.message
            if not isinstance(message, _ROLE_TYPES[role]):
                raise _refuse(path, record.position, message, role)
            if isinstance(message, PaymentVoucher):
                inputs.vouchers.append(
                    message.adm_div_code,
                    message.voucher_no,
                    message.vou_date,
                    message.pay_bank_code or "",
                    to_fen(message.pay_amt),
                )
            elif isinstance(message, PaymentReceipt):
                inputs.receipts.append(
                    message.adm_div_code,
                    message.voucher_no,
                    message.vou_date,
                    message.pay_bank_code or "",
                    to_fen(message.x_pay_amt),
                    message.x_pay_date,
                )
            elif isinstance(message, RefundNotice):
                inputs.refunds.append(
                    message.adm_div_code,
                    message.voucher_no,
                    message.original_voucher_no,
                    message.vou_date,
                    "",
                    to_fen(message.pay_amt),
                )
            elif isinstance(message, VoucherReconciliationStatement):
                _statement_lines(path, message)
                for line in message.details:
                    if role is Role.RECEIPTS:
                        inputs.receipts.append(
                            message.adm_div_code,
                            line.voucher_no,
                            message.check_date,
                            "",
                            to_fen(line.amt),
                            message.check_date,
                        )
                    else:
                        statement_clearing.append(
                            message.adm_div_code,
                            "2301" if line.amt >= 0 else "2302",
                            message.voucher_no,
                            line.voucher_no,
                            message.check_date,
                            "",
                            to_fen(line.amt),
                        )
            elif isinstance(message, ClearingRequest | ClearingReceipt):
                key = (message.adm_div_code, message.vt_code, message.voucher_no)
                if isinstance(message, ClearingReceipt) or key not in clearing_docs:
                    clearing_docs[key] = (path, message)
            elif isinstance(message, PbocClearingReceipt):
                if not message.succeeded:
                    refused.add(message.vou_no)
            else:
                assert isinstance(message, QuotaReconciliationStatement)
                _quota_lines(inputs, message)
    for (adm, vt_code, clearing_no), (path, doc) in clearing_docs.items():
        if clearing_no in refused:
            continue
        if isinstance(doc, ClearingReceipt) and doc.x_pay_amt == 0 and doc.pay_amt != 0:
            continue
        for number, detail in enumerate(doc.details, start=1):
            if detail.voucher_no is None:
                raise SnapshotFormatError(
                    str(path), f"{vt_code} {clearing_no} detail {number} names no payment voucher (VoucherNo)"
                )
            inputs.clearing.append(
                adm,
                vt_code,
                clearing_no,
                detail.voucher_no,
                doc.vou_date,
                doc.pay_bank_no or "",
                to_fen(detail.pay_amt),
            )
    inputs.clearing.extend(statement_clearing)
    return inputs


def _quota_lines(inputs: PaymentInputs, statement: QuotaReconciliationStatement) -> None:
    bank = statement.clear_bank_code or ""
    pre, clear, reck, cur = statement.balances()  # header balances are conditional on the wire
    inputs.quota.append(
        statement.adm_div_code,
        statement.voucher_no,
        statement.end_date,
        bank,
        to_fen(pre),
        to_fen(clear),
        to_fen(reck),
        to_fen(cur),
    )
    for detail in statement.details:
        inputs.quota.append(
            statement.adm_div_code,
            statement.voucher_no,
            statement.end_date,
            detail.pay_bank_code or bank,
            to_fen(detail.pre_date_money),
            to_fen(detail.clear_amt),
            to_fen(detail.cur_reck_money),
            to_fen(detail.cur_date_money),
        )


# ---- producing statements -------------------------------------------------------------------------------


def quota_statement_from_clearing(
    clearing: ClearingColumns,
    *,
    adm_div_code: str,
    st_year: int,
    day: date,
    voucher_no: str,
    pre_date_money: dict[str, Decimal] | None = None,
    clear_amt: dict[str, Decimal] | None = None,
    tre_code: str | None = None,
) -> QuotaReconciliationStatement:
    """A 3510 清算额度对账 for one division and day: one detail per agency bank that cleared that day.

    ``CurReckMoney`` 本期已清算额度 is the day's net clearing (2301 lines minus 2302 lines); the opening
    balance ``PreDateMoney`` and the new quota ``ClearAmt`` per bank come from the caller (default 0);
    ``CurDateMoney`` is then ``PreDateMoney + ClearAmt − CurReckMoney``, so the statement satisfies the
    balance identity by construction. The header carries the totals."""
    cleared: dict[str, int] = {}
    for adm, vt_code, _no, _voucher, vou_date, bank, amount in clearing.rows():
        if adm == adm_div_code and vou_date == day:
            signed = amount if vt_code == "2301" else -abs(amount)
            cleared[bank] = cleared.get(bank, 0) + signed
    pre = pre_date_money or {}
    granted = clear_amt or {}
    zero = Decimal("0.00")
    details = []
    for bank in sorted(set(cleared) | set(pre) | set(granted)):
        reck = from_fen(cleared.get(bank, 0))
        before, added = pre.get(bank, zero), granted.get(bank, zero)
        details.append(
            QuotaCheckDetail(
                pay_bank_code=bank or None,
                pre_date_money=before,
                clear_amt=added,
                cur_reck_money=reck,
                cur_date_money=before + added - reck,
            )
        )
    totals = [sum((getattr(d, name) for d in details), zero) for name in _QUOTA_AMOUNTS]
    return QuotaReconciliationStatement(
        adm_div_code=adm_div_code,
        st_year=st_year,
        vt_code="3510",
        vou_date=day,
        voucher_no=voucher_no,
        tre_code=tre_code,
        begin_date=day,
        end_date=day,
        pre_date_money=totals[0],
        clear_amt=totals[1],
        cur_reck_money=totals[2],
        cur_date_money=totals[3],
        all_num=len(details),
        details=tuple(details),
    )


_QUOTA_AMOUNTS = ("pre_date_money", "clear_amt", "cur_reck_money", "cur_date_money")


def quota_statement_reply(statement: QuotaReconciliationStatement) -> QuotaReconciliationStatement:
    """The 5510 回执 to a 3510: the same balances, ``XCheckResult`` per line and in the header
    (:data:`CHECK_AGREE` when ``PreDateMoney + ClearAmt − CurReckMoney = CurDateMoney`` holds, else
    :data:`CHECK_DISAGREE` with the difference in ``XCheckReason``) and ``XDiffNum`` = lines that fail."""
    details = []
    for detail in statement.details:
        diff = detail.identity_difference()
        details.append(
            detail.model_copy(
                update={
                    "x_check_result": CHECK_AGREE if diff == 0 else CHECK_DISAGREE,
                    "x_check_reason": None if diff == 0 else f"额度余额不平，差额 {diff}",
                }
            )
        )
    failing = sum(1 for d in details if d.x_check_result == CHECK_DISAGREE)
    header_ok = statement.identity_difference() == 0
    balances = statement.balances()
    data = statement.model_dump(exclude={"message_type"})
    data.update(
        vt_code="5510",
        details=[d.model_dump() for d in details],
        x_pre_date_money=balances[0],
        x_clear_amt=balances[1],
        x_cur_reck_money=balances[2],
        x_cur_date_money=balances[3],
        x_check_result=CHECK_AGREE if header_ok and failing == 0 else CHECK_DISAGREE,
        x_diff_num=failing + (0 if header_ok else 1),
    )
    return QuotaReconciliationStatement.model_validate(data)


def voucher_statement(
    vt_code: str,
    lines: Iterable[tuple[str, Decimal]],
    *,
    adm_div_code: str,
    st_year: int,
    check_date: date,
    voucher_no: str,
    e_voucher_type: str = "5201",
) -> VoucherReconciliationStatement:
    """A 3501 / 3502 凭证对账 listing ``(VoucherNo, Amt)`` lines, with its control totals."""
    details = tuple(VoucherCheckDetail(voucher_no=no, amt=amount) for no, amount in lines)
    return VoucherReconciliationStatement.model_validate(
        {
            "adm_div_code": adm_div_code,
            "st_year": st_year,
            "vt_code": vt_code,
            "vou_date": check_date,
            "voucher_no": voucher_no,
            "check_date": check_date,
            "e_voucher_type": e_voucher_type,
            "all_num": len(details),
            "all_amt": sum((d.amt for d in details), Decimal("0.00")),
            "details": details,
        }
    )
