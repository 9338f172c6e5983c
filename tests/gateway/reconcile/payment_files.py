"""Test factories for the payment reconciliation: snapshot rows per input and files (CSV UTF-8/GBK, XLSX)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gateway.reconcile.payments.columns import Role
from tests.gateway.reconcile.ledgers import Row, write_csv, write_xlsx

ADM = "330324"
BANK = "102"

VOUCHER_HEADER = ("ADM_DIV_CODE", "VT_CODE", "VOUCHER_NO", "VOU_DATE", "PAY_BANK_CODE", "PAY_AMT")
RECEIPT_HEADER = (
    "ADM_DIV_CODE",
    "VT_CODE",
    "VOUCHER_NO",
    "VOU_DATE",
    "PAY_BANK_CODE",
    "X_PAY_AMT",
    "X_PAY_DATE",
    "ORIGINAL_VOUCHER_NO",
    "PAY_AMT",
)
CLEARING_HEADER = (
    "ADM_DIV_CODE",
    "VT_CODE",
    "CLEARING_NO",
    "VOUCHER_NO",
    "VOU_DATE",
    "PAY_BANK_CODE",
    "PAY_AMT",
)
QUOTA_HEADER = (
    "ADM_DIV_CODE",
    "VOUCHER_NO",
    "END_DATE",
    "PAY_BANK_CODE",
    "PRE_DATE_MONEY",
    "CLEAR_AMT",
    "CUR_RECK_MONEY",
    "CUR_DATE_MONEY",
)
HEADERS = {
    Role.VOUCHERS: VOUCHER_HEADER,
    Role.RECEIPTS: RECEIPT_HEADER,
    Role.CLEARING: CLEARING_HEADER,
    Role.QUOTA: QUOTA_HEADER,
}


def voucher(no: str, amount: str = "100.00", day: str = "20260301", **overrides: str) -> Row:
    row = {"ADM_DIV_CODE": ADM, "VT_CODE": "5201", "VOUCHER_NO": no, "VOU_DATE": day, "PAY_BANK_CODE": BANK}
    return {**row, "PAY_AMT": amount, **overrides}


def receipt(no: str, paid: str = "100.00", day: str = "20260301", **overrides: str) -> Row:
    row = {"ADM_DIV_CODE": ADM, "VT_CODE": "5201", "VOUCHER_NO": no, "VOU_DATE": day, "PAY_BANK_CODE": BANK}
    return {**row, "X_PAY_AMT": paid, "X_PAY_DATE": day, **overrides}


def refund(no: str, original: str, amount: str = "-10.00", day: str = "20260302", **overrides: str) -> Row:
    row = {"ADM_DIV_CODE": ADM, "VT_CODE": "2252", "VOUCHER_NO": no, "VOU_DATE": day}
    return {**row, "ORIGINAL_VOUCHER_NO": original, "PAY_AMT": amount, **overrides}


def clearing(
    clearing_no: str,
    no: str,
    amount: str = "100.00",
    day: str = "20260301",
    vt: str = "2301",
    **overrides: str,
) -> Row:
    row = {"ADM_DIV_CODE": ADM, "VT_CODE": vt, "CLEARING_NO": clearing_no, "VOUCHER_NO": no, "VOU_DATE": day}
    return {**row, "PAY_BANK_CODE": BANK, "PAY_AMT": amount, **overrides}


def quota(no: str, pre: str, added: str, reck: str, cur: str, day: str = "20260301", **overrides: str) -> Row:
    row = {"ADM_DIV_CODE": ADM, "VOUCHER_NO": no, "END_DATE": day, "PAY_BANK_CODE": BANK}
    values = {"PRE_DATE_MONEY": pre, "CLEAR_AMT": added, "CUR_RECK_MONEY": reck, "CUR_DATE_MONEY": cur}
    return {**row, **values, **overrides}


def write_chain(
    tmp: Path,
    vouchers: Sequence[Row],
    receipts: Sequence[Row] = (),
    clearing_rows: Sequence[Row] = (),
    quota_rows: Sequence[Row] = (),
    *,
    xlsx: bool = False,
    encoding: str = "utf-8",
) -> list[tuple[Path, Role]]:
    """One file per input (empty inputs are left out, except the vouchers)."""
    files: list[tuple[Path, Role]] = []
    for role, rows in (
        (Role.VOUCHERS, vouchers),
        (Role.RECEIPTS, receipts),
        (Role.CLEARING, clearing_rows),
        (Role.QUOTA, quota_rows),
    ):
        if role is not Role.VOUCHERS and not rows:
            continue
        if xlsx:
            path = write_xlsx(tmp / f"{role}.xlsx", HEADERS[role], rows)
        else:
            path = write_csv(tmp / f"{role}.csv", HEADERS[role], rows, encoding=encoding)
        files.append((path, role))
    return files
