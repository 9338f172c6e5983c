"""The inputs of the payment reconciliation as plain column lists, and the CSV/XLSX cell rules.

Five inputs, one dataclass each, every field a ``list`` of the same length (column-oriented, so that a
caller holding rows from the database or a parsed document hands them over without building one object per
row). Money is **integer fen**; dates are :class:`datetime.date`; an absent bank code is ``""``.

* :class:`VoucherColumns`  — finance's payment vouchers (5201 财政直接支付凭证 / 8202 授权支付凭证).
* :class:`ReceiptColumns`  — the agency bank's 回单 (``XPayAmt`` 实际支付金额, ``XPayDate`` 实际支付日期).
* :class:`RefundColumns`   — 2252 收款银行退款通知 (``PayAmt`` negative, ``OriginalVoucherNo`` the refunded
  payment voucher).
* :class:`ClearingColumns` — one line per payment voucher in a 2301 申请划款 / 2302 申请退款 (``ClearingNo``
  is the 2301/2302's own VoucherNo, ``VoucherNo`` the payment voucher its detail names).
* :class:`QuotaColumns`    — balance lines of 3510 / 5510 清算额度对账 statements.

Snapshot files (CSV in UTF-8 with or without BOM, or GBK; XLSX first sheet) hold one input each, with a
header row of UPPER_SNAKE names — the snake_case of the e-voucher element names (``ADM_DIV_CODE``,
``VOUCHER_NO``, ``X_PAY_AMT`` …) — or their Chinese names (:data:`PAYMENT_COLUMN_NAMES_ZH`), any order,
case-insensitive, extra columns ignored:

=============  ==============================================================  ==========================
file           required columns                                                optional columns
=============  ==============================================================  ==========================
vouchers       ADM_DIV_CODE VOUCHER_NO VOU_DATE PAY_AMT                        VT_CODE PAY_BANK_CODE
receipts       ADM_DIV_CODE VOUCHER_NO VOU_DATE                                VT_CODE X_PAY_AMT
                                                                               X_PAY_DATE PAY_BANK_CODE
                                                                               ORIGINAL_VOUCHER_NO PAY_AMT
clearing       ADM_DIV_CODE VT_CODE CLEARING_NO VOUCHER_NO VOU_DATE PAY_AMT    PAY_BANK_CODE
quota          ADM_DIV_CODE VOUCHER_NO END_DATE PRE_DATE_MONEY CLEAR_AMT       PAY_BANK_CODE
               CUR_RECK_MONEY CUR_DATE_MONEY
=============  ==============================================================  ==========================

Cell rules (the DuckDB engine states the same rules in SQL):

* ``ADM_DIV_CODE``: exactly 6 digits; ``VOUCHER_NO``, ``CLEARING_NO``: not empty;
* dates: ``yyyyMMdd`` or ``YYYY-MM-DD`` (real calendar dates);
* amounts: as :func:`schemas.money.parse_money` reads them (at most 12 integer digits and 2 places);
* vouchers: ``VT_CODE`` empty, ``5201`` or ``8202``; ``PAY_AMT`` ≥ 0;
* receipts: a row with ``VT_CODE`` ``2252`` is a refund and needs ``ORIGINAL_VOUCHER_NO`` and a negative
  ``PAY_AMT``; any other row (``VT_CODE`` empty, ``5201`` or ``8202``) is a 回单 and needs ``X_PAY_AMT`` ≥ 0;
* clearing: ``VT_CODE`` ``2301`` (amount ≥ 0) or ``2302`` (either sign: a 2302 always returns money);
* an empty cell is NULL; an empty row is skipped.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from gateway.reconcile.column_lists import ColumnLists
from gateway.reconcile.indicators.ledger_columns import CellError, parse_amount, parse_required
from schemas.money import to_fen

ADM_PATTERN = r"[0-9]{6}"
ISO_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
COMPACT_DATE_PATTERN = r"[0-9]{8}"

_ADM = re.compile(ADM_PATTERN)
_ISO = re.compile(ISO_DATE_PATTERN)
_COMPACT = re.compile(COMPACT_DATE_PATTERN)


class Role(enum.StrEnum):
    """Which input a file holds (the CLI option it was given with)."""

    VOUCHERS = "vouchers"
    RECEIPTS = "receipts"
    CLEARING = "clearing"
    QUOTA = "quota"


REQUIRED_COLUMNS: dict[Role, tuple[str, ...]] = {
    Role.VOUCHERS: ("ADM_DIV_CODE", "VOUCHER_NO", "VOU_DATE", "PAY_AMT"),
    Role.RECEIPTS: ("ADM_DIV_CODE", "VOUCHER_NO", "VOU_DATE"),
    Role.CLEARING: ("ADM_DIV_CODE", "VT_CODE", "CLEARING_NO", "VOUCHER_NO", "VOU_DATE", "PAY_AMT"),
    Role.QUOTA: (
        "ADM_DIV_CODE",
        "VOUCHER_NO",
        "END_DATE",
        "PRE_DATE_MONEY",
        "CLEAR_AMT",
        "CUR_RECK_MONEY",
        "CUR_DATE_MONEY",
    ),
}
OPTIONAL_COLUMNS: dict[Role, tuple[str, ...]] = {
    Role.VOUCHERS: ("VT_CODE", "PAY_BANK_CODE"),
    Role.RECEIPTS: ("VT_CODE", "X_PAY_AMT", "X_PAY_DATE", "PAY_BANK_CODE", "ORIGINAL_VOUCHER_NO", "PAY_AMT"),
    Role.CLEARING: ("PAY_BANK_CODE",),
    Role.QUOTA: ("PAY_BANK_CODE",),
}


PAYMENT_COLUMN_NAMES_ZH: dict[str, tuple[str, ...]] = {
    "ADM_DIV_CODE": ("行政区划代码", "行政区划", "区划"),
    "VT_CODE": ("凭证类型编号", "凭证类型"),
    "VOUCHER_NO": ("凭证号", "支付凭证号", "凭证编号"),
    "VOU_DATE": ("凭证日期",),
    "PAY_AMT": ("支付金额", "凭证金额"),
    "PAY_BANK_CODE": ("代理银行编码", "代理银行"),
    "X_PAY_AMT": ("实际支付金额",),
    "X_PAY_DATE": ("实际支付日期",),
    "ORIGINAL_VOUCHER_NO": ("原支付凭证单号", "主支付凭证编号", "原凭证号"),
    "CLEARING_NO": ("划款凭证号", "划款单号"),
    "END_DATE": ("截止日期", "对账截止日期"),
    "PRE_DATE_MONEY": ("上期额度余额",),
    "CLEAR_AMT": ("本期新增清算额度",),
    "CUR_RECK_MONEY": ("本期已清算额度",),
    "CUR_DATE_MONEY": ("本期额度余额",),
}
"""Chinese headers of the payment snapshot columns, first the standard one: the e-voucher elements' names
(shared/DOMAIN.md §2: ``XPayAmt`` 实际支付金额, ``OriginalVoucherNo`` 主支付凭证编号, the 3510 balance
names; ITFE's ``原支付凭证单号``) and the headers our own payment reports write (凭证号, 凭证金额, 划款凭证号,
区划, 代理银行). A snapshot may use these or the UPPER_SNAKE names."""


PAYMENT_HEADER_ALIASES: dict[str, str] = {
    zh: column for column, names in PAYMENT_COLUMN_NAMES_ZH.items() for zh in names
}


def known_columns(role: Role) -> tuple[str, ...]:
    return (*REQUIRED_COLUMNS[role], *OPTIONAL_COLUMNS[role])


# ---- cell rules (reference side) ------------------------------------------------------------------------


def parse_adm(value: str | None) -> str:
    text = parse_required(value)
    if not _ADM.fullmatch(text):
        raise CellError(f"AdmDivCode must be exactly 6 digits, got {text[:40]!r}")
    return text


def parse_day(value: str | None) -> date:
    text = parse_required(value)
    try:
        if _COMPACT.fullmatch(text):
            return datetime.strptime(text, "%Y%m%d").date()
        if _ISO.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise CellError(f"{text[:40]!r} is not a real calendar date") from None
    raise CellError(f"date must be yyyyMMdd or YYYY-MM-DD, got {text[:40]!r}")


def parse_optional_day(value: str | None) -> date | None:
    return None if value is None else parse_day(value)


def parse_fen(value: str | None) -> int:
    """A money cell as integer fen (signed)."""
    return to_fen(parse_amount(value))


def parse_non_negative_fen(value: str | None) -> int:
    fen = parse_fen(value)
    if fen < 0:
        raise CellError("amount must not be negative")
    return fen


def parse_negative_fen(value: str | None) -> int:
    fen = parse_fen(value)
    if fen >= 0:
        raise CellError("a 2252 refund amount must be negative")
    return fen


def parse_bank(value: str | None) -> str:
    return value or ""


def parse_voucher_vt(value: str | None) -> str | None:
    if value is not None and value not in ("5201", "8202"):
        raise CellError(f"VT_CODE of a payment voucher must be 5201 or 8202, got {value[:40]!r}")
    return value


def parse_receipt_vt(value: str | None) -> str | None:
    if value is not None and value not in ("5201", "8202", "2252"):
        raise CellError(f"VT_CODE must be 5201 / 8202 (回单) or 2252 (退款通知), got {value[:40]!r}")
    return value


def parse_clearing_vt(value: str | None) -> str:
    text = parse_required(value)
    if text not in ("2301", "2302"):
        raise CellError(f"VT_CODE of a clearing line must be 2301 or 2302, got {text[:40]!r}")
    return text


# ---- the column inputs ----------------------------------------------------------------------------------


@dataclass
class VoucherColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    vou_date: list[date] = field(default_factory=list)
    pay_bank_code: list[str] = field(default_factory=list)
    pay_amt: list[int] = field(default_factory=list)


@dataclass
class ReceiptColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    vou_date: list[date] = field(default_factory=list)
    pay_bank_code: list[str] = field(default_factory=list)
    x_pay_amt: list[int] = field(default_factory=list)
    x_pay_date: list[date | None] = field(default_factory=list)


@dataclass
class RefundColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    original_voucher_no: list[str] = field(default_factory=list)
    vou_date: list[date] = field(default_factory=list)
    pay_bank_code: list[str] = field(default_factory=list)
    pay_amt: list[int] = field(default_factory=list)


@dataclass
class ClearingColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    vt_code: list[str] = field(default_factory=list)
    clearing_no: list[str] = field(default_factory=list)
    voucher_no: list[str] = field(default_factory=list)
    vou_date: list[date] = field(default_factory=list)
    pay_bank_code: list[str] = field(default_factory=list)
    pay_amt: list[int] = field(default_factory=list)


@dataclass
class QuotaColumns(ColumnLists):
    adm_div_code: list[str] = field(default_factory=list)
    statement_no: list[str] = field(default_factory=list)
    end_date: list[date] = field(default_factory=list)
    pay_bank_code: list[str] = field(default_factory=list)
    pre_date_money: list[int] = field(default_factory=list)
    clear_amt: list[int] = field(default_factory=list)
    cur_reck_money: list[int] = field(default_factory=list)
    cur_date_money: list[int] = field(default_factory=list)


@dataclass
class PaymentInputs:
    """Everything one payment reconciliation run reads; rows keep their input order."""

    vouchers: VoucherColumns = field(default_factory=VoucherColumns)
    receipts: ReceiptColumns = field(default_factory=ReceiptColumns)
    refunds: RefundColumns = field(default_factory=RefundColumns)
    clearing: ClearingColumns = field(default_factory=ClearingColumns)
    quota: QuotaColumns = field(default_factory=QuotaColumns)

    def extend(self, other: PaymentInputs) -> None:
        self.vouchers.extend(other.vouchers)
        self.receipts.extend(other.receipts)
        self.refunds.extend(other.refunds)
        self.clearing.extend(other.clearing)
        self.quota.extend(other.quota)

    def check(self) -> None:
        """Refuse column lists of unequal length (a caller's mistake, not data)."""
        for part in (self.vouchers, self.receipts, self.refunds, self.clearing, self.quota):
            part.check_lengths()
