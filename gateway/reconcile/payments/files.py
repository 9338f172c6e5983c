"""Reading payment-chain input files into :class:`~gateway.reconcile.payments.columns.PaymentInputs`.

A file is one of:

* an e-voucher envelope (``<MOF>``, GBK) — parsed by the ``evoucher`` adapter; each record goes to the
  input its message type belongs to (see :mod:`gateway.reconcile.payments.documents`);
* a CFX package (``<CFX>``) — only 3143 / 3144 划款回执 are read, in a clearing input: a 2301 / 2302 whose
  回执 is not 90000 cleared nothing;
* an XLSX workbook (first sheet) or a CSV file (UTF-8 with or without BOM, or GBK) with the columns of
  :mod:`gateway.reconcile.payments.columns`.

Here the CSV / XLSX rows are read one Python object at a time: this is the reference engine's loader and
the columnar engine's way of naming the exact line and column of a malformed cell. The columnar engine
reads CSV / XLSX itself (:mod:`gateway.reconcile.payments.duckdb_engine`); documents are small
(≤ 100 vouchers per envelope, ≤ 1,000 records per CFX package) and both engines convert them here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from adapters.base import Document
from adapters.cfx import CfxAdapter
from adapters.errors import AdapterError
from adapters.evoucher import EVoucherAdapter
from gateway.reconcile.errors import BadValueError, MissingColumnsError, SnapshotFormatError
from gateway.reconcile.indicators.ledger_columns import CellError, parse_required
from gateway.reconcile.payments.columns import (
    PAYMENT_COLUMN_NAMES_ZH,
    REQUIRED_COLUMNS,
    PaymentInputs,
    Role,
    parse_adm,
    parse_bank,
    parse_clearing_vt,
    parse_day,
    parse_fen,
    parse_negative_fen,
    parse_non_negative_fen,
    parse_optional_day,
    parse_receipt_vt,
    parse_voucher_vt,
)
from gateway.reconcile.payments.documents import documents_to_inputs
from gateway.reconcile.snapshot_files import is_xlsx, iter_records
from schemas.errors import SchemaError

_T = TypeVar("_T")
_SNIFF_BYTES = 1024


class FileKind(enum.StrEnum):
    EVOUCHER = "evoucher"
    CFX = "cfx"
    XLSX = "xlsx"
    CSV = "csv"


def file_kind(path: Path) -> FileKind:
    """What a file holds, from its first bytes."""
    if not path.is_file():
        raise SnapshotFormatError(str(path), "no such file")
    if is_xlsx(path):
        return FileKind.XLSX
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if EVoucherAdapter().identify(head):
        return FileKind.EVOUCHER
    if CfxAdapter().identify(head):
        return FileKind.CFX
    return FileKind.CSV


def read_document(path: Path, kind: FileKind) -> Document:
    adapter = EVoucherAdapter() if kind is FileKind.EVOUCHER else CfxAdapter()
    try:
        return adapter.parse(path.read_bytes())
    except OSError as exc:
        raise SnapshotFormatError(str(path), f"cannot read: {exc.strerror}") from None
    except (AdapterError, SchemaError) as exc:
        raise SnapshotFormatError(str(path), f"not a valid {kind} document: {exc}") from None


def load_documents(paths: list[tuple[Path, Role]]) -> PaymentInputs:
    """E-voucher / CFX files (path, role) as inputs, converted together (a 回执 may sit in another file)."""
    documents = [(path, role, read_document(path, file_kind(path))) for path, role in paths]
    return documents_to_inputs(documents)


class _Row:
    """One record of a file; ``get`` parses a cell, naming file, line and column when it is malformed."""

    def __init__(self, path: Path, line: int, record: dict[str, str | None]) -> None:
        self._path, self._line, self._record = path, line, record

    def get(self, column: str, parse: Callable[[str | None], _T]) -> _T:
        try:
            return parse(self._record.get(column))
        except CellError as exc:
            raise BadValueError(str(self._path), self._line, column, str(exc)) from None


def load_table(path: Path, role: Role, into: PaymentInputs) -> None:
    """Append the validated rows of one CSV / XLSX file (slow path; raises at the first bad cell)."""
    checked = False
    for line, record in iter_records(path):
        if not checked:
            missing = [c for c in REQUIRED_COLUMNS[role] if c not in record]
            if missing:
                raise MissingColumnsError(str(path), missing, PAYMENT_COLUMN_NAMES_ZH)
            checked = True
        if not any(v is not None for v in record.values()):
            continue
        cell = _Row(path, line, record).get
        adm = cell("ADM_DIV_CODE", parse_adm)
        if role is Role.VOUCHERS:
            number = cell("VOUCHER_NO", parse_required)
            day = cell("VOU_DATE", parse_day)
            cell("VT_CODE", parse_voucher_vt)
            amount = cell("PAY_AMT", parse_non_negative_fen)
            into.vouchers.append(adm, number, day, cell("PAY_BANK_CODE", parse_bank), amount)
        elif role is Role.RECEIPTS:
            number = cell("VOUCHER_NO", parse_required)
            day = cell("VOU_DATE", parse_day)
            vt = cell("VT_CODE", parse_receipt_vt)
            bank = cell("PAY_BANK_CODE", parse_bank)
            if vt == "2252":
                original = cell("ORIGINAL_VOUCHER_NO", parse_required)
                amount = cell("PAY_AMT", parse_negative_fen)
                into.refunds.append(adm, number, original, day, bank, amount)
            else:
                paid = cell("X_PAY_AMT", parse_non_negative_fen)
                into.receipts.append(adm, number, day, bank, paid, cell("X_PAY_DATE", parse_optional_day))
        elif role is Role.CLEARING:
            vt = cell("VT_CODE", parse_clearing_vt)
            clearing_no = cell("CLEARING_NO", parse_required)
            number = cell("VOUCHER_NO", parse_required)
            day = cell("VOU_DATE", parse_day)
            amount = cell("PAY_AMT", parse_non_negative_fen if vt == "2301" else parse_fen)
            into.clearing.append(adm, vt, clearing_no, number, day, cell("PAY_BANK_CODE", parse_bank), amount)
        else:
            number = cell("VOUCHER_NO", parse_required)
            day = cell("END_DATE", parse_day)
            money = [
                cell(c, parse_fen)
                for c in ("PRE_DATE_MONEY", "CLEAR_AMT", "CUR_RECK_MONEY", "CUR_DATE_MONEY")
            ]
            into.quota.append(adm, number, day, cell("PAY_BANK_CODE", parse_bank), *money)
    if not checked:
        # a file with a header and no rows: still check the header
        _check_header_only(path, role)


def _check_header_only(path: Path, role: Role) -> None:
    from gateway.reconcile.snapshot_files import csv_header

    if is_xlsx(path):
        return
    header = csv_header(path)
    missing = [c for c in REQUIRED_COLUMNS[role] if c not in header]
    if missing:
        raise MissingColumnsError(str(path), missing, PAYMENT_COLUMN_NAMES_ZH)


def load_inputs(files: list[tuple[Path, Role]]) -> PaymentInputs:
    """Every file, in the order given, through the slow path (reference engine)."""
    inputs = PaymentInputs()
    documents: list[tuple[Path, Role]] = []
    for path, role in files:
        kind = file_kind(path)
        if kind in (FileKind.EVOUCHER, FileKind.CFX):
            documents.append((path, role))
        else:
            load_table(path, role, inputs)
    if documents:
        inputs.extend(load_documents(documents))
    return inputs
