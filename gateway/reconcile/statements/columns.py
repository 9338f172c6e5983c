"""The inputs of the statement reconciliation as plain column lists (integer fen, ``date`` days, ``""`` for
an absent code).

* :class:`StatementColumns` — the 3501 / 3502 凭证对账 headers: ``VtCode``, the statement's ``VoucherNo``,
  ``CheckDate``, the bank (3502 ``PayBankCode``; 3501 ``ClearBankCode``), ``EVoucherType`` and the control
  totals ``AllNum`` / ``AllAmt``.
* :class:`DetailColumns` — their details (``VoucherNo``, ``Amt``, ``ProState``), joined to their header by
  (AdmDivCode, VtCode, statement VoucherNo).
* :class:`HeldVoucherColumns` — the 5201 / 8202 payment vouchers the gateway holds.
* :class:`HeldReceiptColumns` — their 回单 (``XPayAmt``; ``pay_day`` = ``XPayDate``, else the 回单's
  ``VouDate``).
* :class:`HeldClearingColumns` — the 2301 / 2302 clearing lines the gateway holds (one per detail:
  ``ClearingNo`` the 2301 / 2302's own VoucherNo, ``VoucherNo`` the payment voucher it names).
* :class:`QuotaStatementColumns` — 3510 / 5510 清算额度对账 balance lines (line 0 = the header, with the
  statement's period ``BeginDate`` … ``EndDate``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from gateway.reconcile.column_lists import ColumnLists

VOUCHER_STATEMENT_TYPES = ("3501", "3502")
QUOTA_STATEMENT_TYPES = ("3510", "5510")
CLEARING_TYPES = ("2301", "2302")


@dataclass
class StatementColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    vt_code: list[str] = field(default_factory=list)
    statement_no: list[str] = field(default_factory=list)
    check_date: list[date] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    e_voucher_type: list[str] = field(default_factory=list)
    all_num: list[int] = field(default_factory=list)
    all_amt: list[int] = field(default_factory=list)


@dataclass
class DetailColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    vt_code: list[str] = field(default_factory=list)
    statement_no: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    amt: list[int] = field(default_factory=list)
    pro_state: list[str] = field(default_factory=list)


@dataclass
class HeldVoucherColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)


@dataclass
class HeldReceiptColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    pay_day: list[date] = field(default_factory=list)
    x_pay_amt: list[int] = field(default_factory=list)


@dataclass
class HeldClearingColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    vt_code: list[str] = field(default_factory=list)
    clearing_no: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    day: list[date] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)


@dataclass
class QuotaStatementColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    vt_code: list[str] = field(default_factory=list)
    statement_no: list[str] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    begin_date: list[date] = field(default_factory=list)
    end_date: list[date] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    pre_date_money: list[int] = field(default_factory=list)
    clear_amt: list[int] = field(default_factory=list)
    cur_reck_money: list[int] = field(default_factory=list)
    cur_date_money: list[int] = field(default_factory=list)


@dataclass
class StatementInputs:
    """Everything one statement reconciliation reads."""

    statements: StatementColumns = field(default_factory=StatementColumns)
    details: DetailColumns = field(default_factory=DetailColumns)
    vouchers: HeldVoucherColumns = field(default_factory=HeldVoucherColumns)
    receipts: HeldReceiptColumns = field(default_factory=HeldReceiptColumns)
    clearing: HeldClearingColumns = field(default_factory=HeldClearingColumns)
    quota: QuotaStatementColumns = field(default_factory=QuotaStatementColumns)

    def check(self) -> None:
        """Refuse inputs no statement source produces (a caller's mistake, not data): columns of unequal
        length, a statement given twice, a detail without its statement, a quota statement without its
        header line (0) or with a line given twice, an unknown VtCode."""
        for part in (self.statements, self.details, self.vouchers, self.receipts, self.clearing, self.quota):
            part.check_lengths()
        h = self.statements
        heads = list(zip(h.adm_div_code, h.vt_code, h.statement_no, strict=True))
        twice = [k for k, n in Counter(heads).items() if n > 1]
        if twice:
            raise ValueError(f"statement given twice: {'|'.join(twice[0])}")
        bad_vt = {v for v in self.statements.vt_code if v not in VOUCHER_STATEMENT_TYPES}
        bad_vt |= {v for v in self.quota.vt_code if v not in QUOTA_STATEMENT_TYPES}
        bad_vt |= {v for v in self.clearing.vt_code if v not in CLEARING_TYPES}
        if bad_vt:
            raise ValueError(f"unexpected VtCode {sorted(bad_vt)[0]!r}")
        known = set(heads)
        d = self.details
        for key in zip(d.adm_div_code, d.vt_code, d.statement_no, strict=True):
            if key not in known:
                raise ValueError(f"detail of an unknown statement {'|'.join(key)}")
        lines = list(zip(self.quota.adm_div_code, self.quota.statement_no, self.quota.line, strict=True))
        if len(set(lines)) != len(lines):
            raise ValueError("a quota statement line is given twice")
        headers = {(a, s) for a, s, n in lines if n == 0}
        for a, s, _n in lines:
            if (a, s) not in headers:
                raise ValueError(f"quota statement {a}|{s} has no header line (0)")
