"""Authorization and routing by message type and receiver (the demo registry; issue #4 routing rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from gateway.config import load_settings
from gateway.model import RoutedVoucher
from gateway.parties import Party, PartyRegistry
from gateway.routing import Route, route, voucher_references
from gateway.services.errors import Forbidden, Unroutable, VoucherUnknown
from schemas.clearing import ClearingReceipt, ClearingRequest, QuotaNotice
from schemas.indicators import IndicatorReceipt
from schemas.payments import PaymentReceipt, PaymentVoucher, RefundNotice
from tests.adapters.payments_samples import (
    CLEARING_2301,
    CLEARING_2301_RECEIPT,
    PAYMENT_5201,
    QUOTA_5108,
    RECEIPT_5201,
    REFUND_2252,
)

COUNTY, CITY, BANK, PBC = "330324000", "330300000", "102333300018", "3303240000"
OTHER_BANK = "103333300001"


@pytest.fixture
def registry(demo_template: Path) -> PartyRegistry:
    parties = list(load_settings(demo_template).parties)
    parties.append(
        Party.model_validate(
            {
                "id": OTHER_BANK,
                "kind": "bank",
                "name": "农业银行 (demo)",
                "certificate": "x",
                "bank_codes": ["103"],
            }
        )
    )
    return PartyRegistry(parties)


def model(kind: type[BaseModel], data: dict[str, Any], **changes: Any) -> BaseModel:
    return kind.model_validate({**data, **changes})


def routed_to(bank: str, message: BaseModel) -> dict[tuple[str, str], list[RoutedVoucher]]:
    """The store's answer for the vouchers ``message`` names: all routed to ``bank``."""
    return {key: [RoutedVoucher(*key, bank, "102")] for key in voucher_references(message)}


def receivers(registry: PartyRegistry, sender: str, message: BaseModel) -> list[Route]:
    """Routes of ``message``, the vouchers it names having been routed to BANK."""
    return route(registry, registry.get(sender), message, routed_to(BANK, message))


def test_a_voucher_goes_to_the_agency_bank_it_names(registry: PartyRegistry) -> None:
    voucher = model(PaymentVoucher, PAYMENT_5201)
    assert receivers(registry, COUNTY, voucher) == [Route(BANK, "voucher.pay_bank")]


def test_a_finance_may_not_issue_vouchers_for_another_division(registry: PartyRegistry) -> None:
    with pytest.raises(Forbidden, match="330300000 may not issue vouchers for division 330324000"):
        receivers(registry, CITY, model(PaymentVoucher, PAYMENT_5201))


def test_a_voucher_for_an_unregistered_bank_is_unroutable(registry: PartyRegistry) -> None:
    with pytest.raises(Unroutable, match="agency bank"):
        receivers(registry, COUNTY, model(PaymentVoucher, PAYMENT_5201, pay_bank_code="999"))


def test_the_bank_returns_its_receipt_to_the_issuing_finance(registry: PartyRegistry) -> None:
    receipt = model(PaymentReceipt, RECEIPT_5201)
    assert receivers(registry, BANK, receipt) == [Route(COUNTY, "bank_return.adm_div_code")]
    refund = model(RefundNotice, REFUND_2252)
    assert receivers(registry, BANK, refund) == [Route(COUNTY, "bank_return.adm_div_code")]


def test_a_bank_may_not_answer_for_vouchers_addressed_to_another(registry: PartyRegistry) -> None:
    with pytest.raises(Forbidden, match="addressed to it"):
        receivers(registry, OTHER_BANK, model(PaymentReceipt, RECEIPT_5201))
    with pytest.raises(Forbidden, match="addressed to it"):  # names a bank nobody registered
        receivers(registry, BANK, model(PaymentReceipt, RECEIPT_5201, pay_bank_code="999"))
    with pytest.raises(Forbidden, match="only an agency bank"):
        receivers(registry, COUNTY, model(PaymentReceipt, RECEIPT_5201))


def test_clearing_requests_go_to_the_treasury_and_receipts_come_back(registry: PartyRegistry) -> None:
    request = model(ClearingRequest, CLEARING_2301)
    assert receivers(registry, BANK, request) == [Route(PBC, "clearing.tre_code")]
    with pytest.raises(Forbidden):
        receivers(registry, OTHER_BANK, request)
    receipt = model(ClearingReceipt, CLEARING_2301_RECEIPT)
    assert receivers(registry, PBC, receipt) == [
        Route(COUNTY, "clearing_receipt.finance"),
        Route(BANK, "clearing_receipt.bank"),
    ]
    with pytest.raises(Forbidden, match="only the PBOC treasury answers clearing requests"):
        receivers(registry, BANK, receipt)


def test_a_quota_notice_goes_to_the_bank_and_the_treasury(registry: PartyRegistry) -> None:
    quota = model(QuotaNotice, QUOTA_5108)
    assert receivers(registry, COUNTY, quota) == [Route(BANK, "voucher.pay_bank"), Route(PBC, "quota.pbc")]


def test_an_indicator_receipt_goes_back_up(registry: PartyRegistry) -> None:
    answer = IndicatorReceipt.model_validate(
        {
            "bgt_id": "3300002026ZJ01",
            "mof_div_code": "330000000",
            "rec_div_code": CITY,
            "fiscal_year": 2026,
            "rec_status": "1",
            "rec_bgt_id": "3303002026WZ01",
            "rec_time": "2026-01-21T10:00:00",
        }
    )
    assert receivers(registry, CITY, answer) == [Route("330000000", "indicator_receipt.mof_div_code")]
    with pytest.raises(Forbidden):
        receivers(registry, COUNTY, answer)


def test_a_bank_answers_only_for_vouchers_the_store_routed_to_it(registry: PartyRegistry) -> None:
    """The binding: the look-up result decides, whatever the document's own bank fields say."""
    bank, other = registry.get(BANK), registry.get(OTHER_BANK)
    receipt = model(PaymentReceipt, RECEIPT_5201, pay_bank_code=None)
    refund = model(RefundNotice, REFUND_2252)
    request = model(ClearingRequest, CLEARING_2301, pay_bank_no=OTHER_BANK)
    for message in (receipt, refund):
        assert route(registry, bank, message, routed_to(BANK, message))
        with pytest.raises(Forbidden, match="3303245201260000123 of AdmDivCode 330324 was routed to another"):
            route(registry, other, message, routed_to(BANK, message))
        with pytest.raises(VoucherUnknown, match="3303245201260000123"):
            route(registry, bank, message, {})
    assert route(registry, other, request, routed_to(OTHER_BANK, request))
    with pytest.raises(Forbidden, match="routed to another bank"):
        route(registry, other, request, routed_to(BANK, request))
    # one of the listed vouchers missing is enough
    partial = dict(list(routed_to(OTHER_BANK, request).items())[:1])
    with pytest.raises(VoucherUnknown, match="3303245201260000124"):
        route(registry, other, request, partial)


def test_voucher_references_name_what_a_bank_answers_for() -> None:
    assert voucher_references(model(PaymentReceipt, RECEIPT_5201)) == (("330324", "3303245201260000123"),)
    assert voucher_references(model(RefundNotice, REFUND_2252)) == (("330324", "3303245201260000123"),)
    assert voucher_references(model(ClearingRequest, CLEARING_2301)) == (
        ("330324", "3303245201260000123"),
        ("330324", "3303245201260000124"),
    )
    assert voucher_references(model(PaymentVoucher, PAYMENT_5201)) == ()
