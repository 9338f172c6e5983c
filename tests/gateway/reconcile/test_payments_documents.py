"""Payment reconciliation from e-voucher / CFX documents, and 3501 / 3502 / 3510 / 5510 statements produced
and consumed through the adapters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from adapters.base import Document, Record
from adapters.cfx import CfxAdapter
from adapters.evoucher import EVoucherAdapter
from gateway.reconcile.breaks import BreakType
from gateway.reconcile.errors import SnapshotFormatError
from gateway.reconcile.payments.columns import Role
from gateway.reconcile.payments.documents import (
    CHECK_AGREE,
    CHECK_DISAGREE,
    quota_statement_from_clearing,
    quota_statement_reply,
    voucher_statement,
)
from gateway.reconcile.payments.duckdb_engine import reconcile_payment_files
from gateway.reconcile.payments.files import load_inputs
from gateway.reconcile.payments.reference import reconcile_payment_files_reference
from gateway.reconcile.payments.report import PaymentReport
from schemas.clearing import ClearingReceipt, ClearingRequest, PbocClearingReceipt
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from schemas.statements import QuotaReconciliationStatement, VoucherReconciliationStatement
from tests.adapters.payments_samples import (
    CLEARING_2301,
    CLEARING_2301_RECEIPT,
    CLEARING_2302,
    PAYMENT_5201,
    PAYMENT_8202,
    QUOTA_CHECK_3510,
    QUOTA_CHECK_5510,
    RECEIPT_3143,
    RECEIPT_5201,
    REFUND_2252,
    TIPS_NODE,
    head,
)

AS_OF = datetime(2026, 4, 1, 4, 0, tzinfo=UTC)
PAID = "3303245201260000123"
OTHER = "3303245201260000124"


def _evoucher(path: Path, *messages: BaseModel) -> Path:
    document = Document("evoucher", tuple(Record(i, m) for i, m in enumerate(messages)))
    path.write_bytes(EVoucherAdapter().render(document))
    return path


def _model(model: type[BaseModel], data: dict[str, Any]) -> Any:
    return model.model_validate(data)


def _day_files(tmp: Path) -> list[tuple[Path, Role]]:
    other = {**PAYMENT_8202, "vt_code": "5201", "pay_type_code": "11", "voucher_no": OTHER}
    return [
        (
            _evoucher(tmp / "v.xml", _model(PaymentVoucher, PAYMENT_5201), _model(PaymentVoucher, other)),
            Role.VOUCHERS,
        ),
        (
            _evoucher(tmp / "r.xml", _model(PaymentReceipt, RECEIPT_5201), _model(RefundNotice, REFUND_2252)),
            Role.RECEIPTS,
        ),
        (_evoucher(tmp / "c0.xml", _model(ClearingRequest, CLEARING_2301)), Role.CLEARING),
        (
            _evoucher(
                tmp / "c.xml",
                _model(ClearingReceipt, CLEARING_2301_RECEIPT),
                _model(ClearingRequest, CLEARING_2302),
            ),
            Role.CLEARING,
        ),
        (_evoucher(tmp / "q.xml", _model(QuotaReconciliationStatement, QUOTA_CHECK_3510)), Role.QUOTA),
    ]


@pytest.mark.parametrize("engine", [reconcile_payment_files, reconcile_payment_files_reference])
def test_a_day_of_e_vouchers_reconciles_through_the_adapters(tmp_path: Path, engine: Any) -> None:
    report: PaymentReport = engine(_day_files(tmp_path), as_of=AS_OF)
    # 123: paid 12345.67, refunded 2345.67 (2252), cleared by the 2301 回单 and returned by the 2302;
    # 124 was cleared in the same 2301 but never paid by the bank.
    [unpaid] = report.breaks
    assert (unpaid.type, unpaid.voucher_no) == (BreakType.UNPAID, OTHER)
    assert unpaid.cleared_amount == Decimal("860.00")
    group, statement = report.groups  # the day's vouchers; the 3510 of the period ending 2026-03-31
    assert (group.adm_div_code, group.bank, group.day) == ("330324", "102", date(2026, 3, 16))
    assert (statement.day, statement.quota_count, statement.status) == (date(2026, 3, 31), 2, "一致")
    assert group.clearing_count == 3 and group.cleared_amount == Decimal("10860.00")
    assert group.refund_amount == Decimal("2345.67")


def test_a_refused_pboc_receipt_voids_its_clearing_voucher(tmp_path: Path) -> None:
    files = _day_files(tmp_path)
    refused = _model(PbocClearingReceipt, {**RECEIPT_3143, "pay_result": "94052", "add_word": "余额不足"})
    cfx = CfxAdapter().render(
        Document("cfx", (Record(0, refused),), head("3143", "20260317314300000901", src=TIPS_NODE))
    )
    (tmp_path / "tips.xml").write_bytes(cfx)
    files.append((tmp_path / "tips.xml", Role.CLEARING))
    report = reconcile_payment_files(files, as_of=AS_OF)
    paid = next(b for b in report.breaks if b.voucher_no == PAID)
    assert paid.type is BreakType.NOT_CLEARED and paid.difference == Decimal("12345.67")


def test_a_document_of_the_wrong_kind_is_refused_in_one_line(tmp_path: Path) -> None:
    path = _evoucher(tmp_path / "r.xml", _model(PaymentReceipt, RECEIPT_5201))
    with pytest.raises(SnapshotFormatError, match="not a vouchers input"):
        reconcile_payment_files([(path, Role.VOUCHERS)], as_of=AS_OF)


def test_a_3510_built_from_the_days_clearing_round_trips_and_balances(tmp_path: Path) -> None:
    inputs = load_inputs(_day_files(tmp_path)[2:4])
    statement = quota_statement_from_clearing(
        inputs.clearing,
        adm_div_code="330324",
        st_year=2026,
        day=date(2026, 3, 17),
        voucher_no="3303243510260317001",
        pre_date_money={"102333300018": Decimal("50000.00")},
        clear_amt={"102333300018": Decimal("20000.00")},
    )
    assert statement.cur_reck_money == Decimal("13205.67") and statement.identity_holds
    raw = EVoucherAdapter().render(Document("evoucher", (Record(0, statement),)))
    assert EVoucherAdapter().parse(raw).messages == (statement,)
    path = tmp_path / "3510.xml"
    path.write_bytes(raw)
    vouchers = _evoucher(tmp_path / "none.xml", _model(PaymentVoucher, PAYMENT_5201))
    report = reconcile_payment_files([(vouchers, Role.VOUCHERS), (path, Role.QUOTA)], as_of=AS_OF)
    assert not [b for b in report.breaks if b.type is BreakType.QUOTA_IDENTITY]


def test_a_5510_reply_reports_each_line_that_breaks_the_balance_identity(tmp_path: Path) -> None:
    broken = {**QUOTA_CHECK_3510, "details": [{**QUOTA_CHECK_3510["details"][0], "cur_date_money": "1.00"}]}
    statement = _model(QuotaReconciliationStatement, broken)
    reply = quota_statement_reply(statement)
    assert (reply.vt_code, reply.x_check_result, reply.x_diff_num) == ("5510", CHECK_DISAGREE, 1)
    assert reply.details[0].x_check_result == CHECK_DISAGREE
    assert quota_statement_reply(_model(QuotaReconciliationStatement, QUOTA_CHECK_3510)).x_check_result == (
        CHECK_AGREE
    )
    raw = EVoucherAdapter().render(Document("evoucher", (Record(0, reply),)))
    path = tmp_path / "5510.xml"
    path.write_bytes(raw)
    vouchers = _evoucher(tmp_path / "v.xml", _model(PaymentVoucher, PAYMENT_5201))
    report = reconcile_payment_files([(vouchers, Role.VOUCHERS), (path, Role.QUOTA)], as_of=AS_OF)
    [item] = [b for b in report.breaks if b.type is BreakType.QUOTA_IDENTITY]
    assert item.key.endswith("quota:3303243510260331001#2") and item.difference == Decimal("206793.33")


def test_a_5510_without_header_balances_reconciles_on_its_details(tmp_path: Path) -> None:
    # ITFE VoucherDto2MapFor5510.java writes no header PreDateMoney/ClearAmt/CurReckMoney/CurDateMoney
    data = {k: v for k, v in QUOTA_CHECK_5510.items() if v is not None}
    statement = _model(QuotaReconciliationStatement, data)
    assert statement.pre_date_money is None and statement.identity_difference() == 0
    path = _evoucher(tmp_path / "5510.xml", statement)
    vouchers = _evoucher(tmp_path / "v.xml", _model(PaymentVoucher, PAYMENT_5201))
    report = reconcile_payment_files([(vouchers, Role.VOUCHERS), (path, Role.QUOTA)], as_of=AS_OF)
    assert not [b for b in report.breaks if b.type is BreakType.QUOTA_IDENTITY]
    broken = {**data, "details": [{**data["details"][0], "cur_date_money": "1.00"}]}
    path = _evoucher(tmp_path / "broken.xml", _model(QuotaReconciliationStatement, broken))
    report = reconcile_payment_files([(vouchers, Role.VOUCHERS), (path, Role.QUOTA)], as_of=AS_OF)
    # the detail (line 2) breaks the identity, and so does the header (line 1): its balances are the
    # details' sums, and the identity is linear
    breaks = [b for b in report.breaks if b.type is BreakType.QUOTA_IDENTITY]
    assert sorted(b.key.rsplit("#", 1)[-1] for b in breaks) == ["1", "2"]
    assert {b.difference for b in breaks} == {Decimal("206793.33")}


def test_a_banks_3502_statement_is_consumed_as_its_receipts(tmp_path: Path) -> None:
    statement = voucher_statement(
        "3502",
        [(PAID, Decimal("12345.67")), ("3303245201260000999", Decimal("1.00"))],
        adm_div_code="330324",
        st_year=2026,
        check_date=date(2026, 3, 17),
        voucher_no="3303243502260317001",
    )
    assert isinstance(statement, VoucherReconciliationStatement) and statement.all_amt == Decimal("12346.67")
    statement_path = _evoucher(tmp_path / "3502.xml", statement)
    vouchers = _evoucher(tmp_path / "v.xml", _model(PaymentVoucher, PAYMENT_5201))
    clearing = _evoucher(tmp_path / "c.xml", _model(ClearingReceipt, CLEARING_2301_RECEIPT))
    files = [(vouchers, Role.VOUCHERS), (statement_path, Role.RECEIPTS), (clearing, Role.CLEARING)]
    report = reconcile_payment_files(files, as_of=AS_OF)
    assert sorted((b.type.value, b.voucher_no) for b in report.breaks) == [
        ("CLEARED_UNKNOWN", OTHER),
        ("PAY_AMOUNT_MISMATCH", "3303245201260000999"),
    ]


def test_a_statement_of_clearing_vouchers_is_refused(tmp_path: Path) -> None:
    statement = voucher_statement(
        "3502",
        [("3303242301260000031", Decimal("1.00"))],
        adm_div_code="330324",
        st_year=2026,
        check_date=date(2026, 3, 17),
        voucher_no="3303243502260317002",
        e_voucher_type="2301",
    )
    path = _evoucher(tmp_path / "3502.xml", statement)
    vouchers = _evoucher(tmp_path / "v.xml", _model(PaymentVoucher, PAYMENT_5201))
    with pytest.raises(SnapshotFormatError, match="not payment vouchers"):
        reconcile_payment_files([(vouchers, Role.VOUCHERS), (path, Role.CLEARING)], as_of=AS_OF)
